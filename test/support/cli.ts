// The `pulumi` CLI as a user runs it, in a project directory (language host, dynamic-provider
// shim), isolated: a temporary file backend and PULUMI_HOME, no update check, no plugin
// downloads, nothing in ~/.pulumi.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pulumiRoot } from "./engine";

export interface PulumiCli {
  /** Runs `pulumi <args> --non-interactive`, asynchronously (the emulator may answer from this process). */
  run(...args: string[]): Promise<{ status: number; out: string }>;
  /** The same, with these environment variables changed for this one command. */
  runWith(env: Record<string, string>, ...args: string[]): Promise<{ status: number; out: string }>;
  /** Removes the backend and PULUMI_HOME, and the stack config files `stack init` wrote. */
  dispose(): void;
}

export function pulumiCli(cwd: string, env: Record<string, string>): PulumiCli {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-cli-"));
  fs.mkdirSync(path.join(scratch, "state"));
  const stacks = new Set<string>();
  const fullEnv = {
    ...process.env,
    ...env,
    PATH: `${path.join(pulumiRoot(), "bin")}${path.delimiter}${process.env.PATH}`,
    PULUMI_HOME: path.join(scratch, "home"),
    PULUMI_BACKEND_URL: `file://${path.join(scratch, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "cli-test",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
  const bin = path.join(pulumiRoot(), "bin/pulumi");
  const runWith = (env: Record<string, string>, ...args: string[]) => {
    if (args[0] === "stack" && args[1] === "init") stacks.add(args[2]);
    return new Promise<{ status: number; out: string }>((resolve) =>
      execFile(
        bin,
        [...args, "--non-interactive"],
        { cwd, env: { ...fullEnv, ...env }, maxBuffer: 64 * 1024 * 1024 },
        (err, out, errOut) =>
          resolve({ status: err ? Number(err.code ?? 1) : 0, out: `${out}${errOut}` }),
      ),
    );
  };
  return {
    run: (...args) => runWith({}, ...args),
    runWith,
    dispose: () => {
      fs.rmSync(scratch, { recursive: true, force: true });
      for (const s of stacks) fs.rmSync(path.join(cwd, `Pulumi.${s}.yaml`), { force: true });
    },
  };
}
