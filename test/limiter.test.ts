// The adaptive limit on requests in flight, as a pure state machine: what a burst of requests
// is allowed to do, and how 429s and successes move the limit.
import { describe, expect, it } from "vitest";
import { ConcurrencyLimiter, type Slot } from "../provider/limiter";

/** Acquires `n` slots, resolving those granted now; the rest stay pending. */
async function burst(limiter: ConcurrencyLimiter, n: number) {
  const granted: Slot[] = [];
  const pending = Array.from({ length: n }, () => limiter.acquire().then((s) => granted.push(s)));
  await new Promise((r) => setImmediate(r));
  return { granted, pending };
}

describe("adaptive concurrency limit", () => {
  it("starts at 8 in flight and lets the next request go when one finishes", async () => {
    const limiter = new ConcurrencyLimiter(64);
    const { granted } = await burst(limiter, 10);
    expect(granted).toHaveLength(8);
    limiter.release(granted[0], "other");
    await new Promise((r) => setImmediate(r));
    expect(granted).toHaveLength(9);
  });

  it("grows by one per success until the first 429, never past the ceiling", async () => {
    const limiter = new ConcurrencyLimiter(12);
    const { granted } = await burst(limiter, 8);
    for (const slot of granted) limiter.release(slot, "success");
    expect(limiter.current).toBe(12);
  });

  it("after a 429 settles just under the level that met it, once per burst", async () => {
    const limiter = new ConcurrencyLimiter(64);
    // Slow start up to 16 in flight.
    const first = await burst(limiter, 8);
    for (const slot of first.granted) limiter.release(slot, "success");
    const { granted } = await burst(limiter, 16);
    expect(granted).toHaveLength(16);
    // Twilio refuses three of the burst: only the first refusal moves the limit.
    limiter.release(granted[15], "throttled");
    expect(limiter.current).toBe(15);
    limiter.release(granted[14], "throttled");
    limiter.release(granted[13], "throttled");
    expect(limiter.current).toBe(15);
  });

  it("probes one higher only after ten round trips at the settled level", async () => {
    const limiter = new ConcurrencyLimiter(64);
    const { granted } = await burst(limiter, 8);
    limiter.release(granted[7], "throttled"); // 8 in flight met a 429: settle at 7
    for (const slot of granted.slice(0, 7)) limiter.release(slot, "success");
    expect(limiter.current).toBe(7);
    for (let i = 0; i < 7 * 10 - 7; i++) {
      const slot = await limiter.acquire();
      limiter.release(slot, "success");
    }
    expect(limiter.current).toBe(8);
  });

  it("with ceiling 0, sends everything at once", async () => {
    const limiter = new ConcurrencyLimiter(0);
    const { granted } = await burst(limiter, 200);
    expect(granted).toHaveLength(200);
  });
});
