// Through the real engine: the unmanaged-sessions report as a stack output, and the drift gate
// (`preview --refresh --expect-no-changes`) with its report, from the Automation API's engine
// events and from the real `pulumi preview --json` run by pipelines/drift-gate.sh.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { EngineEvent, PulumiFn } from "@pulumi/pulumi/automation";
import { ProxySession, findUnmanagedSessions } from "pulumi-twilio-proxy";
import { afterAll, beforeAll } from "vitest";
import type { EmulatorHarness } from "./support/emulator";
import { EngineStack, repoRoot, runDriftGate } from "./support/engine";
import { describe, emulatorTest, expect } from "./support/fixtures";
import { DECLARABLE_KEYS } from "../provider/types";

// The tests follow one stack from up through drift to the gate: no reset between them.
const it = emulatorTest({ resetBeforeEach: false });

const REPORT = path.join(repoRoot, "pipelines/drift-report.mjs");

let scratch: string;
/** Where drift-gate.sh keeps the preview JSON of its run (DRIFT_GATE_SAVE). */
let saved: string;
beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "drift-gate-"));
  saved = path.join(scratch, "preview.json");
});
afterAll(() => {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

/** Runs drift-report.mjs on `input` (stdin), as the pipeline does. */
function report(input: unknown) {
  const r = spawnSync(process.execPath, [REPORT], {
    input: typeof input === "string" ? input : JSON.stringify(input),
    encoding: "utf8",
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Two managed sessions, and the Service's other sessions as a stack output. */
function managedPair(emu: EmulatorHarness): PulumiFn {
  return async () => {
    const ttl = new ProxySession("m-ttl", {
      serviceSid: emu.serviceSid,
      uniqueName: "m-ttl",
      ttl: 3600,
    });
    const open = new ProxySession("m-open", {
      serviceSid: emu.serviceSid,
      uniqueName: "m-open",
      status: "open",
    });
    const unmanaged = findUnmanagedSessions({
      serviceSid: emu.serviceSid,
      managed: [ttl.sid, open.sid],
    });
    return {
      unmanagedSessions: unmanaged.apply((list) =>
        list.map((s) => ({ uniqueName: s.uniqueName, sid: s.sid, status: s.status })),
      ),
    };
  };
}

// One story in steps, kept in order under `--sequence.shuffle` (which still shuffles the files
// and every other suite).
describe("unmanaged sessions and the drift gate through the engine", { shuffle: false }, () => {
  let stack: EngineStack;
  let program: PulumiFn;
  let strays: Array<{ uniqueName: string; sid: string; status: string }>;

  it.beforeAll(async ({ emu }) => {
    await emu.reset();
    // Two sessions made outside the stack, through the provider directly.
    const provider = emu.provider();
    strays = [];
    for (const name of ["stray-1", "stray-2"]) {
      const { id } = await provider.create({ serviceSid: emu.serviceSid, uniqueName: name });
      strays.push({ uniqueName: name, sid: id, status: "open" });
    }
    program = managedPair(emu);
    stack = await EngineStack.create(emu, program);
  });
  afterAll(async () => {
    await stack?.stack.destroy().catch(() => {});
    await stack?.dispose();
  });

  it("up exports exactly the sessions the stack does not declare, from one listing", async ({
    emu,
  }) => {
    await emu.resetCalls();
    const up = await stack.stack.up();
    expect(await emu.calls()).toMatchObject({ CreateSession: 2, ListSession: 1 });
    const listed = up.outputs.unmanagedSessions.value as typeof strays;
    const byName = (a: { uniqueName: string }, b: { uniqueName: string }) =>
      a.uniqueName.localeCompare(b.uniqueName);
    expect([...listed].sort(byName)).toEqual(strays);
    expect((await emu.sessions()).map((s) => s.unique_name).sort()).toEqual([
      "m-open",
      "m-ttl",
      "stray-1",
      "stray-2",
    ]);
  });

  it("the gate passes on a converged stack: one GET per session, and a clean report", async ({
    emu,
  }) => {
    const events: EngineEvent[] = [];
    await emu.resetCalls();
    const pv = await stack.stack.preview({
      refresh: true,
      expectNoChanges: true,
      onEvent: (e) => events.push(e),
    });
    expect(pv.changeSummary).toEqual({ same: 3 });
    // The refresh reads each managed session; the program's report lists the Service once.
    expect(await emu.calls()).toMatchObject({ total: 3, FetchSession: 2, ListSession: 1 });
    const r = report(events);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe("drift-gate: no changes (2 resources checked)");
  });

  it("after out-of-band changes the gate fails, and the report says which sessions and how", async ({
    emu,
  }) => {
    const live = Object.fromEntries((await emu.sessions()).map((s) => [s.unique_name, s.sid]));
    await emu.patchSession(live["m-ttl"] as string, { ttl: 100_000 });
    await emu.deleteSession(live["m-open"] as string);

    const events: EngineEvent[] = [];
    const err = await stack.stack
      .preview({ refresh: true, expectNoChanges: true, onEvent: (e) => events.push(e) })
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toMatch(/no changes were expected/);

    const r = report(events);
    expect(r.status).toBe(1);
    expect(r.stdout.trim().split("\n")).toEqual([
      "drift-gate: 2 of 2 resources would change",
      "m-open: create (gone from Twilio: deleted outside Pulumi, would be created again)",
      "m-ttl: update (ttl: 100000 -> 3600)",
    ]);
    // The same events one a line, as a streaming preview or an event log writes them.
    expect(report(events.map((e) => JSON.stringify(e)).join("\n")).stdout).toContain(
      "m-ttl: update (ttl: 100000 -> 3600)",
    );
  });

  it("drift-gate.sh runs the real `pulumi preview --json` and fails with the same report", async ({
    emu,
  }) => {
    await emu.resetCalls();
    const gate = await runDriftGate(stack, program, { DRIFT_GATE_SAVE: saved });
    expect(gate.status, gate.stderr).toBe(1);
    expect(gate.stdout.trim().split("\n")).toEqual([
      "drift-gate: 2 of 2 resources would change",
      "m-open: create (gone from Twilio: deleted outside Pulumi, would be created again)",
      "m-ttl: update (ttl: 100000 -> 3600)",
    ]);
    expect(gate.stdout + gate.stderr).not.toContain(emu.emulator.authToken);
    // A preview changes nothing at Twilio.
    expect(await emu.calls()).toMatchObject({ UpdateSession: 0, CreateSession: 0 });
  });

  it("the saved `pulumi preview --json` has the shape the report reads, secrets masked", ({
    emu,
  }) => {
    const doc = JSON.parse(fs.readFileSync(saved, "utf8")) as {
      config: Record<string, string>;
      steps: Array<{
        op: string;
        urn: string;
        oldState?: { inputs?: Record<string, unknown> };
        newState?: { inputs?: Record<string, unknown> };
      }>;
    };
    expect(doc.config["twilio:password"]).toBe("[secret]");
    expect(fs.readFileSync(saved, "utf8")).not.toContain(emu.emulator.authToken);
    const steps = doc.steps.filter((s) => s.urn.endsWith("::m-ttl"));
    expect(steps.map((s) => s.op)).toEqual(["refresh", "update"]);
    expect(steps[1].oldState?.inputs).toMatchObject({ ttl: 100_000, uniqueName: "m-ttl" });
    expect(steps[1].newState?.inputs).toMatchObject({ ttl: 3600, uniqueName: "m-ttl" });
    const r = report(fs.readFileSync(saved, "utf8"));
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("m-ttl: update (ttl: 100000 -> 3600)");
  });
});

describe("the drift report's fields", () => {
  it("are the package's declarable inputs: a change of each is named (adopt, read only at create, is none)", () => {
    const type = "pulumi-nodejs:dynamic/twilio:ProxySession";
    const value = (key: string, v: number) =>
      key === "participants" ? [{ identifier: `+1500555000${v}` }] : `value-${v}`;
    for (const key of DECLARABLE_KEYS.filter((k) => k !== "adopt")) {
      const r = report({
        steps: [
          {
            op: "update",
            urn: `urn:pulumi:s::p::${type}::a`,
            oldState: { type, inputs: { [key]: value(key, 1) } },
            newState: { type, inputs: { [key]: value(key, 2) } },
          },
        ],
      });
      expect({ key, status: r.status, stderr: r.stderr }).toEqual({ key, status: 1, stderr: "" });
      expect(r.stdout).toMatch(new RegExp(`^a: update \\(${key}: `, "m"));
    }
  });
});
