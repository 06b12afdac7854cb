// The root Pulumi.yaml (examples/basic) through the `pulumi` CLI itself, as a user or a CI job
// runs it: language host, dynamic-provider shim, file backend, drift gate exit codes.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmulatorHarness } from "./support/emulator";
import { pulumiRoot, repoRoot } from "./support/engine";

let emu: EmulatorHarness;
let scratch: string;
const stackName = `cli-e2e-${process.pid}`;

beforeAll(async () => {
  emu = await EmulatorHarness.start();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-cli-"));
  fs.mkdirSync(path.join(scratch, "state"));
});
afterAll(async () => {
  await emu?.close();
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.rmSync(path.join(repoRoot, `Pulumi.${stackName}.yaml`), { force: true });
});

/**
 * Runs `pulumi <args>` in the repository root, isolated, with credentials in the environment.
 * Asynchronously: the emulator answers from this same process.
 */
function pulumi(...args: string[]): Promise<{ status: number; out: string }> {
  const env = {
    ...process.env,
    ...emu.env({ TWILIO_PROXY_SERVICE_SID: emu.serviceSid }),
    PATH: `${path.join(pulumiRoot(), "bin")}${path.delimiter}${process.env.PATH}`,
    PULUMI_HOME: path.join(scratch, "home"),
    PULUMI_BACKEND_URL: `file://${path.join(scratch, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "cli-e2e",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
  const bin = path.join(pulumiRoot(), "bin/pulumi");
  return new Promise((resolve) =>
    execFile(bin, [...args, "--non-interactive"], { cwd: repoRoot, env }, (err, stdout, stderr) =>
      resolve({ status: err ? Number(err.code ?? 1) : 0, out: `${stdout}${stderr}` }),
    ),
  );
}

describe("the pulumi CLI on the root Pulumi.yaml", () => {
  it("deploys examples/basic, gates on drift, converges and destroys", async () => {
    expect((await pulumi("stack", "init", stackName)).status).toBe(0);
    const up = await pulumi("up", "--yes", "--stack", stackName);
    expect(up.status, up.out).toBe(0);
    expect(up.out).toMatch(/\+ 4 created/);

    const sid = (await pulumi("stack", "output", "tripSid", "--stack", stackName)).out.trim();
    expect(sid).toMatch(/^KC[0-9a-f]{32}$/);

    const gate = () =>
      pulumi("preview", "--refresh", "--expect-no-changes", "--diff", "--stack", stackName);
    expect((await gate()).status).toBe(0);
    await emu.patchSession(sid, { ttl: 60 });
    const drifted = await gate();
    expect(drifted.status).not.toBe(0);
    expect(drifted.out).toMatch(/~ ttl\s*: 60 => 3600/);

    expect((await pulumi("up", "--refresh", "--yes", "--stack", stackName)).status).toBe(0);
    expect((await gate()).status).toBe(0);
    expect((await pulumi("destroy", "--yes", "--stack", stackName)).status).toBe(0);
    expect(await emu.sessions()).toEqual([]);
  });
});
