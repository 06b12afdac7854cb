// `npm run bench`: what a ProxySession costs in a stack, how the cost grows with N, and how far it
// is from the engine floor.
//
// Starts the emulator with a fixed added latency (100 ms per request, like Twilio from most
// regions), then for each N runs `pulumi up`, `pulumi preview`, `pulumi preview --refresh`,
// `pulumi up` after changing every ttl and `pulumi destroy` on an isolated offline stack of N
// sessions (the engine), the same on a stack of N no-op dynamic resources that wait as long per
// operation (the floor), and a plain Node baseline making the engine's HTTP calls with the
// engine's parallelism. Last, the concurrency scenario. Writes BENCHMARKS.md,
// benchmarks/results.json and benchmarks/chart.svg. The whole run takes about 20 minutes here.
//
// Options (flags win over environment):
//   --sizes 10,100,500   BENCH_SIZES   session counts
//   --runs 3             BENCH_RUNS    runs per N (the median is reported)
//   --quick                            sizes 10,100, one run, no concurrency scenario
//   --no-concurrency                   skip the concurrency scenario
//   --latency-ms 100     BENCH_LATENCY_MS
//   --parallel P         BENCH_PARALLEL  pass --parallel P to pulumi (default: the CLI's default)
//   --out DIR            BENCH_OUT     write BENCHMARKS.md, results.json, chart.svg into DIR
//                                      (default: BENCHMARKS.md at the root, the rest in benchmarks/)
//   --budget-min 25      BENCH_BUDGET_MIN  skip further runs of a size when they would overrun it
//   --wait-idle [L]                    first wait (up to 20 min) for a 1-minute load below L (0.6)
//   --label TEXT                       a label stored in results.json (e.g. "before")
//   --env K=V                          more environment for the CLI and provider (experiments)
//   --render                           measure nothing: rewrite BENCHMARKS.md and chart.svg from
//                                      the results.json already there
//   --teams                            measure only the teams scenarios (2,000 sessions as 1, 4 or
//                                      8 stacks on each backend; R processes on one account):
//                                      writes benchmarks/teams.json and scale-out.svg, re-renders
//                                      BENCHMARKS.md with the results.json there
//   --no-postgres                      with --teams: the file backend only (by default the
//                                      scale-out also runs on a PostgreSQL server of its own,
//                                      from Debian's binaries, a new table per run)
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { repoRoot } from "../scripts/lib/local-stack";
import { RunningPostgres } from "../scripts/lib/postgres";
import { startEmulatorProcess } from "../scripts/lib/emulator-process";
import { renderChart } from "./harness/chart";
import { measureConcurrency } from "./harness/concurrency";
import { renderMarkdown } from "./harness/markdown";
import {
  cliDefaultParallel,
  createBenchStack,
  measureRun,
  pulumiVersion,
  type BenchContext,
  type BenchStack,
  type RunResult,
} from "./harness/measure";
import { measureProcesses, PROCESSES } from "./harness/processes";
import {
  fileBackends,
  measureScaleOut,
  renderScaleOutChart,
  SCALE_OUT,
  type BackendFactory,
} from "./harness/scale-out";
import { loadAverage, otherBusyProcesses } from "./harness/procmon";
import { measureStartup } from "./harness/startup";
import type { TeamsResult } from "./harness/teams";
import { summarize, type BenchResults } from "./harness/summary";

interface Options {
  sizes: number[];
  runs: number;
  latencyMs: number;
  parallel?: number;
  outDir?: string;
  waitIdle?: number;
  budgetMin: number;
  render: boolean;
  teams: boolean;
  quick: boolean;
  postgres: boolean;
  concurrency: boolean;
  label?: string;
  env: Record<string, string>;
}

