// Medians over runs, BENCHMARKS.md and the SVG chart (hand-written, no dependencies).
import * as fs from "node:fs";
import * as path from "node:path";
import {
  BASELINE_OF,
  COMMANDS,
  OPERATIONS,
  TTL_AFTER,
  TTL_BEFORE,
  type Calls,
  type Operation,
  type RunResult,
} from "./measure";
import type { StartupFigures } from "./startup";
import { median } from "./stats";

export interface OpSummary {
  engineMs: number;
  automationMs: number;
  baselineMs: number | null;
  baselineHttpMs: number | null;
  /** engine / baseline; null where the baseline makes no call (preview). */
  ratio: number | null;
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
  /** Median CPU time, ms: the CLI process, the provider process(es), the driver (program). */
  cpu: { cli: number; provider: number; program: number };
}

export interface SizeSummary {
  n: number;
  runs: number;
  ops: Record<Operation, OpSummary>;
  stateBytes: number;
  stateBytesPerSession: number;
  resourceBytes: number;
  providerBytes: number;
}

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
  latencyMs: number;
  parallel: {
    cliDefault: number;
    helpLine: string;
    passed: number | null;
    baselineConcurrency: number;
  };
  runsPerSize: number;
  /** Runs left out to stay within the time budget. */
  skippedRuns: Array<{ n: number; runs: number }>;
  sizes: number[];
  startup: StartupFigures;
  summary: SizeSummary[];
  runs: RunResult[];
}

const nonNull = <T>(xs: Array<T | null | undefined>): T[] => xs.filter((x): x is T => x != null);
const medianOrNull = (xs: Array<number | null | undefined>) => {
  const v = nonNull(xs);
  return v.length ? median(v) : null;
};
const maxOrNull = (xs: Array<number | null | undefined>) => {
  const v = nonNull(xs);
  return v.length ? Math.max(...v) : null;
};
const sameCalls = (a: Calls, b: Calls) => JSON.stringify(a) === JSON.stringify(b);

export function summarize(runs: RunResult[], sizes: number[]): SizeSummary[] {
  return sizes
    .filter((n) => runs.some((r) => r.n === n))
    .map((n) => {
      const rs = runs.filter((r) => r.n === n);
      const ops = {} as Record<Operation, OpSummary>;
      for (const op of OPERATIONS) {
        const e = rs.map((r) => r.engine[op]);
        const b = nonNull(rs.map((r) => r.baseline[op]));
        const engineMs = median(e.map((x) => x.cliMs));
        const baselineMs = b.length ? median(b.map((x) => x.wallMs)) : null;
        ops[op] = {
          engineMs,
          automationMs: median(e.map((x) => x.automationMs)),
          baselineMs,
          baselineHttpMs: b.length ? median(b.map((x) => x.httpMs)) : null,
          ratio: baselineMs === null || BASELINE_OF[op] === null ? null : engineMs / baselineMs,
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
          cpu: {
            cli: median(e.map((x) => x.cli.cpuMs)),
            provider: median(e.map((x) => x.provider.cpuMs)),
            program: median(e.map((x) => x.driverCpuMs)),
          },
        };
      }
      const stateBytes = median(rs.map((r) => r.stateBytes));
      return {
        n,
        runs: rs.length,
        ops,
        stateBytes,
        stateBytesPerSession: stateBytes / n,
        resourceBytes: median(rs.map((r) => r.resourceBytes)),
        providerBytes: median(rs.map((r) => r.providerBytes)),
      };
    });
}

// ---------------------------------------------------------------------------------------------
// Formatting

export const seconds = (ms: number | null) =>
  ms === null ? "n/a" : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
const ratioText = (r: number | null) => (r === null ? "n/a" : `${r.toFixed(1)}×`);
const mib = (kib: number | null) => (kib === null ? "n/a" : `${(kib / 1024).toFixed(0)} MiB`);
const ms = (v: number) => `${Math.round(v)} ms`;
const cpuS = (v: number) => (v / 1000).toFixed(1);
const pct = (before: number, after: number) => {
  const d = ((after - before) / before) * 100;
  return `${d > 0 ? "+" : d < 0 ? "−" : "±"}${Math.abs(d).toFixed(0)} %`;
};
export const bytes = (b: number) =>
  b >= 1024 * 1024
    ? `${(b / 1024 / 1024).toFixed(2)} MiB`
    : b >= 10 * 1024
      ? `${(b / 1024).toFixed(1)} KiB`
      : `${Math.round(b)} B`;
