// Upgrading from earlier versions, through the real engine: each one's state previews as
// unchanged, then updates, refreshes and destroys with one call per session and no replacement.
// 0.1.0's state holds Pulumi's closure-serialized `__provider` (3,365 B, a fixture copied from a
// real stack) and outputs that record the declaration in full; later ones are real states
// written by their own code (test/fixtures/state-<commit>.json).
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { ProxySession, type ProxySessionArgs } from "pulumi-twilio-proxy";
import { afterAll } from "vitest";
import { fromStored, type StoredOutputs } from "../provider/stored";
import type { EmulatorHarness } from "./support/emulator";
import { EngineStack, recordOps, urnName, type StateResource } from "./support/engine";
import { describe, emulatorTest, expect } from "./support/fixtures";
import { CHANGE_LINE } from "./support/golden";

// The tests follow one upgraded stack from preview to destroy: no reset between them.
const it = emulatorTest({ resetBeforeEach: false });

const root = path.resolve(__dirname, "..");
// The @pulumi/pulumi instance the package itself uses, as in a user's program.
const pulumi = createRequire(__filename)(
  path.join(root, "node_modules/@pulumi/pulumi"),
) as typeof import("@pulumi/pulumi");
const { providerModule } = createRequire(__filename)(path.join(root, "dist/provider/stub.js")) as {
  providerModule: string;
};

const OLD_PROVIDER = fs.readFileSync(
  path.join(__dirname, "fixtures/provider-serialized-1fe7bad.txt"),
  "utf8",
);

type Decl = Omit<ProxySessionArgs, "serviceSid">;

/** How 0.1.0 registered a session: pulumi.dynamic.Resource with the serialized provider. */
class OldProxySession extends pulumi.CustomResource {
  constructor(name: string, args: ProxySessionArgs) {
    super("pulumi-nodejs:dynamic/twilio:ProxySession", name, {
      ...args,
      __provider: OLD_PROVIDER,
    });
  }
}

/**
 * 0.1.0's outputs recorded every declared input in `declared`, values included, and held `sid`
 * and the whole `url`.
 */
function asWrittenBy010(r: StateResource) {
  const declared = { ...r.inputs };
  delete declared.__provider;
  delete declared.adopt;
  r.outputs = { ...fromStored(r.id!, r.outputs as unknown as StoredOutputs), declared };
}

// One story in steps, kept in order under `--sequence.shuffle` (which still shuffles the files
// and every other suite).
describe("a stack written by 0.1.0", { shuffle: false }, () => {
  const decls: Record<string, Decl> = {
    a: { uniqueName: "upgrade-a", ttl: 3600 },
    b: {
      uniqueName: "upgrade-b",
      mode: "message-only",
      status: "open",
      dateExpiry: "2031-01-01T02:00:00+02:00",
      participants: [{ identifier: "+15550001111" }],
    },
    c: {},
  };
  let version: "0.1.0" | "current" = "0.1.0";
  let stack: EngineStack;
  const sessionsByName = async () =>
    Object.fromEntries((await stack.sessions()).map((r) => [urnName(r.urn), r]));

  it.beforeAll(async ({ emu }) => {
    await emu.reset();
    stack = await EngineStack.create(emu, async () => {
      for (const [name, d] of Object.entries(decls)) {
        const args = { serviceSid: emu.serviceSid, ...d };
        if (version === "0.1.0") new OldProxySession(name, args);
        else new ProxySession(name, args);
      }
      return {};
    });
    await stack.stack.up();
    const exported = await stack.stack.exportStack();
    const resources = exported.deployment.resources as StateResource[];
    const sessions = resources.filter((r) => r.type.endsWith(":ProxySession"));
    expect(sessions.map((r) => r.outputs!.__provider)).toEqual([
      OLD_PROVIDER,
      OLD_PROVIDER,
      OLD_PROVIDER,
    ]);
    sessions.forEach(asWrittenBy010);
    await stack.stack.importStack(exported);
    version = "current";
    // In use meanwhile: live in-progress, declared open, which is no drift.
    const b = (await emu.sessions()).find((s) => s.unique_name === "upgrade-b")!;
    await emu.interact(b.sid as string);
  });
  afterAll(() => stack?.dispose());

  it("previews as unchanged, without an HTTP call", async ({ emu }) => {
    await emu.resetCalls();
    const pv = await stack.stack.preview();
    expect(pv.changeSummary).toEqual({ same: 4 });
    expect((await emu.calls()).total).toBe(0);
  });

  it("previews --refresh as unchanged, one read per session (and its participants)", async ({
    emu,
  }) => {
    await emu.resetCalls();
    await stack.stack.preview({ refresh: true, expectNoChanges: true });
    // b declares participants: Twilio lists them, one request more.
    expect(await emu.calls()).toMatchObject({ total: 4, FetchSession: 3, ListParticipant: 1 });
  });

  it("updates in place with one call, storing the new __provider", async ({ emu }) => {
    decls.a.ttl = 7200;
    const rec = recordOps();
    await emu.resetCalls();
    await stack.stack.up({ onEvent: rec.onEvent });
    expect(rec.ops()).toEqual({ a: "update" });
    expect(await emu.calls()).toMatchObject({ total: 1, UpdateSession: 1 });
    const a = (await sessionsByName()).a;
    expect(a.inputs!.__provider).toBe(providerModule);
    expect(a.outputs!.__provider).toBe(providerModule);
    expect(a.outputs!.ttl).toBe(7200);
  });

  it("refreshes with no change, then previews with no change", async ({ emu }) => {
    await emu.resetCalls();
    await stack.stack.refresh({ expectNoChanges: true });
    expect(await emu.calls()).toMatchObject({ total: 4, FetchSession: 3, ListParticipant: 1 });
    const b = (await sessionsByName()).b;
    expect(b.inputs).toMatchObject({
      status: "open",
      dateExpiry: "2031-01-01T00:00:00Z",
      participants: [{ identifier: "+15550001111" }],
    });
    await stack.stack.preview({ expectNoChanges: true });
  });

  it("destroys every session, one call each", async ({ emu }) => {
    await emu.resetCalls();
    await stack.stack.destroy();
    expect(await emu.calls()).toMatchObject({ total: 3, DeleteSession: 3 });
    expect(await emu.sessions()).toEqual([]);
  });
});