const FLAGS = {
  quick: { type: "boolean" },
  "no-concurrency": { type: "boolean" },
  sizes: { type: "string" },
  runs: { type: "string" },
  "latency-ms": { type: "string" },
  parallel: { type: "string" },
  out: { type: "string" },
  label: { type: "string" },
  "budget-min": { type: "string" },
  render: { type: "boolean" },
  teams: { type: "boolean" },
  "no-postgres": { type: "boolean" },
  env: { type: "string", multiple: true },
  "wait-idle": { type: "string" },
} satisfies ParseArgsConfig["options"];

/** `node:util` parseArgs in strict mode; flags win over the environment. */
function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options {
  const ints = (text: string, what: string) =>
    text.split(",").map((s) => {
      const n = Number(s.trim());
      if (!Number.isInteger(n) || n < 1)
        throw new Error(`${what}: '${s}' is not a positive integer`);
      return n;
    });
  const nonNegative = (text: string, what: string) => {
    const n = Number(text);
    if (text.trim() === "" || !Number.isFinite(n) || n < 0) {
      throw new Error(`${what}: '${text}' is not a non-negative number`);
    }
    return n;
  };
  // `--wait-idle [L]`: its value is optional (0.6 when none follows).
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] !== "--wait-idle") args.push(argv[i]);
    else if (/^\d*\.?\d+$/.test(argv[i + 1] ?? "")) args.push(`--wait-idle=${argv[++i]}`);
    else args.push("--wait-idle=0.6");
  }
  const { values: v } = parseArgs({ args, options: FLAGS, strict: true });
  const sizes = v.sizes ?? env.BENCH_SIZES;
  const runs = v.runs ?? env.BENCH_RUNS;
  const parallel = v.parallel ?? env.BENCH_PARALLEL;
  const opts: Options = {
    sizes: v.quick ? [10, 100] : ints(sizes ?? "10,100,500", "--sizes / BENCH_SIZES"),
    runs: v.quick ? 1 : ints(runs ?? "3", "--runs / BENCH_RUNS")[0],
    latencyMs: nonNegative(v["latency-ms"] ?? env.BENCH_LATENCY_MS ?? "100", "--latency-ms"),
    parallel: parallel ? ints(parallel, "--parallel / BENCH_PARALLEL")[0] : undefined,
    outDir: v.out ?? (env.BENCH_OUT || undefined),
    label: v.label,
    budgetMin: nonNegative(v["budget-min"] ?? env.BENCH_BUDGET_MIN ?? "25", "--budget-min"),
    render: v.render ?? false,
    teams: v.teams ?? false,
    quick: v.quick ?? false,
    postgres: !v["no-postgres"],
    concurrency: !(v.quick || v["no-concurrency"]),
    waitIdle: v["wait-idle"] === undefined ? undefined : nonNegative(v["wait-idle"], "--wait-idle"),
    env: {},
  };
  for (const pair of v.env ?? []) {
    const [k, ...rest] = pair.split("=");
    if (!k || rest.length === 0) throw new Error(`--env: '${pair}' is not K=V`);
    opts.env[k] = rest.join("=");
  }
  return opts;
}

async function waitIdle(threshold: number, log: (s: string) => void) {
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    const one = os.loadavg()[0];
    if (one < threshold) return log(`load ${loadAverage()}: below ${threshold}, starting`);
    if (Date.now() > deadline) {
      return log(
        `load ${loadAverage()}: still at or above ${threshold} after 20 min, starting anyway`,
      );
    }
    log(`load ${loadAverage()}: waiting for the 1-minute load to fall below ${threshold}`);
    await new Promise((r) => setTimeout(r, 30_000));
  }
}

function machine() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    pulumi: pulumiVersion(),
  };
}

