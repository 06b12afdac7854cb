// BENCHMARKS.md, from a summarised run. benchmarks/before-after.md, the hand-written history of
// past changes, is appended as it is.
import * as fs from "node:fs";
import * as path from "node:path";
import { SCENARIO, type ConcurrencyResult, type ScenarioOp } from "./concurrency";
import { renderTeamsSection, type TeamsResult } from "./teams";
import {
  BASELINE_OF,
  COMMANDS,
  BENCH_COMMANDS,
  TTL_AFTER,
  TTL_BEFORE,
  type Calls,
} from "./measure";
import type { StateAnatomy } from "./state";
import {
  maxOrNull,
  nonNull,
  sameCalls,
  type BenchResults,
  type CpuSplit,
  type SizeSummary,
  type Spread,
} from "./summary";

/** The engine / floor ratio the package aims at, for create, update, refresh and destroy. */
const FLOOR_TARGET = 1.15;
const TARGET_OPS = ["create", "update", "preview-refresh", "destroy"] as const;

// ---------------------------------------------------------------------------------------------
// Formatting

const seconds = (ms: number | null) =>
  ms === null || Number.isNaN(ms) ? "n/a" : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
const withRange = (s: Spread) =>
  `${seconds(s.median)} (${seconds(s.min).replace(" s", "")}–${seconds(s.max)})`;
const ratio = (r: number | null, digits = 1) => (r === null ? "n/a" : `${r.toFixed(digits)}×`);
const ratioRange = (s: Spread) => `${ratio(s.median, 2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
const mib = (kib: number | null) => (kib === null ? "n/a" : `${(kib / 1024).toFixed(0)} MiB`);
const ms = (v: number) => `${Math.round(v)} ms`;
const cpuS = (v: number) => (v / 1000).toFixed(1);
const cpuText = (c: CpuSplit) => `${cpuS(c.cli)} / ${cpuS(c.provider)} / ${cpuS(c.program)}`;
const bytes = (b: number) =>
  b >= 1024 * 1024
    ? `${(b / 1024 / 1024).toFixed(2)} MiB`
    : b >= 10 * 1024
      ? `${(b / 1024).toFixed(1)} KiB`
      : `${Math.round(b).toLocaleString("en-US")} B`;
const callsText = (c: Calls | null) => {
  if (c === null) return "n/a";
  const entries = Object.entries(c);
  return entries.length ? entries.map(([op, k]) => `${op} ${k}`).join(", ") : "0";
};
const row = (cells: Array<string | number>) => `| ${cells.join(" | ")} |`;
const table = (head: string[], align: string[], rows: Array<Array<string | number>>) =>
  [row(head), row(align), ...rows.map(row)].join("\n");

// ---------------------------------------------------------------------------------------------
// Tables

/** Wall times: engine, floor and baseline, medians with min–max, and the ratios. */
function timeTable(s: SizeSummary): string {
  return table(
    ["operation", "engine", "floor", "engine / floor", "baseline", "engine / baseline"],
    ["---", "---:", "---:", "---:", "---:", "---:"],
    BENCH_COMMANDS.map((op) => {
      const o = s.ops[op];
      return [
        `\`${COMMANDS[op]}\``,
        withRange(o.engine),
        withRange(o.floor),
        ratioRange(o.engineOverFloor),
        o.baseline ? withRange(o.baseline) : "~0 (no calls)",
        o.baseline ? ratio(o.engineOverBaseline) : `n/a: overhead ${seconds(o.engine.median)}`,
      ];
    }),
  );
}

/** Where the engine's time goes: HTTP, connections, CPU, memory. */
function detailTable(s: SizeSummary): string {
  return table(
    [
      "operation",
      "HTTP calls (engine; baseline)",
      "most in flight",
      "connections opened",
      "first call after",
      "CPU s: CLI / provider / program",
      "floor CPU s",
      "provider peak RSS",
    ],
    ["---", "---", "---:", "---:", "---:", "---:", "---:", "---:"],
    BENCH_COMMANDS.map((op) => {
      const o = s.ops[op];
      const none = BASELINE_OF[op] === null;
      const pair = (a: number | null, b: number | null) =>
        none ? "n/a" : `${a ?? "n/a"} / ${b ?? "n/a"}`;
      return [
        `\`${COMMANDS[op]}\``,
        `${callsText(o.calls)}${o.callsVaried ? " (varied)" : ""}${none ? "" : `; ${callsText(o.baselineCalls)}`}`,
        pair(o.maxConcurrent, o.baselineMaxConcurrent),
        pair(o.connections, o.baselineConnections),
        seconds(o.firstRequestMs),
        cpuText(o.cpu),
        cpuText(o.floorCpu),
        `${mib(o.providerPeakKiB)}${o.providerProcesses > 1 ? ` (${o.providerProcesses} processes)` : ""}`,
      ];
    }),
  );
}