export const callsText = (c: Calls | null) => {
  if (c === null) return "n/a";
  const entries = Object.entries(c);
  return entries.length ? entries.map(([op, k]) => `${op} ${k}`).join(", ") : "0";
};
const row = (cells: Array<string | number>) => `| ${cells.join(" | ")} |`;

export function resultsTable(s: SizeSummary): string {
  const rows = [
    row([
      "operation",
      "engine",
      "baseline",
      "engine / baseline",
      "HTTP calls (engine; baseline)",
      "most in flight",
      "connections opened",
      "first call after",
      "CPU s: CLI / provider / program",
      "provider peak RSS",
    ]),
    row(["---", "---:", "---:", "---:", "---", "---:", "---:", "---:", "---:", "---:"]),
  ];
  for (const op of OPERATIONS) {
    const o = s.ops[op];
    const none = BASELINE_OF[op] === null;
    const pair = (a: number | null, b: number | null) =>
      none ? "n/a" : `${a ?? "n/a"} / ${b ?? "n/a"}`;
    rows.push(
      row([
        `\`${COMMANDS[op]}\``,
        seconds(o.engineMs),
        none ? "~0 (no calls)" : seconds(o.baselineMs),
        none ? `n/a: overhead ${seconds(o.engineMs)}` : ratioText(o.ratio),
        `${callsText(o.calls)}${o.callsVaried ? " (varied)" : ""}${none ? "" : `; ${callsText(o.baselineCalls)}`}`,
        pair(o.maxConcurrent, o.baselineMaxConcurrent),
        pair(o.connections, o.baselineConnections),
        seconds(o.firstRequestMs),
        `${cpuS(o.cpu.cli)} / ${cpuS(o.cpu.provider)} / ${cpuS(o.cpu.program)}`,
        `${mib(o.providerPeakKiB)}${o.providerProcesses > 1 ? ` (${o.providerProcesses} processes)` : ""}`,
      ]),
    );
  }
  return rows.join("\n");
}

export function stateTable(summary: SizeSummary[]): string {
  const rows = [
    row([
      "N",
      "state file after create",
      "state per session",
      "one session's entry",
      "`__provider` (stored twice per session)",
    ]),
    row(["---:", "---:", "---:", "---:", "---:"]),
  ];
  for (const s of summary) {
    rows.push(
      row([
        s.n,
        bytes(s.stateBytes),
        bytes(s.stateBytesPerSession),
        bytes(s.resourceBytes),
        `${s.providerBytes} B`,
      ]),
    );
  }
  return rows.join("\n");
}

/** What one more session costs, between consecutive sizes: the slope of time against N. */
export function marginalTable(summary: SizeSummary[]): string | undefined {
  if (summary.length < 2) return undefined;
  const spans = summary.slice(1).map((s, i) => [summary[i], s] as const);
  const rows = [
    row(["operation", ...spans.map(([a, b]) => `N ${a.n} → ${b.n}: engine (baseline)`)]),
    row(["---", ...spans.map(() => "---:")]),
  ];
  const per = (x: number, y: number, a: SizeSummary, b: SizeSummary) =>
    `${Math.round((y - x) / (b.n - a.n))} ms`;
  for (const op of OPERATIONS) {
    rows.push(
      row([
        `\`${COMMANDS[op]}\``,
        ...spans.map(([a, b]) => {
          const [x, y] = [a.ops[op], b.ops[op]];
          const base =
            x.baselineMs === null || y.baselineMs === null
              ? "n/a"
              : per(x.baselineMs, y.baselineMs, a, b);
          return `${per(x.engineMs, y.engineMs, a, b)} (${base})`;
        }),
      ]),
    );
  }
  return rows.join("\n");
}

