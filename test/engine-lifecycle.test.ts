// The provider through the real Pulumi engine: lifecycle, drift, edits, unknowns, errors.
import { ProxySession, type ProxySessionArgs } from "pulumi-twilio-proxy";
import { afterAll } from "vitest";
import type { EmulatorHarness } from "./support/emulator";
import { EngineStack, recordOps } from "./support/engine";
import { describe, emulatorTest, expect } from "./support/fixtures";

// The tests of a describe follow one stack through its life: no reset between them.
const it = emulatorTest({ resetBeforeEach: false });

type Decl = Omit<ProxySessionArgs, "serviceSid">;

/** An inline program declaring `decls` (read at each run, so tests can edit them). */
function program(emu: EmulatorHarness, decls: Record<string, Decl>) {
  return async () => {
    const out: Record<string, unknown> = {};
    for (const [name, d] of Object.entries(decls)) {
      out[name] = new ProxySession(name, { serviceSid: emu.serviceSid, ...d }).sid;
    }
    return out;
  };
}

const liveByName = async (emu: EmulatorHarness) =>
  Object.fromEntries((await emu.sessions()).map((s) => [s.unique_name as string, s]));

// One story in steps, kept in order under `--sequence.shuffle` (which still shuffles the files
// and every other suite).
describe("lifecycle and drift through the engine", { shuffle: false }, () => {
  const decls: Record<string, Decl> = {
    "s-ttl": { uniqueName: "s-ttl", ttl: 3600, status: "open" },
    "s-close": { uniqueName: "s-close", status: "open" },
    "s-expire": { uniqueName: "s-expire", ttl: 600, status: "open" },
    "s-delete": { uniqueName: "s-delete", mode: "message-only" },
    "s-undeclared": { uniqueName: "s-undeclared", ttl: 600 },
  };
  let stack: EngineStack;
  it.beforeAll(async ({ emu }) => {
    await emu.reset();
    stack = await EngineStack.create(emu, program(emu, decls));
  });
  afterAll(() => stack?.dispose());

  it("up creates the declared sessions with one POST each", async ({ emu }) => {
    await emu.resetCalls();
    const up = await stack.stack.up();
    expect(up.summary.resourceChanges).toMatchObject({ create: 6 });
    expect(await emu.calls()).toMatchObject({ total: 5, CreateSession: 5 });
    expect(Object.keys(await liveByName(emu)).sort()).toEqual(Object.keys(decls).sort());
  });

  it("a second preview and a refresh report no changes, and preview makes no HTTP call", async ({
    emu,
  }) => {
    await emu.resetCalls();
    const pv = await stack.stack.preview({ expectNoChanges: true });
    expect(pv.changeSummary).toEqual({ same: 6 });
    expect((await emu.calls()).total).toBe(0);
    await stack.stack.refresh({ expectNoChanges: true });
    expect(await emu.calls()).toMatchObject({ total: 5, FetchSession: 5 });
  });

  it("keeps credentials out of state and stores one small __provider for every resource", async ({
    emu,
  }) => {
    const { text, resources } = await stack.state();
    expect(text).not.toContain(emu.emulator.authToken);
    const providers = new Set(
      resources.filter((r) => r.type.endsWith(":ProxySession")).map((r) => r.outputs!.__provider),
    );
    expect(providers.size).toBe(1);
    expect(Buffer.byteLength([...providers][0] as string)).toBeLessThan(4096);
  });

  it("preview --refresh shows exactly the drift: three updates and one create", async ({ emu }) => {
    const live = await liveByName(emu);
    await emu.patchSession(live["s-ttl"].sid as string, { ttl: 100_000 });
    await emu.patchSession(live["s-close"].sid as string, { status: "closed" });
    await emu.deleteSession(live["s-delete"].sid as string);
    // s-expire and s-undeclared expire; only s-expire declares a status, so only it drifts.
    await emu.advanceClock(601);
    const rec = recordOps();
    await stack.stack.preview({ refresh: true, onEvent: rec.onEvent });
    expect(rec.ops()).toEqual({
      "s-ttl": "update",
      "s-close": "update",
      "s-expire": "update",
      "s-delete": "create",
    });
  });

  it("up --refresh converges with one call per change, and a further preview is empty", async ({
    emu,
  }) => {
    await emu.resetCalls();
    await stack.stack.up({ refresh: true });
    const calls = await emu.calls();
    expect(calls).toMatchObject({
      FetchSession: 5,
      UpdateSession: 3,
      CreateSession: 1,
      DeleteSession: 0,
    });
    const live = await liveByName(emu);
    expect(live["s-ttl"].ttl).toBe(3600);
    expect(live["s-close"].status).toBe("in-progress");
    expect(live["s-expire"].status).toBe("in-progress");
    expect(live["s-undeclared"].status).toBe("closed");
    await stack.stack.preview({ refresh: true, expectNoChanges: true });
    // s-close and s-expire were re-opened as in-progress while declared open: not drift.
    await stack.stack.refresh({ expectNoChanges: true });
  });

  it("destroy leaves zero sessions", async ({ emu }) => {
    await stack.stack.destroy();
    expect(await emu.sessions()).toEqual([]);
  });
});