/** What one more resource costs, between consecutive sizes: the slope of time against N. */
function marginalTable(summary: SizeSummary[]): string | undefined {
  if (summary.length < 2) return undefined;
  const spans = summary.slice(1).map((s, i) => [summary[i], s] as const);
  const per = (x: number | undefined, y: number | undefined, a: SizeSummary, b: SizeSummary) =>
    x === undefined || y === undefined ? "n/a" : `${Math.round((y - x) / (b.n - a.n))} ms`;
  return table(
    ["operation", ...spans.map(([a, b]) => `N ${a.n} → ${b.n}: engine (floor; baseline)`)],
    ["---", ...spans.map(() => "---:")],
    BENCH_COMMANDS.map((op) => [
      `\`${COMMANDS[op]}\``,
      ...spans.map(([a, b]) => {
        const [x, y] = [a.ops[op], b.ops[op]];
        return (
          `${per(x.engine.median, y.engine.median, a, b)}` +
          ` (${per(x.floor.median, y.floor.median, a, b)};` +
          ` ${per(x.baseline?.median, y.baseline?.median, a, b)})`
        );
      }),
    ]),
  );
}

function stateTable(summary: SizeSummary[]): string {
  return table(
    [
      "N",
      "state file after create",
      "per session (floor: per resource)",
      "one entry (floor)",
      "`__provider`, stored twice (floor)",
    ],
    ["---:", "---:", "---:", "---:", "---:"],
    summary.map((s) => [
      s.n,
      bytes(s.state.engine.fileBytes),
      `${bytes(s.bytesPerSession)} (${bytes(s.floorBytesPerResource)})`,
      `${bytes(s.state.engine.entryBytes)} (${bytes(s.state.floor.entryBytes)})`,
      `${bytes(s.state.engine.providerBytes)} (${bytes(s.state.floor.providerBytes)})`,
    ]),
  );
}

/** Who reads each part of a session's state entry. */
const NEEDED_BY: Record<string, string> = {
  urn: "engine: the resource's identity",
  custom: "engine",
  id: "engine; read, update, delete (the session SID)",
  type: "engine",
  parent: "engine",
  provider: "engine: the provider instance",
  propertyDependencies: "engine: one entry per input",
  created: "engine",
  modified: "engine",
  sourcePosition: "engine: where the program declared it",
  stackTrace: "engine: the program's call stack there",
  "inputs.__provider": "engine: the provider host loads the provider from it (preview, up)",
  "outputs.__provider": "engine: refresh and destroy load the provider from it",
  "outputs.serviceSid": "user; read, update, delete (the session's URL); diff",
  "outputs.uniqueName": "user; diff (replaces)",
  "outputs.mode": "user; diff (replaces)",
  "outputs.participants": "user; diff (replaces)",
  "outputs.status": "user; diff (updates)",
  "outputs.ttl": "user; diff (updates)",
  "outputs.dateExpiry": "user; diff (updates)",
  "outputs.__declared": "refresh: which inputs to rebuild (hidden from the CLI display)",
};
const neededBy = (part: string) =>
  NEEDED_BY[part] ??
  (part.startsWith("inputs.")
    ? "engine: the last declared inputs"
    : part.startsWith("outputs.")
      ? "user (an output)"
      : "engine");

/** Every part of one session's entry, beside the floor's. */
function anatomyTable(engine: StateAnatomy, floor: StateAnatomy): string {
  const parts = [...new Set([...Object.keys(engine.parts), ...Object.keys(floor.parts)])];
  const punctuation = (a: StateAnatomy) =>
    a.entryBytes - Object.values(a.parts).reduce((x, y) => x + y, 0);
  const cell = (a: StateAnatomy, part: string) =>
    a.parts[part] === undefined ? "—" : String(a.parts[part]);
  return table(
    ["part", "bytes", "floor", "needed by"],
    ["---", "---:", "---:", "---"],
    [
      ...parts.map((part) => [
        `\`${part}\``,
        cell(engine, part),
        cell(floor, part),
        neededBy(part),
      ]),
      ["JSON punctuation", punctuation(engine), punctuation(floor), ""],
      ["**one entry**", `**${engine.entryBytes}**`, `**${floor.entryBytes}**`, ""],
    ],
  );
}

