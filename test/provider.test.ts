// The provider's methods against the emulator over real HTTP, counting the calls they make.
import type { ProxySessionInputs } from "../provider/internal";
import { EngineProxySessionProvider } from "../provider/credential-hint";
import { SessionConflictError } from "../provider/errors";
import { NAME_LOOKUP_READINGS, type EmulatorHarness } from "./support/emulator";
import { describe, expect, it } from "./support/fixtures";

const declare = (
  emu: EmulatorHarness,
  over: Partial<ProxySessionInputs> = {},
): ProxySessionInputs => ({
  serviceSid: emu.serviceSid,
  ...over,
});

async function created(emu: EmulatorHarness, over: Partial<ProxySessionInputs> = {}) {
  const p = emu.provider();
  const inputs = (await p.check({}, declare(emu, over))).inputs!;
  const r = await p.create(inputs);
  return { provider: p, inputs, id: r.id, outs: r.outs! };
}

describe("create", () => {
  it("makes one POST and returns the full live session", async ({ emu }) => {
    const p = emu.provider();
    const { result, calls } = await emu.count(() =>
      p.create(declare(emu, { uniqueName: "order-1", ttl: 600, mode: "message-only" })),
    );
    expect(calls).toMatchObject({ total: 1, CreateSession: 1 });
    expect(result.id).toMatch(/^KC[0-9a-f]{32}$/);
    expect(result.outs).toMatchObject({
      serviceSid: emu.serviceSid,
      accountSid: expect.stringMatching(/^AC/),
      uniqueName: "order-1",
      mode: "message-only",
      status: "open",
      ttl: 600,
      dateExpiry: null,
      // As Twilio answers a new session: not started, not closed.
      dateStarted: null,
      closedReason: null,
      dateCreated: expect.stringMatching(/Z$/),
      // The session's URL is its API origin and the two SIDs: state keeps the origin.
      url: emu.emulator.baseUrl,
      participants: [],
    });
    // Every field of Twilio's Session but `links` (from `url`) and `sid` (the id), which the
    // resource and the provider derive (stored.ts).
    expect(result.outs).not.toHaveProperty("links");
    expect(result.outs).not.toHaveProperty("sid");
    expect(Object.keys(result.outs!)).toHaveLength(16);
  });

  it("encodes participants as repeated Participants fields, one JSON object each", async ({
    emu,
  }) => {
    const participants = [
      { identifier: "+15550001111", friendlyName: "Alice" },
      { identifier: "+15550002222", proxyIdentifier: "+15559990000" },
    ];
    const { outs } = await created(emu, { participants });
    const [req] = await emu.requestLog();
    expect(req.method).toBe("POST");
    const sent = ([] as string[]).concat(req.form.Participants).map((v) => JSON.parse(v));
    expect(sent).toEqual([
      { Identifier: "+15550001111", FriendlyName: "Alice" },
      { Identifier: "+15550002222", ProxyIdentifier: "+15559990000" },
    ]);
    const [stored] = await emu.sessions();
    expect(stored.participants).toHaveLength(2);
    expect(outs.participants).toEqual(participants.map((p) => expect.objectContaining(p)));
  });

  it.for(["default", "alternative"] as const)(
    "outputs the participants as the next read does, in declared order (participantListOrder %s)",
    async (position, { emu }) => {
      await emu.setReading("participantListOrder", position);
      const p = emu.provider();
      const participants = [{ identifier: "+15550001111" }, { identifier: "+15550002222" }];
      const { result, calls } = await emu.count(() => p.create(declare(emu, { participants })));
      // Create's answer has no participants: one listing gives their SIDs and masked numbers.
      expect(calls).toMatchObject({ total: 2, CreateSession: 1, ListParticipant: 1 });
      const outs = result.outs!;
      expect(outs.participants).toEqual(
        participants.map((d) => ({
          ...d,
          sid: expect.stringMatching(/^KP/),
          proxyIdentifier: expect.stringMatching(/^\+/),
          proxyIdentifierSid: expect.stringMatching(/^PN/),
        })),
      );
      const read = await p.read(result.id, outs);
      expect(read.props).toEqual(outs);
      expect(read.inputs!.participants).toEqual(participants);
    },
  );

  it("makes one call for a session without participants", async ({ emu }) => {
    const p = emu.provider();
    const { result, calls } = await emu.count(() => p.create(declare(emu, { participants: [] })));
    expect(calls).toMatchObject({ total: 1, CreateSession: 1 });
    expect(result.outs!.participants).toEqual([]);
  });

  it("surfaces Twilio's error code, status, message and link", async ({ emu }) => {
    await created(emu, { uniqueName: "taken" });
    const p = emu.provider();
    const err = await p.create(declare(emu, { uniqueName: "taken" })).catch((e: Error) => e);
    expect(err).toBeInstanceOf(SessionConflictError);
    expect((err as Error).message).toMatch(
      // 409 or 400: the conflictHttpStatus reading.
      /Twilio error 80603 \(HTTP (409|400)\): .+ \(https:\/\/www\.twilio\.com\/docs\/errors\/80603\)/,
    );
    // A resource renamed in the program is created before the old one is deleted.
    expect((err as Error).message).toMatch(/renamed this resource.*aliases/);
    expect((err as Error).message).not.toContain("[object Object]");
  });

  it("reports an unknown Service as Twilio's 404", async ({ emu }) => {
    const err = await emu
      .provider()
      .create(declare(emu, { serviceSid: "KS" + "9".repeat(32) }))
      .catch((e: Error) => e);
    expect((err as Error).message).toMatch(/Twilio error 20404 \(HTTP 404\)/);
  });
});

