// One measured run: the five Pulumi operations on a stack of N sessions, then the baseline
// script making the same HTTP calls, with the emulator's counters and log read after each.
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { ProxySession } from "pulumi-twilio-proxy";
import type { OperationId } from "../../emulator";
import { createLocalStack, pulumiRoot, repoRoot, type LocalStack } from "../lib/local-stack";
import type { BaselineOp, BaselineResult, BaselineSpec } from "./baseline";
import type { EmulatorProcess } from "../lib/emulator-process";
import { monitorOperation, type ProcessSample } from "./procmon";
import { summarizeLog } from "./stats";

export const OPERATIONS = ["create", "preview", "preview-refresh", "update", "destroy"] as const;
export type Operation = (typeof OPERATIONS)[number];

export const COMMANDS: Record<Operation, string> = {
  create: "pulumi up",
  preview: "pulumi preview",
  "preview-refresh": "pulumi preview --refresh",
  update: "pulumi up (every ttl changed)",
  destroy: "pulumi destroy",
};

/** The baseline operation with the same HTTP calls; preview makes none. */
export const BASELINE_OF: Record<Operation, BaselineOp | null> = {
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
  /** First and last request arrival, ms after the command started; null without requests. */
  firstRequestMs: number | null;
  lastRequestMs: number | null;
}

export interface EngineOpResult extends HttpFigures {
  /** Wall time of the `pulumi …` process, spawn to exit. */
  cliMs: number;
  /** Wall time of the Automation API call (adds `stack output` / `stack history` after up). */
  automationMs: number;
  provider: ProcessSample;
  cli: ProcessSample;
  /** TCP connections the operation opened to the emulator (null without /proc). */
  connections: number | null;
  /** CPU time of this driver process, which hosts the inline program. */
  driverCpuMs: number;
}

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
  engine: Record<Operation, EngineOpResult>;
  baseline: Partial<Record<Operation, BaselineOpResult>>;
  /** Size of the stack's state file after create, bytes. */
  stateBytes: number;
  /** Length of one session's serialized `__provider`, bytes. */
  providerBytes: number;
  /** One session's resource entry in the state file, as the backend writes it, bytes. */
  resourceBytes: number;
}