const scenarioCell = (o: ScenarioOp) =>
  o.error
    ? `failed after ${seconds(o.cliMs)}: ${o.error.replace(/\|/g, "\\|")}`
    : `${seconds(o.cliMs)}; ${o.requests} requests, ${o.logTruncated ? "≥ " : ""}${o.tooManyRequests} × 429; ${o.maxInFlight} in flight`;

function concurrencySection(c: ConcurrencyResult | null): string {
  const title =
    `### Concurrency: N = ${SCENARIO.n}, \`--parallel ${SCENARIO.parallel}\`, ` +
    `the emulator answering 429 beyond ${SCENARIO.maxConcurrent} requests in flight`;
  if (!c) return `${title}\n\nNot run (\`--quick\` or \`--no-concurrency\`).\n`;
  if (c.unavailable) return `${title}\n\nNot available: ${c.unavailable}.\n`;
  const rows = c.variants.map((v) =>
    v.available
      ? [`${v.name} the adaptive limit`, scenarioCell(v.create), scenarioCell(v.destroy)]
      : [`${v.name} the adaptive limit`, `not available: ${v.reason}`, ""],
  );
  // What Twilio itself allows: N requests, K at a time, one latency each.
  const physical = (SCENARIO.n * c.latencyMs) / SCENARIO.maxConcurrent;
  const refused = c.variants.map((v) =>
    v.available ? `${v.name}: ${v.create.tooManyRequests + v.destroy.tooManyRequests}` : "",
  );
  return `${title}

${c.latencyMs} ms per request. Wall time of the \`pulumi\` process; requests and 429 answers at the
emulator.

${table(["provider", "`pulumi up` (create)", "`pulumi destroy`"], ["---", "---", "---"], rows)}

The physical limit, N × latency / K, is ${seconds(physical)} per operation (the target: within
1.25 × that, ${seconds(physical * 1.25)}); 429 answers in all (up and destroy), against a target of
at most 2 × K = ${2 * SCENARIO.maxConcurrent}: ${refused.filter(Boolean).join(", ")}. Compare the
wall times with the floor's \`pulumi up\` at N = ${SCENARIO.n} above: the engine's own cost per
step, not Twilio's limit, sets them.
`;
}

// ---------------------------------------------------------------------------------------------
// The document

export function renderMarkdown(
  r: BenchResults,
  where: { chartLink: string; outDir: string; mdFile: string },
): string {
  const sections = [
    header(r),
    renderSummary(r),
    machineSection(r),
    methodSection(r),
    parallelismSection(r),
    resultsSection(r, where.chartLink),
    renderFindings(r),
  ];
  const teams = path.join(where.outDir, "teams.json");
  if (fs.existsSync(teams)) {
    const result = JSON.parse(fs.readFileSync(teams, "utf8")) as TeamsResult;
    const chart = path.relative(
      path.dirname(where.mdFile),
      path.join(where.outDir, "scale-out.svg"),
    );
    sections.push(renderTeamsSection(result, chart));
  }
  const history = path.join(path.dirname(where.mdFile), "benchmarks", "before-after.md");
  if (fs.existsSync(history)) sections.push(fs.readFileSync(history, "utf8").trim() + "\n");
  return sections.join("\n");
}

function header(r: BenchResults): string {
  const env = Object.entries(r.env).map(([k, v]) => `${k}=${v}`);
  const how = [r.label ? `label: ${r.label}` : "", env.length ? `with ${env.join(" ")}` : ""];
  const note = how.filter(Boolean).join(", ");
  return `# Benchmarks

What a ProxySession costs in a stack, how the cost grows with the number of sessions, and how far
it is from the least any dynamic provider costs on the same engine. Generated by one run of
\`npm run bench\`${note ? ` (${note})` : ""}: every figure outside the "Teams" and
"Before/after" sections was measured by that run. Raw data: \`benchmarks/results.json\`.
`;
}