// One story in steps, kept in order under `--sequence.shuffle` (which still shuffles the files
// and every other suite).
describe("edits through the engine", { shuffle: false }, () => {
  const decls: Record<string, Decl> = {
    edit: { uniqueName: "edit", ttl: 300, status: "open", mode: "voice-and-message" },
  };
  let stack: EngineStack;
  it.beforeAll(async ({ emu }) => {
    await emu.reset();
    stack = await EngineStack.create(emu, program(emu, decls));
    await stack.stack.up();
  });
  afterAll(async () => {
    await stack?.stack.destroy();
    await stack?.dispose();
  });

  const upWith = async (emu: EmulatorHarness, change: Decl) => {
    Object.assign(decls.edit, change);
    const rec = recordOps();
    await emu.resetCalls();
    await stack.stack.up({ onEvent: rec.onEvent });
    return { ops: rec.ops(), calls: await emu.calls(), log: await emu.requestLog() };
  };

  it.for<[string, Decl, Record<string, string>]>([
    ["ttl", { ttl: 60 }, { Ttl: "60" }],
    ["dateExpiry", { dateExpiry: "2031-05-01T00:00:00Z" }, { DateExpiry: "2031-05-01T00:00:00Z" }],
    ["status", { status: "closed" }, { Status: "closed" }],
  ])(
    "a %s change is an update in place costing exactly one POST",
    async ([, change, form], { emu }) => {
      const r = await upWith(emu, change);
      expect(r.ops).toEqual({ edit: "update" });
      expect(r.calls).toMatchObject({ total: 1, UpdateSession: 1 });
      expect(r.log.at(-1)!.form).toEqual(form);
    },
  );

  it("a mode change keeping the uniqueName replaces, deleting first", async ({ emu }) => {
    const before = (await emu.sessions())[0].sid;
    const r = await upWith(emu, { mode: "message-only" });
    expect(r.ops).toEqual({ edit: "delete-replaced,replace,create-replacement" });
    expect(r.calls).toMatchObject({ DeleteSession: 1, CreateSession: 1 });
    const after = await emu.sessions();
    expect(after).toHaveLength(1);
    expect(after[0].sid).not.toBe(before);
    expect(after[0].mode).toBe("message-only");
  });

  it("a uniqueName change replaces, creating first", async ({ emu }) => {
    const r = await upWith(emu, { uniqueName: "edit-2" });
    expect(r.ops).toEqual({ edit: "create-replacement,replace,delete-replaced" });
    expect((await emu.sessions()).map((s) => s.unique_name)).toEqual(["edit-2"]);
  });
});

describe("preview and errors through the engine", () => {
  it("previews cleanly when serviceSid comes from another resource's output", async ({ emu }) => {
    await emu.reset();
    const stack = await EngineStack.create(emu, async () => {
      const parent = new ProxySession("parent", {
        serviceSid: emu.serviceSid,
        uniqueName: "parent",
      });
      const child = new ProxySession("child", {
        serviceSid: parent.serviceSid,
        uniqueName: parent.sid.apply((sid) => `child-of-${sid}`),
        ttl: parent.ttl.apply((t) => t + 60),
      });
      return { child: child.sid };
    });
    try {
      const pv = await stack.stack.preview();
      expect(pv.changeSummary).toMatchObject({ create: 3 });
      await stack.stack.up();
      const live = await liveByName(emu);
      expect(Object.keys(live)).toHaveLength(2);
      await stack.stack.destroy();
    } finally {
      await stack.dispose();
    }
  });

  it("a check failure stops preview with the property and reason, before any HTTP call", async ({
    emu,
  }) => {
    await emu.reset();
    const stack = await EngineStack.create(
      emu,
      program(emu, { bad: { ttl: -5, mode: "video" as never } }),
    );
    try {
      await emu.resetCalls();
      const err = await stack.stack.preview().catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      const msg = (err as Error).message;
      expect(msg).toMatch(/ttl.*must be 0 \(no expiry\) or more seconds, got -5/);
      expect(msg).toMatch(/mode.*must be one of message-only, voice-only, voice-and-message/);
      expect((await emu.calls()).total).toBe(0);
      expect(await stack.sessions()).toEqual([]);
    } finally {
      await stack.dispose();
    }
  });

  it("a dateExpiry in the past previews with a warning, not a failure", async ({ emu }) => {
    await emu.reset();
    const stack = await EngineStack.create(
      emu,
      program(emu, { old: { dateExpiry: "2020-01-01" } }),
    );
    try {
      const pv = await stack.stack.preview();
      expect(pv.changeSummary).toMatchObject({ create: 2 });
      expect(pv.stdout).toMatch(
        /warning: dateExpiry 2020-01-01T00:00:00Z is in the past: Twilio will close the session at once/,
      );
    } finally {
      await stack.dispose();
    }
  });
});
