// One stack's `pulumi up` in a process of its own, as one CI runner runs one stack: the scale-out
// scenario starts several at once. Usage: node stack-worker.js '<WorkerSpec as JSON>'. It creates
// the stack, prints `ready`, waits for a line on stdin, runs `pulumi up` and prints one line of
// JSON, a WorkerResult; so the set-up is not measured. The stack is removed afterwards (`pulumi
// stack rm --force`: the sessions stay at the emulator, which the scenario resets).
import * as readline from "node:readline";
import { createLocalStack, type TwilioAccess } from "../../scripts/lib/local-stack";
import { floorEnv, floorProgram } from "./floor";
import { sessionsProgram, timeCommands, TTL_BEFORE } from "./measure";
import { monitorOperation } from "./procmon";

export interface WorkerSpec {
  kind: "engine" | "floor";
  n: number;
  stackName: string;
  /** Unique names are `<prefix>-<i>`: unique in the Service across the stacks of a run. */
  prefix: string;
  /** The backend every stack of the run shares. */
  backendUrl: string;
  access: TwilioAccess;
  serviceSid: string;
  latencyMs: number;
  /** Stack config, e.g. `twilio-proxy:maxConcurrency`. */
  config?: Record<string, string>;
}

export interface WorkerResult {
  stackName: string;
  /** Wall time of the `pulumi up` process, spawn to exit. */
  cliMs: number;
  /** CPU time (user + system) of the `pulumi` CLI process. */
  cliCpuMs: number;
  providerCpuMs: number;
  /** The stack's state as `pulumi stack export` gives it, compact JSON, in bytes. */
  stateBytes: number;
  created: number;
}

async function main() {
  const spec = JSON.parse(process.argv[2]) as WorkerSpec;
  const decl = { n: spec.n, ttl: TTL_BEFORE };
  const local = await createLocalStack({
    program:
      spec.kind === "engine"
        ? sessionsProgram(decl, spec.serviceSid, spec.prefix)
        : floorProgram(decl),
    project: "pulumi-twilio-proxy-bench",
    stackName: spec.stackName,
    access: spec.access,
    backendUrl: spec.backendUrl,
    config: spec.config,
    env: floorEnv(spec.latencyMs),
  });
  try {
    const runs = timeCommands(local.stack);
    console.log("ready");
    const lines = readline.createInterface({ input: process.stdin });
    await new Promise((resolve) => lines.once("line", resolve));
    lines.close();
    const monitor = monitorOperation();
    let sample;
    let created: number;
    try {
      created = (await local.stack.up()).summary.resourceChanges?.create ?? 0;
    } finally {
      sample = monitor.stop();
    }
    if (created < spec.n) throw new Error(`${spec.stackName}: created ${created} of ${spec.n}`);
    const up = runs.find((r) => r.args[0] === "up");
    if (!up) throw new Error("no `pulumi up` run recorded");
    const state = await local.stack.exportStack();
    const result: WorkerResult = {
      stackName: spec.stackName,
      cliMs: up.ms,
      cliCpuMs: sample.cli.cpuMs,
      providerCpuMs: sample.provider.cpuMs,
      stateBytes: Buffer.byteLength(JSON.stringify(state.deployment)),
      created,
    };
    console.log(JSON.stringify(result));
  } finally {
    await local.dispose();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
