// Adopting sessions created outside the stack (pulumi import cannot work for dynamic
// providers, pulumi#16175), through the engine with the adopt example.
import { describe, expect, it } from "./support/fixtures";
import adoptModule from "../examples/adopt/index";
import { NAME_LOOKUP_READINGS } from "./support/emulator";
import { EngineStack } from "./support/engine";

const adoptProgram = adoptModule as unknown as () => Promise<Record<string, unknown>>;

describe.each(NAME_LOOKUP_READINGS)("adopt through the engine, %s", (_, reading) => {
  it.beforeEach(({ emu }) => emu.setReading("fetchByUniqueName", reading));

  it("takes over existing sessions by uniqueName and by SID, converging ttl in place", async ({
    emu,
  }) => {
    const named = await emu.createdElsewhere("legacy-hotline");
    const unnamed = await emu.createdElsewhere();
    const stack = await EngineStack.create(emu, adoptProgram, { config: { sessionSid: unnamed } });
    try {
      await emu.resetCalls();
      const up = await stack.stack.up();
      expect(up.outputs.legacySid.value).toBe(named);
      expect(up.outputs.legacyTtl.value).toBe(7200);
      expect(up.outputs.unnamedSid.value).toBe(unnamed);
      // By SID one Fetch; by name one Fetch too, plus a list page when names do not resolve.
      expect(await emu.calls()).toMatchObject({
        CreateSession: 0,
        FetchSession: 2,
        ListSession: reading === "alternative" ? 0 : 1,
        UpdateSession: 1,
      });
      expect(await emu.sessions()).toHaveLength(2);

      await stack.stack.preview({ refresh: true, expectNoChanges: true });
      // Adopted sessions are managed from now on: destroy deletes them.
      await stack.stack.destroy();
      expect(await emu.sessions()).toEqual([]);
    } finally {
      await stack.dispose();
    }
  });

  it("fails clearly, creating nothing, when no session matches", async ({ emu }) => {
    const stack = await EngineStack.create(emu, adoptProgram, { config: { legacyName: "nobody" } });
    try {
      const err = await stack.stack.up().catch((e: Error) => e);
      expect((err as Error).message).toMatch(
        /adopt: no session with uniqueName "nobody" exists in Service KS\w+; remove adopt to create one/,
      );
      expect(await emu.sessions()).toEqual([]);
      expect(await stack.sessions()).toEqual([]);
    } finally {
      await stack.dispose();
    }
  });
});
