// Fault injection of the Twilio Proxy emulator, over real HTTP with Node's fetch.
import { performance } from "node:perf_hooks";
import { startEmulator, type FaultConfig } from "../emulator";
import { EmulatorHarness } from "./support/emulator";
import { describe, expect, it } from "./support/fixtures";

type Json = Record<string, unknown>;
/** An HTTP status, or what the client saw when no answer came. */
type Outcome = number | "reset" | "timeout";

// The file's emulator, for the helpers below and the tests of it.each (which get no fixtures).
let emu: EmulatorHarness;
it.beforeAll(({ emu: started }) => {
  emu = started;
});

const sessionsPath = () => `/v1/Services/${emu.serviceSid}/Sessions`;

interface CallResult {
  outcome: Outcome;
  res?: Response;
  body?: Json;
}

async function call(
  method: string,
  path: string,
  opts: {
    form?: Record<string, string>;
    timeoutMs?: number;
    /** Gives up when aborted instead of after timeoutMs: for requests meant to hang. */
    signal?: AbortSignal;
    auth?: string;
  } = {},
): Promise<CallResult> {
  try {
    const res = await fetch(`${emu.baseUrl}${path}`, {
      method,
      headers: {
        Authorization: opts.auth ?? emu.authorization,
        ...(opts.form ? { "Content-Type": "application/x-www-form-urlencoded" } : {}),
      },
      body: opts.form ? new URLSearchParams(opts.form).toString() : undefined,
      // Generous by default: only requests meant to hang may time out, however busy the machine.
      signal: opts.signal ?? AbortSignal.timeout(opts.timeoutMs ?? 30_000),
    });
    const text = await res.text();
    return { outcome: res.status, res, body: text ? (JSON.parse(text) as Json) : undefined };
  } catch (err) {
    const name = (err as Error).name;
    if (name === "TimeoutError" || name === "AbortError") return { outcome: "timeout" };
    // fetch reports a destroyed socket as "TypeError: fetch failed" (cause: "other side closed").
    if (err instanceof TypeError) return { outcome: "reset" };
    throw err;
  }
}

async function setFaults(config: FaultConfig | Json): Promise<void> {
  const res = await emu.controlAnswer("POST", "faults", config);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

const injected = async () => (await emu.faults()).injected;

const sessionCount = async () => (await emu.sessions()).length;

/** Waits until `condition` holds, polling; the test's timeout bounds the wait. */
async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((r) => setTimeout(r, 20));
}

async function outcomes(n: number, method = "GET", timeoutMs?: number): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (let i = 0; i < n; i++) {
    const form = method === "POST" ? {} : undefined;
    out.push((await call(method, sessionsPath(), { form, timeoutMs })).outcome);
  }
  return out;
}

const count = (xs: Outcome[], v: Outcome) => xs.filter((x) => x === v).length;

describe("determinism", () => {
  const mixed = { rate429: 0.2, rate500: 0.1, rate503: 0.1 };

  it("repeats the same sequence for the same seed", async () => {
    await setFaults({ seed: 42, ...mixed });
    const first = await outcomes(60);
    await setFaults({ seed: 42, ...mixed });
    const second = await outcomes(60);
    expect(second).toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 429, 500, 503]));
  });

  it("gives a different sequence for another seed", async () => {
    await setFaults({ seed: 42, ...mixed });
    const a = await outcomes(60);
    await setFaults({ seed: 4242, ...mixed });
    const b = await outcomes(60);
    expect(b).not.toEqual(a);
  });

  it("applies faults given at start", async () => {
    const other = await EmulatorHarness.start({ faults: { seed: 42, ...mixed } });
    const saved = emu;
    try {
      emu = other;
      const fromStart = await outcomes(30);
      await setFaults({ seed: 42, ...mixed });
      expect(await outcomes(30)).toEqual(fromStart);
    } finally {
      emu = saved;
      await other.close();
    }
  });

  it("rejects invalid fault config at start", async () => {
    await expect(startEmulator({ faults: { rate429: 2 } })).rejects.toThrow(/rate429/);
  });
});

