/**
 * Deterministic fault injection for Twilio routes. One PRNG draw per eligible request picks at
 * most one fault from consecutive probability bands, so a seed fixes the whole sequence and each
 * kind happens at its configured rate independently of the other kinds.
 */

export interface FaultConfig {
  seed?: number;
  rate429?: number;
  retryAfterSeconds?: number;
  rate500?: number;
  rate503?: number;
  /** Destroy the socket before applying the request. */
  resetBeforeRate?: number;
  /** Apply the request (e.g. create the session), then destroy the socket without answering. */
  resetAfterRate?: number;
  /** Added to every Twilio-route response, faulted or not, whatever `methods` says. */
  latencyMs?: number;
  /** Never answer; the request stays open until the client gives up or the emulator closes. */
  hangRate?: number;
  /** HTTP methods faults apply to; absent = all. Twilio rate-limits POST and DELETE only. */
  methods?: string[];
  /**
   * Faults forced on the next eligible requests, in order (null = none), before the seeded
   * draws resume: lets a test stage "the first POST loses its answer, the retry succeeds".
   */
  next?: Array<FaultKind | null>;
  /**
   * Twilio limits concurrent requests per account: a request arriving while this many are in
   * flight (latency included) gets 429 20429, whatever the other settings. Absent = no limit.
   */
  maxConcurrent?: number;
}

/** Faults drawn per request (seeded bands or `next`). */
export type FaultKind = "hang" | "resetBefore" | "rate429" | "rate500" | "rate503" | "resetAfter";
/** Everything the emulator injects: the drawn faults plus the concurrency limit's 429s. */
export type InjectedKind = FaultKind | "concurrency429";

export type FaultCounters = Record<InjectedKind, number>;

export const DEFAULT_SEED = 1;
export const DEFAULT_RETRY_AFTER_SECONDS = 1;

/** Band order is part of the determinism contract: changing it changes every seeded sequence. */
const BANDS: ReadonlyArray<[FaultKind, keyof FaultConfig]> = [
  ["hang", "hangRate"],
  ["resetBefore", "resetBeforeRate"],
  ["rate429", "rate429"],
  ["rate500", "rate500"],
  ["rate503", "rate503"],
  ["resetAfter", "resetAfterRate"],
];

const KNOWN_KEYS = new Set<string>([
  "seed",
  "retryAfterSeconds",
  "latencyMs",
  "methods",
  "next",
  "maxConcurrent",
  ...BANDS.map(([, key]) => key),
]);

/** mulberry32: tiny, fast and good enough to spread faults; seeded so runs repeat exactly. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function emptyCounters(): FaultCounters {
  return {
    rate429: 0,
    rate500: 0,
    rate503: 0,
    resetBefore: 0,
    resetAfter: 0,
    hang: 0,
    concurrency429: 0,
  };
}

/**
 * Validates untrusted input (control API body or CLI flags). Unknown keys are rejected so that a
 * typo such as `rate_429` fails loudly instead of silently injecting nothing.
 */
export function validateFaultConfig(input: unknown): FaultConfig {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new TypeError("fault config must be a JSON object");
  }
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!KNOWN_KEYS.has(key)) throw new TypeError(`unknown fault option '${key}'`);
  }
  const out: FaultConfig = {};
  let total = 0;
  for (const [, key] of BANDS) {
    const v = raw[key];
    if (v === undefined) continue;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || v > 1) {
      throw new TypeError(`${key} must be a number between 0 and 1`);
    }
    (out as Record<string, number>)[key] = v;
    total += v;
  }
  // Bands must fit in [0, 1) or the later kinds would silently get less than their rate.
  if (total > 1 + 1e-9) throw new TypeError("the fault rates must add up to at most 1");
  for (const key of ["seed", "retryAfterSeconds", "latencyMs"] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    if (typeof v !== "number" || !Number.isInteger(v) || (key !== "seed" && v < 0)) {
      throw new TypeError(`${key} must be ${key === "seed" ? "an" : "a non-negative"} integer`);
    }
    out[key] = v;
  }
  if (raw.maxConcurrent !== undefined) {
    const v = raw.maxConcurrent;
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1) {
      throw new TypeError("maxConcurrent must be a positive integer");
    }
    out.maxConcurrent = v;
  }
  if (raw.methods !== undefined) {
    if (!Array.isArray(raw.methods) || raw.methods.some((m) => typeof m !== "string")) {
      throw new TypeError("methods must be an array of HTTP method names");
    }
    out.methods = (raw.methods as string[]).map((m) => m.toUpperCase());
  }
  if (raw.next !== undefined) {
    const kinds = new Set<unknown>([null, ...BANDS.map(([kind]) => kind)]);
    if (!Array.isArray(raw.next) || raw.next.some((k) => !kinds.has(k))) {
      throw new TypeError(`next must be an array of ${[...kinds].join(", ")}`);
    }
    out.next = raw.next as Array<FaultKind | null>;
  }
  return out;
}

export class FaultInjector {
  private cfg: FaultConfig = {};
  private random: () => number = mulberry32(DEFAULT_SEED);
  private counters: FaultCounters = emptyCounters();
  private forced: Array<FaultKind | null> = [];

  constructor(config: FaultConfig = {}) {
    this.configure(config);
  }

  /** Replaces the config and restarts the PRNG; counters keep accumulating until reset(). */
  configure(config: FaultConfig): void {
    this.cfg = validateFaultConfig(config);
    this.random = mulberry32(this.cfg.seed ?? DEFAULT_SEED);
    this.forced = [...(this.cfg.next ?? [])];
  }

  /** Back to no faults, fresh PRNG and zero counters (used by the control reset). */
  reset(): void {
    this.configure({});
    this.counters = emptyCounters();
  }

  get config(): FaultConfig {
    return { ...this.cfg, ...(this.cfg.methods ? { methods: [...this.cfg.methods] } : {}) };
  }

  get injected(): FaultCounters {
    return { ...this.counters };
  }

  get latencyMs(): number {
    return this.cfg.latencyMs ?? 0;
  }

  get retryAfterSeconds(): number {
    return this.cfg.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
  }

  get maxConcurrent(): number | undefined {
    return this.cfg.maxConcurrent;
  }

  /**
   * The concurrency limit's verdict on one arriving request, counted when it refuses. It applies
   * to every method: Twilio counts the account's requests, not only the rate-limited ones.
   */
  refusesConcurrent(inFlight: number): boolean {
    const limit = this.cfg.maxConcurrent;
    if (limit === undefined || inFlight < limit) return false;
    this.counters.concurrency429 += 1;
    return true;
  }

  /** Picks the fault for one request (or none) and counts it. */
  decide(method: string): FaultKind | null {
    if (this.cfg.methods && !this.cfg.methods.includes(method.toUpperCase())) return null;
    if (this.forced.length > 0) {
      const kind = this.forced.shift()!;
      if (kind) this.counters[kind] += 1;
      return kind;
    }
    const r = this.random();
    let upper = 0;
    for (const [kind, key] of BANDS) {
      upper += (this.cfg[key] as number | undefined) ?? 0;
      if (r < upper) {
        this.counters[kind] += 1;
        return kind;
      }
    }
    return null;
  }
}
