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

  it("grows to at most twice the most requests in flight that all succeeded", async () => {
    const limiter = new ConcurrencyLimiter(64);
    // Requests one at a time: successes prove a concurrency of 1, which allows 8 (the start).
    for (let i = 0; i < 20; i++) limiter.release(await limiter.acquire(), "success");
    expect(limiter.current).toBe(8);
    // A full round of 8 proves 8: the limit grows again, as far as 16.
    const round = await burst(limiter, 8);
    for (const slot of round.granted) limiter.release(slot, "success");
    expect(limiter.current).toBe(12);
  });

  it("after a 429 settles just under the level that met it, once per burst", async () => {
    const limiter = new ConcurrencyLimiter(64);
    // Slow start up to 16 in flight.
    const first = await burst(limiter, 8);
    for (const slot of first.granted) limiter.release(slot, "success");
    const { granted } = await burst(limiter, 16);
    expect(granted).toHaveLength(12);
    // Twilio refuses the requests sent as the 11th and 12th in flight: the first refusal
    // settles the limit at 10, the other (sent before that decision) changes nothing.
    limiter.release(granted[10], "throttled");
    expect(limiter.current).toBe(10);
    limiter.release(granted[11], "throttled");
    expect(limiter.current).toBe(10);
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

// Twilio-Concurrent-Requests (when Twilio sends it): the account's requests in flight, from all
// processes, when a request arrived, itself included.
describe("adaptive concurrency limit, with the account's count of requests in flight", () => {
  it("a 429 teaches the account's limit, and this process takes what the others leave", async () => {
    const limiter = new ConcurrencyLimiter(64);
    const { granted } = await burst(limiter, 8);
    // The 8th in flight from here met a 429 while the account had 11 in flight with it:
    // the account takes 10, the other processes held 3, and this one settles at 7.
    limiter.release(granted[7], "throttled", 11);
    expect(limiter.current).toBe(7);
    // The others now hold 6 (the 1st in flight from here arrived with 7 at the account).
    limiter.release(granted[0], "success", 7);
    expect(limiter.current).toBe(4);
    // They finished: this process is back to its own limit.
    limiter.release(granted[1], "success", 2);
    expect(limiter.current).toBe(7);
  });

  it("never goes past the account's limit, whatever its own successes", async () => {
    const limiter = new ConcurrencyLimiter(64);
    const first = await burst(limiter, 8);
    // Alone at the account: the first 5 went through, the 6th, 7th and 8th were refused.
    for (const slot of first.granted.slice(0, 5))
      limiter.release(slot, "success", slot.concurrency);
    for (const slot of first.granted.slice(5)) limiter.release(slot, "throttled", 6);
    expect(limiter.current).toBe(5);
    // A hundred successes, alone at the account: no probe beyond 5, where its own limit would.
    for (let i = 0; i < 100; i++) {
      const slot = await limiter.acquire();
      limiter.release(slot, "success", slot.concurrency);
    }
    expect(limiter.current).toBe(5);
    const { granted } = await burst(limiter, 8);
    expect(granted).toHaveLength(5);
  });

  it("leaves at least one request to this process when others hold the whole account", async () => {
    const limiter = new ConcurrencyLimiter(64);
    const { granted } = await burst(limiter, 2);
    limiter.release(granted[1], "throttled", 5); // the account takes 4; others hold 3
    limiter.release(granted[0], "success", 5); // the first of its two, 5 at the account: others 4
    expect(limiter.current).toBe(1);
    const next = await burst(limiter, 2);
    expect(next.granted).toHaveLength(1);
  });

  it("without the header, one process's 429 lowers only its own limit (per-process learning)", async () => {
    const limiter = new ConcurrencyLimiter(64);
    const { granted } = await burst(limiter, 8);
    limiter.release(granted[7], "throttled");
    expect(limiter.current).toBe(7);
  });
});
