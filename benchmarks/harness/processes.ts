// One account, several processes: R `pulumi up` processes at once (N sessions each, separate
// stacks on one backend) against an emulator that answers 429 to requests beyond K in flight
// account-wide, with and without its Twilio-Concurrent-Requests header (the
// `concurrentRequestsHeader` reading). The processes never talk to each other: only the header
// can tell each one what the others have in flight.
import type { EmulatorProcess } from "../../scripts/lib/emulator-process";
import type { BackendFactory } from "./scale-out";
import { runStacksAtOnce } from "./stacks-at-once";

export const PROCESSES = { r: [1, 2, 4], n: 200, maxConcurrent: 10 } as const;

/** Retries per request: R processes meet many 429s without the header; none may give up. */
const MAX_RETRIES = "20";

export interface ProcessesRun {
  r: number;
  header: boolean;
  wallMs: number;
  /** 429 answers of the emulator's concurrency limit, all processes together. */
  tooManyRequests: number;
  requests: number;
  /** R·N·latency/K: the account's limit kept full all along. */
  idealMs: number;
  /** The engine floor's wall time for the same R processes of N resources (no limit). */
  floorMs: number;
  /**
   * The same R processes of this provider against an account that limits nothing (no 429 can
   * happen): what the account's limit and the limiter add is `wallMs` beyond it. Absent in
   * runs made before it was measured.
   */
  unlimitedMs?: number;
}

interface FaultsAnswer {
  injected: { concurrency429: number };
}

export async function measureProcesses(
  emu: EmulatorProcess,
  latencyMs: number,
  fresh: BackendFactory,
  log: (line: string) => void,
  n: number = PROCESSES.n,
): Promise<ProcessesRun[]> {
  /** Wall time of R processes of N resources each, for each R, against no account limit. */
  const wallOfEach = async (kind: "floor" | "engine", prefix: string, what: string) => {
    const wallMs = new Map<number, number>();
    for (const r of PROCESSES.r) {
      const label = `${prefix}${r}`;
      await emu.control("POST", "reset");
      await emu.control("POST", "faults", { latencyMs });
      const run = await runStacksAtOnce(emu, latencyMs, {
        kind,
        stacks: r,
        perStack: n,
        atOnce: r,
        backendUrl: await fresh(label),
        label,
      });
      wallMs.set(r, run.wallMs);
      log(`  processes R=${r} ${what}: ${(run.wallMs / 1000).toFixed(1)} s`);
    }
    return wallMs;
  };
  const floorMs = await wallOfEach("floor", "pf", "floor");
  const unlimitedMs = await wallOfEach("engine", "pu", "with no account limit");
  const runs: ProcessesRun[] = [];
  for (const header of [false, true]) {
    for (const r of PROCESSES.r) {
      const label = `pr${r}${header ? "h" : "n"}`;
      await emu.control("POST", "reset");
      await emu.control("POST", "readings", {
        concurrentRequestsHeader: header ? "alternative" : "default",
      });
      await emu.control("POST", "faults", { latencyMs, maxConcurrent: PROCESSES.maxConcurrent });
      const run = await runStacksAtOnce(emu, latencyMs, {
        kind: "engine",
        stacks: r,
        perStack: n,
        atOnce: r,
        backendUrl: await fresh(label),
        label,
        config: { "twilio-proxy:maxRetries": MAX_RETRIES },
      });
      const faults = await emu.control<FaultsAnswer>("GET", "faults");
      const counts = await emu.requests();
      const result: ProcessesRun = {
        r,
        header,
        wallMs: run.wallMs,
        tooManyRequests: faults.injected.concurrency429,
        requests: counts.total,
        idealMs: (r * n * latencyMs) / PROCESSES.maxConcurrent,
        floorMs: floorMs.get(r)!,
        unlimitedMs: unlimitedMs.get(r),
      };
      log(
        `  processes R=${r} ${header ? "with" : "without"} the header: ` +
          `${(result.wallMs / 1000).toFixed(1)} s, ${result.tooManyRequests} × 429, ` +
          `${result.requests} requests`,
      );
      runs.push(result);
    }
  }
  await emu.control("POST", "reset");
  return runs;
}

/** The target: 1.25 × R·N·latency/K or the engine floor, whichever is larger. */
export const targetMs = (x: ProcessesRun) => Math.max(1.25 * x.idealMs, x.floorMs);

export function renderProcessesTable(runs: ProcessesRun[]): string {
  const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const lines = [
    "| processes R | Twilio-Concurrent-Requests | wall time | no account limit | 1.25 × R·N·latency/K | engine floor | within target | 429 answers | requests |",
    "| ---: | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
  ];
  for (const x of runs) {
    lines.push(
      `| ${x.r} | ${x.header ? "sent" : "not sent"} | ${sec(x.wallMs)} | ` +
        `${x.unlimitedMs === undefined ? "not measured" : sec(x.unlimitedMs)} | ${sec(1.25 * x.idealMs)} | ` +
        `${sec(x.floorMs)} | ${x.wallMs <= targetMs(x) ? "yes" : "no"} | ${x.tooManyRequests} | ` +
        `${x.requests} |`,
    );
  }
  return lines.join("\n");
}
