// The lookup functions against the emulator over real HTTP: one GET per get, ceil(N/P) ListSession
// calls per listing, errors before any call for bad arguments, and no credential in any error.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll } from "vitest";
import {
  LookupArgumentError,
  PaginationError,
  ProviderConfigError,
  SessionNotFoundError,
  TwilioApiError,
  findUnmanagedSessions,
  getProxySession,
  getProxySessionOutput,
  listProxySessions,
  listProxySessionsOutput,
  listUnmanagedSessions,
  type LookupOptions,
  type ProxySessionState,
} from "../provider";
import { TwilioProxyClient, resolveSettings } from "../provider/internal";
import { fromStored } from "../provider/stored";
import { NAME_LOOKUP_READINGS, type EmulatorHarness } from "./support/emulator";
import { describe, emulatorTest, expect } from "./support/fixtures";

// Each describe makes its sessions once, for all its tests: no reset between them.
const it = emulatorTest({ resetBeforeEach: false });

// The file's emulator, for the helpers below and the tests of it.each (which get no fixtures).
let emu: EmulatorHarness;
let opts: LookupOptions;
it.beforeAll(({ emu: started }) => {
  emu = started;
  // Credentials only from the environment given here, never from the test process's.
  opts = { env: emu.env(), config: () => undefined, client: { sleep: async () => {} } };
});

const client = () => new TwilioProxyClient(resolveSettings(undefined, emu.env()));
/** A new, empty Proxy Service (the control API's), so listings see only their own sessions. */
const newService = () => emu.control<{ sid: string }>("POST", "services", {}).then((r) => r.sid);
async function createSessions(serviceSid: string, n: number, prefix = "s") {
  const c = client();
  for (let i = 0; i < n; i++) {
    await c.createSession(serviceSid, { UniqueName: `${prefix}-${i}`, Ttl: 600 + i });
  }
}
const absentSid = "KC" + "0".repeat(32);

/** Resolves an Output outside a Pulumi program (no engine: apply runs on known values). */
const resolve = <T>(o: pulumi.Output<T>) => new Promise<T>((r) => o.apply(r));

