// Participants changed in place by the provider, against the emulator's Participants
// sub-resource over real HTTP: which requests, in which order, and that the session keeps its
// SID; under the emulator's strict readings and under the lenient ones.
import { describe, expect, it } from "./support/fixtures";
import type { ProxySessionInputs, ProxySessionOutputs } from "../provider/types";
import { SessionConflictError } from "../provider/errors";
import type { ReadingId } from "../emulator";
import type { EmulatorHarness } from "./support/emulator";

const alice = { identifier: "+15550001111", friendlyName: "Alice" };
const bob = { identifier: "+15550002222" };
const carol = { identifier: "+15550003333", friendlyName: "Carol" };

const declare = (emu: EmulatorHarness, over: Partial<ProxySessionInputs>): ProxySessionInputs => ({
  serviceSid: emu.serviceSid,
  ...over,
});

async function created(emu: EmulatorHarness, over: Partial<ProxySessionInputs>) {
  const p = emu.provider();
  const r = await p.create(declare(emu, over));
  return { p, id: r.id, outs: r.outs! };
}

// The readings that touch participants, all strict (default) or all lenient.
const LENIENT: ReadingId[] = [
  "deletedParticipantsInList",
  "deletedParticipantsCount",
  "duplicateParticipantIdentifier",
  "participantDeleteStatus",
  "participantsOnClosedSession",
  "participantListOrder",
];
describe.each([
  ["strict readings", []],
  ["lenient readings", LENIENT],
] as const)("participants in place, %s", (_, alternatives) => {
  it.beforeEach(async ({ emu }) => {
    for (const id of alternatives) await emu.setReading(id, "alternative");
  });

  it("changes the only participant: one DELETE, then one POST, same session", async ({ emu }) => {
    const { p, id, outs } = await created(emu, { participants: [alice] });
    await emu.resetCalls();
    const r = await p.update(id, outs, declare(emu, { participants: [carol] }));
    expect(await emu.operations()).toEqual(["DeleteParticipant", "CreateParticipant"]);
    expect(await emu.participantsOf(id)).toEqual([carol.identifier]);
    expect(r.outs!.participants).toEqual([
      expect.objectContaining({ ...carol, sid: expect.any(String) }),
    ]);
    expect(r.outs!.removedParticipants).toEqual([alice.identifier]);
  });

  it("state written by 0.1.x holds no participant SIDs: they are listed once", async ({ emu }) => {
    const { p, id, outs } = await created(emu, { participants: [alice] });
    const old = { ...outs, participants: [alice] };
    await emu.resetCalls();
    const r = await p.update(id, old, declare(emu, { participants: [carol] }));
    expect(await emu.operations()).toEqual([
      "ListParticipant",
      "DeleteParticipant",
      "CreateParticipant",
    ]);
    expect(await emu.participantsOf(id)).toEqual([carol.identifier]);
    expect(r.outs!.participants).toEqual([
      expect.objectContaining({ ...carol, sid: expect.any(String) }),
    ]);
    expect(r.outs!.removedParticipants).toEqual([alice.identifier]);
  });

  it("after a refresh the SIDs are known: exactly the DELETE and the POST", async ({ emu }) => {
    const { p, id, outs } = await created(emu, { participants: [alice] });
    const read = await p.read(id, outs);
    await emu.resetCalls();
    await p.update(id, read.props!, declare(emu, { participants: [carol] }));
    expect(await emu.operations()).toEqual(["DeleteParticipant", "CreateParticipant"]);
  });

  it("adds a participant into a free place with one POST", async ({ emu }) => {
    const { p, id, outs } = await created(emu, { participants: [alice] });
    const read = await p.read(id, outs);
    await emu.resetCalls();
    await p.update(id, read.props!, declare(emu, { participants: [alice, bob] }));
    expect(await emu.operations()).toEqual(["CreateParticipant"]);
    expect(await emu.participantsOf(id)).toEqual([alice.identifier, bob.identifier]);
  });

  it("removes a participant with one DELETE", async ({ emu }) => {
    const { p, id, outs } = await created(emu, { participants: [alice, bob] });
    const read = await p.read(id, outs);
    await emu.resetCalls();
    const r = await p.update(id, read.props!, declare(emu, { participants: [alice] }));
    expect(await emu.operations()).toEqual(["DeleteParticipant"]);
    expect(await emu.participantsOf(id)).toEqual([alice.identifier]);
    expect(r.outs!.removedParticipants).toEqual([bob.identifier]);
  });

  it("converges on the next run after one interrupted between the removal and the addition", async ({
    emu,
  }) => {
    const { p, id, outs } = await created(emu, { participants: [alice] });
    const read = await p.read(id, outs);
    await emu.setFaults({ next: [null, "rate500"] });
    const failing = emu.provider({ env: emu.env({ TWILIO_MAX_RETRIES: "0" }) });
    await expect(
      failing.update(id, read.props!, declare(emu, { participants: [carol] })),
    ).rejects.toThrow(/500/);
    expect(await emu.participantsOf(id)).toEqual([]);
    // The engine keeps the state from before the failed update; the next run starts from it.
    await emu.resetCalls();
    await p.update(id, read.props!, declare(emu, { participants: [carol] }));
    expect(await emu.operations()).toEqual(["DeleteParticipant", "CreateParticipant"]);
    expect(await emu.participantsOf(id)).toEqual([carol.identifier]);
  });

  it("refuses, changing nothing, what only a replacement can do (the diff replaces instead)", async ({
    emu,
  }) => {
    const { p, id, outs } = await created(emu, { participants: [alice, bob] });
    const read = await p.read(id, outs);
    await emu.resetCalls();
    const err = await p
      .update(id, read.props!, declare(emu, { participants: [alice, carol] }))
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(SessionConflictError);
    expect(await emu.operations()).toEqual([]);
    expect(await emu.participantsOf(id)).toEqual([alice.identifier, bob.identifier]);
  });
});