interface StateFixture {
  baseUrl: string;
  serviceSid: string;
  accountSid: string;
  sessions: StateResource[];
}

/**
 * A real state of an earlier version's code (test/fixtures/state-<commit>.json, written by that
 * commit's own `up`, provider and emulator), made live again: the sessions are created on this
 * emulator with the fixture's inputs, then the fixture's state is imported with the facts only
 * Twilio decides replaced by the live ones (SIDs, the host, dates, and the `liveFacts` named).
 * The rest is the fixture's, byte for byte. `declare` may change a session's inputs later.
 */
async function restoreState(
  emu: EmulatorHarness,
  commit: string,
  liveFacts: string[],
  declare: (name: string, inputs: ProxySessionArgs) => ProxySessionArgs = (_, i) => i,
) {
  const fixture = JSON.parse(
    fs.readFileSync(path.join(__dirname, `fixtures/state-${commit}.json`), "utf8"),
  ) as StateFixture;
  const inputs = Object.fromEntries(fixture.sessions.map((r) => [urnName(r.urn), r.inputs!]));
  await emu.reset();
  const stack = await EngineStack.create(emu, async () => {
    for (const [name, released] of Object.entries(inputs)) {
      const args = { ...released, serviceSid: emu.serviceSid } as ProxySessionArgs;
      delete (args as { __provider?: unknown }).__provider;
      new ProxySession(name, declare(name, args));
    }
    return {};
  });
  await stack.stack.up();
  const exported = await stack.stack.exportStack();
  const resources = exported.deployment.resources as StateResource[];
  for (const r of resources.filter((x) => x.type.endsWith(":ProxySession"))) {
    const released = fixture.sessions.find((s) => urnName(s.urn) === urnName(r.urn))!;
    const swap = (v: unknown) =>
      JSON.parse(
        JSON.stringify(v)
          .replaceAll(fixture.baseUrl, emu.baseUrl)
          .replaceAll(fixture.serviceSid, emu.serviceSid)
          .replaceAll(fixture.accountSid, emu.emulator.accountSid)
          .replaceAll(released.id!, r.id!),
      );
    const facts = [...LIVE_DATES, ...liveFacts];
    r.inputs = swap(released.inputs);
    r.outputs = { ...swap(released.outputs), ...pick(r.outputs!, facts) };
  }
  await stack.stack.importStack(exported);
  return { stack, inputs };
}

/** The dates Twilio sets: the live ones replace the fixture's. */
const LIVE_DATES = [
  "dateCreated",
  "dateUpdated",
  "dateStarted",
  "dateEnded",
  "dateLastInteraction",
];

const pick = (o: Record<string, unknown>, keys: string[]) =>
  Object.fromEntries(keys.map((k) => [k, o[k]]));

/**
 * The last release (main at 87a1c91). Its outputs hold the declaration as `declared`, a name the
 * CLI displays, and participants as declared (no SIDs).
 */
