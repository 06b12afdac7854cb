// examples/basic through the `pulumi` CLI itself, in its own folder, as a user or a CI job runs
// it: language host, dynamic-provider shim, file backend, drift gate exit codes.
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
