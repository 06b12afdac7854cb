// Teams: state in a real PostgreSQL server (Pulumi's postgres:// backend), several `pulumi`
// processes at once on one Twilio account (the emulator), as pipeline runners share them: the
// lifecycle, two `up`s of one stack, a drift gate during an `up`, a cancelled CI job, and three
// environments deployed at once under the account's concurrency limit.
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { pulumiCli, type CliResult, type PulumiCli } from "./support/cli";
import type { EmulatorHarness } from "./support/emulator";
import { repoRoot } from "./support/engine";
import { describe, expect, it } from "./support/fixtures";
import { RunningPostgres } from "../scripts/lib/postgres";
import { commandLine, isAlive, processGroup, processTree } from "./support/processes";
import { settledValue, waitFor } from "./support/wait";

const PROJECT = "team-sessions";
/** How long a `pulumi up` may take to reach its first step on a busy runner. */
const STARTUP_MS = 180_000;
const FIXTURE = path.join(repoRoot, "test/fixtures/team-stack");

let pg: RunningPostgres;
beforeAll(async () => {
  pg = await RunningPostgres.start();
}, 60_000);
afterAll(() => pg?.stop());

/** The lock message of Pulumi's self-managed backends (pkg/backend/diy/lock.go). */
const LOCKED =
  "the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end " +
  "or delete the lock file with `pulumi cancel`.";
/**
 * Pulumi's error when the other process's lock row, listed a moment before, is gone when it
 * reads it (`checkForLock` in pkg/backend/diy/lock.go lists the rows, then reads each one).
 */
const LOCK_ROW_GONE = "key not found: sql: no rows in result set";

/**
 * A team's project in a directory of its own (inside the repository, so that Node finds this
 * package), its stacks in a state table of their own on the PostgreSQL server.
 */
class TeamProject {
  readonly cli: PulumiCli;
  private readonly dir: string;
  private static count = 0;

  constructor(
    private readonly emu: EmulatorHarness,
    readonly table: string,
  ) {
    fs.mkdirSync(path.join(repoRoot, ".work"), { recursive: true });
    this.dir = fs.mkdtempSync(path.join(repoRoot, ".work", "team-"));
    for (const f of fs.readdirSync(FIXTURE))
      fs.copyFileSync(path.join(FIXTURE, f), path.join(this.dir, f));
    this.cli = pulumiCli(
      this.dir,
      // Three processes share K slots of the account: allow more retries than one process needs.
      emu.env({ TWILIO_MAX_RETRIES: "20" }),
      { backendUrl: pg.backendUrl(table), redact: (text) => pg.redact(text) },
    );
  }

  static create(emu: EmulatorHarness): TeamProject {
    return new TeamProject(emu, `state_${process.pid}_${TeamProject.count++}`);
  }

  /** `pulumi stack init`, then the stack's config: `count` sessions named `<prefix>-NNN`. */
  async initStack(stack: string, prefix: string, count: number): Promise<void> {
    await expectOk(this.cli.run("stack", "init", stack));
    await expectOk(
      this.cli.run(
        "config",
        "set-all",
        "--stack",
        stack,
        "--plaintext",
        `serviceSid=${this.emu.serviceSid}`,
        "--plaintext",
        `prefix=${prefix}`,
        "--plaintext",
        `count=${count}`,
      ),
    );
  }

  /** The rows of the stack's locks (Pulumi writes one per running update). */
  async locks(stack: string): Promise<string[]> {
    const rows = await pg.query(
      `SELECT key FROM ${this.table} WHERE key LIKE '%.pulumi/locks/%/${PROJECT}/${stack}/%'`,
    );
    return rows.map(([key]) => key);
  }