describe("read", () => {
  it("makes one GET and returns live props and the inputs that reproduce them", async ({ emu }) => {
    const { provider, id, outs } = await created(emu, { uniqueName: "r1", ttl: 300 });
    await emu.patchSession(id, { ttl: 999 });
    const { result, calls } = await emu.count(() => provider.read(id, outs));
    expect(calls).toMatchObject({ total: 1, FetchSession: 1 });
    expect(result.id).toBe(id);
    expect(result.props).toMatchObject({ ttl: 999, uniqueName: "r1" });
    expect(result.inputs).toEqual({ serviceSid: emu.serviceSid, uniqueName: "r1", ttl: 999 });
  });

  it("keeps the form state was written in: an earlier version's sid and full url stay", async ({
    emu,
  }) => {
    const { provider, id, outs } = await created(emu, { ttl: 300 });
    const url = `${emu.emulator.baseUrl}/v1/Services/${emu.serviceSid}/Sessions/${id}`;
    expect((await provider.read(id, outs)).props).toEqual(outs);
    const earlier = { ...outs, sid: id, url };
    expect((await provider.read(id, earlier)).props).toEqual(earlier);
    // An update rewrites it in today's form.
    expect((await provider.update(id, earlier, { ...declare(emu), ttl: 60 })).outs).toEqual({
      ...outs,
      ttl: 60,
      dateUpdated: expect.any(String),
    });
  });

  it("keeps declared values the diff treats as equal, so refresh shows no spurious change", async ({
    emu,
  }) => {
    const declaredExpiry = "2031-01-01T02:00:00+02:00";
    const { provider, id, outs } = await created(emu, {
      status: "open",
      dateExpiry: declaredExpiry,
    });
    await emu.interact(id);
    const r = await provider.read(id, outs);
    expect(r.props!.status).toBe("in-progress");
    expect(r.inputs).toEqual({
      serviceSid: emu.serviceSid,
      status: "open",
      dateExpiry: "2031-01-01T00:00:00Z",
    });
    await emu.patchSession(id, { status: "closed" });
    expect((await provider.read(id, outs)).inputs).toMatchObject({ status: "closed" });
  });

  it("returns no id when the session is gone, so the engine drops it", async ({ emu }) => {
    const { provider, id, outs } = await created(emu);
    await emu.deleteSession(id);
    const { result, calls } = await emu.count(() => provider.read(id, outs));
    expect(result.id).toBeUndefined();
    expect(calls.total).toBe(1);
  });

  it("reads the participants from Twilio when they are declared: one list request more", async ({
    emu,
  }) => {
    const participants = [{ identifier: "+15550001111" }];
    const { provider, id, outs } = await created(emu, { participants });
    const { result: r, calls } = await emu.count(() => provider.read(id, outs));
    expect(calls).toMatchObject({ total: 2, FetchSession: 1, ListParticipant: 1 });
    // Twilio's view, with the proxy number it picked from the pool...
    expect(r.props!.participants).toEqual([
      {
        sid: expect.stringMatching(/^KP/),
        identifier: "+15550001111",
        proxyIdentifier: expect.any(String),
        proxyIdentifierSid: expect.stringMatching(/^PN/),
      },
    ]);
    // ...and the inputs in the declared form, so refresh shows no change.
    expect(r.inputs).toMatchObject({ participants });
  });

  it("reads no participant when none is declared", async ({ emu }) => {
    const { provider, id, outs } = await created(emu);
    const { calls } = await emu.count(() => provider.read(id, outs));
    expect(calls).toMatchObject({ total: 1, FetchSession: 1 });
  });

  it("sees status changes made by use and by expiry", async ({ emu }) => {
    const { provider, id, outs } = await created(emu, { ttl: 60 });
    await emu.interact(id);
    expect((await provider.read(id, outs)).props!.status).toBe("in-progress");
    await emu.advanceClock(120);
    const closed = (await provider.read(id, outs)).props!;
    expect(closed.status).toBe("closed");
    expect(closed.dateEnded).not.toBeNull();
  });
});

