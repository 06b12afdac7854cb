// Sharing a real stack, through the engine: config that the Terraform-bridged Twilio provider
// also accepts, keys of earlier releases and unknown keys refused by name (at preview, when
// nothing changes), credentials rotated under a running pipeline (drift gate and destroy right
// after), and retries a user can see in `pulumi up`.
import type { LocalWorkspace, PulumiFn } from "@pulumi/pulumi/automation";
import { ProxySession } from "pulumi-twilio-proxy";
import { describe, expect, it } from "./support/fixtures";
import type { EmulatorHarness } from "./support/emulator";
import { EngineStack, runDriftGate } from "./support/engine";

const oneSession =
  (emu: EmulatorHarness, name: string): PulumiFn =>
  async () => {
    const s = new ProxySession(name, { serviceSid: emu.serviceSid, uniqueName: name, ttl: 600 });
    return { sid: s.sid };
  };

const envOf = (stack: EngineStack) => (stack.stack.workspace as LocalWorkspace).envVars;

/** The stack's config as `pulumi config` lists it (secrets masked). */
async function configKeys(stack: EngineStack): Promise<string[]> {
  return Object.keys(await stack.stack.getAllConfig()).sort();
}

describe("config shared with the bridged Twilio provider", () => {
  it("works with exactly the Twilio provider's keys under twilio: and nothing else", async ({
    emu,
  }) => {
    const stack = await EngineStack.create(emu, oneSession(emu, "shared-1"), {
      config: { "twilio:accountSid": emu.emulator.accountSid },
    });
    try {
      const twilioKeys = (await configKeys(stack)).filter((k) => k.startsWith("twilio:"));
      expect(twilioKeys).toEqual(["twilio:accountSid", "twilio:password", "twilio:username"]);
      const up = await stack.stack.up();
      expect(up.outputs.sid.value).toMatch(/^KC/);
      await stack.stack.preview({ refresh: true, expectNoChanges: true });
      await stack.stack.destroy();
    } finally {
      await stack.dispose();
    }
  });

  it("refuses a key of an earlier release by name, before any Twilio call", async ({ emu }) => {
    const stack = await EngineStack.create(emu, oneSession(emu, "old-key"), {
      config: { "twilio:authToken": "x" },
    });
    try {
      await emu.resetCalls();
      const err = await stack.stack.up().catch((e: Error) => e);
      expect((err as Error).message).toMatch(
        /twilio:authToken is no longer read: use twilio:password instead/,
      );
      expect((await emu.calls()).total).toBe(0);
      expect(await stack.sessions()).toEqual([]);
    } finally {
      await stack.dispose();
    }
  });
});

describe("config mistakes stop the preview", () => {
  it("fails `pulumi preview` of an unchanged stack on a bad key, naming its replacement, with no Twilio call", async ({
    emu,
  }) => {
    const stack = await EngineStack.create(emu, oneSession(emu, "bad-keys"));
    try {
      await stack.stack.up();
      await stack.stack.preview({ expectNoChanges: true });
      const mistakes = {
        "twilio:authToken": /twilio:authToken is no longer read: use twilio:password instead/,
        "twilio-proxy:proxyBaseUrl":
          /twilio-proxy:proxyBaseUrl is not read: use twilio-proxy:baseUrl/,
        "twilio-proxy:password": /twilio-proxy:password is not read: use twilio:password/,
        "twilio-proxy:maxretries":
          /unknown stack config key twilio-proxy:maxretries: did you mean twilio-proxy:maxRetries\?/,
      };
      for (const [key, message] of Object.entries(mistakes)) {
        await stack.stack.setConfig(key, { value: "x" });
        await emu.resetCalls();
        const err = await stack.stack.preview().catch((e: Error) => e);
        expect(err, key).toBeInstanceOf(Error);
        expect((err as Error).message, key).toMatch(message);
        expect((await emu.calls()).total, key).toBe(0);
        await stack.stack.removeConfig(key);
      }
      await stack.stack.preview({ expectNoChanges: true });
      await stack.stack.destroy();
      expect(await emu.sessions()).toEqual([]);
    } finally {
      await stack.dispose();
    }
  });
});