describe("rates", () => {
  it.each([
    ["rate429", 429],
    ["rate500", 500],
    ["rate503", 503],
  ] as const)("%s happens at the configured rate", async (key, status) => {
    await setFaults({ seed: 7, [key]: 0.25 });
    const seen = await outcomes(200);
    const hits = count(seen, status);
    expect(hits).toBeGreaterThanOrEqual(30);
    expect(hits).toBeLessThanOrEqual(70);
    expect(count(seen, 200)).toBe(200 - hits);
    expect((await injected())[key]).toBe(hits);
  });

  it.each([
    ["resetBeforeRate", "resetBefore"],
    ["resetAfterRate", "resetAfter"],
  ] as const)("%s happens at the configured rate", async (key, counter) => {
    await setFaults({ seed: 7, [key]: 0.3 });
    const seen = await outcomes(100);
    const resets = count(seen, "reset");
    expect(resets).toBeGreaterThanOrEqual(15);
    expect(resets).toBeLessThanOrEqual(45);
    expect(count(seen, 200)).toBe(100 - resets);
    expect((await injected())[counter]).toBe(resets);
  });

  it("hangRate happens at the configured rate", async () => {
    await setFaults({ seed: 7, hangRate: 0.25 });
    // All at once; the requests the emulator says it hangs are given up once every other one
    // is answered, so no timing decides what a hang is (a busy machine only slows the test).
    const giveUp = new AbortController();
    let answered = 0;
    const pending = Array.from({ length: 40 }, () =>
      fetch(`${emu.baseUrl}${sessionsPath()}`, {
        headers: { Authorization: emu.authorization },
        signal: giveUp.signal,
      }).then(
        async (res) => {
          await res.text();
          answered += 1;
          return res.status as Outcome;
        },
        (): Outcome => "timeout",
      ),
    );
    await until(async () => answered + (await injected()).hang === 40);
    giveUp.abort();
    const seen = await Promise.all(pending);
    const hangs = count(seen, "timeout");
    expect(hangs).toBe((await injected()).hang);
    expect(hangs).toBeGreaterThanOrEqual(4);
    expect(hangs).toBeLessThanOrEqual(16);
    expect(count(seen, 200)).toBe(40 - hangs);
  });

  it("rate 1 faults every request and rate 0 none", async () => {
    await setFaults({ rate503: 1 });
    expect(await outcomes(10)).toEqual(Array(10).fill(503));
    await setFaults({ rate503: 0 });
    expect(await outcomes(10)).toEqual(Array(10).fill(200));
    await setFaults({});
    expect(await outcomes(10)).toEqual(Array(10).fill(200));
  });
});

describe("fault kinds", () => {
  it("429 carries the 20429 body and, by default, no Retry-After", async () => {
    await setFaults({ rate429: 1, retryAfterSeconds: 7 });
    const r = await call("POST", sessionsPath(), { form: {} });
    expect(r.outcome).toBe(429);
    expect(r.res?.headers.has("retry-after")).toBe(false);
    expect(r.body).toEqual({
      code: 20429,
      message: "Too Many Requests",
      more_info: "https://www.twilio.com/docs/errors/20429",
      status: 429,
    });
    expect(await sessionCount()).toBe(0);
  });

  it("429 carries Retry-After from the fault config under the retryAfter alternative", async () => {
    expect(
      (await emu.controlAnswer("POST", "readings", { retryAfter: "alternative" })).status,
    ).toBe(200);
    await setFaults({ rate429: 1, retryAfterSeconds: 7 });
    expect((await call("POST", sessionsPath(), { form: {} })).res?.headers.get("retry-after")).toBe(
      "7",
    );
    await setFaults({ rate429: 1 });
    expect((await call("GET", sessionsPath())).res?.headers.get("retry-after")).toBe("1");
  });

  it("500 and 503 carry Twilio error bodies and change nothing", async () => {
    for (const [key, code] of [
      ["rate500", 20500],
      ["rate503", 20503],
    ] as const) {
      await setFaults({ [key]: 1 });
      const r = await call("POST", sessionsPath(), { form: {} });
      expect(r.body).toMatchObject({
        code,
        status: code - 20000,
        more_info: `https://www.twilio.com/docs/errors/${code}`,
      });
    }
    expect(await sessionCount()).toBe(0);
  });

  it("reset-before drops the connection without applying the request", async () => {
    await setFaults({ resetBeforeRate: 1 });
    const r = await call("POST", sessionsPath(), { form: { UniqueName: "never" } });
    expect(r.outcome).toBe("reset");
    expect(await sessionCount()).toBe(0);
    const log = (await emu.control<{ requests: Json[] }>("GET", "requests/log")).requests;
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      operation: "CreateSession",
      fault: "resetBefore",
      status: null,
    });
  });

  it("reset-after applies the write although the client got a socket error", async () => {
    await setFaults({ resetAfterRate: 1 });
    const r = await call("POST", sessionsPath(), { form: { UniqueName: "applied" } });
    expect(r.outcome).toBe("reset");
    const sessions = await emu.sessions();
    expect(sessions.map((s) => s.unique_name)).toEqual(["applied"]);
    // A naive client retry now collides with its own first attempt.
    await setFaults({});
    const retry = await call("POST", sessionsPath(), { form: { UniqueName: "applied" } });
    expect(retry.outcome).toBe(409);
    expect(retry.body?.code).toBe(80603);

    await setFaults({ resetAfterRate: 1 });
    const del = await call("DELETE", `${sessionsPath()}/${sessions[0].sid}`);
    expect(del.outcome).toBe("reset");
    expect(await sessionCount()).toBe(0);
    expect((await injected()).resetAfter).toBe(2);
  });

  it("a hung request never answers, while control routes still do", async () => {
    await setFaults({ hangRate: 1 });
    const r = await call("GET", sessionsPath(), { timeoutMs: 200 });
    expect(r.outcome).toBe("timeout");
    expect((await emu.controlAnswer("GET", "faults")).status).toBe(200);
    expect((await injected()).hang).toBe(1);
  });

  it("close() finishes while requests hang", async () => {
    const other = await startEmulator({ faults: { hangRate: 1 } });
    const pending = fetch(`${other.baseUrl}${sessionsPath()}`, {
      headers: { Authorization: emu.authorization },
    }).then(
      () => "answered",
      () => "failed",
    );
    // Make sure the request reached the server before closing.
    for (let i = 0; i < 50; i++) {
      const res = await fetch(`${other.baseUrl}/__emulator/faults`);
      const body = (await res.json()) as { injected: { hang: number } };
      if (body.injected.hang === 1) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    // close() resolves although a request hangs (the test's timeout is the generous bound).
    await other.close();
    expect(await pending).toBe("failed");
  });
});

