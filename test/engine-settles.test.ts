// A stack that declares every kind of field settles: once `up` has made it, nothing that reads
// it (preview --refresh --diff, refresh, up, refresh) changes anything or prints a `~` line,
// under both readings of each emulator switch that affects what a read sees.
import { ProxySession } from "pulumi-twilio-proxy";
import type { ReadingId } from "../emulator/readings";
import { EngineStack } from "./support/engine";
import { describe, expect, it } from "./support/fixtures";
import { CHANGE_LINE } from "./support/golden";

/** The switches that change what refresh and adopt read. */
const READ_READINGS: ReadingId[] = [
  "participantListOrder",
  "deletedParticipantsInList",
  "fetchByUniqueName",
  "pageSizeMax",
  "pageWithoutToken",
];

/**
 * A refresh that finds every session as state has it. `pulumi refresh` has no `--diff` display
 * (the Automation API neither): its progress lines carry `~ ... refreshing`, and a change
 * would show as `[diff: ~ttl]`.
 */
async function expectCleanRefresh(stack: EngineStack) {
  const refresh = await stack.stack.refresh({ expectNoChanges: true });
  expect(refresh.summary.resourceChanges).toEqual({ same: 5 });
  expect(refresh.stdout).not.toMatch(/\[diff: /);
}

/**
 * Each session's id and outputs in state, by URN. (Its inputs are the program's after `up` and
 * the rebuilt ones after a refresh, which leaves out the create-time `adopt`.)
 */
async function sessionProps(stack: EngineStack) {
  const sessions = await stack.sessions();
  return Object.fromEntries(sessions.map((r) => [r.urn, { id: r.id, outputs: r.outputs }]));
}

describe.each([
  ["default readings", "default"],
  ["alternative readings", "alternative"],
] as const)("a stack with every kind of declared field settles, %s", (_, position) => {
  it(
    "up, preview --refresh --diff, refresh, up, refresh: no change, no `~`",
    { timeout: 600_000 },
    async ({ emu }) => {
      for (const id of READ_READINGS) await emu.setReading(id, position);
      const adopted = await emu.createdElsewhere("settle-adopted");
      const stack = await EngineStack.create(emu, async () => {
        // Declared in the order Twilio does not list them under the default reading (newest first).
        new ProxySession("pair", {
          serviceSid: emu.serviceSid,
          uniqueName: "settle-pair",
          participants: [
            { identifier: "+15005550006", friendlyName: "Rider" },
            { identifier: "+15005550007" },
          ],
        });
        new ProxySession("expiry", {
          serviceSid: emu.serviceSid,
          dateExpiry: "2030-01-31T19:00:00+02:00",
          status: "open",
        });
        new ProxySession("closed", { serviceSid: emu.serviceSid, status: "closed", ttl: 600 });
        new ProxySession("adopted", {
          serviceSid: emu.serviceSid,
          uniqueName: "settle-adopted",
          adopt: true,
          ttl: 7200,
        });
        return {};
      });
      try {
        const up = await stack.stack.up();
        expect(up.summary.resourceChanges).toMatchObject({ create: 5 });
        const state = await sessionProps(stack);
        expect(Object.values(state).some((r) => r.id === adopted)).toBe(true);

        await emu.resetCalls();
        const pv = await stack.stack.preview({ refresh: true, diff: true });
        expect(pv.changeSummary).toEqual({ same: 5 });
        expect(pv.stdout).not.toMatch(CHANGE_LINE);
        // One read a session, and the pair's participants.
        expect(await emu.calls()).toMatchObject({ total: 5, FetchSession: 4, ListParticipant: 1 });

        await expectCleanRefresh(stack);
        await emu.resetCalls();
        const again = await stack.stack.up({ diff: true });
        expect(again.summary.resourceChanges).toEqual({ same: 5 });
        expect(again.stdout).not.toMatch(CHANGE_LINE);
        expect((await emu.calls()).total).toBe(0);
        await expectCleanRefresh(stack);
        expect(await sessionProps(stack)).toEqual(state);
      } finally {
        await stack.stack.destroy().catch(() => {});
        await stack.dispose();
      }
    },
  );
});
