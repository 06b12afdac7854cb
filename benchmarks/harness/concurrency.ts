// The concurrency scenario: many sessions against a Twilio that answers 429 to requests beyond
// K in flight, with the engine running many operations at once. It measures `pulumi up` and
// `pulumi destroy` (wall time, requests, 429 answers) with and without the provider's adaptive
// concurrency limit.
//
// It runs as far as its parts exist: the emulator's `maxConcurrent` fault (the emulator refuses
// unknown fault options, so its absence is detected) and, for the "with" row, the provider's
// limit (the setting in VARIANTS below). What cannot run is reported as not available.
import type { BenchContext, EngineOpResult } from "./measure";
import { createBenchStack, engineOp } from "./measure";

export const SCENARIO = { n: 500, parallel: 64, maxConcurrent: 10 } as const;

export type VariantName = "without" | "with";

/** The stack config of each variant: the adaptive limit is on by default; 0 turns it off. */
const VARIANTS: Record<VariantName, Record<string, string> | null> = {
  without: { "twilio-proxy:maxConcurrency": "0" },
  with: {},
};

export interface ScenarioOp {
  cliMs: number;
  /** Requests at the emulator: one per session plus every retry. */
  requests: number;
  /** 429 answers; a lower bound when the emulator's log (last 1,000 requests) overflowed. */
  tooManyRequests: number;
  logTruncated: boolean;
  maxInFlight: number;
  /** The command's error, when it failed. */
  error?: string;
}

export type VariantResult =
  | { name: VariantName; available: false; reason: string }
  | { name: VariantName; available: true; create: ScenarioOp; destroy: ScenarioOp };

export interface ConcurrencyResult {
  n: number;
  parallel: number;
  maxConcurrent: number;
  latencyMs: number;
  /** Why the scenario did not run at all; undefined when it ran. */
  unavailable?: string;
  variants: VariantResult[];
}

const asScenarioOp = (r: EngineOpResult): ScenarioOp => ({
  cliMs: r.cliMs,
  requests: r.total,
  tooManyRequests: r.tooManyRequests,
  logTruncated: r.logTruncated,
  maxInFlight: r.maxConcurrent,
});

/** Runs the operation; a failure (e.g. retries given up under 429s) is a result, not a crash. */
async function attempt(run: () => Promise<EngineOpResult>, started = performance.now()) {
  try {
    return asScenarioOp(await run());
  } catch (err) {
    const message = (err as Error).message.split("\n").find((l) => /error/i.test(l)) ?? "";
    return {
      cliMs: performance.now() - started,
      requests: NaN,
      tooManyRequests: NaN,
      logTruncated: false,
      maxInFlight: NaN,
      error: message.trim().slice(0, 300) || "failed",
    };
  }
}

async function runVariant(
  ctx: BenchContext,
  name: VariantName,
  config: Record<string, string>,
): Promise<VariantResult> {
  const stack = await createBenchStack(ctx, SCENARIO.n, "engine", config);
  // The emulator counts every 429 of its concurrency limit; its request log keeps only 1,000.
  const refused = async () =>
    (await ctx.emu.control<{ injected: { concurrency429: number } }>("GET", "faults")).injected
      .concurrency429;
  const counted = async (op: "create" | "destroy") => {
    const before = await refused();
    const result = await attempt(() => engineOp(ctx, stack, op, SCENARIO.parallel));
    return { ...result, tooManyRequests: (await refused()) - before, logTruncated: false };
  };
  try {
    const create = await counted("create");
    const destroy = await counted("destroy");
    ctx.log(
      `  concurrency ${name.padEnd(7)} up ${(create.cliMs / 1000).toFixed(1)} s, ` +
        `${create.tooManyRequests} × 429; destroy ${(destroy.cliMs / 1000).toFixed(1)} s, ` +
        `${destroy.tooManyRequests} × 429${(create.error ?? destroy.error) ? " (failed)" : ""}`,
    );
    return { name, available: true, create, destroy };
  } finally {
    await stack.local.dispose();
  }
}

export async function measureConcurrency(ctx: BenchContext): Promise<ConcurrencyResult> {
  const result: ConcurrencyResult = { ...SCENARIO, latencyMs: ctx.latencyMs, variants: [] };
  const faults = { latencyMs: ctx.latencyMs, maxConcurrent: SCENARIO.maxConcurrent };
  try {
    await ctx.emu.control("POST", "faults", faults);
  } catch {
    result.unavailable = "the emulator has no `maxConcurrent` fault option yet";
    ctx.log(`  concurrency: not available (${result.unavailable})`);
    return result;
  }
  try {
    for (const name of ["without", "with"] as const) {
      const config = VARIANTS[name];
      result.variants.push(
        config
          ? await runVariant(ctx, name, config)
          : { name, available: false, reason: "the provider has no adaptive limit yet" },
      );
    }
  } finally {
    await ctx.emu.control("POST", "faults", { latencyMs: ctx.latencyMs });
  }
  return result;
}
