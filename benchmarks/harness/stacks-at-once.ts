// Several stacks deployed by several processes, as a team's pipeline runners do: each stack's
// `pulumi up` runs in a worker process of its own (stack-worker.ts), at most `atOnce` at a time,
// all sharing one state backend and one emulator (one Twilio account).
import { execFile } from "node:child_process";
import * as path from "node:path";
import type { EmulatorProcess } from "../../scripts/lib/emulator-process";
import type { WorkerResult, WorkerSpec } from "./stack-worker";

export interface StacksRun {
  /** From the first worker's start to the last one's exit. */
  wallMs: number;
  workers: WorkerResult[];
}

export interface StacksSpec {
  kind: WorkerSpec["kind"];
  stacks: number;
  perStack: number;
  atOnce: number;
  backendUrl: string;
  /** Distinguishes the stacks and unique names of this run from every other run's. */
  label: string;
  config?: Record<string, string>;
}

const WORKER = path.join(__dirname, "stack-worker.js");

function runWorker(spec: WorkerSpec): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [WORKER, JSON.stringify(spec)],
      { encoding: "utf8", maxBuffer: 64 * 2 ** 20 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`stack ${spec.stackName}: ${stderr.trim() || err.message}`));
        else resolve(JSON.parse(stdout.trim().split("\n").at(-1)!) as WorkerResult);
      },
    );
  });
}

export async function runStacksAtOnce(
  emu: EmulatorProcess,
  latencyMs: number,
  s: StacksSpec,
): Promise<StacksRun> {
  const specs: WorkerSpec[] = Array.from({ length: s.stacks }, (_, i) => ({
    kind: s.kind,
    n: s.perStack,
    stackName: `${s.label}-${i}`,
    prefix: `${s.label}-${i}`,
    backendUrl: s.backendUrl,
    access: { accountSid: emu.accountSid, authToken: emu.authToken, baseUrl: emu.baseUrl },
    serviceSid: emu.serviceSid,
    latencyMs,
    config: s.config,
  }));
  const started = performance.now();
  const workers: WorkerResult[] = [];
  let next = 0;
  const lane = async () => {
    while (next < specs.length) workers.push(await runWorker(specs[next++]));
  };
  await Promise.all(Array.from({ length: Math.min(s.atOnce, specs.length) }, lane));
  return { wallMs: performance.now() - started, workers };
}