  /** The SIDs of the stack's sessions in its latest checkpoint, as stored in PostgreSQL. */
  async sessionsInState(stack: string): Promise<string[]> {
    const rows = await pg.query(
      `SELECT data->>'data' FROM ${this.table} WHERE key LIKE '%.pulumi/stacks/${PROJECT}/${stack}.json'`,
    );
    const keys = (await pg.query(`SELECT key FROM ${this.table}`)).map(([k]) => k);
    expect(rows, `no checkpoint row for ${stack} in ${keys.join(", ")}`).toHaveLength(1);
    const checkpoint = JSON.parse(Buffer.from(rows[0][0], "base64").toString("utf8"));
    const resources = (checkpoint.checkpoint.latest?.resources ?? []) as Array<{
      type: string;
      id?: string;
    }>;
    return resources.filter((r) => r.type.endsWith(":ProxySession")).map((r) => r.id!);
  }

  dispose(): void {
    this.cli.dispose();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

async function expectOk(result: Promise<CliResult>): Promise<CliResult> {
  const r = await result;
  expect(r.status, r.out).toBe(0);
  return r;
}

const names = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(3, "0")}`);

/** The unique names of the live sessions, sorted, duplicates kept. */
async function liveNames(emu: EmulatorHarness): Promise<string[]> {
  return (await emu.sessions()).map((s) => s.unique_name as string).sort();
}

/** Every declared session lives exactly once and is in the stack's state; nothing else. */
async function expectExactlyDeclared(
  emu: EmulatorHarness,
  team: TeamProject,
  stacks: Array<[stack: string, prefix: string, count: number]>,
) {
  expect(await liveNames(emu)).toEqual(stacks.flatMap(([, p, n]) => names(p, n)).sort());
  const live = await emu.sessions();
  for (const [stack, prefix] of stacks) {
    const sids = live.filter((s) => (s.unique_name as string).startsWith(`${prefix}-`));
    expect((await team.sessionsInState(stack)).sort()).toEqual(sids.map((s) => s.sid).sort());
  }
}

// Each test runs the CLI a dozen times; on a busy 2-core runner one run takes 5 to 15 s.
describe("pulumi on the PostgreSQL state backend", { timeout: 600_000 }, () => {
  it("lifecycle: up, drift gate, drift, up --refresh, destroy; state and lock in PostgreSQL", async ({
    emu,
  }) => {
    const team = TeamProject.create(emu);
    try {
      await team.initStack("dev", "dev", 3);
      const up = await expectOk(team.cli.run("up", "--yes", "--stack", "dev"));
      expect(up.out).toMatch(/\+ 4 created/); // the stack and its 3 sessions
      await expectExactlyDeclared(emu, team, [["dev", "dev", 3]]);
      expect(await team.locks("dev")).toEqual([]); // released at the end of the update

      const gate = () =>
        team.cli.run("preview", "--refresh", "--expect-no-changes", "--diff", "--stack", "dev");
      await expectOk(gate());
      const [drifted] = await emu.sessions();
      // Longer, not shorter: a session drifted to a short ttl would expire during a slow run.
      await emu.patchSession(drifted.sid as string, { ttl: 100_000 });
      const caught = await gate();
      expect(caught.status, caught.out).not.toBe(0);
      expect(caught.out).toMatch(/~ ttl\s*: 100000 => 3600/);

      await emu.resetCalls();
      await expectOk(team.cli.run("up", "--refresh", "--yes", "--stack", "dev"));
      const converge = await emu.calls();
      // The CLI's `up` previews first (no --skip-preview): both refresh, one GET per session.
      expect(converge.FetchSession).toBe(6);
      expect(converge.UpdateSession).toBe(1); // the drifted ttl, and nothing else
      expect(converge.total).toBe(7);
      await expectOk(gate());

      await expectOk(team.cli.run("destroy", "--yes", "--stack", "dev"));
      expect(await emu.sessions()).toEqual([]);
      expect(await team.sessionsInState("dev")).toEqual([]);
    } finally {
      team.dispose();
    }
  });

  it("two `pulumi up` of one stack at once: the second fails fast with Pulumi's lock message", async ({
    emu,
  }) => {
    const team = TeamProject.create(emu);
    try {
      await team.initStack("dev", "dev", 5);
      // Slow Twilio down so that the first update is still running when the second starts.
      await emu.setFaults({ latencyMs: 300 });
      await emu.resetCalls();

      // Started at the same moment, as two runners picking up two pushes.
      const both = [0, 1].map(() => team.cli.start(["up", "--yes", "--stack", "dev"]));
      const results = await Promise.all(both.map((p) => p.done));
      const succeeded = results.filter((r) => r.status === 0);
      const refused = results.filter((r) => r.status !== 0);
      // Never both: each writes its lock row, then looks again for another's.
      expect(succeeded.length).toBeLessThanOrEqual(1);
      for (const r of refused) {
        if (r.out.includes(LOCKED)) {
          // Pulumi names the lock row with the URL's user and password hidden.
          expect(r.out).toMatch(
            /postgres:\/\/\*\*\*\*:\*\*\*\*@127\.0\.0\.1:\d+\/pulumi\/\.pulumi\/locks\//,
          );
        } else {
          // Both refused: this one listed the other's row, and the other, having seen this
          // one's, deleted it before this one read it (seen in CI, seed 629985076).
          expect(r.out).toContain(LOCK_ROW_GONE);
          expect(succeeded).toEqual([]);
        }
      }
      const simultaneous = succeeded.length === 1 ? "one proceeded" : "both refused";
      if (succeeded.length === 0) await expectOk(team.cli.run("up", "--yes", "--stack", "dev"));

      // Started while the first holds the lock.
      // Five more sessions, one at a time, a second each: the first holds the lock for a while.
      await expectOk(team.cli.run("config", "set", "--stack", "dev", "count", "10"));
      await emu.setFaults({ latencyMs: 1000 });
      const first = team.cli.start(["up", "--yes", "--parallel", "1", "--stack", "dev"]);
      await waitFor(
        async () => (await team.locks("dev")).length === 1,
        "the first up's lock",
        STARTUP_MS,
      );
      const second = await team.cli.run("up", "--yes", "--stack", "dev");
      const firstStillRunning = isAlive(first.pid);
      const firstResult = await first.done;
      expect(firstResult.status, firstResult.out).toBe(0);
      expect(second.status).not.toBe(0);
      expect(second.out).toContain(LOCKED);
      expect(firstStillRunning).toBe(true); // it failed fast, not after waiting for the first

      await expectExactlyDeclared(emu, team, [["dev", "dev", 10]]);
      // The refused updates sent nothing to Twilio: one create per session.
      expect((await emu.calls()).CreateSession).toBe(10);
      const lockLine = second.out
        .split("\n")
        .find((l) => l.includes("the stack is currently locked"));
      console.log(
        `[figures] two ups at once: ${simultaneous}; lock message: ${lockLine?.trim()} ` +
          `${second.out
            .split("\n")
            .find((l) => l.includes("/.pulumi/locks/"))
            ?.trim()}`,
      );
    } finally {
      await emu.setFaults({});
      team.dispose();
    }
  });

  it("a drift gate during an up takes no lock, and reports exactly what it read", async ({
    emu,
  }) => {
    const team = TeamProject.create(emu);
    try {
      await team.initStack("prod", "prod", 2);
      await expectOk(team.cli.run("up", "--yes", "--stack", "prod"));
      const [driftedSid] = await team.sessionsInState("prod");
      await emu.patchSession(driftedSid, { ttl: 100_000 }); // drift before the deploy

      await expectOk(team.cli.run("config", "set", "--stack", "prod", "count", "10"));
      // One create at a time, each two seconds long: the gate starts and reads mid-deploy, even
      // on a busy runner where a CLI takes 10 s to start.
      await emu.setFaults({ latencyMs: 2000 });
      // --skip-preview, as many deploy jobs run it: the program runs once, the creates start sooner.
      const deploy = team.cli.start([
        "up",
        "--yes",
        "--skip-preview",
        "--parallel",
        "1",
        "--stack",
        "prod",
      ]);
      let ended: CliResult | undefined;
      void deploy.done.then((r) => (ended = r));
      const deploying = async (cond: () => Promise<boolean>) => {
        if (ended) throw new Error(`the deploy ended first:\n${ended.out}`);
        return cond();
      };
      await waitFor(
        () => deploying(async () => (await team.locks("prod")).length === 1),
        "the deploy's lock",
        STARTUP_MS,
      );
      await waitFor(
        () => deploying(async () => (await team.sessionsInState("prod")).length >= 4),
        "4 sessions in state",
        STARTUP_MS,
      );

      await emu.resetCalls();
      const gate = await team.cli.run("preview", "--refresh", "--json", "--stack", "prod");
      const gateReads = (await emu.requestLog()).filter((r) => r.operation === "FetchSession");
      const deployResult = await deploy.done;
      expect(deployResult.status, deployResult.out).toBe(0);

      expect(gate.status, gate.out).toBe(0); // no --expect-no-changes here: the report is the point
      const steps = (JSON.parse(gate.out) as { steps: Array<{ op: string; urn: string }> }).steps;
      const ops = Object.fromEntries(
        steps
          .filter((s) => s.urn.includes(":ProxySession::") && s.op !== "refresh")
          .map((s) => [s.urn.split("::").at(-1)!, s.op]),
      );
      // What it read: the checkpoint at that moment, each session of it refreshed from Twilio.
      const read = new Set(gateReads.map((r) => r.path.split("/").at(-1)!));
      const live = await emu.sessions();
      const sidOf = Object.fromEntries(live.map((s) => [s.unique_name as string, s.sid as string]));
      const drifted = live.find((s) => s.sid === driftedSid)!.unique_name as string;
      expect(read.size).toBeGreaterThanOrEqual(4);
      expect(read.size).toBeLessThan(10);
      for (const name of names("prod", 10)) {
        const expected = !read.has(sidOf[name]) ? "create" : name === drifted ? "update" : "same";
        expect(ops[name] ?? "same", name).toBe(expected);
      }
      // The deploy did not wait for the gate, nor the gate for the deploy; both are whole.
      await expectExactlyDeclared(emu, team, [["prod", "prod", 10]]);
      console.log(
        `[figures] drift gate during an up: read ${read.size} of 10 sessions, reported ` +
          `${Object.values(ops).filter((o) => o === "create").length} to create, 1 drifted ttl`,
      );
    } finally {
      await emu.setFaults({});
      team.dispose();
    }
  });

  it("a cancelled CI job (SIGTERM, then SIGKILL, to the CLI's process group), then the README's recovery", async ({
    emu,
  }) => {
    const team = TeamProject.create(emu);
    let survivors: number[] = [];
    try {
      await team.initStack("dev", "job", 12);
      // Slow answers: creates are still in flight when the runner's grace period ends.
      await emu.setFaults({ latencyMs: 1500 });
      const job = team.cli.start(["up", "--yes", "--stack", "dev"]);
      await waitFor(async () => (await emu.sessions()).length >= 3, "3 sessions", STARTUP_MS);

      // The runner cancels the job: SIGTERM to the step's process group, SIGKILL after a grace.
      expect(await team.locks("dev")).toHaveLength(1);
      const tree = processTree([job.pid]);
      const inJobGroup = tree.filter((pid) => processGroup(pid) === job.pid);
      process.kill(-job.pid, "SIGTERM");
      await new Promise((r) => setTimeout(r, 500));
      try {
        process.kill(-job.pid, "SIGKILL");
      } catch {
        // the whole group already ended on SIGTERM
      }
      const killed = await job.done;
      expect(killed.status).not.toBe(0);
      // Pulumi treats SIGTERM as Ctrl-C: no new steps, wait for those in flight, then save and
      // unlock; the SIGKILL ends that unless nothing was in flight.
      expect(killed.out).toContain("SIGTERM received; cancelling.");
      // Requests already sent may still land at Twilio.
      const createdByTheJob = await settledValue(
        async () => (await emu.sessions()).length,
        "in-flight creates to settle",
        1000,
      );
      survivors = tree.filter(isAlive);
      const survivorNames = survivors.map((pid) => path.basename(commandLine(pid)[0] ?? "?"));
      const lockLeft = (await team.locks("dev")).length;
      await emu.setFaults({});

      // The README's recovery for a stack on a PostgreSQL backend, verbatim.
      for (const line of readmeCancelledJobRecovery()) {
        const [, assignments, args] = /^((?:[A-Z_]+=\S+\s+)*)pulumi\s+(.*)$/.exec(line) ?? [];
        expect(args, `not a pulumi command: ${line}`).toBeDefined();
        const env = Object.fromEntries(
          [...assignments.matchAll(/([A-Z_]+)=(\S+)/g)].map((m) => [m[1], m[2]]),
        );
        await expectOk(team.cli.start(args.split(/\s+/), env).done);
      }
      expect(await team.locks("dev")).toEqual([]);
      await expectExactlyDeclared(emu, team, [["dev", "job", 12]]);
      const stillRunning = survivors.filter(isAlive).length;
      await expectOk(team.cli.run("preview", "--refresh", "--expect-no-changes", "--stack", "dev"));
      console.log(
        `[figures] cancelled job: ${createdByTheJob} of 12 created; lock rows left: ${lockLeft}; ` +
          `${inJobGroup.length} of ${tree.length} processes in the job's group; ` +
          `still running after the kill: [${survivorNames.join(", ")}], ` +
          `${stillRunning} of them after the recovery; ` +
          `after recovery 12 live, 12 in state, 0 orphans, 0 duplicates`,
      );
    } finally {
      for (const pid of survivors) if (isAlive(pid)) process.kill(pid, "SIGKILL");
      await emu.setFaults({});
      team.dispose();
    }
  });

  it("three environments deployed at once against the account's concurrency limit: every session once", async ({
    emu,
  }) => {
    const K = 4;
    const envs: Array<[stack: string, prefix: string, count: number]> = [
      ["dev", "dev", 6],
      ["staging", "staging", 6],
      ["prod", "prod", 6],
    ];
    const team = TeamProject.create(emu);
    try {
      for (const [stack, prefix, count] of envs) await team.initStack(stack, prefix, count);
      await emu.setFaults({ maxConcurrent: K, latencyMs: 100 });
      await emu.resetCalls();
      const runs = envs.map(([stack]) => team.cli.start(["up", "--yes", "--stack", stack]));
      for (const r of await Promise.all(runs.map((run) => run.done)))
        expect(r.status, r.out).toBe(0);

      await expectExactlyDeclared(emu, team, envs);
      const calls = await emu.calls();
      const refused = (await emu.faults()).injected.concurrency429;
      // Every create Twilio accepted made a session: the other requests were its 429s.
      expect(calls.CreateSession).toBe(18 + refused);
      expect(calls.total).toBe(calls.CreateSession);
      console.log(
        `[figures] three stacks at once, K = ${K}: ${calls.total} HTTP calls ` +
          `(${calls.CreateSession} CreateSession), ${refused} answered 429; 18 sessions, each once`,
      );
    } finally {
      await emu.setFaults({});
      team.dispose();
    }
  });
});

/** The commands of the README's recovery after a cancelled CI job (Teams and scale). */
function readmeCancelledJobRecovery(): string[] {
  const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
  const from = readme.indexOf("**A cancelled CI job**");
  expect(from, "README: no '**A cancelled CI job**'").toBeGreaterThan(0);
  const block = /```bash\n([\s\S]*?)\n *```/.exec(readme.slice(from))?.[1] ?? "";
  return block
    .split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}
