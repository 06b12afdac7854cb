// One measured run at one N: the five Pulumi operations on a stack of N ProxySessions (the
// engine), the same five on a stack of N no-op dynamic resources (the floor), then the baseline
// script making the engine's HTTP calls, with the emulator's counters and log read after each.
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { ProxySession } from "pulumi-twilio-proxy";
import type { OperationId } from "../../emulator";
import {
  createLocalStack,
  pulumiRoot,
  repoRoot,
  type LocalStack,
} from "../../scripts/lib/local-stack";
import type { BaselineOp, BaselineResult, BaselineSpec } from "./baseline";
import type { EmulatorProcess } from "../../scripts/lib/emulator-process";
import { floorEnv, floorProgram } from "./floor";
import { monitorOperation, type OperationSample, type ProcessSample } from "./procmon";
import { stateAnatomy, type StateAnatomy } from "./state";
import { summarizeLog } from "./stats";

/** The Pulumi commands a benchmark times (not Twilio operations: see the emulator's OPERATIONS). */
export const BENCH_COMMANDS = [
  "create",
  "preview",
  "preview-refresh",
  "update",
  "destroy",
] as const;
export type BenchCommand = (typeof BENCH_COMMANDS)[number];

export const COMMANDS: Record<BenchCommand, string> = {
  create: "pulumi up",
  preview: "pulumi preview",
  "preview-refresh": "pulumi preview --refresh",
  update: "pulumi up (every ttl changed)",
  destroy: "pulumi destroy",
};

/** The baseline operation with the same HTTP calls; preview makes none. */
export const BASELINE_OF: Record<BenchCommand, BaselineOp | null> = {
  create: "create",
  preview: null,
  "preview-refresh": "refresh",
  update: "update",
  destroy: "delete",
};

export const TTL_BEFORE = 3600;
export const TTL_AFTER = 7200;

export type Calls = Partial<Record<OperationId, number>>;

export interface HttpFigures {
  /** Non-zero per-operation counters of the emulator. */
  calls: Calls;
  total: number;
  /** Most requests in flight at once, from the emulator's request log. */
  maxConcurrent: number;
  /** Answers with HTTP 429 in the emulator's log (it keeps the last 1,000 requests). */
  tooManyRequests: number;
  /** Whether the log lost requests (then the figures from it are lower bounds). */
  logTruncated: boolean;
  /** First and last request arrival, ms after the command started; null without requests. */
  firstRequestMs: number | null;
  lastRequestMs: number | null;
}

/** One `pulumi …` command, for either stack. */
export interface CliOpResult {
  /** Wall time of the `pulumi …` process, spawn to exit. */
  cliMs: number;
  /** Wall time of the Automation API call (adds `stack output` / `stack history` after up). */
  automationMs: number;
  provider: ProcessSample;
  cli: ProcessSample;
  /** CPU time of this driver process, which hosts the inline program. */
  driverCpuMs: number;
  /** TCP connections the operation opened to the emulator (null for the floor, or without /proc). */
  connections: number | null;
}

export type EngineOpResult = CliOpResult & HttpFigures;

export interface BaselineOpResult extends HttpFigures {
  /** Wall time of the baseline script's process, spawn to exit. */
  wallMs: number;
  /** Inside the script: first request sent to last answer received. */
  httpMs: number;
  connections: number | null;
}

export interface RunResult {
  n: number;
  run: number;
  engine: Record<BenchCommand, EngineOpResult>;
  floor: Record<BenchCommand, CliOpResult>;
  baseline: Partial<Record<BenchCommand, BaselineOpResult>>;
  /** The state after create, of the engine's stack and of the floor's. */
  state: { engine: StateAnatomy; floor: StateAnatomy };
}

export interface BenchContext {
  emu: EmulatorProcess;
  latencyMs: number;
  /** Passed as --parallel when set; otherwise the CLI's default applies. */
  parallel?: number;
  /** The baseline's workers: the engine's effective parallelism. */
  baselineWorkers: number;
  /** More environment for the CLI and the provider process (experiments only). */
  env?: Record<string, string>;
  log: (line: string) => void;
}

