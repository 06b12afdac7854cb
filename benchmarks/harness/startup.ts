// Provider start-up, measured apart from any stack: how long the dynamic provider takes from
// spawn until it can serve (it prints its gRPC port), and how much of that is this package.
import { execFileSync, spawn } from "node:child_process";
import * as path from "node:path";
import * as readline from "node:readline";
import { pulumiRoot, repoRoot } from "../../scripts/lib/local-stack";
import { median } from "./stats";

export interface StartupFigures {
  /** The CLI's view: the `pulumi-resource-pulumi-nodejs` shim, spawn to port printed. */
  shimMs: number;
  /** `node …/cmd/dynamic-provider` alone, spawn to port printed (no shim). */
  providerHostMs: number;
  /** Loading this package's implementation (dist/provider/runtime) once Pulumi's is loaded. */
  implementationMs: number;
  /** Of which axios. */
  axiosMs: number;
  /** `node -e 0`: the floor for any node process. */
  nodeMs: number;
  runs: number;
}

/** Spawns `cmd args` and resolves with the ms until it prints a line that is a port number. */
function untilPort(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // Any address will do: the provider only dials the engine when asked to.
    const child = spawn(cmd, [...args, "127.0.0.1:9"], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const rl = readline.createInterface({ input: child.stdout! });
    let done = false;
    rl.on("line", (line) => {
      if (done || !/^\d+$/.test(line.trim())) return;
      done = true;
      resolve(performance.now() - started);
      // The shim runs node as its child: end the whole group.
      process.kill(-child.pid!, "SIGKILL");
    });
    child.on("exit", (code) => {
      if (!done)
        reject(new Error(`${path.basename(cmd)} exited (${code}) before serving: ${stderr}`));
    });
  });
}

/** ms a fresh node takes for `code`'s timed part, which prints a number. */
function timedNode(code: string): number {
  return Number(execFileSync(process.execPath, ["-e", code], { cwd: repoRoot, encoding: "utf8" }));
}

function nodeFloor(): number {
  const started = performance.now();
  execFileSync(process.execPath, ["-e", "0"]);
  return performance.now() - started;
}

export async function measureStartup(runs = 3): Promise<StartupFigures> {
  const shim = path.join(pulumiRoot(), "bin", "pulumi-resource-pulumi-nodejs");
  const host = require.resolve("@pulumi/pulumi/cmd/dynamic-provider", { paths: [repoRoot] });
  const afterPulumi = (what: string) =>
    `require("@pulumi/pulumi/runtime"); require("@pulumi/pulumi/proto/provider_grpc_pb");` +
    `const t = performance.now(); require(${JSON.stringify(what)});` +
    `process.stdout.write(String(performance.now() - t));`;
  const r = {
    shim: [] as number[],
    host: [] as number[],
    impl: [] as number[],
    axios: [] as number[],
    node: [] as number[],
  };
  for (let i = 0; i < runs; i++) {
    r.shim.push(await untilPort(shim, []));
    r.host.push(await untilPort(process.execPath, [host]));
    r.impl.push(timedNode(afterPulumi("pulumi-twilio-proxy/dist/provider/runtime")));
    r.axios.push(timedNode(afterPulumi("axios")));
    r.node.push(nodeFloor());
  }
  return {
    shimMs: median(r.shim),
    providerHostMs: median(r.host),
    implementationMs: median(r.impl),
    axiosMs: median(r.axios),
    nodeMs: median(r.node),
    runs,
  };
}