/** A before/after table over the sizes both runs measured. */
export function comparisonTable(
  before: BenchResults,
  after: BenchResults,
  names: [string, string] = ["before", "after"],
): string {
  const [was, now] = names;
  const rows = [
    row(["N", "operation", was, now, "change", `CLI CPU s: ${was} → ${now}`, "HTTP calls"]),
    row(["---:", "---", "---:", "---:", "---:", "---:", "---"]),
  ];
  const sizes = before.summary.map((s) => s.n).filter((n) => after.summary.some((s) => s.n === n));
  for (const n of sizes) {
    const b = before.summary.find((s) => s.n === n)!;
    const a = after.summary.find((s) => s.n === n)!;
    for (const op of OPERATIONS) {
      const [x, y] = [b.ops[op], a.ops[op]];
      rows.push(
        row([
          n,
          `\`${COMMANDS[op]}\``,
          seconds(x.engineMs),
          seconds(y.engineMs),
          pct(x.engineMs, y.engineMs),
          `${cpuS(x.cpu.cli)} → ${cpuS(y.cpu.cli)}`,
          sameCalls(x.calls, y.calls)
            ? `${callsText(x.calls)} (same)`
            : `${callsText(x.calls)} → ${callsText(y.calls)}`,
        ]),
      );
    }
    rows.push(
      row([
        n,
        "state per session",
        bytes(b.stateBytesPerSession),
        bytes(a.stateBytesPerSession),
        pct(b.stateBytesPerSession, a.stateBytesPerSession),
        "",
        `\`__provider\` ${b.providerBytes} B → ${a.providerBytes} B`,
      ]),
    );
  }
  const fmt = (r: BenchResults) =>
    `${r.date.slice(0, 16).replace("T", " ")} UTC, ${r.runsPerSize} run(s) per N, load ${r.load.start} → ${r.load.end}` +
    `${
      Object.keys(r.env).length
        ? `, env ${Object.entries(r.env)
            .map(([k, v]) => `${k}=${v}`)
            .join(" ")}`
        : ""
    }` +
    `${r.parallel.passed === null ? "" : `, --parallel ${r.parallel.passed}`}`;
  const cap = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);
  return `${rows.join("\n")}\n\n${cap(was)}: ${fmt(before)}. ${cap(now)}: ${fmt(after)}.`;
}

// ---------------------------------------------------------------------------------------------
// BENCHMARKS.md

/**
 * Hand-written sections kept across regenerations. A line `<!-- compare BEFORE AFTER -->` or
 * `<!-- compare BEFORE AFTER | name | name -->` becomes a comparison table of those results files
 * (paths relative to the section's directory), with those column names.
 */
const SECTIONS_FILE = "before-after.md";

function includeSections(dir: string): string | undefined {
  const file = path.join(dir, SECTIONS_FILE);
  if (!fs.existsSync(file)) return undefined;
  return fs
    .readFileSync(file, "utf8")
    .replace(
      /^<!-- compare (\S+) (\S+)(?: \| (.+?) \| (.+?))? -->$/gm,
      (_, before: string, after: string, was?: string, now?: string) => {
        const load = (f: string) => {
          const r = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as BenchResults;
          return { ...r, summary: summarize(r.runs, r.sizes) };
        };
        const names: [string, string] | undefined = was && now ? [was, now] : undefined;
        return comparisonTable(load(before), load(after), names);
      },
    )
    .trim();
}