describe("update", () => {
  it("sends one POST carrying only the changed field", async ({ emu }) => {
    const { provider, id, outs, inputs } = await created(emu, {
      ttl: 300,
      status: "open",
      uniqueName: "u1",
    });
    await emu.resetCalls();
    const { result, calls } = await emu.count(() =>
      provider.update(id, outs, { ...inputs, ttl: 60 }),
    );
    expect(calls).toMatchObject({ total: 1, UpdateSession: 1 });
    const log = await emu.requestLog();
    expect(log.at(-1)!.form).toEqual({ Ttl: "60" });
    expect(result.outs!.ttl).toBe(60);
  });

  it("makes no call when nothing changed", async ({ emu }) => {
    const { provider, id, outs, inputs } = await created(emu, { ttl: 300 });
    const { result, calls } = await emu.count(() => provider.update(id, outs, inputs));
    expect(calls.total).toBe(0);
    expect(result.outs).toEqual(outs);
  });

  it("closes an active session and re-opens a closed one", async ({ emu }) => {
    const { provider, id, outs, inputs } = await created(emu, { status: "open" });
    const closed = (await provider.update(id, outs, { ...inputs, status: "closed" })).outs!;
    expect(closed.status).toBe("closed");
    expect((await emu.requestLog()).at(-1)!.form).toEqual({ Status: "closed" });
    const reopened = (await provider.update(id, closed, { ...inputs, status: "open" })).outs!;
    expect((await emu.requestLog()).at(-1)!.form).toEqual({ Status: "in-progress" });
    expect(reopened.status).toBe("in-progress");
  });

  it("re-opens and changes ttl of a closed session in one call", async ({ emu }) => {
    const { provider, id, outs, inputs } = await created(emu, { status: "open", ttl: 60 });
    await emu.patchSession(id, { status: "closed" });
    const live = (await provider.read(id, outs)).props!;
    const { result, calls } = await emu.count(() =>
      provider.update(id, live, { ...inputs, ttl: 600 }),
    );
    expect(calls.total).toBe(1);
    expect(result.outs).toMatchObject({ status: "in-progress", ttl: 600 });
  });

  it("updates dateExpiry in place", async ({ emu }) => {
    const { provider, id, outs, inputs } = await created(emu);
    const r = await provider.update(id, outs, { ...inputs, dateExpiry: "2031-01-01T00:00:00Z" });
    expect(r.outs!.dateExpiry).toBe("2031-01-01T00:00:00Z");
  });
});

