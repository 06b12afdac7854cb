// The vitest `test` of files that talk to the emulator: one emulator per file, as the `emu`
// fixture, started when a test or hook first asks for it and closed after the file's last test.
import { test as base } from "vitest";
import { ALL_READINGS, EmulatorHarness, type HarnessOptions } from "./emulator";

/**
 * `EMULATOR_READINGS=alternative` (set by the vitest project "alternative readings", see
 * vitest.config.mts) starts every emulator with every reading switched to its alternative, so
 * the provider's suites run under both positions of each switch. A test that sets a reading
 * itself (`emu.setReading`) still decides that one.
 */
const BASELINE = process.env.EMULATOR_READINGS === "alternative" ? ALL_READINGS : [];

export { describe, expect } from "vitest";

export interface EmulatorTestOptions extends HarnessOptions {
  /**
   * Reset the emulator before each test (the default), so no test sees another's sessions.
   * False where the tests of a file build on shared state, e.g. a stack deployed in beforeAll.
   */
  resetBeforeEach?: boolean;
}

/**
 * A `test` with an `emu` fixture started with `options`. Suite hooks reach it through this
 * `test` (`test.beforeAll(({ emu }) => ...)`); `beforeEach` hooks through their context.
 */
export function emulatorTest({ resetBeforeEach = true, ...start }: EmulatorTestOptions = {}) {
  return (
    base
      // vitest reads the fixtures a fixture needs from its pattern: this one needs none.
      // eslint-disable-next-line no-empty-pattern
      .extend("emu", { scope: "file" }, async ({}, { onCleanup }) => {
        const alternatives = [...new Set([...BASELINE, ...(start.alternatives ?? [])])];
        const emu = await EmulatorHarness.start({ ...start, alternatives });
        onCleanup(() => emu.close());
        return emu;
      })
      // An auto fixture runs before the first beforeEach hook of every test, so a describe's
      // own beforeEach (a reading switched, a session made) comes after the reset.
      .extend("resetEmulator", { auto: true }, async ({ emu }) => {
        if (resetBeforeEach) await emu.reset();
      })
  );
}

/** One default emulator per file, reset before each test. */
export const test = emulatorTest();
export const it = test;
