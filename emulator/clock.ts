/**
 * The emulator's notion of "now": a time source plus an offset. Tests move time forward through
 * the control API instead of sleeping, so TTL expiry can be exercised in milliseconds.
 */
export class Clock {
  private offsetMs = 0;

  constructor(private readonly source: () => number = Date.now) {}

  nowMs(): number {
    return this.source() + this.offsetMs;
  }

  /** Twilio dates have second resolution, so all session arithmetic happens in whole seconds. */
  nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  get offsetSeconds(): number {
    return this.offsetMs / 1000;
  }

  advance(seconds: number): void {
    // Going backwards would let date_updated precede date_created; callers validate, this guards.
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new RangeError("seconds must be a finite, non-negative number");
    }
    this.offsetMs += Math.round(seconds * 1000);
  }

  reset(): void {
    this.offsetMs = 0;
  }
}
