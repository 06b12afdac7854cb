// Every bad declaration through `pulumi up`: refused at check time with its property and
// reason, no HTTP call reaches Twilio, and nothing is written to state. (A check failure ends
// the run, so each case runs on its own.)
import { ProxySession, type ProxySessionArgs } from "pulumi-twilio-proxy";
import { afterAll } from "vitest";
import { BAD_INPUTS } from "./support/bad-inputs";
import { EngineStack } from "./support/engine";
import { describe, emulatorTest, expect } from "./support/fixtures";

// The emulator's counters are reset before each case, which then checks them itself: every
// case passes or fails alone, in any order.
const it = emulatorTest({ resetBeforeEach: false });

let stack: EngineStack;
let declared: Record<string, unknown> = {};
it.beforeAll(async ({ emu }) => {
  stack = await EngineStack.create(emu, async () => {
    const args = { serviceSid: emu.serviceSid, ...declared } as unknown as ProxySessionArgs;
    new ProxySession("bad", args);
  });
});
afterAll(() => stack?.dispose());

describe(`${BAD_INPUTS.length} bad declarations through pulumi up`, () => {
  it.for(BAD_INPUTS)(
    "%s: refused, no HTTP call, nothing in state",
    async ([, input, property, reason], { emu }) => {
      await emu.resetCalls();
      declared = input;
      const err = await stack.stack.up().catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      const diagnostic = (err as Error).message
        .split("\n")
        .find((l) => l.includes(`resource 'bad': property ${property} `));
      expect(diagnostic, (err as Error).message).toBeDefined();
      expect(diagnostic).toMatch(reason);
      expect((await emu.calls()).total).toBe(0);
      expect(await emu.sessions()).toEqual([]);
      expect(await stack.sessions()).toEqual([]);
    },
  );
});
