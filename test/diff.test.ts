import { describe, expect, it } from "vitest";
import { diffSession, participantsObstacle, updateForm } from "../provider/diff";
import type { ProxySessionInputs, ProxySessionOutputs } from "../provider/types";
import { UNKNOWN } from "../provider/unknown";

const KS = "KS" + "a".repeat(32);
const KS2 = "KS" + "b".repeat(32);

function live(over: Partial<ProxySessionOutputs> = {}): ProxySessionOutputs {
  return {
    sid: "KC" + "c".repeat(32),
    serviceSid: KS,
    accountSid: "AC" + "d".repeat(32),
    uniqueName: "order-1",
    mode: "voice-and-message",
    status: "open",
    ttl: 3600,
    dateExpiry: null,
    dateStarted: "2026-11-01T10:00:00Z",
    dateEnded: null,
    dateLastInteraction: null,
    closedReason: "",
    dateCreated: "2026-11-01T10:00:00Z",
    dateUpdated: "2026-11-01T10:00:00Z",
    url: "http://x/v1/Services/KS/Sessions/KC",
    participants: [],
    __declared: { serviceSid: KS },
    ...over,
  };
}
const declared = (over: Partial<ProxySessionInputs> = {}): ProxySessionInputs => ({
  serviceSid: KS,
  ...over,
});

describe("diff: nothing to do", () => {
  it("reports no change when the declaration matches the live session", () => {
    const d = diffSession(live(), declared({ uniqueName: "order-1", ttl: 3600, status: "open" }));
    expect(d).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
  });

  it.each([
    ["ttl", { ttl: 999 }],
    ["status", { status: "closed" as const }],
    ["dateExpiry", { dateExpiry: "2030-01-01T00:00:00Z" }],
    ["mode", { mode: "message-only" as const }],
    ["uniqueName", { uniqueName: "someone-else" }],
  ])("ignores a live %s the stack does not declare", (_field, liveChange) => {
    expect(diffSession(live(liveChange), declared()).changes).toBe(false);
  });

  it("compares dateExpiry as an instant to the second, not as text", () => {
    const l = live({ dateExpiry: "2030-01-01T10:00:00Z" });
    for (const same of [
      "2030-01-01T12:00:00+02:00",
      "2030-01-01T10:00:00.999Z",
      "2030-01-01T10:00:00Z",
    ]) {
      expect(diffSession(l, declared({ dateExpiry: same })).changes).toBe(false);
    }
    expect(diffSession(l, declared({ dateExpiry: "2030-01-01T10:00:01Z" })).changes).toBe(true);
  });

  it("treats declared open and in-progress as the same active state", () => {
    for (const d of ["open", "in-progress"] as const) {
      for (const l of ["open", "in-progress"] as const) {
        expect(diffSession(live({ status: l }), declared({ status: d })).changes).toBe(false);
      }
    }
  });

  it("compares SIDs without regard to hex case", () => {
    expect(diffSession(live(), declared({ serviceSid: KS.replace(/a/g, "A") })).changes).toBe(
      false,
    );
  });

  it("compares participants by value, not by object identity or key order", () => {
    const p = [{ identifier: "+15550001111", friendlyName: "Alice" }];
    const l = live({ participants: [{ friendlyName: "Alice", identifier: "+15550001111" }] });
    expect(diffSession(l, declared({ participants: p })).changes).toBe(false);
  });
});

describe("diff: in-place updates", () => {
  it("updates ttl in place", () => {
    expect(diffSession(live(), declared({ ttl: 60 }))).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(updateForm(live(), declared({ ttl: 60 }))).toEqual({ Ttl: 60 });
  });

  it("updates dateExpiry in place, including when none is set live", () => {
    expect(updateForm(live(), declared({ dateExpiry: "2030-01-01T00:00:00Z" }))).toEqual({
      DateExpiry: "2030-01-01T00:00:00Z",
    });
  });

  it("re-opens a closed session declared active, through in-progress", () => {
    expect(updateForm(live({ status: "closed" }), declared({ status: "open" }))).toEqual({
      Status: "in-progress",
    });
    expect(updateForm(live({ status: "closed" }), declared({ status: "in-progress" }))).toEqual({
      Status: "in-progress",
    });
  });

  it("closes an active session declared closed", () => {
    for (const s of ["open", "in-progress"] as const) {
      expect(updateForm(live({ status: s }), declared({ status: "closed" }))).toEqual({
        Status: "closed",
      });
    }
  });

  it("ignores ttl and dateExpiry of a session that is and stays closed (Twilio refuses, 80607)", () => {
    const closed = live({ status: "closed" });
    for (const status of [undefined, "closed" as const]) {
      const d = diffSession(
        closed,
        declared({ status, ttl: 5, dateExpiry: "2031-01-01T00:00:00Z" }),
      );
      expect(d.changes).toBe(false);
    }
  });

  it("re-opens with the new ttl in the same call", () => {
    expect(updateForm(live({ status: "closed" }), declared({ status: "open", ttl: 5 }))).toEqual({
      Status: "in-progress",
      Ttl: 5,
    });
  });

  it("never resends a status that already holds", () => {
    expect(updateForm(live({ status: "open" }), declared({ status: "open", ttl: 5 }))).toEqual({
      Ttl: 5,
    });
    expect(
      updateForm(live({ status: "in-progress" }), declared({ status: "open", ttl: 5 })),
    ).toEqual({
      Ttl: 5,
    });
  });

  it("sends only the fields that changed", () => {
    const form = updateForm(
      live({ ttl: 3600, dateExpiry: "2030-01-01T00:00:00Z" }),
      declared({ ttl: 60, dateExpiry: "2030-01-01T00:00:00Z", status: "open" }),
    );
    expect(form).toEqual({ Ttl: 60 });
  });

  it("reports an unknown (preview) in-place value as a change", () => {
    const d = diffSession(live(), declared({ ttl: UNKNOWN as unknown as number }));
    expect(d.changes).toBe(true);
    expect(d.replaces).toEqual([]);
  });
});