describe("rotating credentials", () => {
  const NEW_TOKEN = "RotatedToken0123456789abcdef";

  it("in stack config: the drift gate, refresh and destroy use the new token with --run-program", async ({
    emu,
  }) => {
    const program = oneSession(emu, "rotate-config");
    const stack = await EngineStack.create(emu, program);
    try {
      await stack.stack.up();
      await emu.rotateAuthToken(NEW_TOKEN);
      await stack.stack.setConfig("twilio:password", { value: NEW_TOKEN, secret: true });

      // Without --run-program the engine configures the provider from the config saved in state
      // by the last `up`: the revoked token, which is why the pipeline recipes pass the flag.
      const stale = await stack.stack.preview({ refresh: true }).catch((e: Error) => e);
      const said = (stale as Error).message;
      expect(said).toMatch(/Twilio error 20003 \(HTTP 401\)/);
      // The way out, in the error itself, and no stack trace around it.
      expect(said).toMatch(
        /20003 \(HTTP 401\).*; the credentials come from stack config: refresh, preview and destroy use the configuration saved at the last `up`, and `--run-program` uses the current one/,
      );
      expect(said).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

      const gate = await runDriftGate(stack, program);
      expect(gate.status, gate.stderr).toBe(0);
      expect(gate.stdout + gate.stderr).not.toContain(NEW_TOKEN);
      await stack.stack.refresh({ runProgram: true });
      await stack.stack.destroy({ runProgram: true });
      expect(await emu.sessions()).toEqual([]);
      expect(await stack.sessions()).toEqual([]);
    } finally {
      await stack.dispose();
    }
  });

  it("in the environment: the next command uses the new token, no flag needed", async ({ emu }) => {
    const stack = await EngineStack.create(emu, oneSession(emu, "rotate-env"), {
      credentials: "env",
    });
    try {
      await stack.stack.up();
      expect((await stack.state()).text).not.toContain(emu.emulator.authToken);
      await emu.rotateAuthToken(NEW_TOKEN);
      envOf(stack).TWILIO_AUTH_TOKEN = NEW_TOKEN;
      await stack.stack.preview({ refresh: true, expectNoChanges: true });
      await stack.stack.destroy();
      expect(await emu.sessions()).toEqual([]);
      expect((await stack.state()).text).not.toContain(NEW_TOKEN);
    } finally {
      await stack.dispose();
    }
  });
});

describe("retries a user can see", () => {
  it("prints one line per retry in `pulumi up`, and a line per request at debug level", async ({
    emu,
  }) => {
    const stack = await EngineStack.create(emu, oneSession(emu, "retry-me"), {
      env: { TWILIO_LOG_LEVEL: "debug" },
    });
    try {
      await emu.setFaults({ next: ["rate429", "rate429"], retryAfterSeconds: 1 });
      const up = await stack.stack.up();
      const output = up.stdout + up.stderr;
      // Shown as the run goes, and again in the Diagnostics summary at the end.
      expect(output).toMatch(/creating \(\d+s\) twilio-proxy: CreateSession "retry-me": HTTP 429/);
      const diagnostics = output.slice(output.indexOf("Diagnostics:"));
      const retries = diagnostics.match(/twilio-proxy: CreateSession "retry-me": .*/g) ?? [];
      expect(retries).toHaveLength(2);
      expect(retries[0]).toMatch(/HTTP 429 \(20429\); retry 2 of 6 in \d+\.\d s/);
      expect(retries[1]).toMatch(/HTTP 429 \(20429\); retry 3 of 6 in \d+\.\d s/);
      // Debug: each of the three attempts, with its status and duration.
      const requests = diagnostics.match(
        /twilio-proxy: POST \/v1\/Services\/KS\w+\/Sessions -> .*/g,
      );
      expect(requests?.map((l) => l.match(/-> (\d+)/)![1])).toEqual(["429", "429", "201"]);
      for (const line of requests!)
        expect(line).toMatch(/in \d+ ms \(Twilio-Request-Id RQ[0-9a-f]{32}\)$/);
      expect(output).not.toContain(emu.emulator.authToken);
    } finally {
      await stack.dispose();
    }
  });
});
