// examples/basic through the `pulumi` CLI itself, in its own folder, as a user or a CI job runs
// it: language host, dynamic-provider shim, file backend, drift gate exit codes. And the root
// project (Pulumi.yaml) the way the README drives it by hand, its blocks run as a script.
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll } from "vitest";
import { pulumiCli, type PulumiCli } from "./support/cli";
import { repoRoot } from "./support/engine";
import { describe, expect, it } from "./support/fixtures";

let cli: PulumiCli;
const stackName = `cli-e2e-${process.pid}`;

it.beforeAll(({ emu }) => {
  cli = pulumiCli(
    path.join(repoRoot, "examples/basic"),
    emu.env({ TWILIO_PROXY_SERVICE_SID: emu.serviceSid }),
  );
});
afterAll(() => cli?.dispose());

const pulumi = (...args: string[]) => cli.run(...args);

describe("the pulumi CLI on examples/basic", () => {
  // Nine CLI runs in one story: a generous bound for a loaded CI machine, not a speed check.
  it(
    "deploys examples/basic, gates on drift, converges and destroys",
    { timeout: 600_000 },
    async ({ emu }) => {
      const init = await pulumi("stack", "init", stackName);
      expect(init.status, init.out).toBe(0);
      const up = await pulumi("up", "--yes", "--stack", stackName);
      expect(up.status, up.out).toBe(0);
      expect(up.out).toMatch(/\+ 4 created/);

      const output = await pulumi("stack", "output", "tripSid", "--stack", stackName);
      expect(output.status, output.out).toBe(0);
      const sid = output.out.trim();
      expect(sid).toMatch(/^KC[0-9a-f]{32}$/);

      const gate = () =>
        pulumi("preview", "--refresh", "--expect-no-changes", "--diff", "--stack", stackName);
      const clean = await gate();
      expect(clean.status, clean.out).toBe(0);
      await emu.patchSession(sid, { ttl: 60 });
      const drifted = await gate();
      expect(drifted.status, drifted.out).not.toBe(0);
      expect(drifted.out).toMatch(/~ ttl\s*: 60 => 3600/);

      const converge = await pulumi("up", "--refresh", "--yes", "--stack", stackName);
      expect(converge.status, converge.out).toBe(0);
      const converged = await gate();
      expect(converged.status, converged.out).toBe(0);
      const destroy = await pulumi("destroy", "--yes", "--stack", stackName);
      expect(destroy.status, destroy.out).toBe(0);
      expect(await emu.sessions()).toEqual([]);
    },
  );
});

/** The bash blocks of the README's "Drive the example by hand" section, in order. */
function byHandBlocks(): string[] {
  const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
  const start = readme.indexOf("### Drive the example by hand");
  const section = readme.slice(start, readme.indexOf("\n## ", start));
  return [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/**
 * A copy of the checkout (its files as git sees them, uncommitted changes included, and
 * node_modules linked), so that the README's `dev` stack and `.work/` are the copy's own.
 */
function copyOfCheckout(dest: string): void {
  const files = execFileSync(
    "git",
    ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    {
      cwd: repoRoot,
      encoding: "utf8",
    },
  )
    .split("\0")
    .filter((f) => f && fs.existsSync(path.join(repoRoot, f)));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dest, f)), { recursive: true });
    fs.copyFileSync(path.join(repoRoot, f), path.join(dest, f));
    fs.chmodSync(path.join(dest, f), fs.statSync(path.join(repoRoot, f)).mode);
  }
  fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dest, "node_modules"));
}

describe("the root project, driven by hand as the README says", () => {
  it("runs the README's blocks as a script: the emulator, `pulumi up` from the root, destroy", async () => {
    const blocks = byHandBlocks();
    expect(blocks).toHaveLength(2);
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "by-hand-"));
    const checkout = path.join(scratch, "checkout");
    copyOfCheckout(checkout);
    // The README's two blocks, and between them what a user would look at.
    const script = [
      blocks[0],
      "echo '<<<'; pulumi stack output --json; echo '>>>'",
      blocks[1],
    ].join("\n");
    const env: Record<string, string | undefined> = {
      ...process.env,
      PULUMI_HOME: path.join(scratch, "home"), // the block leaves ~/.pulumi to the user
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    };
    for (const key of Object.keys(env)) {
      if (key.startsWith("TWILIO_") || key === "PULUMI_BACKEND_URL") delete env[key];
    }
    const child = spawn("bash", ["-e", "-c", script], { cwd: checkout, env, detached: true });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    try {
      const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
      expect(status, out).toBe(0);
      expect(out).toMatch(/\+ 4 created/);
      const outputs = JSON.parse(out.slice(out.indexOf("<<<\n") + 4, out.indexOf(">>>\n")));
      expect(outputs).toMatchObject({
        tripSid: expect.stringMatching(/^KC[0-9a-f]{32}$/),
        tripStatus: "open",
        archivedStatus: "closed",
      });
      expect(out).toMatch(/- 4 deleted/);
      expect(out).toMatch(/Stack 'dev' has been removed/);
    } finally {
      // The emulator the script started, should `kill %1` not have been reached.
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        // already gone
      }
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }, 300_000); // a build, an up and a destroy, on a machine that may be busy
});
