// Summarising a bench run: per N and operation, medians with their min–max over runs, and the
// ratios the report states. BenchResults is what results.json holds.
import type { ConcurrencyResult } from "./concurrency";
import {
  BASELINE_OF,
  BENCH_COMMANDS,
  type Calls,
  type CliOpResult,
  type BenchCommand,
  type RunResult,
} from "./measure";
import type { StartupFigures } from "./startup";
import type { StateAnatomy } from "./state";
import { median } from "./stats";

export interface BenchResults {
  label?: string;
  /** Extra environment given with --env (experiments); empty for the standard run. */
  env: Record<string, string>;
  date: string;
  durationS: number;
  machine: {
    cpuModel: string;
    cores: number;
    memoryGiB: number;
    os: string;
    node: string;
    pulumi: string;
  };
  load: { start: string; end: string };
  /** Processes beside the run that were busy when it started (absent in runs before it was recorded). */
  otherWork?: string[];
  latencyMs: number;
  parallel: {
    cliDefault: number;
    helpLine: string;
    passed: number | null;
    baselineWorkers: number;
  };
  runsPerSize: number;
  /** Runs left out to stay within the time budget. */
  skippedRuns: Array<{ n: number; runs: number }>;
  sizes: number[];
  startup: StartupFigures;
  /** Null when not run (--quick, --no-concurrency). */
  concurrency: ConcurrencyResult | null;
  summary: SizeSummary[];
  runs: RunResult[];
}

/** A median with the lowest and highest value over the runs. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** CPU time, ms: the CLI process, the provider process(es), the driver (the inline program). */
export interface CpuSplit {
  cli: number;
  provider: number;
  program: number;
}

export interface OpSummary {
  /** Wall time of the `pulumi` process for the ProxySession stack. */
  engine: Spread;
  /** The same for the floor's stack. */
  floor: Spread;
  /** The baseline script's wall time; null where it makes no call (preview). */
  baseline: Spread | null;
  /** engine / floor: of the medians, and the lowest and highest of the runs (paired by run). */
  engineOverFloor: Spread;
  /** engine / baseline, of the medians; null where the baseline makes no call. */
  engineOverBaseline: number | null;
  automationMs: number;
  baselineHttpMs: number | null;
  /** HTTP calls at the emulator, per Twilio operation, in the first run. */
  calls: Calls;
  /** Whether any run counted different calls. */
  callsVaried: boolean;
  baselineCalls: Calls | null;
  maxConcurrent: number;
  baselineMaxConcurrent: number | null;
  connections: number | null;
  baselineConnections: number | null;
  /** Median ms from the CLI's start to the first HTTP request. */
  firstRequestMs: number | null;
  /** Median ms from the last request's arrival to the CLI's exit. */
  afterLastRequestMs: number | null;
  providerPeakKiB: number | null;
  providerProcesses: number;
  cliPeakKiB: number | null;
  cpu: CpuSplit;
  floorCpu: CpuSplit;
}

export interface SizeSummary {
  n: number;
  runs: number;
  ops: Record<BenchCommand, OpSummary>;
  /** The state after create in the first run: the engine's stack and the floor's. */
  state: { engine: StateAnatomy; floor: StateAnatomy };
  /** State file after create divided by N (medians over runs). */
  bytesPerSession: number;
  floorBytesPerResource: number;
}

export const nonNull = <T>(xs: Array<T | null | undefined>): T[] =>
  xs.filter((x): x is T => x != null);
export const maxOrNull = (xs: Array<number | null | undefined>) => {
  const v = nonNull(xs);
  return v.length ? Math.max(...v) : null;
};
const medianOrNull = (xs: Array<number | null | undefined>) => {
  const v = nonNull(xs);
  return v.length ? median(v) : null;
};
export const sameCalls = (a: Calls, b: Calls) => JSON.stringify(a) === JSON.stringify(b);

function spread(values: number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

const cpuOf = (rs: CliOpResult[]): CpuSplit => ({
  cli: median(rs.map((x) => x.cli.cpuMs)),
  provider: median(rs.map((x) => x.provider.cpuMs)),
  program: median(rs.map((x) => x.driverCpuMs)),
});

function summarizeOp(rs: RunResult[], op: BenchCommand): OpSummary {
  const e = rs.map((r) => r.engine[op]);
  const f = rs.map((r) => r.floor[op]);
  const b = nonNull(rs.map((r) => r.baseline[op]));
  const engine = spread(e.map((x) => x.cliMs));
  const floor = spread(f.map((x) => x.cliMs));
  const baseline = b.length && BASELINE_OF[op] ? spread(b.map((x) => x.wallMs)) : null;
  const perRun = rs.map((r) => r.engine[op].cliMs / r.floor[op].cliMs);
  return {
    engine,
    floor,
    baseline,
    engineOverFloor: {
      median: engine.median / floor.median,
      min: Math.min(...perRun),
      max: Math.max(...perRun),
    },
    engineOverBaseline: baseline ? engine.median / baseline.median : null,
    automationMs: median(e.map((x) => x.automationMs)),
    baselineHttpMs: b.length ? median(b.map((x) => x.httpMs)) : null,
    calls: e[0].calls,
    callsVaried: e.some((x) => !sameCalls(x.calls, e[0].calls)),
    baselineCalls: b.length ? b[0].calls : null,
    maxConcurrent: Math.max(...e.map((x) => x.maxConcurrent)),
    baselineMaxConcurrent: maxOrNull(b.map((x) => x.maxConcurrent)),
    connections: maxOrNull(e.map((x) => x.connections)),
    baselineConnections: maxOrNull(b.map((x) => x.connections)),
    firstRequestMs: medianOrNull(e.map((x) => x.firstRequestMs)),
    afterLastRequestMs: medianOrNull(
      e.map((x) => (x.lastRequestMs === null ? null : x.cliMs - x.lastRequestMs)),
    ),
    providerPeakKiB: medianOrNull(e.map((x) => x.provider.peakRssKiB)),
    providerProcesses: Math.max(...e.map((x) => x.provider.processes)),
    cliPeakKiB: medianOrNull(e.map((x) => x.cli.peakRssKiB)),
    cpu: cpuOf(e),
    floorCpu: cpuOf(f),
  };
}

export function summarize(runs: RunResult[], sizes: number[]): SizeSummary[] {
  return sizes
    .filter((n) => runs.some((r) => r.n === n))
    .map((n) => {
      const rs = runs.filter((r) => r.n === n);
      const ops = Object.fromEntries(BENCH_COMMANDS.map((op) => [op, summarizeOp(rs, op)]));
      return {
        n,
        runs: rs.length,
        ops: ops as Record<BenchCommand, OpSummary>,
        state: rs[0].state,
        bytesPerSession: median(rs.map((r) => r.state.engine.fileBytes)) / n,
        floorBytesPerResource: median(rs.map((r) => r.state.floor.fileBytes)) / n,
      };
    });
}