function renderSummary(r: BenchResults): string {
  const lines = ["## Summary", ""];
  const last = r.summary[r.summary.length - 1];
  const floorRatios = TARGET_OPS.map((op) => {
    const q = last.ops[op].engineOverFloor;
    return `${op === "preview-refresh" ? "refresh" : op} ${ratioRange(q)}${q.median <= FLOOR_TARGET ? "" : " (above)"}`;
  });
  lines.push(
    `- Engine / floor at N = ${last.n} (medians, min–max of the runs; target ≤ ${FLOOR_TARGET}): ` +
      `${floorRatios.join(", ")}.`,
  );
  const baselineRatios = r.summary
    .map(
      (s) =>
        `N = ${s.n}: create ${ratio(s.ops.create.engineOverBaseline)}, refresh ${ratio(s.ops["preview-refresh"].engineOverBaseline)}`,
    )
    .join("; ");
  lines.push(
    `- Engine / baseline (\`pulumi up\` create, \`pulumi preview --refresh\`): ${baselineRatios}.`,
  );
  const expected: Record<string, string> = {
    create: "CreateSession",
    "preview-refresh": "FetchSession",
    update: "UpdateSession",
    destroy: "DeleteSession",
  };
  const asExpected = r.summary.every((s) =>
    BENCH_COMMANDS.every((op) => {
      const want = expected[op];
      const c = s.ops[op].calls;
      return want ? sameCalls(c, { [want]: s.n }) : Object.keys(c).length === 0;
    }),
  );
  lines.push(
    `- HTTP calls per operation: ${asExpected ? "exactly" : "NOT always"} one per session for create` +
      ` (CreateSession), refresh (FetchSession), update (UpdateSession) and destroy (DeleteSession);` +
      ` none for preview${asExpected ? "" : " (see the tables)"}.`,
  );
  lines.push(
    `- State at N = ${last.n}: ${bytes(last.bytesPerSession)} per session (the floor:` +
      ` ${bytes(last.floorBytesPerResource)} per resource), of which \`__provider\` is` +
      ` ${last.state.engine.providerBytes} B, stored twice (inputs and outputs).`,
  );
  const c = r.concurrency;
  const ran = c?.variants.filter((v) => v.available) ?? [];
  lines.push(
    `- Concurrency (N = ${SCENARIO.n}, \`--parallel ${SCENARIO.parallel}\`, 429 beyond` +
      ` ${SCENARIO.maxConcurrent} in flight): ${
        !c
          ? "not run"
          : c.unavailable
            ? `not available (${c.unavailable})`
            : ran
                .map((v) =>
                  v.available
                    ? `${v.name} the adaptive limit, \`pulumi up\` ${scenarioCell(v.create)}`
                    : "",
                )
                .join("; ") || "not available"
      }.`,
  );
  const peaks = nonNull(
    r.summary.flatMap((s) => BENCH_COMMANDS.map((op) => s.ops[op].providerPeakKiB)),
  );
  if (peaks.length) {
    lines.push(
      `- Provider process peak RSS: ${mib(Math.min(...peaks))} to ${mib(Math.max(...peaks))} over all N and operations.`,
    );
  }
  return lines.join("\n") + "\n";
}

function machineSection(r: BenchResults): string {
  const m = r.machine;
  const parallel =
    r.parallel.passed === null
      ? `the CLI's default, ${r.parallel.cliDefault}`
      : `\`--parallel ${r.parallel.passed}\` (the CLI's default is ${r.parallel.cliDefault})`;
  const skipped = r.skippedRuns.length
    ? ` (left out to stay within the time budget: ${r.skippedRuns.map((x) => `${x.runs} at N = ${x.n}`).join(", ")})`
    : "";
  return `## Machine and run

| | |
| --- | --- |
| date | ${r.date} |
| CPU | ${m.cpuModel}, ${m.cores} cores |
| memory | ${m.memoryGiB} GiB |
| OS | ${m.os} |
| Node | ${m.node} |
| Pulumi CLI | ${m.pulumi} |
| emulator latency | ${r.latencyMs} ms added to every Twilio request (the floor waits as long per operation) |
| engine parallelism | ${parallel} |
| runs per N | ${r.runsPerSize}${skipped}; figures are medians, with min–max where shown |
| load average (1, 5, 15 min) | start ${r.load.start}; end ${r.load.end} (the end includes the run's own load) |
| other work at start | ${r.otherWork === undefined ? "not recorded" : r.otherWork.join("; ") || "none"} |
| duration | ${(r.durationS / 60).toFixed(1)} min |
`;
}

