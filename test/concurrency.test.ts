// The adaptive limit on requests in flight against an account that refuses more than K at once
// (the emulator's concurrency mode, as Twilio limits accounts): a burst much wider than K
// completes, and meets few 429s; without the limit, the same burst meets many.
import { TwilioProxyClient } from "../provider/client";
import { resolveSettings } from "../provider/config";
import type { EmulatorHarness } from "./support/emulator";
import { describe, expect, it } from "./support/fixtures";

const K = 4;
const BURST = 60;

/** BURST creates at once, as `pulumi up --parallel 64` sends them, through one client each. */
async function burst(emu: EmulatorHarness, env: Record<string, string>) {
  const settings = resolveSettings(undefined, emu.env({ TWILIO_MAX_RETRIES: "50", ...env }));
  await Promise.all(
    Array.from({ length: BURST }, (_, i) =>
      new TwilioProxyClient(settings, {
        baseDelayMs: 10,
        maxDelayMs: 50,
        log: () => {},
      }).createSession(emu.serviceSid, { UniqueName: `burst-${i}` }),
    ),
  );
  const { injected } = await emu.faults();
  return { refused: injected.concurrency429 };
}

describe("requests in flight to one account", () => {
  it.beforeEach(({ emu }) => emu.setFaults({ maxConcurrent: K, latencyMs: 30 }));

  it("with the adaptive limit: every session created, at most 2 × K answers of 429", async ({
    emu,
  }) => {
    const { refused } = await burst(emu, {});
    expect(await emu.sessions()).toHaveLength(BURST);
    expect(refused).toBeLessThanOrEqual(2 * K);
  });

  it("without it (maxConcurrency 0): the same burst is a storm of 429s", async ({ emu }) => {
    const { refused } = await burst(emu, { TWILIO_MAX_CONCURRENCY: "0" });
    expect(await emu.sessions()).toHaveLength(BURST);
    expect(refused).toBeGreaterThan(BURST - K);
  });
});