describe("delete", () => {
  it("makes one DELETE", async ({ emu }) => {
    const { provider, id, outs } = await created(emu);
    const { calls } = await emu.count(() => provider.delete(id, outs));
    expect(calls).toMatchObject({ total: 1, DeleteSession: 1 });
    expect(await emu.sessions()).toEqual([]);
  });

  it("counts a session already gone as deleted", async ({ emu }) => {
    const { provider, id, outs } = await created(emu);
    await emu.deleteSession(id);
    await expect(provider.delete(id, outs)).resolves.toBeUndefined();
  });
});

describe("check and diff make no HTTP call", () => {
  it("check fails bad input before anything is sent", async ({ emu }) => {
    const p = emu.provider();
    const { result, calls } = await emu.count(() => p.check({}, declare(emu, { ttl: -5 })));
    expect(result.failures).toEqual([{ property: "ttl", reason: expect.stringContaining("-5") }]);
    expect(calls.total).toBe(0);
  });

  it("diff compares with the last known state only", async ({ emu }) => {
    const { provider, id, outs, inputs } = await created(emu, { ttl: 300 });
    await emu.patchSession(id, { ttl: 1 });
    const { result, calls } = await emu.count(() =>
      provider.diff(id, outs, { ...inputs, ttl: 300 }),
    );
    expect(result.changes).toBe(false);
    expect(calls.total).toBe(0);
  });
});