function methodSection(r: BenchResults): string {
  const m = r.machine;
  return `## Method

- The emulator runs as its own process (\`node dist/emulator/cli.js --port 0 --latency-ms ${r.latencyMs}\`),
  so it shares no event loop with the driver, which hosts the inline Pulumi programs.
- Each N gets isolated offline stacks (\`scripts/lib/local-stack.ts\`: the real CLI through the
  Automation API, inline program, temp file backend, temp \`PULUMI_HOME\`). A run is, at each N:
  \`pulumi up\` (create), \`pulumi preview\` (no change), \`pulumi preview --refresh\`, \`pulumi up\`
  after changing every ttl from ${TTL_BEFORE} to ${TTL_AFTER}, and \`pulumi destroy\`, first on the
  engine's stack, then on the floor's; then the baseline. One unmeasured warm-up run (N = 2) comes
  first.
- **Engine**: N \`ProxySession\`s, each with a \`uniqueName\` and a \`ttl\`, against the emulator.
  Its time is the wall time of the \`pulumi\` process, spawn to exit. (The Automation API's \`up\`
  and \`destroy\` then also run \`pulumi stack output\` and \`pulumi stack history\`; those are not
  counted, but the Automation API call's total is in \`results.json\` as \`automationMs\`.) The
  Automation API runs \`pulumi up --yes --skip-preview\`, as CI does.
- **Floor**: the same N (same names, same ttl and ttl change) of a no-op dynamic resource
  (\`benchmarks/harness/floor.ts\`), through the same CLI, parallelism and backend. Its provider
  (\`benchmarks/harness/floor-provider.ts\`) waits ${r.latencyMs} ms, the emulator's latency, once per
  create, read, update and delete, as one HTTP call would, and does nothing else; it has no check
  and no diff. Its state is the smallest a dynamic resource can have: one input (\`ttl\`), no
  output, a \`__provider\` that only \`require\`s the provider. No dynamic provider can
  do the same operations for less on this engine: engine / floor is what this package adds.
- **Baseline**: a plain Node script (\`dist/benchmarks/harness/baseline.js\`, no Pulumi) making exactly
  the same HTTP calls as the engine (same method, path and form, one keep-alive agent) from a pool
  of ${r.parallel.baselineWorkers} workers, the engine's parallelism. Its time is the script's
  wall time, spawn to exit; its HTTP phase alone is \`baselineHttpMs\` in \`results.json\`.
  \`pulumi preview\` makes no call, so its baseline is ~0: the ratio is n/a and the table shows the
  engine's absolute overhead instead.
- **Min–max**: the fastest and slowest run; the engine / floor range is over the runs' ratios
  (engine and floor run back to back in each run).
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
- **State**: the stack's state file after create divided by N; "one entry" is one resource as the
  file backend stores it (compact JSON), and each part is its \`"key":value,\` there
  (\`benchmarks/harness/state.ts\`). \`__provider\` is the provider's code, which state holds in each
  resource's inputs and again in its outputs.
- **Concurrency**: a separate stack of ${SCENARIO.n} sessions, \`pulumi up\` and \`pulumi destroy\`
  with \`--parallel ${SCENARIO.parallel}\` while the emulator answers 429 to requests beyond
  ${SCENARIO.maxConcurrent} in flight (its \`maxConcurrent\` fault), with and without the provider's
  adaptive concurrency limit (\`benchmarks/harness/concurrency.ts\`).
- **Provider start-up** is measured apart, ${r.startup.runs} times: the CLI's
  \`pulumi-resource-pulumi-nodejs\` shim and \`node …/cmd/dynamic-provider\` alone, each from spawn to
  the gRPC port it prints, and the time to load this package's implementation once Pulumi's
  modules are loaded.
`;
}

function parallelismSection(r: BenchResults): string {
  const m = r.machine;
  const big = r.summary.filter((s) => s.n >= r.parallel.baselineWorkers);
  const observed = big.flatMap((s) =>
    BENCH_COMMANDS.filter((op) => BASELINE_OF[op] !== null).map((op) => s.ops[op].maxConcurrent),
  );
  const refreshMax = maxOrNull(big.map((s) => s.ops["preview-refresh"].maxConcurrent));
  return `## Pulumi's default parallelism

\`pulumi up --help\` of the real CLI ${m.pulumi} says: \`${r.parallel.helpLine}\`. The CLI's source
(\`pkg/cmd/pulumi/operations/up.go\`, \`defaultParallel()\`) computes it as
\`4 × runtime.GOMAXPROCS(0)\` unless \`PULUMI_PARALLEL\` is set, i.e. 4 × ${m.cores} cores =
${4 * m.cores} on this machine (and 4 × the core count elsewhere). Observed at the emulator: at most
${observed.length ? Math.max(...observed) : "n/a"} requests in flight in any engine operation with N ≥ ${r.parallel.baselineWorkers}${refreshMax === null ? "" : `; \`preview --refresh\` reached ${refreshMax}`}.
Operations whose CLI is busy on CPU stay below it (see "most in flight" and "CPU" below).
`;
}

function resultsSection(r: BenchResults, chartLink: string): string {
  const out = [
    `## Results