export function renderMarkdown(
  r: BenchResults,
  where: { chartLink: string; outDir: string; mdFile: string },
): string {
  const m = r.machine;
  const parallelNote =
    r.parallel.passed === null
      ? `the CLI's default, ${r.parallel.cliDefault}`
      : `\`--parallel ${r.parallel.passed}\` (the CLI's default is ${r.parallel.cliDefault})`;
  const observed = r.summary.flatMap((s) =>
    OPERATIONS.filter(
      (op) => BASELINE_OF[op] !== null && s.n >= r.parallel.baselineConcurrency,
    ).map((op) => s.ops[op].maxConcurrent),
  );
  const refreshMax = maxOrNull(
    r.summary
      .filter((s) => s.n >= r.parallel.baselineConcurrency)
      .map((s) => s.ops["preview-refresh"].maxConcurrent),
  );
  const skipped = r.skippedRuns.length
    ? ` (left out to stay within the time budget: ${r.skippedRuns.map((x) => `${x.runs} at N = ${x.n}`).join(", ")})`
    : "";
  const out: string[] = [];
  out.push(`# Benchmarks

What a ProxySession costs in a stack, and how the cost grows with the number of sessions.
Generated by \`npm run bench\`${r.label ? ` (label: ${r.label})` : ""}${
    Object.keys(r.env).length
      ? ` with ${Object.entries(r.env)
          .map(([k, v]) => `${k}=${v}`)
          .join(" ")}`
      : ""
  }:
every figure outside the "Before/after" section was measured by that run; that section's
figures come from the results files it names. Raw data: \`benchmarks/results.json\`.

${renderSummary(r)}

## Machine and run

| | |
| --- | --- |
| date | ${r.date} |
| CPU | ${m.cpuModel}, ${m.cores} cores |
| memory | ${m.memoryGiB} GiB |
| OS | ${m.os} |
| Node | ${m.node} |
| Pulumi CLI | ${m.pulumi} |
| emulator latency | ${r.latencyMs} ms added to every Twilio request |
| engine parallelism | ${parallelNote} |
| runs per N | ${r.runsPerSize}${skipped}; figures are medians |
| load average (1, 5, 15 min) | start ${r.load.start}; end ${r.load.end} (the end includes the run's own load) |
| duration | ${(r.durationS / 60).toFixed(1)} min |

## Method

- The emulator runs as its own process (\`node dist/emulator/cli.js --port 0 --latency-ms ${r.latencyMs}\`),
  so it shares no event loop with the driver, which hosts the inline Pulumi program.
- Each N gets an isolated offline stack (\`scripts/lib/local-stack.ts\`: the real CLI through the
  Automation API, inline program, temp file backend, temp \`PULUMI_HOME\`). The program declares N
  \`ProxySession\`s, each with a \`uniqueName\` and a \`ttl\`. A run is: \`pulumi up\` (create),
  \`pulumi preview\` (no change), \`pulumi preview --refresh\`, \`pulumi up\` after changing every
  ttl from ${TTL_BEFORE} to ${TTL_AFTER}, \`pulumi destroy\`, then the baseline. One unmeasured
  warm-up run (N = 2) comes first.
- **Engine** is the wall time of the \`pulumi\` process, spawn to exit. (The Automation API's \`up\`
  and \`destroy\` then also run \`pulumi stack output\` and \`pulumi stack history\`; those are not
  counted, but the Automation API call's total is in \`results.json\` as \`automationMs\`.) The
  Automation API runs \`pulumi up --yes --skip-preview\`, as CI does.
- **Baseline** is a plain Node script (\`dist/scripts/bench/baseline.js\`, no Pulumi) making exactly
  the same HTTP calls (same method, path and form, one keep-alive agent) from a pool of
  ${r.parallel.baselineConcurrency} workers, the engine's parallelism. Its time is the script's wall
  time, spawn to exit; its HTTP phase alone is \`baselineHttpMs\` in \`results.json\`.
  \`pulumi preview\` makes no call, so its baseline is ~0: the ratio is n/a and the table shows the
  engine's absolute overhead instead.
- **HTTP calls**: the emulator's per-operation counters, reset before every operation. **Most in
  flight**: from the emulator's request log, the most requests that arrived within one latency
  (${r.latencyMs} ms) of each other, engine / baseline. **Connections opened**: distinct client
  ports of established connections to the emulator in \`/proc/net/tcp\`, sampled every 50 ms.
  **First call after**: from the CLI's start to the first request's arrival.
- **CPU** (user + system, from \`/proc/<pid>/stat\`): the \`pulumi\` process, the dynamic provider
  process(es), and the driver process, which runs the inline program (and the Automation API's
  event-log reader). On ${m.cores} cores, a sum near ${m.cores} × the wall time means the operation
  is CPU-bound.
- **Provider peak RSS**: the dynamic provider is a node process started by the CLI (its command
  line contains \`@pulumi/pulumi/cmd/dynamic-provider\`); the driver polls
  \`/proc/<pid>/status\` every 50 ms and keeps the highest \`VmHWM\`. Only processes descending
  from the driver are counted, not other Pulumi runs on the machine.
- **State**: the stack's checkpoint file after create (\`LocalStack.stateText()\`) divided by N;
  "one session's entry" is one resource as the backend writes it; \`__provider\` is the serialized
  provider string, which state holds in each session's inputs and again in its outputs.
- **Provider start-up** is measured apart, ${r.startup.runs} times: the CLI's
  \`pulumi-resource-pulumi-nodejs\` shim and \`node …/cmd/dynamic-provider\` alone, each from spawn to
  the gRPC port it prints, and the time to load this package's implementation once Pulumi's
  modules are loaded.

## Pulumi's default parallelism

\`pulumi up --help\` of the real CLI ${m.pulumi} says: \`${r.parallel.helpLine}\`. The CLI's source
(\`pkg/cmd/pulumi/operations/up.go\`, \`defaultParallel()\`) computes it as
\`4 × runtime.GOMAXPROCS(0)\` unless \`PULUMI_PARALLEL\` is set, i.e. 4 × ${m.cores} cores =
${4 * m.cores} on this machine (and 4 × the core count elsewhere). Observed at the emulator: at most
${observed.length ? Math.max(...observed) : "n/a"} requests in flight in any engine operation with N ≥ ${r.parallel.baselineConcurrency}${refreshMax === null ? "" : `; \`preview --refresh\` reached ${refreshMax}`}.
Operations whose CLI is busy on CPU stay below it (see "most in flight" and "CPU" below).

## Results

![time against N](${where.chartLink})

Wall time against N (log–log): engine solid, baseline dashed, one colour per operation.
`);
  for (const s of r.summary) {
    out.push(
      `### N = ${s.n} (${s.runs} run${s.runs === 1 ? "" : "s"}, medians)\n\n${resultsTable(s)}\n`,
    );
  }
  const marginal = marginalTable(r.summary);
  if (marginal) {
    out.push(
      `### Cost of one more session\n\nThe slope of time against N between consecutive sizes,` +
        ` per session (medians).\n\n${marginal}\n`,
    );
  }
  out.push(`### State and \`__provider\`\n\n${stateTable(r.summary)}\n`);
  const st = r.startup;
  out.push(`### Provider start-up (median of ${st.runs})

| what | time |
| --- | ---: |
| \`pulumi-resource-pulumi-nodejs\` shim, spawn to serving (what the CLI waits for) | ${ms(st.shimMs)} |
| \`node …/@pulumi/pulumi/cmd/dynamic-provider\` alone, spawn to serving | ${ms(st.providerHostMs)} |
| of which this package: loading \`dist/provider/runtime\` after Pulumi's modules | ${ms(st.implementationMs)} |
| axios alone, loaded the same way | ${ms(st.axiosMs)} |
| \`node -e 0\`, for scale | ${ms(st.nodeMs)} |
`);
  out.push(renderFindings(r));
  const sections = includeSections(path.join(path.dirname(where.mdFile), "benchmarks"));
  if (sections) out.push(`${sections}\n`);
  return out.join("\n");
}