/** Pulumi's default --parallel, as the CLI itself states it in `pulumi up --help`. */
export function cliDefaultParallel(): { value: number; helpLine: string } {
  const bin = path.join(pulumiRoot(), "bin", "pulumi");
  const help = execFileSync(bin, ["up", "--help"], {
    encoding: "utf8",
    env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
  });
  const line = help.split("\n").find((l) => /--parallel\b/.test(l)) ?? "";
  const m = /\(default (\d+)\)/.exec(line);
  if (!m) throw new Error(`cannot find the --parallel default in \`pulumi up --help\`:\n${line}`);
  return { value: Number(m[1]), helpLine: line.trim().replace(/\s{2,}/g, "  ") };
}

export function pulumiVersion(): string {
  return execFileSync(path.join(pulumiRoot(), "bin", "pulumi"), ["version"], {
    encoding: "utf8",
    env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
  }).trim();
}

/** The program's declaration, read at each run: N resources, each with a ttl. */
interface Declaration {
  n: number;
  ttl: number;
}

/** N sessions, each with a uniqueName (`<prefix>-<i>`, unique in the Service) and a ttl. */
export function sessionsProgram(decl: Declaration, serviceSid: string, prefix = `bench-${decl.n}`) {
  return async () => {
    for (let i = 0; i < decl.n; i++) {
      new ProxySession(`s${i}`, { serviceSid, uniqueName: `${prefix}-${i}`, ttl: decl.ttl });
    }
    return {};
  };
}

/** Records the wall time of every `pulumi` process the Automation API runs for a stack. */
export function timeCommands(stack: Stack): Array<{ args: string[]; ms: number }> {
  const runs: Array<{ args: string[]; ms: number }> = [];
  // PulumiCommand.run(args, cwd, env, …) spawns the CLI; it is public in JS but not typed.
  const cmd = stack.workspace.pulumiCommand as unknown as {
    run(args: string[], ...rest: unknown[]): Promise<unknown>;
  };
  if (typeof cmd.run !== "function") throw new Error("PulumiCommand.run is gone: update the bench");
  const original = cmd.run.bind(cmd);
  cmd.run = async (...args: Parameters<typeof original>) => {
    const started = performance.now();
    try {
      return await original(...args);
    } finally {
      runs.push({ args: args[0], ms: performance.now() - started });
    }
  };
  return runs;
}

async function httpFigures(emu: EmulatorProcess, latencyMs: number, startedAt: number) {
  const [counts, log] = await Promise.all([emu.requests(), emu.log()]);
  const summary = summarizeLog(log, latencyMs);
  const calls = Object.fromEntries(
    Object.entries(counts.byOperation).filter(([, v]) => v > 0),
  ) as Calls;
  return {
    calls,
    total: counts.total,
    maxConcurrent: summary.maxConcurrent,
    tooManyRequests: log.filter((e) => e.status === 429).length,
    logTruncated: log.length < counts.total,
    firstRequestMs: summary.firstMs === null ? null : summary.firstMs - startedAt,
    lastRequestMs: summary.lastMs === null ? null : summary.lastMs - startedAt,
  } satisfies HttpFigures;
}

export type StackKind = "engine" | "floor";

export interface BenchStack {
  kind: StackKind;
  local: LocalStack;
  decl: Declaration;
  runs: Array<{ args: string[]; ms: number }>;
}

/**
 * An isolated stack of N resources: ProxySessions on the emulator (`engine`), or the floor's
 * no-op resources. `config` adds stack config (the concurrency scenario's settings).
 */