![time against N](${chartLink})

Wall time against N (log–log): engine solid, floor dotted, baseline dashed, one colour per
operation.
`,
  ];
  for (const s of r.summary) {
    const runs = `${s.runs} run${s.runs === 1 ? "" : "s"}`;
    out.push(
      `### N = ${s.n} (${runs}: medians, min–max)\n\n${timeTable(s)}\n\n${detailTable(s)}\n`,
    );
  }
  const marginal = marginalTable(r.summary);
  if (marginal) {
    out.push(
      `### Cost of one more resource\n\nThe slope of time against N between consecutive sizes,` +
        ` per resource (medians).\n\n${marginal}\n`,
    );
  }
  const last = r.summary[r.summary.length - 1];
  out.push(`### State

${stateTable(r.summary)}

What one session's entry holds at N = ${last.n}, part by part, beside the floor's, and who needs
each part:

${anatomyTable(last.state.engine, last.state.floor)}
`);
  out.push(concurrencySection(r.concurrency));
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
  return out.join("\n");
}

function renderFindings(r: BenchResults): string {
  const first = r.summary[0];
  const last = r.summary[r.summary.length - 1];
  const lines = ["## Where the time goes (this run)", ""];
  const st = r.startup;
  lines.push(
    `- **Fixed cost per command.** \`pulumi preview\` makes no HTTP call and takes` +
      ` ${seconds(first.ops.preview.engine.median)} at N = ${first.n} (the floor:` +
      ` ${seconds(first.ops.preview.floor.median)}); \`pulumi up\` sends its first request` +
      ` ${seconds(first.ops.create.firstRequestMs)} after the CLI starts. Provider start-up is` +
      ` ${ms(st.shimMs)} of that, of which this package's implementation is` +
      ` ${ms(st.implementationMs)}; the rest is Pulumi's provider host.`,
  );
  const growth = (["create", "update", "destroy"] as const).map((op) => {
    const o = last.ops[op];
    return (
      `\`${COMMANDS[op]}\` ${seconds(o.engine.median)} (floor ${seconds(o.floor.median)},` +
      ` baseline ${seconds(o.baseline?.median ?? null)}); CLI CPU ${cpuS(o.cpu.cli)} s` +
      ` (floor ${cpuS(o.floorCpu.cli)} s)`
    );
  });
  lines.push(
    `- **Growth with N.** The CLI saves the whole state after every step, so a write operation` +
      ` costs O(N × state per resource) of CLI CPU. At N = ${last.n}, with` +
      ` ${bytes(last.state.engine.entryBytes)} per session against the floor's` +
      ` ${bytes(last.state.floor.entryBytes)} per resource: ${growth.join("; ")}.`,
  );
  const rf = last.ops["preview-refresh"];
  if (rf.firstRequestMs !== null && rf.afterLastRequestMs !== null) {
    const reads = rf.engine.median - rf.afterLastRequestMs - rf.firstRequestMs + r.latencyMs;
    lines.push(
      `- **Refresh.** At N = ${last.n}, \`preview --refresh\` sends its first read` +
        ` ${seconds(rf.firstRequestMs)} after the CLI starts; the reads take ${seconds(reads)} with up to` +
        ` ${rf.maxConcurrent} in flight (the baseline's HTTP phase: ${seconds(rf.baselineHttpMs)}). The` +
        ` ${seconds(rf.afterLastRequestMs)} after the last read is the preview pass, with` +
        ` ${rf.providerProcesses} provider process${rf.providerProcesses === 1 ? "" : "es"} in all, checking and diffing every session.`,
    );
  }
  const conns = nonNull(
    r.summary.flatMap((s) => BENCH_COMMANDS.map((op) => s.ops[op].connections)),
  );
  if (conns.length) {
    lines.push(
      `- **Connection reuse.** Engine operations opened at most ${Math.max(...conns)} connections to the` +
        ` emulator for up to ${last.n} requests: the provider's keep-alive agent reuses them.`,
    );
  }
  return lines.join("\n") + "\n";
}
