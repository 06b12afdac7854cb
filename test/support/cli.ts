// The `pulumi` CLI as a user runs it, in a project directory (language host, dynamic-provider
// shim), isolated: a temporary file backend (or the backend URL given) and PULUMI_HOME, no update
// check, no plugin downloads, nothing in ~/.pulumi.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pulumiRoot } from "./engine";

export interface CliResult {
  /** The exit status; 128 + the signal number when a signal ended the CLI. */
  status: number;
  /** stdout then stderr, redacted. */
  out: string;
}

/** A `pulumi` command started and not awaited yet. */
export interface CliProcess {
  /** The CLI's pid, which is also its process group's id (it leads a group of its own). */
  pid: number;
  done: Promise<CliResult>;
}

export interface PulumiCli {
  /** Runs `pulumi <args> --non-interactive`, asynchronously (the emulator may answer from this process). */
  run(...args: string[]): Promise<CliResult>;
  /** The same, with these environment variables changed for this one command. */
  runWith(env: Record<string, string>, ...args: string[]): Promise<CliResult>;
  /**
   * Starts `pulumi <args> --non-interactive` as a CI runner starts a job step: in a process
   * group of its own, which the runner signals as a whole when the job is cancelled.
   */
  start(args: string[], env?: Record<string, string>): CliProcess;
  /** Removes the backend and PULUMI_HOME, and the stack config files `stack init` wrote. */
  dispose(): void;
}

export interface PulumiCliOptions {
  /** The state backend; a file backend in a temporary directory when absent. */
  backendUrl?: string;
  /** Applied to everything the CLI prints before a test sees it (a backend URL's password). */
  redact?: (text: string) => string;
}

const SIGNALS = os.constants.signals as Record<string, number>;

export function pulumiCli(
  cwd: string,
  env: Record<string, string>,
  options: PulumiCliOptions = {},
): PulumiCli {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-cli-"));
  fs.mkdirSync(path.join(scratch, "state"));
  const stacks = new Set<string>();
  const redact = options.redact ?? ((text: string) => text);
  const fullEnv = {
    ...process.env,
    ...env,
    PATH: `${path.join(pulumiRoot(), "bin")}${path.delimiter}${process.env.PATH}`,
    PULUMI_HOME: path.join(scratch, "home"),
    PULUMI_BACKEND_URL: options.backendUrl ?? `file://${path.join(scratch, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "cli-test",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
  const bin = path.join(pulumiRoot(), "bin/pulumi");
  const start = (args: string[], extraEnv: Record<string, string> = {}): CliProcess => {
    if (args[0] === "stack" && args[1] === "init") stacks.add(args[2]);
    const child = spawn(bin, [...args, "--non-interactive"], {
      cwd,
      env: { ...fullEnv, ...extraEnv },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const done = new Promise<CliResult>((resolve) =>
      child.on("close", (code, signal) =>
        resolve({
          status: code ?? 128 + (signal ? (SIGNALS[signal] ?? 0) : 0),
          out: redact(`${stdout}${stderr}`),
        }),
      ),
    );
    return { pid: child.pid!, done };
  };
  return {
    start,
    run: (...args) => start(args).done,
    runWith: (env, ...args) => start(args, env).done,
    dispose: () => {
      fs.rmSync(scratch, { recursive: true, force: true });
      for (const s of stacks) fs.rmSync(path.join(cwd, `Pulumi.${s}.yaml`), { force: true });
    },
  };
}
