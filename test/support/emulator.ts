// Test-side access to the emulator: start it, read its counters, change sessions out of band.
import {
  READINGS,
  startEmulator,
  type FaultConfig,
  type OperationId,
  type ReadingId,
  type ReadingPosition,
  type RunningEmulator,
} from "../../emulator";
import { ProxySessionProvider, type ProviderOptions } from "../../provider/internal";

export interface LoggedRequest {
  operation: OperationId;
  method: string;
  path: string;
  form: Record<string, string | string[]>;
  /** The HTTP status sent; null while pending or when none was (a hang, a reset). */
  status: number | null;
  /** The fault injected, if any. */
  fault: string | null;
}

/**
 * Both readings of Fetch with a unique name (emulator/readings.ts): tests of name lookups run
 * under each, since Twilio's behaviour is unverified and the provider must work on either.
 */
export const NAME_LOOKUP_READINGS = [
  ["names not resolved by Fetch (default)", "default"],
  ["names resolved by Fetch", "alternative"],
] as const satisfies ReadonlyArray<readonly [string, ReadingPosition]>;

/** Every reading's id (emulator/readings.ts). */
export const ALL_READINGS: ReadingId[] = READINGS.map((r) => r.id);

/**
 * The emulator's unverified behaviours in both positions at once: every reading at its default,
 * and every reading switched to its alternative. Suites of the provider run under each
 * (`describe.each(READING_SETS)`, then `emu.switchReadings(alternatives)` before each test).
 */
export const READING_SETS = [
  ["every reading at its default", []],
  ["every reading at its alternative", ALL_READINGS],
] as const satisfies ReadonlyArray<readonly [string, readonly ReadingId[]]>;

export interface HarnessOptions {
  /** Readings switched to their lenient alternative (emulator/README.md). */
  alternatives?: ReadingId[];
  /** The emulator's time source; real time when absent. */
  now?: () => number;
  /** Faults injected from the start. */
  faults?: FaultConfig;
}

/** A control answer as received, for tests of the emulator's own status codes. */
export interface RawAnswer<T> {
  status: number;
  body: T;
}

export class EmulatorHarness {
  private constructor(readonly emulator: RunningEmulator) {}

  static async start(opts: HarnessOptions = {}): Promise<EmulatorHarness> {
    return new EmulatorHarness(
      await startEmulator({
        port: 0,
        alternatives: opts.alternatives ?? [],
        now: opts.now,
        faults: opts.faults,
      }),
    );
  }

  get baseUrl() {
    return this.emulator.baseUrl;
  }
  get serviceSid() {
    return this.emulator.serviceSid;
  }

  /** The environment a provider or CLI run needs to reach this emulator. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      TWILIO_ACCOUNT_SID: this.emulator.accountSid,
      TWILIO_AUTH_TOKEN: this.emulator.authToken,
      TWILIO_PROXY_BASE_URL: this.emulator.baseUrl,
      ...extra,
    };
  }

  /** A provider wired to this emulator through the environment, as users run it. */
  provider(options: ProviderOptions = {}): ProxySessionProvider {
    return new ProxySessionProvider({
      env: this.env(),
      warn: () => {},
      client: { sleep: async () => {} },
      ...options,
    });
  }

  /** The `Authorization` header of the account's own credentials. */
  get authorization() {
    const { accountSid, authToken } = this.emulator;
    return "Basic " + Buffer.from(`${accountSid}:${authToken}`).toString("base64");
  }

  /** A control request whatever its status (an empty body reads as `{}`). */
  async controlAnswer<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<RawAnswer<T>> {
    const res = await fetch(`${this.baseUrl}/__emulator/${path}`, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
  }

  /** A control request that must succeed. */
  async control<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.controlAnswer<T>(method, path, body);
    if (answer.status < 200 || answer.status > 299) {
      throw new Error(`emulator control ${method} ${path}: HTTP ${answer.status}`);
    }
    return answer.body;
  }

  reset() {
    return this.control("POST", "reset");
  }

  async calls(): Promise<Record<OperationId, number> & { total: number }> {
    const r = await this.control<{ total: number; byOperation: Record<OperationId, number> }>(
      "GET",
      "requests",
    );
    return { ...r.byOperation, total: r.total };
  }