describe("credentials", () => {
  it("accepts an API key and secret", async ({ emu }) => {
    const p = emu.provider({
      env: {
        TWILIO_API_KEY: emu.emulator.apiKeySid,
        TWILIO_API_SECRET: emu.emulator.apiKeySecret,
        TWILIO_PROXY_BASE_URL: emu.baseUrl,
      },
    });
    await expect(p.create(declare(emu))).resolves.toMatchObject({
      id: expect.stringMatching(/^KC/),
    });
  });

  it("reads credentials from stack config given to configure, before the environment", async ({
    emu,
  }) => {
    const p = emu.provider({
      env: { TWILIO_AUTH_TOKEN: "wrongtoken", TWILIO_ACCOUNT_SID: "ACwrong" },
    });
    const config: Record<string, string> = {
      "twilio:username": emu.emulator.accountSid,
      "twilio:password": emu.emulator.authToken,
      "twilio-proxy:baseUrl": emu.baseUrl,
    };
    await p.configure({
      config: { get: (k: string) => config[k], require: (k: string) => config[k] },
    });
    await expect(p.create(declare(emu))).resolves.toMatchObject({
      id: expect.stringMatching(/^KC/),
    });
  });

  it("as the engine runs it, a 401 with credentials from stack config names the way out, in one line", async ({
    emu,
  }) => {
    const { id, outs } = await created(emu);
    await emu.rotateAuthToken("RotatedToken0123456789abcdef");
    const config: Record<string, string> = {
      "twilio:username": emu.emulator.accountSid,
      "twilio:password": emu.emulator.authToken,
      "twilio-proxy:baseUrl": emu.baseUrl,
    };
    const inEngine = new EngineProxySessionProvider({ env: {}, warn: () => {} });
    await inEngine.configure({
      config: { get: (k: string) => config[k], require: (k: string) => config[k] },
    });
    const err = (await inEngine.read(id, outs).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(
      /^Twilio error 20003 \(HTTP 401\): .*; the credentials come from stack config: refresh, preview and destroy use the configuration saved at the last `up`, and `--run-program` uses the current one$/,
    );
    // The dynamic-provider host prints `${err}: ${err.stack}`: no trace there.
    expect(`${err}: ${err.stack}`).not.toMatch(/\n/);
    // From the environment, the next command reads the current value: no such hint.
    const fromEnv = new EngineProxySessionProvider({ env: emu.env(), warn: () => {} });
    const plain = (await fromEnv.read(id, outs).catch((e: Error) => e)) as Error;
    expect(plain.message).toMatch(/20003/);
    expect(plain.message).not.toMatch(/stack config/);
  });

  it("names both ways to set credentials when none are set, and sends nothing", async ({ emu }) => {
    const p = emu.provider({ env: { TWILIO_PROXY_BASE_URL: emu.baseUrl } });
    const { result, calls } = await emu.count(() => p.create(declare(emu)).catch((e: Error) => e));
    expect((result as Error).message).toMatch(/twilio:password/);
    expect((result as Error).message).toMatch(/TWILIO_AUTH_TOKEN/);
    expect(calls.total).toBe(0);
  });

  it("fails once on bad credentials, without retrying or echoing the secret", async ({ emu }) => {
    const secret = "notTheRightToken123";
    const p = emu.provider({
      env: {
        TWILIO_ACCOUNT_SID: emu.emulator.accountSid,
        TWILIO_AUTH_TOKEN: secret,
        TWILIO_PROXY_BASE_URL: emu.baseUrl,
      },
    });
    const { result, calls } = await emu.count(() => p.create(declare(emu)).catch((e: Error) => e));
    expect((result as Error).message).toMatch(/Twilio error 20003 \(HTTP 401\)/);
    expect((result as Error).message).not.toContain(secret);
    expect(JSON.stringify(result)).not.toContain(secret);
    expect(calls.total).toBe(1);
  });
});

describe.each(NAME_LOOKUP_READINGS)("adopt, %s", (_, reading) => {
  it.beforeEach(({ emu }) => emu.setReading("fetchByUniqueName", reading));
  // By name: one Fetch when Twilio resolves names, else a Fetch (20404) and one list page.
  const nameLookup =
    reading === "alternative" ? { FetchSession: 1 } : { FetchSession: 1, ListSession: 1 };

  async function existing(emu: EmulatorHarness) {
    const { id } = await created(emu, { uniqueName: "legacy", ttl: 100, mode: "voice-only" });
    return id;
  }

  it("takes over a session by uniqueName and converges its in-place fields", async ({ emu }) => {
    const id = await existing(emu);
    const p = emu.provider();
    const { result, calls } = await emu.count(() =>
      p.create(declare(emu, { uniqueName: "legacy", adopt: true, ttl: 900, mode: "voice-only" })),
    );
    expect(result.id).toBe(id);
    expect(result.outs!.ttl).toBe(900);
    expect(calls).toMatchObject({ ...nameLookup, UpdateSession: 1, CreateSession: 0 });
    expect(await emu.sessions()).toHaveLength(1);
  });

  it("takes over a session by SID without any update when it already matches", async ({ emu }) => {
    const id = await existing(emu);
    const { result, calls } = await emu.count(() =>
      emu.provider().create(declare(emu, { adopt: id, ttl: 100 })),
    );
    expect(result.id).toBe(id);
    expect(calls.total).toBe(1);
  });

  it("refuses when a create-only field differs", async ({ emu }) => {
    await existing(emu);
    const err = await emu
      .provider()
      .create(declare(emu, { uniqueName: "legacy", adopt: true, mode: "message-only" }))
      .catch((e: Error) => e);
    expect((err as Error).message).toMatch(
      /adopt: session KC\w+ differs .*mode is "voice-only", declared "message-only"/,
    );
  });

  it("says so when nothing matches", async ({ emu }) => {
    const err = await emu
      .provider()
      .create(declare(emu, { uniqueName: "nobody", adopt: true }))
      .catch((e: Error) => e);
    expect((err as Error).message).toMatch(
      /adopt: no session with uniqueName "nobody" exists in Service KS\w+; remove adopt/,
    );
  });
});