describe.each(NAME_LOOKUP_READINGS)("getProxySession, %s", (_, reading) => {
  let serviceSid: string;
  let live: Record<string, unknown>;
  // By name: one Fetch when Twilio resolves names, else a Fetch (20404) and one list page.
  const byName =
    reading === "alternative"
      ? { total: 1, FetchSession: 1 }
      : { total: 2, FetchSession: 1, ListSession: 1 };
  beforeAll(async () => {
    await emu.setReading("fetchByUniqueName", reading);
    serviceSid = await newService();
    live = (await client().createSession(serviceSid, {
      UniqueName: "trip-1",
      Mode: "message-only",
      Ttl: 3600,
    })) as unknown as Record<string, unknown>;
  });

  it("by sid: one GET, the session's full state in camelCase", async () => {
    const { result, calls } = await emu.count(() =>
      getProxySession({ serviceSid, sid: live.sid as string }, opts),
    );
    expect(calls).toMatchObject({ total: 1, FetchSession: 1 });
    expect(result).toMatchObject({
      sid: live.sid,
      serviceSid,
      accountSid: emu.emulator.accountSid,
      uniqueName: "trip-1",
      mode: "message-only",
      status: "open",
      ttl: 3600,
      dateCreated: live.date_created,
      url: live.url,
    });
  });

  it("by uniqueName: the same state, with the calls this reading of Twilio needs", async () => {
    const bySid = await getProxySession({ serviceSid, sid: live.sid as string }, opts);
    const { result, calls } = await emu.count(() =>
      getProxySession({ serviceSid, uniqueName: "trip-1" }, opts),
    );
    expect(calls).toMatchObject(byName);
    expect(result).toEqual(bySid);
  });

  it("has the resource's output fields (links, sid and url derived there), minus what only a stack declares", async () => {
    const state = await getProxySession({ serviceSid, uniqueName: "trip-1" }, opts);
    const read = await emu
      .provider()
      .read(
        live.sid as string,
        { serviceSid } as Parameters<ReturnType<EmulatorHarness["provider"]>["read"]>[1],
      );
    // As the resource reads them: sid and url put back (stored.ts).
    const outputs = fromStored(live.sid as string, read.props!) as unknown as Record<
      string,
      unknown
    >;
    const outputKeys = Object.keys(outputs);
    // The resource derives `links` from `url` instead of storing them: the same URLs.
    const stateKeys = Object.keys(state).filter((k) => k !== "links");
    expect(state.links).toEqual({
      interactions: `${state.url}/Interactions`,
      participants: `${state.url}/Participants`,
    });
    expect(outputKeys).toEqual(expect.arrayContaining(stateKeys));
    const onlyOutputs = outputKeys.filter((k) => !stateKeys.includes(k));
    expect(["participants", "__declared"]).toEqual(expect.arrayContaining(onlyOutputs));
    for (const k of stateKeys) {
      expect(state[k as keyof ProxySessionState]).toEqual(outputs[k]);
    }
  });

  it.each([
    ["sid", { sid: absentSid }, `no Proxy session with sid "${absentSid}" in Service`],
    ["uniqueName", { uniqueName: "no-such" }, 'no Proxy session with uniqueName "no-such"'],
  ])(
    "a missing session by %s is a clear error naming the Service and key",
    async (by, key, msg) => {
      const { result: err, calls } = await emu.count(() =>
        getProxySession({ serviceSid, ...key }, opts).then(
          () => undefined,
          (e: Error) => e,
        ),
      );
      expect(calls.total).toBe(by === "sid" ? 1 : byName.total);
      expect(err).toBeInstanceOf(SessionNotFoundError);
      expect(err!.message).toContain(msg);
      expect(err!.message).toContain(serviceSid);
      if ("sid" in key) {
        expect((err as Error & { cause?: unknown }).cause).toBeInstanceOf(TwilioApiError);
      }
      expect(err!.message).not.toContain(emu.emulator.authToken);
    },
  );

  it("a unique name that Twilio resolves as another session's SID is not that session", async () => {
    const other = await client().createSession(serviceSid, { UniqueName: "other" });
    const err = await getProxySession({ serviceSid, uniqueName: other.sid }, opts).catch(
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(SessionNotFoundError);
    await client().deleteSession(serviceSid, other.sid);
  });

  it.each([
    ["neither sid nor uniqueName", {}, /exactly one of sid and uniqueName, got neither/],
    ["both", { sid: absentSid, uniqueName: "x" }, /exactly one of sid and uniqueName, got both/],
    ["a malformed sid", { sid: "trip-1" }, /sid must be a Session SID/],
    ["an empty uniqueName", { uniqueName: " " }, /uniqueName must be a non-empty string/],
    ["a malformed serviceSid", { serviceSid: "KS123", sid: absentSid }, /serviceSid must be/],
  ])("%s is an argument error before any HTTP call", async (_, args, msg) => {
    const { result: err, calls } = await emu.count(() =>
      getProxySession({ serviceSid, ...args }, opts).catch((e: Error) => e),
    );
    expect(err).toBeInstanceOf(LookupArgumentError);
    expect((err as Error).message).toMatch(msg);
    expect(calls.total).toBe(0);
  });

  it("missing credentials fail before any HTTP call", async () => {
    const { result: err, calls } = await emu.count(() =>
      getProxySession(
        { serviceSid, sid: live.sid as string },
        { env: { TWILIO_PROXY_BASE_URL: emu.baseUrl }, config: () => undefined },
      ).catch((e: Error) => e),
    );
    expect(err).toBeInstanceOf(ProviderConfigError);
    expect(calls.total).toBe(0);
  });

  it("wrong credentials are Twilio's error, without the credentials", async () => {
    const err = await getProxySession(
      { serviceSid, sid: live.sid as string },
      { env: { ...emu.env(), TWILIO_AUTH_TOKEN: "wrong-token-1234" }, config: () => undefined },
    ).catch((e: Error) => e);
    expect(err).toBeInstanceOf(TwilioApiError);
    expect((err as TwilioApiError).status).toBe(401);
    expect((err as Error).message).not.toMatch(/wrong-token-1234|AC[0-9a-f]{32}:/);
  });

  it("reads the Twilio provider's keys from the program's stack config, ahead of the environment", async () => {
    const saved = pulumi.runtime.allConfig();
    pulumi.runtime.setAllConfig(
      {
        "twilio:username": emu.emulator.accountSid,
        "twilio:password": emu.emulator.authToken,
        "twilio-proxy:baseUrl": emu.baseUrl,
      },
      ["twilio:password"],
    );
    try {
      const state = await getProxySession(
        { serviceSid, uniqueName: "trip-1" },
        { env: { TWILIO_AUTH_TOKEN: "not-this-one" } },
      );
      expect(state.sid).toBe(live.sid);
    } finally {
      pulumi.runtime.setAllConfig(saved);
    }
  });

  it("getProxySessionOutput takes Inputs and gives an Output", async () => {
    const out = getProxySessionOutput(
      { serviceSid: Promise.resolve(serviceSid), uniqueName: pulumi.output("trip-1") },
      opts,
    );
    expect(pulumi.Output.isInstance(out)).toBe(true);
    expect((await resolve(out)).sid).toBe(live.sid);
  });
});

describe("listProxySessions", () => {
  it("an empty Service lists no sessions with one call", async () => {
    const serviceSid = await newService();
    const { result, calls } = await emu.count(() => listProxySessions({ serviceSid }, opts));
    expect(result).toEqual([]);
    expect(calls).toMatchObject({ total: 1, ListSession: 1 });
  });

  it.each([0, 1001, 2.5, -1])("pageSize %s is an argument error before any call", async (p) => {
    const { result: err, calls } = await emu.count(() =>
      listProxySessions({ serviceSid: emu.serviceSid, pageSize: p }, opts).catch((e: Error) => e),
    );
    expect(err).toBeInstanceOf(LookupArgumentError);
    expect((err as Error).message).toMatch(/pageSize must be an integer from 1 to 1000/);
    expect(calls.total).toBe(0);
  });

  // N sessions at page size P: every session exactly once, in ceil(N/P) ListSession calls (the
  // emulator sends no next_page_url after an exactly full last page), no URL fetched twice.
  const measured: string[] = [];
  afterAll(() => console.log(`ListSession calls: ${measured.join("; ")}`));
  // Twilio's largest page is 100 or 1000 (the OpenAPI document says both): the emulator's
  // pageSizeMax reading; the listing must be complete under either.
  describe.each([
    [7, "default", 100],
    [120, "default", 100],
    [120, "alternative", 1000],
  ] as const)("%i sessions, largest page %s (%i)", (n, reading, largest) => {
    let serviceSid: string;
    let expected: string[];
    beforeAll(async () => {
      await emu.setReading("pageSizeMax", reading);
      serviceSid = await newService();
      await createSessions(serviceSid, n);
      expected = (await emu.sessions())
        .filter((s) => s.service_sid === serviceSid)
        .map((s) => s.sid as string)
        .sort();
      expect(expected).toHaveLength(n);
    });

    it.each([1, 2, 50, undefined, 1000])("at page size %s", async (pageSize) => {
      const { result, calls } = await emu.count(() =>
        listProxySessions({ serviceSid, pageSize }, opts),
      );
      const sids = result.map((s) => s.sid);
      expect(new Set(sids).size).toBe(sids.length);
      expect([...sids].sort()).toEqual(expected);
      const pages = Math.ceil(n / Math.min(pageSize ?? 50, largest));
      expect(calls).toMatchObject({ total: pages, ListSession: pages });
      const log = (await emu.requestLog()) as Array<{ path: string; query?: unknown }>;
      const urls = log.map((r) => `${r.path}?${JSON.stringify(r.query ?? "")}`);
      expect(new Set(urls).size).toBe(urls.length);
      measured.push(`N=${n} P=${pageSize ?? "default(50)"} max ${largest} -> ${calls.ListSession}`);
    });
  });

  it("listProxySessionsOutput gives the same listing as an Output", async () => {
    const serviceSid = await newService();
    await createSessions(serviceSid, 3, "o");
    const out = listProxySessionsOutput(
      { serviceSid: pulumi.output(serviceSid), pageSize: 2 },
      opts,
    );
    const names = (await resolve(out)).map((s) => s.uniqueName).sort();
    expect(names).toEqual(["o-0", "o-1", "o-2"]);
  });
});

describe("pagination guards (a fake Twilio)", () => {
  let server: http.Server;
  let other: http.Server;
  let base: string;
  let otherBase: string;
  let next: (self: string) => string | null;
  const seen: string[] = [];
  const otherSeen: string[] = [];
  const page = (url: string, nextUrl: string | null) => ({
    sessions: [],
    meta: {
      page: 0,
      page_size: 1,
      first_page_url: url,
      previous_page_url: null,
      url,
      next_page_url: nextUrl,
      key: "sessions",
    },
  });
  beforeAll(async () => {
    const listen = (s: http.Server) =>
      new Promise<string>((r) =>
        s.listen(0, "127.0.0.1", () => r(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)),
      );
    server = http.createServer((req, res) => {
      seen.push(req.url!);
      // Like Twilio, meta.url spells out Page=0 for a first page requested without it.
      const self = `${base}${req.url}${req.url!.includes("Page=") ? "" : "&Page=0"}`;
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify(page(self, next(self))));
    });
    other = http.createServer((req, res) => {
      otherSeen.push(`${req.url} ${req.headers.authorization ?? ""}`);
      res.end("{}");
    });
    [base, otherBase] = await Promise.all([listen(server), listen(other)]);
  });
  afterAll(() => {
    server?.close();
    other?.close();
  });
  const fakeOpts = (): LookupOptions => ({
    env: { TWILIO_ACCOUNT_SID: "AC1", TWILIO_AUTH_TOKEN: "tok", TWILIO_PROXY_BASE_URL: base },
    config: () => undefined,
  });
  const serviceSid = "KS" + "1".repeat(32);

  it("a next_page_url that repeats a fetched page stops with an error, no page fetched twice", async () => {
    seen.length = 0;
    // Page 0 -> page 1 -> page 0 again.
    next = (self) =>
      self.includes("Page=1")
        ? `${base}/v1/Services/${serviceSid}/Sessions?PageSize=1&Page=0`
        : `${base}/v1/Services/${serviceSid}/Sessions?PageSize=1&Page=1`;
    const err = await listProxySessions({ serviceSid, pageSize: 1 }, fakeOpts()).catch(
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(PaginationError);
    expect((err as Error).message).toMatch(/repeats a page already fetched/);
    expect(seen).toEqual([
      `/v1/Services/${serviceSid}/Sessions?PageSize=1`,
      `/v1/Services/${serviceSid}/Sessions?PageSize=1&Page=1`,
    ]);
  });

  it("a next_page_url on another host is refused: the credentials are not sent there", async () => {
    otherSeen.length = 0;
    next = () => `${otherBase}/v1/Services/${serviceSid}/Sessions?PageSize=1&Page=1`;
    const err = await listProxySessions({ serviceSid, pageSize: 1 }, fakeOpts()).catch(
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(PaginationError);
    expect((err as Error).message).toMatch(/not sending credentials there/);
    expect(otherSeen).toEqual([]);
  });
});

describe("unmanaged sessions", () => {
  it("are the live sessions none of the managed SIDs names, managed SIDs compared case-blind", async () => {
    const serviceSid = await newService();
    await createSessions(serviceSid, 4, "u");
    const all = await listProxySessions({ serviceSid }, opts);
    const bySid = Object.fromEntries(all.map((s) => [s.uniqueName, s.sid]));
    const managed = [bySid["u-0"], bySid["u-2"].toUpperCase(), undefined];
    const { result, calls } = await emu.count(() =>
      listUnmanagedSessions({ serviceSid, managed }, opts),
    );
    expect(result.map((s) => s.uniqueName).sort()).toEqual(["u-1", "u-3"]);
    expect(calls).toMatchObject({ total: 1, ListSession: 1 });

    const out = findUnmanagedSessions(
      { serviceSid, managed: [pulumi.output(bySid["u-1"]), Promise.resolve(bySid["u-3"])] },
      opts,
    );
    expect((await resolve(out)).map((s) => s.uniqueName).sort()).toEqual(["u-0", "u-2"]);
  });
});

// What a lookup by unique name costs in each reading of Twilio, in a Service of N sessions:
// one Fetch when names resolve; otherwise that Fetch (20404) plus the list pages up to the
// session's page, at the largest page size Twilio serves (100 or 1000: another reading).
describe.each([
  ...NAME_LOOKUP_READINGS.map(([name, fetch]) => [name, fetch, "default"] as const),
  ["names not resolved, pages of 1000", "default", "alternative"] as const,
])("cost of a uniqueName lookup, %s", (_, fetchReading, pageReading) => {
  const measured: string[] = [];
  afterAll(() =>
    console.log(`uniqueName lookup (${fetchReading}/${pageReading}): ${measured.join("; ")}`),
  );

  it.each([1, 100, 2000])("in a Service of %i sessions", async (n) => {
    await emu.reset();
    await emu.setReading("fetchByUniqueName", fetchReading);
    await emu.setReading("pageSizeMax", pageReading);
    const serviceSid = await newService();
    await createSessions(serviceSid, n, "c");
    // Where the last listed session sits, at the page size Twilio serves for the largest asked.
    const first = await client().sessionPages(serviceSid, 1000).next();
    const served = first.value!.meta.page_size;
    expect(served).toBe(pageReading === "default" ? 100 : 1000);
    const all = await listProxySessions({ serviceSid, pageSize: 1000 }, opts);
    const target = all[all.length - 1];

    const { result, calls } = await emu.count(() =>
      getProxySession({ serviceSid, uniqueName: target.uniqueName! }, opts),
    );
    expect(result.sid).toBe(target.sid);
    const pages = fetchReading === "alternative" ? 0 : Math.ceil(n / served);
    expect(calls).toMatchObject({ total: 1 + pages, FetchSession: 1, ListSession: pages });
    measured.push(`N=${n}: ${calls.total} calls`);
  });
});