/** Writes results.json (formatted as `npm run lint` expects), chart.svg and BENCHMARKS.md. */
async function write(results: BenchResults, outDirOption: string | undefined, json: boolean) {
  const outDir = outDirOption ? path.resolve(outDirOption) : path.join(repoRoot, "benchmarks");
  const mdFile = outDirOption
    ? path.join(outDir, "BENCHMARKS.md")
    : path.join(repoRoot, "BENCHMARKS.md");
  fs.mkdirSync(outDir, { recursive: true });
  if (json) {
    const resultsFile = path.join(outDir, "results.json");
    const prettier = await import("prettier");
    const config = (await prettier.resolveConfig(resultsFile)) ?? {};
    const text = await prettier.format(JSON.stringify(results), { ...config, parser: "json" });
    fs.writeFileSync(resultsFile, text);
  }
  fs.writeFileSync(path.join(outDir, "chart.svg"), renderChart(results));
  const chartLink = path.relative(path.dirname(mdFile), path.join(outDir, "chart.svg"));
  fs.writeFileSync(mdFile, renderMarkdown(results, { chartLink, outDir, mdFile }));
  const rel = (f: string) => path.relative(process.cwd(), f) || ".";
  console.log(`\nwrote ${rel(mdFile)}, ${rel(outDir)}/chart.svg${json ? " and results.json" : ""}`);
}

async function main() {
  const opts = parseOptions(process.argv.slice(2), process.env);
  const log = (line: string) => console.log(line);
  if (opts.render) {
    const dir = opts.outDir ? path.resolve(opts.outDir) : path.join(repoRoot, "benchmarks");
    const results = JSON.parse(
      fs.readFileSync(path.join(dir, "results.json"), "utf8"),
    ) as BenchResults;
    results.summary = summarize(results.runs, results.sizes);
    return write(results, opts.outDir, false);
  }
  if (opts.waitIdle !== undefined) await waitIdle(opts.waitIdle, log);
  if (opts.teams) return teams(opts, log);
  const started = Date.now();
  const loadStart = loadAverage();
  log(`load average at start: ${loadStart} (1, 5, 15 min; other work on the machine counts)`);
  const otherWork = await otherBusyProcesses();
  log(`other work at start: ${otherWork.join("; ") || "none"}`);
  const parallelDefault = cliDefaultParallel();
  const parallel = opts.parallel ?? parallelDefault.value;
  log(`pulumi --parallel default: ${parallelDefault.value} (${parallelDefault.helpLine})`);
  log(`sizes ${opts.sizes.join(", ")}; ${opts.runs} run(s) each; latency ${opts.latencyMs} ms`);

  const emu = await startEmulatorProcess(["--latency-ms", String(opts.latencyMs)]);
  const ctx: BenchContext = {
    emu,
    latencyMs: opts.latencyMs,
    parallel: opts.parallel,
    baselineWorkers: parallel,
    env: opts.env,
    log,
  };
  const runs: RunResult[] = [];
  const skipped: Array<{ n: number; runs: number }> = [];
  const budgetMs = opts.budgetMin * 60_000;
  let startup;
  let concurrency = null;
  try {
    startup = await measureStartup(3);
    log(
      `provider start-up: ${Math.round(startup.shimMs)} ms through the shim, of which this ` +
        `package's implementation ${Math.round(startup.implementationMs)} ms`,
    );
    // Warm-up, not measured: the first CLI start reads a cold disk cache.
    await withStacks(ctx, 2, (stacks) => measureRun({ ...ctx, log: () => {} }, stacks, 0));
    for (const n of opts.sizes) {
      await withStacks(ctx, n, async (stacks) => {
        let lastRunMs = 0;
        for (let r = 0; r < opts.runs; r++) {
          // Another run takes about as long as the last one: skip it if it would overrun.
          if (r > 0 && Date.now() - started + lastRunMs > budgetMs) {
            log(
              `  N=${n}: ${opts.runs - r} more run(s) would overrun the ${opts.budgetMin} min budget`,
            );
            skipped.push({ n, runs: opts.runs - r });
            break;
          }
          const runStarted = Date.now();
          runs.push(await measureRun(ctx, stacks, r));
          lastRunMs = Date.now() - runStarted;
        }
      });
    }
    if (opts.concurrency) concurrency = await measureConcurrency(ctx);
  } finally {
    await emu.stop();
  }

  const results: BenchResults = {
    label: opts.label,
    env: opts.env,
    date: new Date(started).toISOString(),
    durationS: Math.round((Date.now() - started) / 1000),
    machine: machine(),
    load: { start: loadStart, end: loadAverage() },
    otherWork,
    latencyMs: opts.latencyMs,
    parallel: {
      cliDefault: parallelDefault.value,
      helpLine: parallelDefault.helpLine,
      passed: opts.parallel ?? null,
      baselineWorkers: parallel,
    },
    runsPerSize: opts.runs,
    skippedRuns: skipped,
    sizes: opts.sizes,
    startup: startup!,
    concurrency,
    summary: summarize(runs, opts.sizes),
    runs,
  };
  await write(results, opts.outDir, true);
  log(`load average: start ${results.load.start}, end ${results.load.end}; ${results.durationS} s`);
}

