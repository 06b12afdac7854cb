// Engine tests: the shared isolated local stack (scripts/lib/local-stack.ts), on the emulator.
import type { PulumiFn, Stack } from "@pulumi/pulumi/automation";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { createLocalStack, type LocalStack } from "../../scripts/lib/local-stack";
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