export async function createBenchStack(
  ctx: BenchContext,
  n: number,
  kind: StackKind,
  config: Record<string, string> = {},
): Promise<BenchStack> {
  const decl: Declaration = { n, ttl: TTL_BEFORE };
  const local = await createLocalStack({
    program: kind === "engine" ? sessionsProgram(decl, ctx.emu.serviceSid) : floorProgram(decl),
    project: "pulumi-twilio-proxy-bench",
    // The same length for both, so that URNs cost the same.
    stackName: `${kind === "engine" ? "bench" : "floor"}-${n}`,
    access: {
      accountSid: ctx.emu.accountSid,
      authToken: ctx.emu.authToken,
      baseUrl: ctx.emu.baseUrl,
    },
    config,
    env: { ...ctx.env, ...floorEnv(ctx.latencyMs) },
  });
  return { kind, local, decl, runs: timeCommands(local.stack) };
}

/** Runs one operation; returns the engine's count of resource changes (none for previews). */
async function runOperation(bs: BenchStack, op: BenchCommand, parallel: number | undefined) {
  const { stack } = bs.local;
  const opts = parallel === undefined ? {} : { parallel };
  switch (op) {
    case "create":
      bs.decl.ttl = TTL_BEFORE;
      return (await stack.up(opts)).summary.resourceChanges;
    case "preview":
      await stack.preview({ ...opts, expectNoChanges: true });
      return undefined;
    case "preview-refresh":
      await stack.preview({ ...opts, refresh: true, expectNoChanges: true });
      return undefined;
    case "update":
      bs.decl.ttl = TTL_AFTER;
      return (await stack.up(opts)).summary.resourceChanges;
    case "destroy":
      return (await stack.destroy(opts)).summary.resourceChanges;
  }
}

/** Runs one operation on a stack and measures the `pulumi` process and its provider. */
async function cliOp(
  ctx: BenchContext,
  bs: BenchStack,
  op: BenchCommand,
  parallel = ctx.parallel,
): Promise<CliOpResult> {
  bs.runs.length = 0;
  const monitor = monitorOperation(bs.kind === "engine" ? ctx.emu.port : undefined);
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  let changes: Record<string, number> | undefined;
  let sample: OperationSample;
  try {
    changes = await runOperation(bs, op, parallel);
  } finally {
    // Also when the operation fails: the monitor's timer would keep the process alive.
    sample = monitor.stop();
  }
  const { provider, cli: cliProcess, connections } = sample;
  const automationMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuStart);
  // A run that did not do the work measures nothing: every resource must have changed.
  const expected = { create: "create", update: "update", destroy: "delete" }[op as string];
  if (expected && (changes?.[expected] ?? 0) < bs.decl.n) {
    throw new Error(
      `${bs.kind} ${op}: expected ${bs.decl.n} × ${expected}, got ${JSON.stringify(changes)}`,
    );
  }
  const verb =
    op === "create" || op === "update" ? "up" : op.startsWith("preview") ? "preview" : op;
  const cli = bs.runs.find((r) => r.args[0] === verb);
  if (!cli) throw new Error(`no \`pulumi ${verb}\` run recorded for ${op}`);
  return {
    cliMs: cli.ms,
    automationMs,
    provider,
    cli: cliProcess,
    connections,
    driverCpuMs: (cpu.user + cpu.system) / 1000,
  };
}

/** An operation on the ProxySession stack, with the emulator's view of its HTTP calls. */
export async function engineOp(
  ctx: BenchContext,
  bs: BenchStack,
  op: BenchCommand,
  parallel = ctx.parallel,
): Promise<EngineOpResult> {
  await ctx.emu.resetRequests();
  const wallStart = Date.now();
  const result = await cliOp(ctx, bs, op, parallel);
  return { ...result, ...(await httpFigures(ctx.emu, ctx.latencyMs, wallStart)) };
}