/** The teams scenarios alone; BENCHMARKS.md re-rendered with the results.json there. */
async function teams(opts: Options, log: (line: string) => void) {
  const outDir = opts.outDir ? path.resolve(opts.outDir) : path.join(repoRoot, "benchmarks");
  const started = Date.now();
  const loadStart = loadAverage();
  log(`load average at start: ${loadStart} (1, 5, 15 min; other work on the machine counts)`);
  const otherWork = await otherBusyProcesses();
  log(`other work at start: ${otherWork.length ? otherWork.join("; ") : "none"}`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bench-teams-"));
  const file = fileBackends(scratch);
  const backends: Record<string, BackendFactory> = { file };
  // Its URL holds a password: passed to the CLI in the environment, never printed.
  const pg = opts.postgres ? await RunningPostgres.start() : undefined;
  if (pg) backends.postgres = async (label) => pg.backendUrl(label.toLowerCase());
  const total = opts.quick ? 80 : SCALE_OUT.total;
  const perProcess = opts.quick ? 20 : PROCESSES.n;
  const emu = await startEmulatorProcess(["--latency-ms", String(opts.latencyMs)]);
  let scaleOutRuns;
  let processRuns;
  try {
    scaleOutRuns = await measureScaleOut(emu, opts.latencyMs, backends, log, total);
    processRuns = await measureProcesses(emu, opts.latencyMs, file, log, perProcess);
  } finally {
    await emu.stop();
    await pg?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const result: TeamsResult = {
    date: new Date(started).toISOString(),
    durationS: Math.round((Date.now() - started) / 1000),
    load: { start: loadStart, end: loadAverage() },
    otherWork,
    latencyMs: opts.latencyMs,
    scaleOut: { total, runs: scaleOutRuns },
    processes: { n: perProcess, maxConcurrent: PROCESSES.maxConcurrent, runs: processRuns },
  };
  const prettier = await import("prettier");
  const teamsFile = path.join(outDir, "teams.json");
  const config = (await prettier.resolveConfig(teamsFile)) ?? {};
  const json = await prettier.format(JSON.stringify(result), { ...config, parser: "json" });
  fs.writeFileSync(teamsFile, json);
  fs.writeFileSync(path.join(outDir, "scale-out.svg"), renderScaleOutChart(result.scaleOut));
  const results = JSON.parse(
    fs.readFileSync(path.join(outDir, "results.json"), "utf8"),
  ) as BenchResults;
  results.summary = summarize(results.runs, results.sizes);
  await write(results, opts.outDir, false);
}

/** The engine's stack and the floor's for one N, disposed after `use`. */
async function withStacks<T>(
  ctx: BenchContext,
  n: number,
  use: (stacks: { engine: BenchStack; floor: BenchStack }) => Promise<T>,
): Promise<T> {
  const engine = await createBenchStack(ctx, n, "engine");
  try {
    const floor = await createBenchStack(ctx, n, "floor");
    try {
      return await use({ engine, floor });
    } finally {
      await floor.local.dispose();
    }
  } finally {
    await engine.local.dispose();
  }
}

main().catch((err) => {
  const debug = process.env.BENCH_DEBUG ? (err as Error).stack : undefined;
  console.error(`\nbench failed: ${debug ?? (err instanceof Error ? err.message : err)}`);
  process.exit(1);
});