export interface BenchContext {
  emu: EmulatorProcess;
  latencyMs: number;
  /** Passed as --parallel when set; otherwise the CLI's default applies. */
  parallel?: number;
  /** The baseline's concurrency: the engine's effective parallelism. */
  concurrency: number;
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

/** The program: N sessions, each with a uniqueName and a ttl read at each run. */
interface Declaration {
  n: number;
  ttl: number;
  prefix: string;
}

function program(decl: Declaration, serviceSid: string) {
  return async () => {
    for (let i = 0; i < decl.n; i++) {
      new ProxySession(`s${i}`, {
        serviceSid,
        uniqueName: `${decl.prefix}-${i}`,
        ttl: decl.ttl,
      });
    }
    return {};
  };
}

/** Records the wall time of every `pulumi` process the Automation API runs for a stack. */
function timeCommands(stack: Stack): Array<{ args: string[]; ms: number }> {
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

async function httpFigures(ctx: BenchContext, startedAt: number): Promise<HttpFigures> {
  const [counts, log] = await Promise.all([ctx.emu.requests(), ctx.emu.log()]);
  const summary = summarizeLog(log, ctx.latencyMs);
  const calls = Object.fromEntries(
    Object.entries(counts.byOperation).filter(([, v]) => v > 0),
  ) as Calls;
  return {
    calls,
    total: counts.total,
    maxConcurrent: summary.maxConcurrent,
    firstRequestMs: summary.firstMs === null ? null : summary.firstMs - startedAt,
    lastRequestMs: summary.lastMs === null ? null : summary.lastMs - startedAt,
  };
}

export interface BenchStack {
  local: LocalStack;
  decl: Declaration;
  runs: Array<{ args: string[]; ms: number }>;
}

export async function createBenchStack(ctx: BenchContext, n: number): Promise<BenchStack> {
  const decl: Declaration = { n, ttl: TTL_BEFORE, prefix: `bench-${n}` };
  const local = await createLocalStack({
    program: program(decl, ctx.emu.serviceSid),
    project: "pulumi-twilio-proxy-bench",
    stackName: `bench-${n}`,
    access: {
      accountSid: ctx.emu.accountSid,
      authToken: ctx.emu.authToken,
      baseUrl: ctx.emu.baseUrl,
    },
    env: ctx.env,
  });
  return { local, decl, runs: timeCommands(local.stack) };
}

async function engineOp(ctx: BenchContext, bs: BenchStack, op: Operation): Promise<EngineOpResult> {
  const { stack } = bs.local;
  const parallel = ctx.parallel === undefined ? {} : { parallel: ctx.parallel };
  await ctx.emu.resetRequests();
  bs.runs.length = 0;
  const monitor = monitorOperation(ctx.emu.port);
  const cpuStart = process.cpuUsage();
  const wallStart = Date.now();
  const started = performance.now();
  switch (op) {
    case "create":
      bs.decl.ttl = TTL_BEFORE;
      await stack.up(parallel);
      break;
    case "preview":
      await stack.preview({ ...parallel, expectNoChanges: true });
      break;
    case "preview-refresh":
      await stack.preview({ ...parallel, refresh: true, expectNoChanges: true });
      break;
    case "update":
      bs.decl.ttl = TTL_AFTER;
      await stack.up(parallel);
      break;
    case "destroy":
      await stack.destroy(parallel);
      break;
  }
  const automationMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuStart);
  const { provider, cli: cliProcess, connections } = monitor.stop();
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
    ...(await httpFigures(ctx, wallStart)),
  };
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
  const script = path.join(repoRoot, "dist/scripts/bench/baseline.js");
  const sessions = Array.from({ length: n }, (_, i) => ({
    uniqueName: `baseline-${n}-${runIndex}-${i}`,
    ttl: TTL_BEFORE,
  }));
  const spec: BaselineSpec = {
    baseUrl: ctx.emu.baseUrl,
    accountSid: ctx.emu.accountSid,
    authToken: ctx.emu.authToken,
    serviceSid: ctx.emu.serviceSid,
    concurrency: ctx.concurrency,
    sessions,
  };
  fs.writeFileSync(specFile, JSON.stringify(spec));
  const out: Partial<Record<Operation, BaselineOpResult>> = {};
  try {
    for (const op of OPERATIONS) {
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
        ...(await httpFigures(ctx, wallStart)),
      };
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return out;
}

/** The state figures, read right after create. */
function stateFigures(local: LocalStack) {
  const text = local.stateText();
  const resources = (JSON.parse(text).checkpoint.latest?.resources ?? []) as Array<{
    type: string;
    inputs?: Record<string, unknown>;
  }>;
  const session = resources.find((r) => r.type.endsWith(":ProxySession"));
  const provider = session?.inputs?.__provider;
  // The backend writes the checkpoint indented by four spaces: measure one entry that way.
  const entry = session ? JSON.stringify(session, null, 4).replace(/^/gm, "            ") : "";
  return {
    stateBytes: Buffer.byteLength(text),
    providerBytes: typeof provider === "string" ? Buffer.byteLength(provider) : 0,
    resourceBytes: Buffer.byteLength(entry),
  };
}

export async function measureRun(
  ctx: BenchContext,
  bs: BenchStack,
  runIndex: number,
): Promise<RunResult> {
  const n = bs.decl.n;
  const engine = {} as Record<Operation, EngineOpResult>;
  let state = { stateBytes: 0, providerBytes: 0, resourceBytes: 0 };
  for (const op of OPERATIONS) {
    engine[op] = await engineOp(ctx, bs, op);
    if (op === "create") state = stateFigures(bs.local);
    const r = engine[op];
    ctx.log(
      `  N=${n} run ${runIndex + 1} ${op.padEnd(15)} ${(r.cliMs / 1000).toFixed(2).padStart(7)} s` +
        `  calls ${r.total}  max in flight ${r.maxConcurrent}  connections ${r.connections}` +
        `  provider peak ${r.provider.peakRssKiB === null ? "-" : `${Math.round(r.provider.peakRssKiB / 1024)} MiB`}` +
        `  CPU s: cli ${(r.cli.cpuMs / 1000).toFixed(1)} provider ${(r.provider.cpuMs / 1000).toFixed(1)}` +
        ` program ${(r.driverCpuMs / 1000).toFixed(1)}`,
    );
  }
  const baseline = await baselineOps(ctx, n, runIndex);
  ctx.log(
    `  N=${n} run ${runIndex + 1} baseline       ` +
      Object.entries(baseline)
        .map(([op, r]) => `${op} ${(r.wallMs / 1000).toFixed(2)} s`)
        .join(", "),
  );
  return { n, run: runIndex, engine, baseline, ...state };
}