const run = (file: string, args: string[]) =>
  new Promise<{ stdout: string; ms: number }>((resolve, reject) => {
    const started = performance.now();
    execFile(process.execPath, [file, ...args], { encoding: "utf8" }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(file)} ${args[0]}: ${stderr || err.message}`));
      else resolve({ stdout, ms: performance.now() - started });
    });
  });

async function baselineOps(ctx: BenchContext, n: number, runIndex: number) {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bench-baseline-"));
  const specFile = path.join(scratch, "spec.json");
  const script = path.join(repoRoot, "dist/benchmarks/harness/baseline.js");
  const sessions = Array.from({ length: n }, (_, i) => ({
    uniqueName: `baseline-${n}-${runIndex}-${i}`,
    ttl: TTL_BEFORE,
  }));
  const spec: BaselineSpec = {
    baseUrl: ctx.emu.baseUrl,
    accountSid: ctx.emu.accountSid,
    authToken: ctx.emu.authToken,
    serviceSid: ctx.emu.serviceSid,
    concurrency: ctx.baselineWorkers,
    sessions,
  };
  fs.writeFileSync(specFile, JSON.stringify(spec));
  const out: Partial<Record<BenchCommand, BaselineOpResult>> = {};
  try {
    for (const op of BENCH_COMMANDS) {
      const bop = BASELINE_OF[op];
      if (!bop) continue;
      if (bop === "update") {
        const current = JSON.parse(fs.readFileSync(specFile, "utf8")) as BaselineSpec;
        for (const s of current.sessions) s.ttl = TTL_AFTER;
        fs.writeFileSync(specFile, JSON.stringify(current));
      }
      await ctx.emu.resetRequests();
      const wallStart = Date.now();
      const monitor = monitorOperation(ctx.emu.port);
      const { stdout, ms } = await run(script, [bop, specFile]);
      const { connections } = monitor.stop();
      const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as BaselineResult;
      out[op] = {
        wallMs: ms,
        httpMs: result.httpMs,
        connections,
        ...(await httpFigures(ctx.emu, ctx.latencyMs, wallStart)),
      };
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return out;
}

const cpuS = (ms: number) => (ms / 1000).toFixed(1);

function logOp(
  ctx: BenchContext,
  label: string,
  op: BenchCommand,
  r: CliOpResult & Partial<HttpFigures>,
) {
  const http = r.total === undefined ? "" : `  calls ${r.total}  max in flight ${r.maxConcurrent}`;
  const peak =
    r.provider.peakRssKiB === null ? "-" : `${Math.round(r.provider.peakRssKiB / 1024)} MiB`;
  ctx.log(
    `  ${label} ${op.padEnd(15)} ${(r.cliMs / 1000).toFixed(2).padStart(7)} s${http}` +
      `  provider peak ${peak}  CPU s: cli ${cpuS(r.cli.cpuMs)} provider ${cpuS(r.provider.cpuMs)}` +
      ` program ${cpuS(r.driverCpuMs)}`,
  );
}

/** One run at one N: the engine's five operations, the floor's, then the baseline's. */
export async function measureRun(
  ctx: BenchContext,
  stacks: { engine: BenchStack; floor: BenchStack },
  runIndex: number,
): Promise<RunResult> {
  const n = stacks.engine.decl.n;
  const label = (what: string) => `N=${n} run ${runIndex + 1} ${what.padEnd(6)}`;
  const engine = {} as Record<BenchCommand, EngineOpResult>;
  const floor = {} as Record<BenchCommand, CliOpResult>;
  const state = {} as RunResult["state"];
  for (const op of BENCH_COMMANDS) {
    engine[op] = await engineOp(ctx, stacks.engine, op);
    if (op === "create")
      state.engine = stateAnatomy(stacks.engine.local.stateText(), ":ProxySession");
    logOp(ctx, label("engine"), op, engine[op]);
  }
  for (const op of BENCH_COMMANDS) {
    floor[op] = await cliOp(ctx, stacks.floor, op);
    if (op === "create") state.floor = stateAnatomy(stacks.floor.local.stateText(), ":Resource");
    logOp(ctx, label("floor"), op, floor[op]);
  }
  const baseline = await baselineOps(ctx, n, runIndex);
  ctx.log(
    `  ${label("baseline")} ` +
      Object.entries(baseline)
        .map(([op, r]) => `${op} ${(r.wallMs / 1000).toFixed(2)} s`)
        .join(", "),
  );
  return { n, run: runIndex, engine, floor, baseline, state };
}