  /** Most Session requests in flight at once since the last resetCalls() (or start). */
  async peakInFlight(): Promise<number> {
    return (await this.control<{ peakInFlight: number }>("GET", "requests")).peakInFlight;
  }

  resetCalls() {
    return this.control("POST", "requests/reset");
  }

  requestLog(): Promise<LoggedRequest[]> {
    return this.control<LoggedRequest[] | { requests: LoggedRequest[] }>(
      "GET",
      "requests/log",
    ).then((r) => (Array.isArray(r) ? r : r.requests));
  }

  /** The Twilio operations requested since the counters were reset, in order. */
  async operations(): Promise<OperationId[]> {
    return (await this.requestLog()).map((r) => r.operation);
  }

  /** Counts the HTTP calls `action` makes, by Twilio operation. */
  async count<T>(
    action: () => Promise<T>,
  ): Promise<{ result: T; calls: Record<OperationId, number> & { total: number } }> {
    await this.resetCalls();
    const result = await action();
    return { result, calls: await this.calls() };
  }

  sessions(): Promise<Array<Record<string, unknown>>> {
    return this.control<{ sessions: Array<Record<string, unknown>> }>("GET", "sessions").then(
      (r) => r.sessions,
    );
  }

  /** The identifiers of the session's participants that are not deleted. */
  async participantsOf(sid: string): Promise<string[]> {
    const s = await this.control<{
      participants: Array<{ identifier: string; date_deleted: string | null }>;
    }>("GET", `sessions/${sid}`);
    return s.participants.filter((p) => p.date_deleted === null).map((p) => p.identifier);
  }

  /** A session someone made by hand, outside any stack; its SID. */
  async createdElsewhere(uniqueName?: string): Promise<string> {
    return (await this.provider().create({ serviceSid: this.serviceSid, uniqueName, ttl: 100 })).id;
  }

  patchSession(sid: string, change: { ttl?: number; status?: string; dateExpiry?: string | null }) {
    return this.control("PATCH", `sessions/${sid}`, change);
  }

  deleteSession(sid: string) {
    return this.control("DELETE", `sessions/${sid}`);
  }

  interact(sid: string) {
    return this.control("POST", `sessions/${sid}/interaction`);
  }

  advanceClock(seconds: number) {
    return this.control("POST", "clock/advance", { seconds });
  }

  setFaults(config: Record<string, unknown>) {
    return this.control("POST", "faults", config);
  }

  /** A request to the Twilio API of the default Service (`path` after `/Services/KS.../`). */
  async twilio(method: string, path: string, form?: Record<string, string>): Promise<unknown> {
    const res = await fetch(`${this.baseUrl}/v1/Services/${this.serviceSid}/${path}`, {
      method,
      headers: {
        Authorization: this.authorization,
        ...(form ? { "Content-Type": "application/x-www-form-urlencoded" } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    if (!res.ok) throw new Error(`Twilio ${method} ${path}: HTTP ${res.status}`);
    const text = await res.text();
    return text ? JSON.parse(text) : undefined;
  }

  /** Rotates the auth token: the old one gets 401 from now on (until reset). */
  rotateAuthToken(authToken: string) {
    return this.control("POST", "credentials", { authToken });
  }

  /** Switches one reading until the next reset (which restores the start options). */
  setReading(id: ReadingId, position: ReadingPosition) {
    return this.control("POST", "readings", { [id]: position });
  }

  /** The position a reading is in now. */
  async readingPosition(id: ReadingId): Promise<ReadingPosition> {
    const { readings } = await this.control<{
      readings: Array<{ id: string; active: ReadingPosition }>;
    }>("GET", "readings");
    return readings.find((r) => r.id === id)!.active;
  }

  /** Switches these readings to their alternative, the others to their default, until reset. */
  switchReadings(alternatives: readonly ReadingId[]) {
    const positions = Object.fromEntries(
      ALL_READINGS.map((id) => [id, alternatives.includes(id) ? "alternative" : "default"]),
    );
    return this.control("POST", "readings", positions);
  }

  faults(): Promise<{ injected: Record<string, number> }> {
    return this.control("GET", "faults");
  }

  close() {
    return this.emulator.close();
  }
}
