// Unattended pipelines: a `pulumi up` killed half-way (also in the middle of a state write), and
// whole stacks under rate limits, server errors and lost connections. Through the real engine
// against the faulty emulator.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { LocalWorkspace } from "@pulumi/pulumi/automation";
import { ProxySession } from "pulumi-twilio-proxy";
import { NAME_LOOKUP_READINGS, type EmulatorHarness } from "./support/emulator";
import { EngineStack, repoRoot } from "./support/engine";
import { describe, expect, it } from "./support/fixtures";
import { commandLine, parents, processTree } from "./support/processes";
import { settledValue, waitFor } from "./support/wait";

/** `count` sessions, each with a uniqueName, as a platform team's stack declares them. */
const manySessions = (emu: EmulatorHarness, prefix: string, count: number) => async () => {
  const sids: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const name = `${prefix}-${String(i).padStart(3, "0")}`;
    sids[name] = new ProxySession(name, {
      serviceSid: emu.serviceSid,
      uniqueName: name,
      ttl: 3600,
    }).sid;
  }
  return { count };
};

/**
 * The `pulumi up` this test process started, with everything it started in turn (the provider
 * shim and its node process): what dies with a CI runner.
 */
function pulumiUpTree(): number[] {
  const ppid = parents();
  const isPulumiUp = (pid: number) => {
    const cmd = commandLine(pid);
    return cmd.length > 0 && cmd[0].endsWith("/pulumi") && cmd.includes("up");
  };
  return processTree(
    [...ppid.keys()].filter((pid) => ppid.get(pid) === process.pid && isPulumiUp(pid)),
  );
}

/** Every live session is in state exactly once, and every state session is live. */
async function expectStateMatchesLive(emu: EmulatorHarness, stack: EngineStack, declared: number) {
  const live = await emu.sessions();
  const names = live.map((s) => s.unique_name);
  expect(new Set(names).size).toBe(names.length);
  expect(live).toHaveLength(declared);
  const inState = await stack.sessions();
  expect(inState.map((r) => r.id).sort()).toEqual(live.map((s) => s.sid as string).sort());
}

/** Temp files and 0-byte sidecars: what a kill mid state write leaves next to a checkpoint. */
function strayFiles(stacksDir: string): string[] {
  return fs
    .readdirSync(stacksDir)
    .filter(
      (f) =>
        f.endsWith(".tmp") ||
        (f.endsWith(".attrs") && fs.statSync(path.join(stacksDir, f)).size === 0),
    );
}

/**
 * Leaves the stack's checkpoint as a kill in the middle of Pulumi's next state write would. The
 * file backend of pulumi v3.248.0 (gocloud.dev fileblob, checked with strace) saves a checkpoint
 * <stack>.json thus: copy it to <stack>.json.bak (through a temp file, its own .attrs sidecar and
 * a rename); write the new checkpoint to <stack>.json.<hex>.tmp; truncate <stack>.json.attrs and
 * write it again; rename the temp file over <stack>.json. A SIGKILL between that truncate and the
 * write leaves exactly this. Returns false when the kill itself landed there.
 */
function cutNextStateWrite(checkpoint: string): boolean {
  const attrs = `${checkpoint}.attrs`;
  if (fs.statSync(attrs).size === 0) return false;
  // A kill earlier in that save left temp files that the save's later steps would have consumed.
  const dir = path.dirname(checkpoint);
  for (const f of fs.readdirSync(dir)) if (f.endsWith(".tmp")) fs.rmSync(path.join(dir, f));
  fs.copyFileSync(checkpoint, `${checkpoint}.bak`);
  fs.copyFileSync(attrs, `${checkpoint}.bak.attrs`);
  // The next checkpoint, whole; Pulumi never reads a temp file, so the current one stands in.
  fs.copyFileSync(checkpoint, `${checkpoint}.${process.hrtime.bigint().toString(16)}.tmp`);
  fs.truncateSync(attrs, 0);
  return true;
}