describe("latency", () => {
  it("adds at least latencyMs to every Twilio-route response", async () => {
    await setFaults({ latencyMs: 150 });
    for (const [method, auth] of [
      ["GET", emu.authorization],
      ["POST", emu.authorization],
      ["GET", "Basic bm86cGU="],
    ] as const) {
      const started = performance.now();
      const r = await call(method, sessionsPath(), {
        form: method === "POST" ? {} : undefined,
        auth,
      });
      const elapsed = performance.now() - started;
      expect(typeof r.outcome).toBe("number");
      // Timers have millisecond granularity; allow 1 ms of rounding.
      expect(elapsed).toBeGreaterThanOrEqual(149);
    }
  });

  it("ignores the methods filter (every Twilio route is delayed) but never delays control routes", async () => {
    await setFaults({ latencyMs: 1000, methods: ["POST"] });
    const started = performance.now();
    await call("GET", sessionsPath());
    expect(performance.now() - started).toBeGreaterThanOrEqual(999);
    // Order, not time: under a latency no test waits out, a control request is answered while
    // a Twilio request sent before it is still delayed.
    await setFaults({ latencyMs: 600_000 });
    const logged = (await emu.requestLog()).length;
    const delayed = new AbortController();
    let twilioAnswered = false;
    const twilio = fetch(`${emu.baseUrl}${sessionsPath()}`, {
      headers: { Authorization: emu.authorization },
      signal: delayed.signal,
    }).then(
      () => (twilioAnswered = true),
      () => undefined,
    );
    await until(async () => (await emu.requestLog()).length === logged + 1);
    expect((await emu.controlAnswer("GET", "sessions")).status).toBe(200);
    expect(twilioAnswered).toBe(false);
    delayed.abort();
    await twilio;
  });
});

describe("methods filter", () => {
  it("only faults the listed methods", async () => {
    const created = await call("POST", sessionsPath(), { form: {} });
    const sid = created.body?.sid as string;
    await setFaults({ rate429: 1, methods: ["post", "DELETE"] });
    expect((await call("GET", sessionsPath())).outcome).toBe(200);
    expect((await call("GET", `${sessionsPath()}/${sid}`)).outcome).toBe(200);
    expect((await call("POST", sessionsPath(), { form: {} })).outcome).toBe(429);
    expect((await call("POST", `${sessionsPath()}/${sid}`, { form: { Ttl: "5" } })).outcome).toBe(
      429,
    );
    expect((await call("DELETE", `${sessionsPath()}/${sid}`)).outcome).toBe(429);
    expect(await sessionCount()).toBe(1);
    const faults = await emu.control<{ config: FaultConfig; injected: Json }>("GET", "faults");
    expect(faults.config.methods).toEqual(["POST", "DELETE"]);
    expect(faults.injected.rate429).toBe(3);
  });
});