describe("a stack written by the last release (state of 87a1c91)", { shuffle: false }, () => {
  let stack: EngineStack;
  let releasedInputs: Record<string, Record<string, unknown>>;
  it.beforeAll(async ({ emu }) => {
    ({ stack, inputs: releasedInputs } = await restoreState(emu, "87a1c91", []));
  });
  afterAll(() => stack?.dispose());

  it("holds what the release wrote: `declared`, participants without SIDs", async () => {
    const b = (await stack.sessions()).find((r) => urnName(r.urn) === "b")!;
    expect(b.outputs).toHaveProperty("declared");
    expect(b.outputs).not.toHaveProperty("__declared");
    expect(b.outputs!.participants).toEqual(releasedInputs.b.participants);
  });

  it("previews as unchanged without an HTTP call", async ({ emu }) => {
    await emu.resetCalls();
    const pv = await stack.stack.preview({ diff: true });
    expect(pv.changeSummary).toEqual({ same: 4 });
    expect(pv.stdout).not.toMatch(CHANGE_LINE);
    expect((await emu.calls()).total).toBe(0);
  });

  it("previews --refresh as unchanged, with no call more than a refresh makes", async ({ emu }) => {
    await emu.resetCalls();
    const pv = await stack.stack.preview({ refresh: true, expectNoChanges: true });
    expect(pv.changeSummary).toEqual({ same: 4 });
    expect(await emu.calls()).toMatchObject({ total: 4, FetchSession: 3, ListParticipant: 1 });
  });

  it("a refresh moves the record to `__declared`; from then on nothing shows", async ({ emu }) => {
    await stack.stack.refresh();
    const b = (await stack.sessions()).find((r) => urnName(r.urn) === "b")!;
    expect(b.outputs).not.toHaveProperty("declared");
    expect(b.outputs).toHaveProperty("__declared");
    expect(b.inputs!.participants).toEqual(releasedInputs.b.participants);
    await emu.resetCalls();
    const again = await stack.stack.preview({ refresh: true, diff: true });
    expect(again.changeSummary).toEqual({ same: 4 });
    expect(again.stdout, again.stdout).not.toMatch(CHANGE_LINE);
    expect((await emu.calls()).total).toBe(4);
    await stack.stack.destroy();
    expect(await emu.sessions()).toEqual([]);
  });
});

/**
 * Main at b068bca (what landed before state stopped storing what it can derive): outputs hold
 * `sid` and the session's whole `url`, participants with their SIDs, the record as `__declared`.
 */
describe(
  "a stack written by b068bca: `sid` and the whole `url` in state",
  { shuffle: false },
  () => {
    let stack: EngineStack;
    let ttlOfA = 3600;
    const byName = async () =>
      Object.fromEntries((await stack.sessions()).map((r) => [urnName(r.urn), r]));
    it.beforeAll(async ({ emu }) => {
      ({ stack } = await restoreState(emu, "b068bca", ["participants"], (name, args) =>
        name === "a" ? { ...args, ttl: ttlOfA } : args,
      ));
    });
    afterAll(() => stack?.dispose());

    it("holds what that version wrote", async ({ emu }) => {
      for (const r of Object.values(await byName())) {
        expect(r.outputs!.sid).toBe(r.id);
        expect(r.outputs!.url).toBe(
          `${emu.baseUrl}/v1/Services/${emu.serviceSid}/Sessions/${r.id}`,
        );
      }
    });

    it("previews --refresh --diff with nothing shown, reading each session once", async ({
      emu,
    }) => {
      await emu.resetCalls();
      const pv = await stack.stack.preview({ refresh: true, diff: true });
      expect(pv.changeSummary).toEqual({ same: 4 });
      expect(pv.stdout, pv.stdout).not.toMatch(CHANGE_LINE);
      expect(await emu.calls()).toMatchObject({ total: 4, FetchSession: 3, ListParticipant: 1 });
    });

    it("refreshes keeping that form; an update writes today's, in one call", async ({ emu }) => {
      const written = async () =>
        Object.values(await byName()).map((r) => ({ inputs: r.inputs, outputs: r.outputs }));
      const before = await written();
      await stack.stack.refresh();
      expect(await written()).toEqual(before);
      ttlOfA = 60;
      await emu.resetCalls();
      await stack.stack.up();
      expect(await emu.calls()).toMatchObject({ total: 1, UpdateSession: 1 });
      const { a, b } = await byName();
      expect(a.outputs).not.toHaveProperty("sid");
      expect(a.outputs!.url).toBe(emu.baseUrl);
      expect(b.outputs!.sid).toBe(b.id);
    });

    it("from then on shows nothing, and destroys every session", async ({ emu }) => {
      const pv = await stack.stack.preview({ refresh: true, diff: true });
      expect(pv.changeSummary).toEqual({ same: 4 });
      expect(pv.stdout, pv.stdout).not.toMatch(CHANGE_LINE);
      await stack.stack.destroy();
      expect(await emu.sessions()).toEqual([]);
    });
  },
);