/** Runs a bash script as a user would in the stack's project directory, with its environment. */
function bash(stack: EngineStack, script: string): Promise<{ status: number; out: string }> {
  const ws = stack.stack.workspace as LocalWorkspace;
  const env = { ...process.env, ...ws.envVars };
  // Asynchronously: the emulator answers from this same process.
  return new Promise((resolve) =>
    execFile("bash", ["-ec", script], { cwd: ws.workDir, env }, (err, stdout, stderr) =>
      resolve({ status: err ? Number(err.code ?? 1) : 0, out: `${stdout}${stderr}` }),
    ),
  );
}

/** The README's example backend directory and stack, which a user replaces by their own. */
const README_STACKS_DIR = "~/.pulumi/stacks/my-project";
const README_STACK = "dev";

/** The commands of the README's recovery after a killed `pulumi up`, as lines of bash. */
function readmeRecovery(): string[] {
  const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
  const bullet = readme.slice(readme.indexOf("**If `pulumi up` is killed**"));
  const block = /```bash\n([\s\S]*?)\n *```/.exec(bullet)?.[1];
  if (!block) throw new Error("README: no bash block after 'If `pulumi up` is killed'");
  return block
    .replace(/^ {2}/gm, "") // the list item's indentation
    .replace(/\\\n\s*/g, "") // continued lines
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.trim().startsWith("#"));
}

/**
 * Follows the README's recovery verbatim, with its example directory and stack replaced by this
 * stack's: each command runs in bash, except `pulumi up`, which runs this test's inline program
 * through the Automation API with the environment the README's line sets.
 */