function renderSummary(r: BenchResults): string {
  const lines = ["## Summary", ""];
  const ratios = r.summary
    .map(
      (s) =>
        `N = ${s.n}: create ${ratioText(s.ops.create.ratio)}, refresh ${ratioText(s.ops["preview-refresh"].ratio)}`,
    )
    .join("; ");
  lines.push(
    `- Engine / baseline (\`pulumi up\` create, \`pulumi preview --refresh\`): ${ratios}.`,
  );
  const expected: Record<Operation, string> = {
    create: "CreateSession",
    preview: "",
    "preview-refresh": "FetchSession",
    update: "UpdateSession",
    destroy: "DeleteSession",
  };
  const asExpected = r.summary.every((s) =>
    OPERATIONS.every((op) => {
      const c = s.ops[op].calls;
      const want = expected[op];
      return want === "" ? Object.keys(c).length === 0 : sameCalls(c, { [want]: s.n });
    }),
  );
  lines.push(
    `- HTTP calls per operation: ${asExpected ? "exactly" : "NOT always"} one per session for create` +
      ` (CreateSession), refresh (FetchSession), update (UpdateSession) and destroy (DeleteSession);` +
      ` none for preview${asExpected ? "" : " (see the tables)"}.`,
  );
  const last = r.summary[r.summary.length - 1];
  lines.push(
    `- State: ${bytes(last.stateBytesPerSession)} per session at N = ${last.n}, of which \`__provider\`` +
      ` is ${last.providerBytes} B, stored twice (inputs and outputs).`,
  );
  const peaks = nonNull(
    r.summary.flatMap((s) => OPERATIONS.map((op) => s.ops[op].providerPeakKiB)),
  );
  if (peaks.length) {
    lines.push(
      `- Provider process peak RSS: ${mib(Math.min(...peaks))} to ${mib(Math.max(...peaks))} over all N and operations.`,
    );
  }
  return lines.join("\n");
}

