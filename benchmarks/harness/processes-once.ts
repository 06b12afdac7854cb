// The R-process scenario of `npm run bench -- --teams` (processes.ts) on its own, for a change
// that touches only the limiter or this scenario: the 2,000-session scale-out is left out, and
// BENCHMARKS.md is not rewritten. After `npm run build`, with nothing else running:
//   node dist/benchmarks/harness/processes-once.js > benchmarks/experiments/<label>.json
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulatorProcess } from "../../scripts/lib/emulator-process";
import { measureProcesses, PROCESSES, renderProcessesTable } from "./processes";
import { loadAverage, otherBusyProcesses } from "./procmon";
import { fileBackends } from "./scale-out";

const LATENCY_MS = 100;

async function main() {
  const started = new Date();
  const load = { start: loadAverage(), end: "" };
  const otherWork = await otherBusyProcesses();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bench-processes-"));
  const emu = await startEmulatorProcess(["--latency-ms", String(LATENCY_MS)]);
  try {
    const log = (line: string) => console.error(line);
    const runs = await measureProcesses(emu, LATENCY_MS, fileBackends(scratch), log);
    load.end = loadAverage();
    console.error(renderProcessesTable(runs));
    const { n, maxConcurrent } = PROCESSES;
    const durationS = Math.round((Date.now() - started.getTime()) / 1000);
    const date = started.toISOString();
    const result = { date, durationS, load, otherWork, latencyMs: LATENCY_MS, n, maxConcurrent };
    console.log(JSON.stringify({ ...result, runs }, null, 2));
  } finally {
    await emu.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
