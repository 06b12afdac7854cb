// How many requests to have in flight to one Twilio account at once. Twilio limits concurrent
// requests per account and answers the excess with 429 (20429); `pulumi up` runs 4 × cores
// operations at once, so a big runner would otherwise turn every burst into a 429 storm.
//
// The limit adapts as TCP's congestion window does: it starts small and grows by one per
// success (doubling per round trip, but never past twice the most requests in flight that all
// succeeded, so that successes of a round do not launch a new burst before that round's 429s
// come back) until the first 429; then it settles just under the number
// of requests in flight when the refused one was sent, and probes one higher only after ten
// round trips without a 429. One 429 is acted on per round trip: the others of the same burst
// were sent before the decrease.
//
// Several processes (stacks deployed at once, pipeline runners) share one account's limit
// without talking to each other, and each one's probes would meet the others' requests. When
// Twilio's answers carry `Twilio-Concurrent-Requests` (the account's requests in flight, which
// Twilio's docs tell clients to watch; its exact meaning is unverified, see emulator/README.md),
// the limiter also learns the account's limit from the value on a 429 (one fewer than what it
// saw) and how many requests the other processes have in flight (the value minus its own), and
// never sends more than the account's limit minus theirs: no probe into a full account. Without
// the header, each process learns only from its own 429s.

/** The limit before anything is known: Pulumi's default parallelism on a 2-core runner. */
const INITIAL_LIMIT = 8;
/** Round trips at a steady limit before probing one higher. */
const PROBE_AFTER_ROUND_TRIPS = 10;

/** A granted slot; give it back with `release`, telling how the request went. */
export interface Slot {
  /** The window the request was sent in: a 429 from an older window was already acted on. */
  readonly window: number;
  /** Requests in flight when this one was sent, itself included. */
  readonly concurrency: number;
}

export type Outcome = "success" | "throttled" | "other";

export class ConcurrencyLimiter {
  private inFlight = 0;
  private limit: number;
  private window = 0;
  private slowStart = true;
  private successesAtLimit = 0;
  /** The most requests in flight at once with which one was sent and succeeded. */
  private proven = 0;
  /** The account's limit on requests in flight, once a 429 told it (header only). */
  private accountLimit: number | undefined;
  /** Requests the account had in flight from elsewhere, at the last answer (header only). */
  private othersInFlight = 0;
  private readonly waiting: Array<() => void> = [];

  /** `ceiling` 0 means no limit at all: every request is sent at once. */
  constructor(readonly ceiling: number) {
    this.limit = ceiling === 0 ? Infinity : Math.min(INITIAL_LIMIT, ceiling);
  }

  /** The current limit on requests in flight from this process. */
  get current(): number {
    if (this.accountLimit === undefined) return this.limit;
    // At least one, so that a stale count of the others' requests cannot stall this process.
    return Math.min(this.limit, Math.max(1, this.accountLimit - this.othersInFlight));
  }

  async acquire(): Promise<Slot> {
    while (this.inFlight >= Math.floor(this.current)) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.inFlight++;
    return { window: this.window, concurrency: this.inFlight };
  }

  /**
   * `accountInFlight` is the answer's `Twilio-Concurrent-Requests`, when it had one: the
   * account's requests in flight when this one arrived, itself included.
   */
  release(slot: Slot, outcome: Outcome, accountInFlight?: number): void {
    const counted =
      accountInFlight !== undefined && Number.isInteger(accountInFlight) && accountInFlight > 0;
    if (counted && this.limit !== Infinity) {
      this.othersInFlight = Math.max(0, accountInFlight - slot.concurrency);
      // Refused while `accountInFlight` were in flight, itself included: one fewer fits.
      if (outcome === "throttled") this.accountLimit = Math.max(1, accountInFlight - 1);
      // Accepted with that many in flight: the account allows at least that many (it may have
      // been raised since).
      else if (outcome === "success" && this.accountLimit !== undefined) {
        this.accountLimit = Math.max(this.accountLimit, accountInFlight);
      }
    }
    if (outcome === "throttled" && slot.window === this.window && this.limit !== Infinity) {
      // Twilio refused the request that made `concurrency` in flight: one fewer fitted.
      this.limit = Math.max(1, Math.min(this.limit - 1, slot.concurrency - 1));
      this.slowStart = false;
      this.successesAtLimit = 0;
      this.window++;
    } else if (outcome === "success") {
      this.proven = Math.max(this.proven, slot.concurrency);
      if (this.limit >= this.ceiling) {
        // at the ceiling: nothing to grow
      } else if (this.slowStart) {
        if (this.limit < 2 * this.proven) this.limit++;
      } else if (++this.successesAtLimit >= this.limit * PROBE_AFTER_ROUND_TRIPS) {
        this.limit++;
        this.successesAtLimit = 0;
      }
    }
    this.inFlight--;
    // Wake as many waiters as there are free slots now; each re-checks when it runs.
    const free = Math.max(0, Math.floor(this.current) - this.inFlight);
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