function renderFindings(r: BenchResults): string {
  const first = r.summary[0];
  const last = r.summary[r.summary.length - 1];
  const lines = ["## Where the time goes (this run)", ""];
  const pv = first.ops.preview;
  const st = r.startup;
  lines.push(
    `- **Fixed cost per command.** \`pulumi preview\` makes no HTTP call and takes ${seconds(pv.engineMs)}` +
      ` at N = ${first.n}; \`pulumi up\` sends its first request ${seconds(first.ops.create.firstRequestMs)} after` +
      ` the CLI starts. Provider start-up is ${ms(st.shimMs)} of that, of which this package's` +
      ` implementation is ${ms(st.implementationMs)}; the rest is Pulumi's provider host.`,
  );
  const growth = (["create", "update", "destroy"] as const).map((op) => {
    const o = last.ops[op];
    return (
      `\`${COMMANDS[op]}\` ${seconds(o.engineMs)} vs ${seconds(o.baselineMs)} baseline; CPU s` +
      ` CLI ${cpuS(o.cpu.cli)}, provider ${cpuS(o.cpu.provider)}, program ${cpuS(o.cpu.program)}` +
      ` (the CLI on CPU ${((o.cpu.cli / o.engineMs) * 100).toFixed(0)} % of the wall time)`
    );
  });
  lines.push(`- **Growth with N.** At N = ${last.n}: ${growth.join("; ")}.`);
  const rf = last.ops["preview-refresh"];
  if (rf.firstRequestMs !== null && rf.afterLastRequestMs !== null) {
    const reads = rf.engineMs - rf.afterLastRequestMs - rf.firstRequestMs + r.latencyMs;
    lines.push(
      `- **Refresh.** At N = ${last.n}, \`preview --refresh\` sends its first read` +
        ` ${seconds(rf.firstRequestMs)} after the CLI starts; the reads take ${seconds(reads)} with up to` +
        ` ${rf.maxConcurrent} in flight (the baseline's HTTP phase: ${seconds(rf.baselineHttpMs)}). The` +
        ` ${seconds(rf.afterLastRequestMs)} after the last read is the preview pass, with` +
        ` ${rf.providerProcesses} provider process${rf.providerProcesses === 1 ? "" : "es"} in all, checking and diffing every session.`,
    );
  }
  const conns = nonNull(r.summary.flatMap((s) => OPERATIONS.map((op) => s.ops[op].connections)));
  if (conns.length) {
    lines.push(
      `- **Connection reuse.** Engine operations opened at most ${Math.max(...conns)} connections to the` +
        ` emulator for up to ${last.n} requests: the provider's keep-alive agent reuses them.`,
    );
  }
  return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// Chart

const COLORS: Record<Operation, string> = {
  create: "#1f77b4",
  preview: "#7f7f7f",
  "preview-refresh": "#2ca02c",
  update: "#ff7f0e",
  destroy: "#d62728",
};

const LABELS: Record<Operation, string> = {
  create: "pulumi up (create)",
  preview: "pulumi preview",
  "preview-refresh": "pulumi preview --refresh",
  update: "pulumi up (ttl changed)",
  destroy: "pulumi destroy",
};

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Time (s) against N, both on log scales; engine solid, baseline dashed. */
export function renderChart(r: BenchResults): string {
  const W = 800;
  const H = 480;
  const pad = { left: 70, right: 230, top: 40, bottom: 56 };
  const pw = W - pad.left - pad.right;
  const ph = H - pad.top - pad.bottom;
  const ns = r.summary.map((s) => s.n);
  const values: number[] = [];
  for (const s of r.summary) {
    for (const op of OPERATIONS) {
      values.push(s.ops[op].engineMs / 1000);
      if (s.ops[op].baselineMs !== null && BASELINE_OF[op])
        values.push(s.ops[op].baselineMs! / 1000);
    }
  }
  const decade = (v: number, up: boolean) =>
    10 ** (up ? Math.ceil(Math.log10(v)) : Math.floor(Math.log10(v)));
  const yMin = decade(Math.min(...values), false);
  const yMax = decade(Math.max(...values), true);
  const xMin = Math.min(...ns);
  const xMax = Math.max(...ns);
  const lx = (n: number) =>
    xMax === xMin
      ? pad.left + pw / 2
      : pad.left + (Math.log10(n / xMin) / Math.log10(xMax / xMin)) * pw;
  const ly = (s: number) => pad.top + ph - (Math.log10(s / yMin) / Math.log10(yMax / yMin)) * ph;
  const f = (v: number) => v.toFixed(1);

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${pad.left}" y="22" font-size="14" font-weight="bold">${esc(`ProxySession: wall time against N (${r.latencyMs} ms per request, parallelism ${r.parallel.baselineConcurrency})`)}</text>`,
  );
  // Grid and axes.
  for (let y = yMin; y <= yMax * 1.0001; y *= 10) {
    for (const k of [1, 2, 5]) {
      const v = y * k;
      if (v > yMax * 1.0001) break;
      const py = ly(v);
      parts.push(
        `<line x1="${pad.left}" x2="${pad.left + pw}" y1="${f(py)}" y2="${f(py)}" stroke="${k === 1 ? "#cccccc" : "#eeeeee"}"/>`,
        `<text x="${pad.left - 8}" y="${f(py + 4)}" text-anchor="end" fill="#333">${v >= 1 ? v : v.toPrecision(1)} s</text>`,
      );
    }
  }
  for (const n of ns) {
    const px = lx(n);
    parts.push(
      `<line x1="${f(px)}" x2="${f(px)}" y1="${pad.top}" y2="${pad.top + ph}" stroke="#eeeeee"/>`,
      `<text x="${f(px)}" y="${pad.top + ph + 18}" text-anchor="middle" fill="#333">${n}</text>`,
    );
  }
  parts.push(
    `<rect x="${pad.left}" y="${pad.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`,
    `<text x="${pad.left + pw / 2}" y="${H - 14}" text-anchor="middle">sessions in the stack (N, log scale)</text>`,
    `<text transform="translate(18 ${pad.top + ph / 2}) rotate(-90)" text-anchor="middle">wall time (log scale)</text>`,
  );
  // Series.
  const series = (op: Operation, pick: (s: SizeSummary) => number | null, dashed: boolean) => {
    const pts = nonNull(
      r.summary.map((s) => {
        const v = pick(s);
        return v === null || v <= 0 ? null : ([lx(s.n), ly(v / 1000)] as const);
      }),
    );
    if (!pts.length) return;
    const d = pts.map(([x, y], i) => `${i ? "L" : "M"}${f(x)} ${f(y)}`).join(" ");
    parts.push(
      `<path d="${d}" fill="none" stroke="${COLORS[op]}" stroke-width="2"${dashed ? ' stroke-dasharray="6 4"' : ""}/>`,
      ...pts.map(
        ([x, y]) =>
          `<circle cx="${f(x)}" cy="${f(y)}" r="3" fill="${dashed ? "#ffffff" : COLORS[op]}" stroke="${COLORS[op]}" stroke-width="1.5"/>`,
      ),
    );
  };
  for (const op of OPERATIONS) {
    series(op, (s) => s.ops[op].engineMs, false);
    if (BASELINE_OF[op]) series(op, (s) => s.ops[op].baselineMs, true);
  }
  // Legend.
  const lgx = pad.left + pw + 16;
  let lgy = pad.top + 8;
  for (const op of OPERATIONS) {
    parts.push(
      `<line x1="${lgx}" x2="${lgx + 28}" y1="${lgy}" y2="${lgy}" stroke="${COLORS[op]}" stroke-width="2"/>`,
      `<text x="${lgx + 36}" y="${lgy + 4}">${esc(LABELS[op])}</text>`,
    );
    lgy += 20;
  }
  lgy += 10;
  parts.push(
    `<line x1="${lgx}" x2="${lgx + 28}" y1="${lgy}" y2="${lgy}" stroke="#333" stroke-width="2"/>`,
    `<text x="${lgx + 36}" y="${lgy + 4}">engine (solid)</text>`,
    `<line x1="${lgx}" x2="${lgx + 28}" y1="${lgy + 20}" y2="${lgy + 20}" stroke="#333" stroke-width="2" stroke-dasharray="6 4"/>`,
    `<text x="${lgx + 36}" y="${lgy + 24}">baseline script (dashed)</text>`,
    `<text x="${lgx}" y="${lgy + 50}" fill="#555">preview makes no HTTP call:</text>`,
    `<text x="${lgx}" y="${lgy + 66}" fill="#555">no baseline. The baselines of</text>`,
    `<text x="${lgx}" y="${lgy + 82}" fill="#555">the others nearly coincide.</text>`,
    `<text x="${lgx}" y="${lgy + 108}" fill="#555">${esc(`${r.machine.cores} cores, ${r.machine.pulumi}`)}</text>`,
    `<text x="${lgx}" y="${lgy + 124}" fill="#555">${esc(`medians of ${r.runsPerSize} run(s)`)}</text>`,
    `</svg>`,
  );
  return parts.join("\n") + "\n";
}
