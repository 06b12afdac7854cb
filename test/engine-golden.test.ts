// What the on-call reads, through the real `pulumi` CLI: for each kind of drift, the text of
// `pulumi preview --refresh --diff`, normalised, is compared with test/fixtures/golden/<kind>.txt
// (`UPDATE_GOLDEN=1` rewrites them: a diff of those files is how a reviewer sees a change of
// what users read). The engine's diffReasons (`preview --refresh --json`) and the drift report
// must agree with it, and name nothing but the drifted declared properties.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { isDeepStrictEqual } from "node:util";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, onTestFinished } from "vitest";
import { pulumiCli, type PulumiCli } from "./support/cli";
import { repoRoot } from "./support/engine";
import type { EmulatorHarness } from "./support/emulator";
import { describe, emulatorTest, expect } from "./support/fixtures";
import { CHANGE_LINE, normalisePulumiOutput } from "./support/golden";

// The kinds follow one stack: each drifts one session, checks, and converges it again.
const it = emulatorTest({ resetBeforeEach: false });

const GOLDEN = path.join(__dirname, "fixtures/golden");
const REPORT = path.join(repoRoot, "pipelines/drift-report.mjs");
const STACK = "golden";

const declarations = (emu: EmulatorHarness) => ({
  "s-ttl": { serviceSid: emu.serviceSid, uniqueName: "s-ttl", ttl: 3600 },
  "s-expiry": {
    serviceSid: emu.serviceSid,
    uniqueName: "s-expiry",
    dateExpiry: "2030-01-31T17:00:00Z",
  },
  "s-open": { serviceSid: emu.serviceSid, uniqueName: "s-open", status: "open" },
  "s-closed": { serviceSid: emu.serviceSid, uniqueName: "s-closed", status: "closed" },
  "s-pair": {
    serviceSid: emu.serviceSid,
    uniqueName: "s-pair",
    participants: [
      { identifier: "+15005550006", friendlyName: "Rider" },
      { identifier: "+15005550007", friendlyName: "Driver" },
    ],
  },
});

let cli: PulumiCli;
let scratch: string;
let declared: Record<string, Record<string, unknown>>;
const declarationsFile = () => path.join(scratch, "declarations.json");
const declare = (d: typeof declared) => {
  declared = d;
  fs.writeFileSync(declarationsFile(), JSON.stringify(d, null, 2));
};
const pulumi = (...args: string[]) => cli.run(...args, "--stack", STACK);