describe("diff: replacements", () => {
  it.each([
    ["serviceSid", { serviceSid: KS2 }],
    ["uniqueName", { uniqueName: "order-2" }],
    ["mode", { mode: "message-only" as const }],
  ])("replaces the session when %s changes", (field, change) => {
    const d = diffSession(live(), declared(change));
    expect(d.changes).toBe(true);
    expect(d.replaces).toEqual([field]);
  });

  it("deletes before creating when the replacement keeps its unique name", () => {
    const d = diffSession(live(), declared({ uniqueName: "order-1", mode: "message-only" }));
    expect(d).toEqual({ changes: true, replaces: ["mode"], deleteBeforeReplace: true });
  });

  it("creates before deleting when the unique name changes or there is none", () => {
    expect(diffSession(live(), declared({ uniqueName: "order-2" })).deleteBeforeReplace).toBe(
      false,
    );
    const unnamed = live({ uniqueName: null });
    expect(diffSession(unnamed, declared({ mode: "voice-only" })).deleteBeforeReplace).toBe(false);
  });

  it("creates before deleting when the name moves to another Service (names are per Service)", () => {
    const d = diffSession(live(), declared({ serviceSid: KS2, uniqueName: "order-1" }));
    expect(d).toEqual({ changes: true, replaces: ["serviceSid"], deleteBeforeReplace: false });
  });

  it("replaces when a create-only value is unknown at preview, deleting first if the name may be kept", () => {
    const d = diffSession(live(), declared({ serviceSid: UNKNOWN, uniqueName: "order-1" }));
    expect(d.replaces).toEqual(["serviceSid"]);
    expect(d.deleteBeforeReplace).toBe(true);
  });

  it("lists every replaced field together with in-place changes", () => {
    const d = diffSession(live(), declared({ mode: "voice-only", participants: [], ttl: 1 }));
    expect(d.changes).toBe(true);
    expect(d.replaces).toEqual(["mode"]);
  });
});

describe("diff: participants", () => {
  const alice = { sid: "KP" + "1".repeat(32), identifier: "+15550001111", friendlyName: "Alice" };
  const bob = { sid: "KP" + "2".repeat(32), identifier: "+15550002222", proxyIdentifier: "+1555" };
  const carol = { identifier: "+15550003333" };
  const inPlace = { changes: true, replaces: [], deleteBeforeReplace: false };

  it("never drift when not declared", () => {
    expect(diffSession(live({ participants: [alice] }), declared()).changes).toBe(false);
  });

  it("compare only the fields declared, in any order", () => {
    const l = live({ participants: [alice, bob] });
    const d = declared({ participants: [{ identifier: bob.identifier }, alice] });
    expect(diffSession(l, d).changes).toBe(false);
  });

  it("add a participant into a free place in place", () => {
    const d = diffSession(
      live({ participants: [alice] }),
      declared({ participants: [alice, carol] }),
    );
    expect(d).toEqual(inPlace);
  });

  it("remove a participant in place", () => {
    const d = diffSession(
      live({ participants: [alice, bob] }),
      declared({ participants: [alice] }),
    );
    expect(d).toEqual(inPlace);
  });

  it("change the only participant in place: its removal and the addition fit in two places", () => {
    const d = diffSession(live({ participants: [alice] }), declared({ participants: [carol] }));
    expect(d).toEqual(inPlace);
  });

  it("replace the session to swap one of two participants: removed ones keep their place", () => {
    const l = live({ participants: [alice, bob] });
    const d = declared({ uniqueName: "order-1", participants: [alice, carol] });
    expect(diffSession(l, d)).toEqual({
      changes: true,
      replaces: ["participants"],
      deleteBeforeReplace: true,
    });
    expect(participantsObstacle(l, d)).toMatch(/session holds 2 participants, removed ones/);
  });

  it("replace the session to bring back a removed participant: Twilio does not re-add one", () => {
    const l = live({ participants: [alice], removedParticipants: [bob.identifier] });
    const d = declared({ participants: [alice, { identifier: bob.identifier }] });
    expect(diffSession(l, d).replaces).toEqual(["participants"]);
    expect(participantsObstacle(l, d)).toMatch(/was removed .* does not add a removed participant/);
  });

  it("replace a closed session that stays closed; change them in place when it re-opens", () => {
    const closed = live({ status: "closed", participants: [alice] });
    const add = { participants: [alice, carol] };
    expect(diffSession(closed, declared(add)).replaces).toEqual(["participants"]);
    expect(diffSession(closed, declared({ ...add, status: "closed" })).replaces).toEqual([
      "participants",
    ]);
    expect(diffSession(closed, declared({ ...add, status: "open" }))).toEqual(inPlace);
  });

  it("are an update, not a replacement, while one's field is unknown at preview", () => {
    const l = live({ participants: [alice, bob] });
    const d = declared({ participants: [alice, { identifier: UNKNOWN as unknown as string }] });
    expect(diffSession(l, d)).toEqual(inPlace);
  });

  it("are a change when unknown at preview, decided once known", () => {
    const d = diffSession(
      live({ participants: [alice] }),
      declared({ participants: UNKNOWN as never }),
    );
    expect(d).toEqual(inPlace);
  });
});