describe("counters and config", () => {
  it("counts faulted requests as requests, and faults per kind", async () => {
    await setFaults({ seed: 3, rate429: 0.5, rate500: 0.5 });
    const seen = await outcomes(20);
    const requests = await emu.control<{ total: number; byOperation: Json }>("GET", "requests");
    expect(requests.total).toBe(20);
    expect(requests.byOperation.ListSession).toBe(20);
    expect(await injected()).toEqual({
      rate429: count(seen, 429),
      rate500: count(seen, 500),
      rate503: 0,
      resetBefore: 0,
      resetAfter: 0,
      hang: 0,
      concurrency429: 0,
    });
  });

  it("keeps counters across config changes until reset", async () => {
    await setFaults({ rate503: 1 });
    await outcomes(3);
    await setFaults({});
    expect((await injected()).rate503).toBe(3);
    await emu.reset();
    expect((await injected()).rate503).toBe(0);
    expect((await emu.control<{ config: Json }>("GET", "faults")).config).toEqual({});
  });

  it("does not fault requests that fail authentication", async () => {
    await setFaults({ rate429: 1 });
    const r = await call("GET", sessionsPath(), { auth: "Basic bm86cGU=" });
    expect(r.outcome).toBe(401);
    expect((await injected()).rate429).toBe(0);
  });

  it.each([
    [{ rate429: 1.5 }],
    [{ rate500: -0.1 }],
    [{ rate429: "0.5" }],
    [{ rate429: 0.6, rate503: 0.6 }],
    [{ latencyMs: -5 }],
    [{ latencyMs: 1.5 }],
    [{ methods: "POST" }],
    [{ rate_429: 0.5 }],
    [{ maxConcurrent: 0 }],
    [{ maxConcurrent: 1.5 }],
    [[]],
  ])("rejects %j and keeps the previous config", async (config) => {
    await setFaults({ rate503: 0.5, seed: 9 });
    const res = await emu.controlAnswer<{ error: string }>("POST", "faults", config);
    expect(res.status).toBe(400);
    expect(typeof res.body.error).toBe("string");
    expect((await emu.control<{ config: Json }>("GET", "faults")).config).toEqual({
      rate503: 0.5,
      seed: 9,
    });
  });
});

