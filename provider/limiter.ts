// How many requests to have in flight to one Twilio account at once. Twilio limits concurrent
// requests per account and answers the excess with 429 (20429); `pulumi up` runs 4 × cores
// operations at once, so a big runner would otherwise turn every burst into a 429 storm.
//
// The limit adapts as TCP's congestion window does: it starts small and grows by one per
// success (doubling per round trip) until the first 429; then it settles just under the level
// that met the 429 and probes one higher only after ten round trips without one. One 429 is
// acted on per round trip: the others of the same burst were sent before the decrease.

/** The limit before anything is known: Pulumi's default parallelism on a 2-core runner. */
const INITIAL_LIMIT = 8;
/** Round trips at a steady limit before probing one higher. */
const PROBE_AFTER_ROUND_TRIPS = 10;

/** A granted slot; give it back with `release`, telling how the request went. */
export interface Slot {
  /** The window the request was sent in: a 429 from an older window was already acted on. */
  readonly window: number;
}

export type Outcome = "success" | "throttled" | "other";

export class ConcurrencyLimiter {
  private inFlight = 0;
  private limit: number;
  private window = 0;
  private slowStart = true;
  private successesAtLimit = 0;
  private readonly waiting: Array<() => void> = [];

  /** `ceiling` 0 means no limit at all: every request is sent at once. */
  constructor(readonly ceiling: number) {
    this.limit = ceiling === 0 ? Infinity : Math.min(INITIAL_LIMIT, ceiling);
  }

  /** The current limit on requests in flight. */
  get current(): number {
    return this.limit;
  }

  async acquire(): Promise<Slot> {
    while (this.inFlight >= Math.floor(this.limit)) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.inFlight++;
    return { window: this.window };
  }

  release(slot: Slot, outcome: Outcome): void {
    if (outcome === "throttled" && slot.window === this.window && this.limit !== Infinity) {
      // Everything still in flight fitted; the request that was refused did not.
      this.limit = Math.max(1, Math.min(this.limit - 1, this.inFlight - 1));
      this.slowStart = false;
      this.successesAtLimit = 0;
      this.window++;
    } else if (outcome === "success" && this.limit < this.ceiling) {
      if (this.slowStart) this.limit++;
      else if (++this.successesAtLimit >= this.limit * PROBE_AFTER_ROUND_TRIPS) {
        this.limit++;
        this.successesAtLimit = 0;
      }
    }
    this.inFlight--;
    // Wake as many waiters as there are free slots now; each re-checks when it runs.
    const free = Math.max(0, Math.floor(this.limit) - this.inFlight);
    for (const wake of this.waiting.splice(0, free)) wake();
  }
}

/** One limiter per account and host, shared by every resource in the provider process. */
const limiters = new Map<string, ConcurrencyLimiter>();

export function limiterFor(key: string, ceiling: number): ConcurrencyLimiter {
  let limiter = limiters.get(key);
  if (!limiter || limiter.ceiling !== ceiling) {
    limiter = new ConcurrencyLimiter(ceiling);
    limiters.set(key, limiter);
  }
  return limiter;
}