it.beforeAll(async ({ emu }) => {
  await emu.reset();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "golden-"));
  cli = pulumiCli(
    path.join(__dirname, "fixtures/cli-stack"),
    emu.env({ CLI_STACK_DECLARATIONS: path.join(scratch, "declarations.json") }),
  );
  declare(declarations(emu));
  expect((await cli.run("stack", "init", STACK)).status).toBe(0);
  const up = await pulumi("up", "--yes", "--skip-preview");
  expect(up.status, up.out).toBe(0);
});
afterAll(async () => {
  await cli?.run("destroy", "--yes", "--skip-preview", "--stack", STACK);
  cli?.dispose();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

/** The session's SID in the emulator, by unique name. */
async function sidOf(emu: EmulatorHarness, uniqueName: string): Promise<string> {
  const found = (await emu.sessions()).find((s) => s.unique_name === uniqueName);
  return found!.sid as string;
}

/** Compares `text` with the golden file of `kind`, or writes it under UPDATE_GOLDEN=1. */
function expectGolden(kind: string, text: string) {
  const file = path.join(GOLDEN, `${kind}.txt`);
  if (process.env.UPDATE_GOLDEN === "1" || !fs.existsSync(file)) {
    fs.mkdirSync(GOLDEN, { recursive: true });
    fs.writeFileSync(file, text);
    if (process.env.UPDATE_GOLDEN !== "1") throw new Error(`wrote missing golden file ${file}`);
    return;
  }
  expect(text, `golden file ${file} (UPDATE_GOLDEN=1 rewrites it)`).toBe(
    fs.readFileSync(file, "utf8"),
  );
}

interface JsonStep {
  op: string;
  urn: string;
  oldState?: { inputs?: Record<string, unknown> };
  newState?: { inputs?: Record<string, unknown> };
  diffReasons?: string[];
  replaceReasons?: string[];
}

/**
 * The properties the engine sees change in a step: its diffReasons when the provider gave
 * any; else, as the CLI does for `[diff: ~ttl]`, the inputs whose old and new values differ.
 * (The dynamic-provider host passes no property names on: `preview --json` carries none.)
 */
function engineDiff(step: JsonStep): string[] {
  if (step.diffReasons?.length) return [...step.diffReasons].sort();
  const [olds, news] = [step.oldState?.inputs, step.newState?.inputs];
  if (!olds || !news) return [];
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  return (
    [...keys]
      .filter((k) => !k.startsWith("__"))
      // isDeepStrictEqual ignores key order, as the engine does.
      .filter((k) => !isDeepStrictEqual(olds[k], news[k]))
      .sort()
  );
}

/**
 * Runs `preview --refresh --diff` (text, checked against the golden file) and `preview --refresh
 * --json` (the engine's plan, and the drift report's input). Returns, per session that would
 * change, its step and what the engine sees change, and the report's lines.
 */
async function previewDrift(kind: string) {
  const text = await pulumi("preview", "--refresh", "--diff");
  expect(text.status, text.out).toBe(0);
  expectGolden(kind, normalisePulumiOutput(text.out));
  const json = await pulumi("preview", "--refresh", "--json");
  expect(json.status, json.out).toBe(0);
  const plan = JSON.parse(json.out) as { steps: JsonStep[] };
  const changes: Record<string, { op: string; diff: string[]; replaceReasons: string[] }> = {};
  for (const s of plan.steps) {
    if (["same", "refresh", "read"].includes(s.op) || !s.urn.includes(":ProxySession::")) continue;
    const name = s.urn.split("::").at(-1)!;
    const entry = (changes[name] ??= { op: s.op, diff: [], replaceReasons: [] });
    entry.diff = [...new Set([...entry.diff, ...engineDiff(s)])].sort();
    entry.replaceReasons = [...new Set([...entry.replaceReasons, ...(s.replaceReasons ?? [])])];
  }
  const r = spawnSync(process.execPath, [REPORT], { input: json.out, encoding: "utf8" });
  return { text: text.out, changes, report: r.stdout.trim().split("\n"), reportStatus: r.status };
}

/** Puts every session back as declared (and state with it). */
async function converge() {
  const up = await pulumi("up", "--refresh", "--yes", "--skip-preview");
  expect(up.status, up.out).toBe(0);
}

/**
 * Changes Twilio behind Pulumi's back, and puts it back when the test ends, passed or failed, so
 * that no kind sees another's drift in any order. Twilio's dates have whole seconds: a change in
 * the second of the last `up` would leave dateUpdated as it was, and the text would depend on
 * timing, so the emulator's clock moves one second first.
 */
async function driftOutOfBand(emu: EmulatorHarness, change: () => Promise<unknown>) {
  onTestFinished(converge);
  await emu.advanceClock(1);
  await change();
}

// Three CLI commands a kind, each a few seconds (more on a busy machine).
describe(
  "what `pulumi preview --refresh --diff` and the drift report show",
  { timeout: 600_000 },
  () => {
    it("nothing changed: no step, no `~` line, a clean report", async () => {
      const { text, changes, report, reportStatus } = await previewDrift("nothing-changed");
      expect(changes).toEqual({});
      expect(text).not.toMatch(CHANGE_LINE);
      expect(reportStatus).toBe(0);
      expect(report).toEqual(["drift-gate: no changes (5 resources checked)"]);
    });

    it("ttl changed out of band: ttl, and nothing else", async ({ emu }) => {
      const sid = await sidOf(emu, "s-ttl");
      await driftOutOfBand(emu, () => emu.patchSession(sid, { ttl: 7200 }));
      const { changes, report } = await previewDrift("ttl");
      expect(changes).toEqual({ "s-ttl": { op: "update", diff: ["ttl"], replaceReasons: [] } });
      expect(report).toEqual([
        "drift-gate: 1 of 5 resources would change",
        "s-ttl: update (ttl: 7200 -> 3600)",
      ]);
    });

    it("dateExpiry changed out of band: dateExpiry, and nothing else", async ({ emu }) => {
      const sid = await sidOf(emu, "s-expiry");
      await driftOutOfBand(emu, () =>
        emu.patchSession(sid, { dateExpiry: "2031-06-01T00:00:00Z" }),
      );
      const { changes, report } = await previewDrift("dateExpiry");
      expect(changes).toEqual({
        "s-expiry": { op: "update", diff: ["dateExpiry"], replaceReasons: [] },
      });
      expect(report).toEqual([
        "drift-gate: 1 of 5 resources would change",
        "s-expiry: update (dateExpiry: 2031-06-01T00:00:00Z -> 2030-01-31T17:00:00Z)",
      ]);
    });

    it("dateExpiry declared as the same instant with another offset: no change", async () => {
      const before = declared;
      onTestFinished(() => declare(before));
      declare({
        ...declared,
        "s-expiry": { ...declared["s-expiry"], dateExpiry: "2030-01-31T19:00:00+02:00" },
      });
      const { changes, report } = await previewDrift("dateExpiry-same-instant");
      expect(changes).toEqual({});
      expect(report).toEqual(["drift-gate: no changes (5 resources checked)"]);
    });

    it("closed out of band: status, and nothing else", async ({ emu }) => {
      const sid = await sidOf(emu, "s-open");
      await driftOutOfBand(emu, () => emu.patchSession(sid, { status: "closed" }));
      const { changes, report } = await previewDrift("status-closed");
      expect(changes).toEqual({
        "s-open": { op: "update", diff: ["status"], replaceReasons: [] },
      });
      expect(report).toEqual([
        "drift-gate: 1 of 5 resources would change",
        "s-open: update (status: closed -> open)",
      ]);
    });

    it("re-opened out of band: status, and nothing else", async ({ emu }) => {
      const sid = await sidOf(emu, "s-closed");
      await driftOutOfBand(emu, () => emu.patchSession(sid, { status: "in-progress" }));
      const { changes, report } = await previewDrift("status-reopened");
      expect(changes).toEqual({
        "s-closed": { op: "update", diff: ["status"], replaceReasons: [] },
      });
      expect(report).toEqual([
        "drift-gate: 1 of 5 resources would change",
        "s-closed: update (status: in-progress -> closed)",
      ]);
    });

    it("a participant removed out of band: a replacement for participants, its reason once", async ({
      emu,
    }) => {
      const sid = await sidOf(emu, "s-pair");
      const listed = (await emu.twilio("GET", `Sessions/${sid}/Participants`)) as {
        participants: Array<{ sid: string; identifier: string }>;
      };
      const driver = listed.participants.find((p) => p.identifier === "+15005550007")!;
      await driftOutOfBand(emu, () =>
        emu.twilio("DELETE", `Sessions/${sid}/Participants/${driver.sid}`),
      );
      const { text, changes, report } = await previewDrift("participant-removed");
      expect(changes).toEqual({
        "s-pair": {
          op: "replace",
          diff: ["participants"],
          replaceReasons: ["participants"],
        },
      });
      expect(text.match(/is replaced to change its participants/g)).toHaveLength(1);
      expect(report).toEqual([
        "drift-gate: 1 of 5 resources would change",
        "s-pair: replace (participants: 1 participant -> 2 participants)",
      ]);
      // The `up` that converges it says the reason once too: one diagnostic in the engine's
      // event log, though its refresh and its update each ask for the diff. (Its plain progress
      // display prints the stack row's last message again each time that row changes status.)
      const events = path.join(scratch, "events.jsonl");
      // (`--event-log` is one of the CLI's debug commands.)
      const up = await cli.runWith(
        { PULUMI_DEBUG_COMMANDS: "true" },
        ...["up", "--refresh", "--yes", "--skip-preview", "--event-log", events, "--stack", STACK],
      );
      expect(up.status, up.out).toBe(0);
      const said = fs
        .readFileSync(events, "utf8")
        .split("\n")
        .filter((line) => line.includes("is replaced to change its participants"))
        .map(
          (line) => (JSON.parse(line) as { diagnosticEvent?: { message: string } }).diagnosticEvent,
        );
      expect(said).toHaveLength(1);
      expect(said[0]?.message).toContain(`session ${sid} is replaced to change its participants`);
    });

    it("the session deleted out of band: a create, and nothing else", async ({ emu }) => {
      const sid = await sidOf(emu, "s-ttl");
      await driftOutOfBand(emu, () => emu.deleteSession(sid));
      const { changes, report } = await previewDrift("session-deleted");
      expect(changes).toEqual({ "s-ttl": { op: "create", diff: [], replaceReasons: [] } });
      expect(report).toEqual([
        "drift-gate: 1 of 5 resources would change",
        "s-ttl: create (gone from Twilio: deleted outside Pulumi, would be created again)",
      ]);
    });
  },
);