describe("participants seen by refresh", () => {
  it("a participant removed at Twilio is drift that only a replacement converges", async ({
    emu,
  }) => {
    const { p, id, outs } = await created(emu, { participants: [alice, bob] });
    const read = await p.read(id, outs);
    const bobSid = read.props!.participants.find((x) => x.identifier === bob.identifier)!.sid!;
    await emu.twilio("DELETE", `Sessions/${id}/Participants/${bobSid}`);
    const after = await p.read(id, read.props!);
    expect(after.props!.participants.map((x) => x.identifier)).toEqual([alice.identifier]);
    expect(after.props!.removedParticipants).toEqual([bob.identifier]);
    // The inputs that reproduce the live session lack bob: preview --diff shows the change.
    expect((after.inputs as unknown as ProxySessionInputs).participants).toEqual([alice]);
    const diff = await p.diff(
      id,
      after.props as ProxySessionOutputs,
      declare(emu, { participants: [alice, bob] }),
    );
    expect(diff.replaces).toEqual(["participants"]);
  });
});

describe("adopt", () => {
  it("converges the participants of the session it takes over, in place", async ({ emu }) => {
    const { id } = await created(emu, { uniqueName: "legacy", participants: [alice] });
    await emu.resetCalls();
    const r = await emu
      .provider()
      .create(declare(emu, { uniqueName: "legacy", adopt: true, participants: [alice, carol] }));
    expect(r.id).toBe(id);
    // Found by name: one Fetch, and a listing when Twilio does not resolve names in Fetch.
    const byListing = (await emu.readingPosition("fetchByUniqueName")) === "default";
    expect(await emu.operations()).toEqual([
      "FetchSession",
      ...(byListing ? ["ListSession"] : []),
      "ListParticipant",
      "CreateParticipant",
    ]);
    expect(await emu.participantsOf(id)).toEqual([alice.identifier, carol.identifier]);
  });
});
