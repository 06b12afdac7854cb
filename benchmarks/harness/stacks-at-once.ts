// Several stacks deployed by several processes, as a team's pipeline runners do: each stack's
// `pulumi up` runs in a worker process of its own (stack-worker.ts), at most `atOnce` at a time,
// all sharing one state backend and one emulator (one Twilio account). Every worker sets its
// stack up first; the clock runs from the first `up` started to the last one finished.
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as readline from "node:readline";
import type { EmulatorProcess } from "../../scripts/lib/emulator-process";
import type { WorkerResult, WorkerSpec } from "./stack-worker";

export interface StacksRun {
  /** From the first `pulumi up` started to the last one finished. */
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

/** A started worker: its next stdout line, and its exit (rejecting with its stderr). */
function startWorker(spec: WorkerSpec) {
  const child: ChildProcess = spawn(process.execPath, [WORKER, JSON.stringify(spec)], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const exited = new Promise<void>((resolve, reject) =>
    child.once("exit", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`stack ${spec.stackName}: ${stderr.trim() || `exit ${code}`}`)),
    ),
  );
  exited.catch(() => {}); // reported through nextLine or by the caller's await
  const lines = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const nextLine = async () => {
    const line = await Promise.race([lines.next(), exited.then(() => ({ done: true }))]);
    if ("value" in line && !line.done) return line.value as string;
    throw new Error(`stack ${spec.stackName}: ended early: ${stderr.trim()}`);
  };
  return { child, nextLine, exited };
}

export async function runStacksAtOnce(
  emu: EmulatorProcess,
  latencyMs: number,
  s: StacksSpec,
): Promise<StacksRun> {
  const workers = Array.from({ length: s.stacks }, (_, i) =>
    startWorker({
      kind: s.kind,
      n: s.perStack,
      stackName: `${s.label}-${i}`,
      prefix: `${s.label}-${i}`,
      backendUrl: s.backendUrl,
      access: { accountSid: emu.accountSid, authToken: emu.authToken, baseUrl: emu.baseUrl },
      serviceSid: emu.serviceSid,
      latencyMs,
      config: s.config,
    }),
  );
  try {
    for (const w of workers) {
      const line = await w.nextLine();
      if (line !== "ready") throw new Error(`a stack worker said "${line}", not "ready"`);
    }
    const started = performance.now();
    const results: WorkerResult[] = [];
    let next = 0;
    const lane = async () => {
      while (next < workers.length) {
        const w = workers[next++];
        w.child.stdin!.end("go\n");
        results.push(JSON.parse(await w.nextLine()) as WorkerResult);
      }
    };
    await Promise.all(Array.from({ length: Math.min(s.atOnce, workers.length) }, lane));
    const wallMs = performance.now() - started;
    await Promise.all(workers.map((w) => w.exited));
    return { wallMs, workers: results };
  } finally {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill();
  }
}
