// Participants through the real engine: changed in place where Twilio can (same session SID),
// a participant removed at Twilio shown by `preview --refresh` and converged by `up --refresh`,
// and adopt converging the participants of the session it takes over.
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { ProxySession, type ParticipantArgs } from "pulumi-twilio-proxy";
import { describe, expect, it } from "./support/fixtures";
import type { EmulatorHarness } from "./support/emulator";
import { EngineStack, recordOps } from "./support/engine";

const alice = { identifier: "+15550001111", friendlyName: "Alice" };
const bob = { identifier: "+15550002222", friendlyName: "Bob" };
const carol = { identifier: "+15550003333", friendlyName: "Carol" };

/** One session whose participants the test changes between runs. */
function hotline(emu: EmulatorHarness, extra: { adopt?: boolean } = {}) {
  const state = { participants: [alice] as ParticipantArgs[] };
  const program: PulumiFn = async () => {
    const s = new ProxySession("hotline", {
      serviceSid: emu.serviceSid,
      uniqueName: "hotline",
      participants: state.participants,
      ...extra,
    });
    return { sid: s.sid };
  };
  return { state, program };
}

describe("participants through the engine", () => {
  it("a declared change is applied in place: same SID, one DELETE then one POST", async ({
    emu,
  }) => {
    const { state, program } = hotline(emu);
    const stack = await EngineStack.create(emu, program);
    try {
      const sid = (await stack.stack.up()).outputs.sid.value;
      state.participants = [carol];
      const ops = recordOps();
      await emu.resetCalls();
      const up = await stack.stack.up({ onEvent: ops.onEvent });
      expect(ops.ops()).toEqual({ hotline: "update" });
      expect(up.outputs.sid.value).toBe(sid);
      // State written by create already holds the participant SIDs (create listed them), so
      // the change needs no listing: one request per participant.
      expect(await emu.operations()).toEqual(["DeleteParticipant", "CreateParticipant"]);
      expect(await emu.participantsOf(sid)).toEqual([carol.identifier]);
      await stack.stack.preview({ refresh: true, expectNoChanges: true });
      await stack.stack.destroy();
    } finally {
      await stack.dispose();
    }
  });

  it("a participant removed at Twilio shows in preview --refresh; up --refresh brings it back", async ({
    emu,
  }) => {
    const { state, program } = hotline(emu);
    state.participants = [alice, bob];
    const stack = await EngineStack.create(emu, program);
    try {
      const sid = (await stack.stack.up()).outputs.sid.value as string;
      const listed = (await emu.twilio("GET", `Sessions/${sid}/Participants`)) as {
        participants: Array<{ sid: string; identifier: string }>;
      };
      const bobSid = listed.participants.find((p) => p.identifier === bob.identifier)!.sid;
      await emu.twilio("DELETE", `Sessions/${sid}/Participants/${bobSid}`);

      const seen = recordOps();
      const preview = await stack.stack.preview({
        refresh: true,
        diff: true,
        onEvent: seen.onEvent,
      });
      // Twilio does not add a removed participant again: only a new session has bob back.
      expect(seen.ops()).toEqual({ hotline: "delete-replaced,replace,create-replacement" });
      expect(preview.stdout).toMatch(/participants/);
      expect(preview.stdout + preview.stderr).toMatch(/does not add a removed participant again/);

      const up = await stack.stack.up({ refresh: true });
      const newSid = up.outputs.sid.value as string;
      expect(newSid).not.toBe(sid);
      expect(await emu.participantsOf(newSid)).toEqual([alice.identifier, bob.identifier]);
      expect((await emu.sessions()).map((s) => s.sid)).toEqual([newSid]);
      await stack.stack.preview({ refresh: true, expectNoChanges: true });
      await stack.stack.destroy();
    } finally {
      await stack.dispose();
    }
  });

  it("adopt converges the participants of the session it takes over", async ({ emu }) => {
    const existing = await emu.twilio("POST", "Sessions", {
      UniqueName: "hotline",
      Participants: JSON.stringify({ Identifier: alice.identifier, FriendlyName: "Alice" }),
    });
    const sid = (existing as { sid: string }).sid;
    const { state, program } = hotline(emu, { adopt: true });
    state.participants = [alice, carol];
    const stack = await EngineStack.create(emu, program);
    try {
      await emu.resetCalls();
      const up = await stack.stack.up();
      expect(up.outputs.sid.value).toBe(sid);
      expect(await emu.operations()).toEqual([
        "FetchSession",
        "ListSession",
        "ListParticipant",
        "CreateParticipant",
      ]);
      expect(await emu.participantsOf(sid)).toEqual([alice.identifier, carol.identifier]);
      await stack.stack.preview({ refresh: true, expectNoChanges: true });
      await stack.stack.destroy();
      expect(await emu.sessions()).toEqual([]);
    } finally {
      await stack.dispose();
    }
  });

  it("takes each participant field from another resource's output", async ({ emu }) => {
    const program: PulumiFn = async () => {
      // Any resource's output will do; here another session's unique name holds a number.
      const source = new ProxySession("number-source", {
        serviceSid: emu.serviceSid,
        uniqueName: "+15550004444",
      });
      const wired = new ProxySession("wired", {
        serviceSid: emu.serviceSid,
        participants: [
          {
            identifier: source.uniqueName.apply((n) => n ?? ""),
            friendlyName: source.sid.apply((sid) => `from ${sid.slice(0, 6)}`),
          },
        ],
      });
      return { sid: wired.sid, participants: wired.participants };
    };
    const stack = await EngineStack.create(emu, program);
    try {
      await stack.stack.preview();
      const up = await stack.stack.up();
      const sid = up.outputs.sid.value as string;
      expect(await emu.participantsOf(sid)).toEqual(["+15550004444"]);
      expect(up.outputs.participants.value).toEqual([
        {
          identifier: "+15550004444",
          friendlyName: expect.stringMatching(/^from KC/),
          // As Twilio lists it: its SID and the masked number from the pool.
          sid: expect.stringMatching(/^KP/),
          proxyIdentifier: expect.any(String),
          proxyIdentifierSid: expect.stringMatching(/^PN/),
        },
      ]);
      await stack.stack.preview({ refresh: true, expectNoChanges: true });
      await stack.stack.destroy();
    } finally {
      await stack.dispose();
    }
  });
});
