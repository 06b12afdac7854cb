// An isolated, offline Pulumi stack for the tests, the demo and the benchmarks: the real CLI
// (found or built by ensure-pulumi.sh), a temp file backend, a temp PULUMI_HOME, passphrase
// secrets, no update check and no plugin downloads. Nothing touches the user's ~/.pulumi.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  LocalWorkspace,
  PulumiCommand,
  type PulumiFn,
  type Stack,
} from "@pulumi/pulumi/automation";

export const repoRoot = path.resolve(__dirname, "../..").replace(/[\\/]dist$/, "");

let cliRoot: string | undefined;
/** Finds or builds pulumi v3.248.0 (cached outside the checkout) and returns its root. */
export function pulumiRoot(): string {
  if (!cliRoot) {
    const out = execFileSync(path.join(repoRoot, "scripts/ensure-pulumi.sh"), {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    cliRoot = path.dirname(out.trim().split("\n").at(-1)!);
  }
  return cliRoot;
}

/** How the provider reaches Twilio (or the emulator). */
export interface TwilioAccess {
  accountSid: string;
  authToken: string;
  baseUrl: string;
}

export interface LocalStackOptions {
  program: PulumiFn;
  access: TwilioAccess;
  project?: string;
  stackName?: string;
  /** Plain stack config in the project's namespace, e.g. serviceSid. */
  config?: Record<string, string>;
  /** Credentials as stack config (default, authToken secret) or as TWILIO_* environment. */
  credentials?: "config" | "env";
  /** More environment for the CLI and the provider process. */
  env?: Record<string, string>;
  /**
   * A backend shared with other stacks (`file://DIR`, `postgres://…`); by default a file backend
   * of the stack's own in a temp folder.
   */
  backendUrl?: string;
}

export interface LocalStack {
  stack: Stack;
  /** The directory of the file backend (unused with `backendUrl`). */
  stateDir: string;
  /** The state as the own file backend stores it (secrets encrypted), as text. */
  stateText(): string;
  dispose(): Promise<void>;
}

export async function createLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const root = pulumiRoot();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-local-"));
  const stateDir = path.join(scratch, "state");
  const home = path.join(scratch, "home");
  fs.mkdirSync(stateDir);
  fs.mkdirSync(home);
  // The provider process resolves @pulumi/pulumi and this package from its working
  // directory, so the workspace lives inside the repository (ignored by git).
  fs.mkdirSync(path.join(repoRoot, ".work"), { recursive: true });
  const workDir = fs.mkdtempSync(path.join(repoRoot, ".work", "stack-"));
  const project = opts.project ?? "proxy-session-e2e";
  const stackName = opts.stackName ?? "test";
  const backend = opts.backendUrl ?? `file://${stateDir}`;
  const { access } = opts;
  const envCreds = {
    TWILIO_ACCOUNT_SID: access.accountSid,
    TWILIO_AUTH_TOKEN: access.authToken,
    TWILIO_PROXY_BASE_URL: access.baseUrl,
  };
  const stack = await LocalWorkspace.createStack(
    { stackName, projectName: project, program: opts.program },
    {
      workDir,
      pulumiHome: home,
      envVars: {
        PATH: `${path.join(root, "bin")}${path.delimiter}${process.env.PATH}`,
        PULUMI_HOME: home,
        PULUMI_BACKEND_URL: backend,
        PULUMI_CONFIG_PASSPHRASE: "local-stack",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_SKIP_CONFIRMATIONS: "true",
        ...(opts.credentials === "env" ? envCreds : {}),
        ...opts.env,
      },
      pulumiCommand: await PulumiCommand.get({ root }),
      // The URL only in the environment: a postgres:// one holds a password.
      projectSettings: { name: project, runtime: "nodejs" },
    },
  );
  if (opts.credentials !== "env") {
    await stack.setAllConfig({
      "twilio:username": { value: access.accountSid },
      "twilio:password": { value: access.authToken, secret: true },
      "twilio-proxy:baseUrl": { value: access.baseUrl },
    });
  }
  const config = Object.entries(opts.config ?? {});
  if (config.length > 0) {
    await stack.setAllConfig(
      Object.fromEntries(
        config.map(([k, v]) => [k.includes(":") ? k : `${project}:${k}`, { value: v }]),
      ),
    );
  }
  return {
    stack,
    stateDir,
    stateText: () => {
      const dir = path.join(stateDir, ".pulumi", "stacks");
      const files = fs.readdirSync(dir, { recursive: true, encoding: "utf8" });
      const file = files.find((f) => f.endsWith(`${stackName}.json`));
      if (!file) throw new Error(`no state for stack ${stackName} under ${dir}`);
      return fs.readFileSync(path.join(dir, file), "utf8");
    },
    dispose: async () => {
      await stack.workspace.removeStack(stackName, { force: true }).catch(() => {});
      for (const d of [scratch, workDir]) fs.rmSync(d, { recursive: true, force: true });
    },
  };
}
