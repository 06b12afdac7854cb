// Engine tests: the shared isolated local stack (scripts/lib/local-stack.ts), on the emulator.
import { spawn } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import type { EngineEvent, PulumiFn, Stack } from "@pulumi/pulumi/automation";
import * as langrpc from "@pulumi/pulumi/proto/language_grpc_pb";
import { createLocalStack, repoRoot, type LocalStack } from "../../scripts/lib/local-stack";
import type { EmulatorHarness } from "./emulator";

export { pulumiRoot, repoRoot } from "../../scripts/lib/local-stack";

export interface EngineStackOptions {
  project?: string;
  /** Extra stack config, plain values (serviceSid is set to the emulator's). */
  config?: Record<string, string>;
  /** More environment for the engine and the provider process. */
  env?: Record<string, string>;
  /** Pass credentials as stack config (default) or through the environment. */
  credentials?: "config" | "env";
}

export class EngineStack {
  private constructor(private readonly local: LocalStack) {}

  get stack(): Stack {
    return this.local.stack;
  }

  static async create(
    emu: EmulatorHarness,
    program: PulumiFn,
    opts: EngineStackOptions = {},
  ): Promise<EngineStack> {
    const local = await createLocalStack({
      program,
      access: {
        accountSid: emu.emulator.accountSid,
        authToken: emu.emulator.authToken,
        baseUrl: emu.baseUrl,
      },
      project: opts.project,
      credentials: opts.credentials,
      env: opts.env,
      config: { serviceSid: emu.serviceSid, ...opts.config },
    });
    return new EngineStack(local);
  }

  /** The state as the backend stores it on disk (secrets encrypted), as text and parsed. */
  async state(): Promise<{ text: string; resources: StateResource[] }> {
    const text = this.local.stateText();
    const resources = (JSON.parse(text).checkpoint.latest?.resources ?? []) as StateResource[];
    return { text, resources };
  }

  async sessions(): Promise<StateResource[]> {
    return (await this.state()).resources.filter((r) => r.type.endsWith(":ProxySession"));
  }

  dispose(): Promise<void> {
    return this.local.dispose();
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

/**
 * Runs pipelines/drift-gate.sh against the stack: the real CLI and `pulumi preview
 * --json`, with the inline program served the way the Automation API serves it (a language
 * server the CLI joins with --client), since no Node.js language host is needed that way.
 */
export async function runDriftGate(
  stack: EngineStack,
  program: PulumiFn,
  env: Record<string, string> = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  // Internal to @pulumi/pulumi (its .d.ts exports nothing); the Automation API uses it so.
  const { LanguageServer } = require("@pulumi/pulumi/automation/server") as {
    LanguageServer: new (p: PulumiFn) => grpc.UntypedServiceImplementation;
  };
  const server = new grpc.Server();
  server.addService(langrpc.LanguageRuntimeService, new LanguageServer(program));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  const ws = stack.stack.workspace as typeof stack.stack.workspace & {
    envVars: Record<string, string>;
  };
  const gate = path.join(repoRoot, "pipelines/drift-gate.sh");
  const args = [gate, stack.stack.name, "--cwd", ws.workDir, `--client=127.0.0.1:${port}`];
  try {
    return await new Promise((resolve) => {
      const child = spawn("bash", [...args, "--exec-kind", "auto.inline"], {
        env: { ...process.env, ...ws.envVars, ...env },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (status) => resolve({ status, stdout, stderr }));
    });
  } finally {
    server.forceShutdown();
  }
}