async function followReadmeRecovery(stack: EngineStack, stacksDir: string) {
  const stackName = stack.stack.name;
  for (const line of readmeRecovery()) {
    const command = line.replace(/\s+#.*$/, "");
    const up = /^((?:[A-Z_]+=\S+\s+)*)pulumi up --yes$/.exec(command);
    if (up) {
      const env = (stack.stack.workspace as LocalWorkspace).envVars;
      const assignments = Object.fromEntries(
        [...up[1].matchAll(/([A-Z_]+)=(\S+)/g)].map((m) => [m[1], m[2]]),
      );
      Object.assign(env, assignments);
      try {
        await stack.stack.up();
      } finally {
        for (const name of Object.keys(assignments)) delete env[name];
      }
      continue;
    }
    expect(
      command,
      "only `[NAME=value ...] pulumi up --yes` can run the inline program",
    ).not.toMatch(/pulumi up/);
    const local = command
      .replaceAll(README_STACKS_DIR, stacksDir)
      .replaceAll(`'${README_STACK}.json`, `'${stackName}.json`);
    const result = await bash(stack, local);
    expect(result.status, `${local}\n${result.out}`).toBe(0);
  }
}

describe.each(NAME_LOOKUP_READINGS)(
  "interrupted pulumi up (SIGKILL) and the README's recovery steps, %s",
  (_, reading) => {
    it("converges, every declared session exactly once, even from a cut state write", async ({
      emu,
    }) => {
      // Recovery adopts sessions by unique name, which Twilio may or may not resolve in Fetch.
      await emu.setReading("fetchByUniqueName", reading);
      const stack = await EngineStack.create(emu, manySessions(emu, "kill", 50));
      try {
        // Slow Twilio down so the kill lands mid-run.
        await emu.setFaults({ latencyMs: 150 });
        const up = stack.stack.up({ parallel: 4 }).then(
          () => "finished",
          () => "killed",
        );
        await waitFor(async () => (await emu.sessions()).length >= 10, "10 sessions");
        const tree = pulumiUpTree();
        expect(tree.length).toBeGreaterThan(1); // the CLI and its provider process
        for (const pid of tree) process.kill(pid, "SIGKILL");
        expect(await up).toBe("killed");
        // Requests already sent may still land at Twilio.
        const createdBeforeKill = await settledValue(
          async () => (await emu.sessions()).length,
          "in-flight creates to settle",
        );
        expect(createdBeforeKill).toBeLessThan(50);
        await emu.setFaults({});

        // Where in the run the kill landed is luck; make it the worst place, inside a state write.
        const ws = stack.stack.workspace as LocalWorkspace;
        const project = (await ws.projectSettings()).name;
        const stacksDir = path.join(
          ws.envVars.PULUMI_BACKEND_URL.replace(/^file:\/\//, ""),
          ".pulumi/stacks",
          project,
        );
        const leftByTheKill = strayFiles(stacksDir);
        const cutByTheTest = cutNextStateWrite(path.join(stacksDir, `${stack.stack.name}.json`));
        // The CLI cannot load the stack any more, as users saw.
        const refused = await bash(stack, "pulumi cancel --yes");
        expect(refused.status).not.toBe(0);
        expect(refused.out).toContain("error: failed to load checkpoint: EOF");

        await followReadmeRecovery(stack, stacksDir);
        expect(strayFiles(stacksDir)).toEqual([]);

        await expectStateMatchesLive(emu, stack, 50);
        const names = (await emu.sessions()).map((s) => s.unique_name as string).sort();
        expect(names).toEqual(
          Array.from({ length: 50 }, (_, i) => `kill-${String(i).padStart(3, "0")}`),
        );
        await stack.stack.preview({ refresh: true, expectNoChanges: true });
        const cutBy = cutByTheTest ? "the test" : "the kill itself";
        console.log(
          `[figures] SIGKILL: ${createdBeforeKill} of 50 created before the kill; the kill left ` +
            `[${leftByTheKill.join(", ")}]; state write cut by ${cutBy}; ` +
            `after recovery 50 live, 50 in state, 0 orphans`,
        );
        await stack.stack.destroy();
        expect(await emu.sessions()).toEqual([]);
      } finally {
        await stack.dispose();
      }
    });
  },
);

describe("100 sessions under 20% 429s, 5% 5xx and 2% resets", () => {
  it("up and destroy succeed, leaving exactly the declared sessions, then none", async ({
    emu,
  }) => {
    const stack = await EngineStack.create(emu, manySessions(emu, "flaky", 100));
    try {
      await emu.setFaults({
        // A seed whose first draws include lost answers on creates (reset after the write).
        seed: 22,
        rate429: 0.2,
        retryAfterSeconds: 1,
        rate500: 0.025,
        rate503: 0.025,
        resetBeforeRate: 0.01,
        resetAfterRate: 0.01,
      });
      await stack.stack.up();
      const afterUp = await emu.calls();
      const faultsUp = (await emu.faults()).injected;
      await expectStateMatchesLive(emu, stack, 100);

      await emu.resetCalls();
      await stack.stack.destroy();
      const afterDestroy = await emu.calls();
      const faultsAll = (await emu.faults()).injected;
      expect(await emu.sessions()).toEqual([]);

      const injectedUp = Object.values(faultsUp).reduce((a, b) => a + b, 0);
      expect(injectedUp).toBeGreaterThan(10);
      expect(faultsUp.resetAfter).toBeGreaterThan(0);
      expect(faultsUp.resetBefore).toBeGreaterThan(0);
      console.log(
        `[figures] faults: up ${JSON.stringify(faultsUp)}; up+destroy ${JSON.stringify(faultsAll)}; ` +
          `up requests ${JSON.stringify(afterUp)} (creates retried: ${afterUp.CreateSession - 100}); ` +
          `destroy requests ${JSON.stringify(afterDestroy)} (deletes retried: ${afterDestroy.DeleteSession - 100}); ` +
          `sessions 100 declared, 100 created, 0 left after destroy`,
      );
    } finally {
      await stack.dispose();
    }
  });
});