describe("concurrency limit", () => {
  interface RequestsBody {
    inFlight: number;
    peakInFlight: number;
  }
  const requests = () => emu.control<RequestsBody>("GET", "requests");
  /** The server notices a client's abort asynchronously: wait for it, without timing anything. */
  async function untilInFlight(n: number): Promise<void> {
    for (let i = 0; i < 200 && (await requests()).inFlight !== n; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect((await requests()).inFlight).toBe(n);
  }

  it("answers 429/20429 to a request arriving while maxConcurrent are in flight", async () => {
    // Two hung requests hold both slots for as long as their clients wait.
    await setFaults({ maxConcurrent: 2, next: ["hang", "hang"] });
    const release = new AbortController();
    const held = [1, 2].map(() => call("GET", sessionsPath(), { signal: release.signal }));
    await untilInFlight(2);
    const refused = await call("POST", sessionsPath(), { form: {} });
    expect(refused.outcome).toBe(429);
    expect(refused.body).toEqual({
      code: 20429,
      message: "Too Many Requests",
      more_info: "https://www.twilio.com/docs/errors/20429",
      status: 429,
    });
    expect(refused.res?.headers.has("retry-after")).toBe(false);
    expect(await sessionCount()).toBe(0);
    // Credentials are checked first: a bad one is 401, neither limited nor counted in flight.
    expect((await call("GET", sessionsPath(), { auth: "Basic bm86cGU=" })).outcome).toBe(401);
    expect(await injected()).toMatchObject({ concurrency429: 1, hang: 2 });

    release.abort();
    expect(await Promise.all(held)).toEqual([{ outcome: "timeout" }, { outcome: "timeout" }]);
    await untilInFlight(0);
    expect((await call("POST", sessionsPath(), { form: {} })).outcome).toBe(201);
    expect(await requests()).toMatchObject({ inFlight: 0, peakInFlight: 2 });
    const log = (await emu.control<{ requests: Json[] }>("GET", "requests/log")).requests;
    expect(log.map((e) => e.fault)).toEqual(["hang", "hang", "concurrency429", null, null]);
  });

  it("counts requests waiting out the latency as in flight", async () => {
    await setFaults({ maxConcurrent: 2, latencyMs: 1000 });
    const all = await Promise.all([1, 2, 3, 4, 5].map(() => call("GET", sessionsPath())));
    const seen = all.map((r) => r.outcome);
    expect(count(seen, 200)).toBe(2);
    expect(count(seen, 429)).toBe(3);
    expect((await injected()).concurrency429).toBe(3);
    expect((await requests()).peakInFlight).toBe(2);
  });

  it("sends Retry-After under the retryAfter alternative", async () => {
    expect(
      (await emu.controlAnswer("POST", "readings", { retryAfter: "alternative" })).status,
    ).toBe(200);
    await setFaults({ maxConcurrent: 1, next: ["hang"], retryAfterSeconds: 4 });
    const release = new AbortController();
    const held = call("GET", sessionsPath(), { signal: release.signal });
    await untilInFlight(1);
    const refused = await call("GET", sessionsPath());
    expect(refused.outcome).toBe(429);
    expect(refused.res?.headers.get("retry-after")).toBe("4");
    release.abort();
    expect((await held).outcome).toBe("timeout");
  });

  it("sends Twilio-Concurrent-Requests only under the concurrentRequestsHeader alternative", async () => {
    await setFaults({ maxConcurrent: 2, next: ["hang"] });
    const held = call("GET", sessionsPath(), { timeoutMs: 2000 });
    await untilInFlight(1);
    // Default: never sent.
    const plain = await call("POST", sessionsPath(), { form: {} });
    expect(plain.outcome).toBe(201);
    expect(plain.res?.headers.has("twilio-concurrent-requests")).toBe(false);

    expect(
      (await emu.controlAnswer("POST", "readings", { concurrentRequestsHeader: "alternative" }))
        .status,
    ).toBe(200);
    // The account's requests in flight as it arrived, itself included: the hung one and itself.
    const admitted = await call("POST", sessionsPath(), { form: {} });
    expect(admitted.outcome).toBe(201);
    expect(admitted.res?.headers.get("twilio-concurrent-requests")).toBe("2");
    // On a 429 too: refused while 1 (the account's limit now) was in flight.
    await setFaults({ maxConcurrent: 1 });
    const refused = await call("POST", sessionsPath(), { form: {} });
    expect(refused.outcome).toBe(429);
    expect(refused.res?.headers.get("twilio-concurrent-requests")).toBe("2");
    expect((await held).outcome).toBe("timeout");
  });

  it("records the peak without a limit; requests/reset restarts it from the current count", async () => {
    await setFaults({ latencyMs: 1000 });
    await Promise.all([1, 2, 3].map(() => call("GET", sessionsPath())));
    expect((await requests()).peakInFlight).toBe(3);
    expect(await injected()).toMatchObject({ concurrency429: 0 });
    await emu.resetCalls();
    expect(await requests()).toMatchObject({ inFlight: 0, peakInFlight: 0 });
    await emu.reset();
    expect((await emu.control<{ config: Json }>("GET", "faults")).config).toEqual({});
  });
});

describe("staged faults", () => {
  it("applies `next` faults in order to the next eligible requests, then the seeded draws", async () => {
    await setFaults({ next: ["rate503", null, "resetBefore"], methods: ["POST"] });
    expect((await call("GET", sessionsPath())).outcome).toBe(200); // not eligible: GET
    expect(await outcomes(4, "POST")).toEqual([503, 201, "reset", 201]);
    expect(await injected()).toMatchObject({ rate503: 1, resetBefore: 1 });
  });

  it("rejects an unknown kind in `next`", async () => {
    const res = await emu.controlAnswer("POST", "faults", { next: ["explode"] });
    expect(res.status).toBe(400);
  });
});

describe("Date header", () => {
  it("carries the emulator clock, so clients can place date_created in Twilio's time", async () => {
    await emu.advanceClock(86_400);
    const { res } = await call("GET", sessionsPath());
    const date = Date.parse(res!.headers.get("date")!);
    expect(date).toBeGreaterThan(Date.now() + 86_000_000);
  });
});
