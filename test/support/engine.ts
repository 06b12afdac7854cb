// Runs programs through the real Pulumi engine (CLI + Automation API inline programs) in
// isolation: a temp file backend, a temp PULUMI_HOME, passphrase secrets, no downloads.
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
import type { EmulatorHarness } from "./emulator";

export const repoRoot = path.resolve(__dirname, "../..");

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

export interface EngineStackOptions {
  project?: string;
  /** Extra stack config, plain values. */
  config?: Record<string, string>;
  /** Environment for the engine and the provider process, in place of stack config credentials. */
  env?: Record<string, string>;
  /** Pass credentials as stack config (default) or through the environment. */
  credentials?: "config" | "env";
}

export class EngineStack {
  private constructor(
    readonly stack: Stack,
    private readonly stateDir: string,
    private readonly dirs: string[],
  ) {}

  static async create(
    emu: EmulatorHarness,
    program: PulumiFn,
    opts: EngineStackOptions = {},
  ): Promise<EngineStack> {
    const root = pulumiRoot();
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-engine-"));
    const state = path.join(scratch, "state");
    const home = path.join(scratch, "home");
    fs.mkdirSync(state);
    fs.mkdirSync(home);
    // The provider process resolves @pulumi/pulumi and this package from its working
    // directory, so the workspace lives inside the repository (ignored by git).
    fs.mkdirSync(path.join(repoRoot, ".work"), { recursive: true });
    const workDir = fs.mkdtempSync(path.join(repoRoot, ".work", "stack-"));
    const project = opts.project ?? "proxy-session-e2e";
    const creds = opts.credentials ?? "config";
    const envVars: Record<string, string> = {
      PATH: `${path.join(root, "bin")}${path.delimiter}${process.env.PATH}`,
      PULUMI_HOME: home,
      PULUMI_BACKEND_URL: `file://${state}`,
      PULUMI_CONFIG_PASSPHRASE: "engine-tests",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_CONFIRMATIONS: "true",
      ...(creds === "env" ? emu.env() : {}),
      ...opts.env,
    };
    const stack = await LocalWorkspace.createStack(
      { stackName: "test", projectName: project, program },
      {
        workDir,
        pulumiHome: home,
        envVars,
        pulumiCommand: await PulumiCommand.get({ root, skipVersionCheck: false }),
        projectSettings: { name: project, runtime: "nodejs", backend: { url: `file://${state}` } },
      },
    );
    if (creds === "config") {
      await stack.setAllConfig({
        "twilio:accountSid": { value: emu.emulator.accountSid },
        "twilio:authToken": { value: emu.emulator.authToken, secret: true },
        "twilio:proxyBaseUrl": { value: emu.baseUrl },
      });
    }
    await stack.setAllConfig({
      [`${project}:serviceSid`]: { value: emu.serviceSid },
      ...Object.fromEntries(Object.entries(opts.config ?? {}).map(([k, v]) => [k, { value: v }])),
    });
    return new EngineStack(stack, state, [scratch, workDir]);
  }

  /**
   * The state as the backend stores it on disk (the Automation API's export would decrypt
   * secrets), as text and parsed.
   */
  async state(): Promise<{ text: string; resources: StateResource[] }> {
    const dir = path.join(this.stateDir, ".pulumi", "stacks");
    const files = fs.readdirSync(dir, { recursive: true, encoding: "utf8" });
    const file = files.find((f) => f.endsWith("test.json"));
    if (!file) throw new Error(`no stack state under ${dir}: ${files.join(", ")}`);
    const text = fs.readFileSync(path.join(dir, file), "utf8");
    const resources = (JSON.parse(text).checkpoint.latest?.resources ?? []) as StateResource[];
    return { text, resources };
  }

  async sessions(): Promise<StateResource[]> {
    return (await this.state()).resources.filter((r) => r.type.endsWith(":ProxySession"));
  }

  async dispose(): Promise<void> {
    await this.stack.workspace.removeStack("test", { force: true }).catch(() => {});
    for (const d of this.dirs) fs.rmSync(d, { recursive: true, force: true });
  }
}

export interface StateResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

/** The name part of a URN. */
export const urnName = (urn: string) => urn.split("::").at(-1)!;

/** Collects the operation the engine planned for each ProxySession, by resource name. */
export function recordOps(): {
  onEvent: (e: EngineEvent) => void;
  ops: () => Record<string, string>;
} {
  const seen: Record<string, string[]> = {};
  return {
    onEvent: (e) => {
      const m = e.resourcePreEvent?.metadata;
      if (!m || !m.type.endsWith(":ProxySession")) return;
      (seen[urnName(m.urn)] ??= []).push(m.op);
    },
    // A refresh step precedes the real plan under --refresh; "same" means nothing to do.
    ops: () =>
      Object.fromEntries(
        Object.entries(seen)
          .map(([name, ops]) => [name, ops.filter((op) => op !== "refresh" && op !== "same")])
          .filter(([, ops]) => ops.length > 0)
          .map(([name, ops]) => [name, (ops as string[]).join(",")]),
      ),
  };
}

type EngineEvent = import("@pulumi/pulumi/automation").EngineEvent;
