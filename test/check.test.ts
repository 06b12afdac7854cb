import { describe, expect, it } from "vitest";
import { checkInputs } from "../provider/check";
import { UNKNOWN } from "../provider/unknown";

const KS = "KS" + "0123456789abcdef".repeat(2);
const PN = "PN" + "0123456789abcdef".repeat(2);
const KC = "KC" + "0123456789abcdef".repeat(2);

/** Each case: the declaration, the property that must fail, and a word the reason must hold. */
export const BAD_INPUTS: Array<[string, Record<string, unknown>, string, RegExp]> = [
  ["missing serviceSid", { serviceSid: undefined }, "serviceSid", /required/],
  ["null serviceSid", { serviceSid: null }, "serviceSid", /required/],
  ["serviceSid of wrong type", { serviceSid: 42 }, "serviceSid", /Service SID/],
  ["serviceSid with wrong prefix", { serviceSid: "KC" + "0".repeat(32) }, "serviceSid", /KS/],
  ["serviceSid too short", { serviceSid: "KS123" }, "serviceSid", /32 hex/],
  ["serviceSid with non-hex", { serviceSid: "KS" + "z".repeat(32) }, "serviceSid", /32 hex/],
  ["uniqueName of wrong type", { uniqueName: 7 }, "uniqueName", /string/],
  ["empty uniqueName", { uniqueName: "" }, "uniqueName", /empty/],
  ["blank uniqueName", { uniqueName: "   " }, "uniqueName", /empty/],
  ["uniqueName of 192 chars", { uniqueName: "x".repeat(192) }, "uniqueName", /191/],
  ["uniqueName of 192 emoji", { uniqueName: "😀".repeat(192) }, "uniqueName", /191/],
  ["unknown mode", { mode: "video-only" }, "mode", /message-only/],
  ["mode with wrong case", { mode: "Voice-Only" }, "mode", /one of/],
  ["status failed (not declarable)", { status: "failed" }, "status", /one of/],
  ["unknown status", { status: "paused" }, "status", /one of/],
  ["status of wrong type", { status: true }, "status", /one of/],
  ["negative ttl", { ttl: -5 }, "ttl", /0 \(no expiry\) or more/],
  ["fractional ttl", { ttl: 1.5 }, "ttl", /whole number/],
  ["ttl as a string", { ttl: "60" }, "ttl", /number of seconds/],
  ["NaN ttl", { ttl: NaN }, "ttl", /number of seconds/],
  ["infinite ttl", { ttl: Infinity }, "ttl", /number of seconds/],
  ["ttl beyond safe integers", { ttl: 2 ** 60 }, "ttl", /too large/],
  ["unparseable dateExpiry", { dateExpiry: "next tuesday" }, "dateExpiry", /not an ISO 8601/],
  ["impossible dateExpiry", { dateExpiry: "2027-02-30" }, "dateExpiry", /not an ISO 8601/],
  ["dateExpiry month 13", { dateExpiry: "2027-13-01T00:00:00Z" }, "dateExpiry", /ISO 8601/],
  ["dateExpiry as a number", { dateExpiry: 1798761600 }, "dateExpiry", /ISO 8601 date string/],
  ["participants not a list", { participants: { identifier: "+1" } }, "participants", /list/],
  [
    "three participants",
    { participants: [{ identifier: "+1" }, { identifier: "+2" }, { identifier: "+3" }] },
    "participants",
    /at most 2/,
  ],
  [
    "participant without identifier",
    { participants: [{ friendlyName: "A" }] },
    "participants",
    /identifier is required/,
  ],
  [
    "participant with empty identifier",
    { participants: [{ identifier: "" }] },
    "participants",
    /empty/,
  ],
  ["participant that is a string", { participants: ["+15550001111"] }, "participants", /object/],
  [
    "participant with a typo'd key",
    { participants: [{ identifier: "+1", friendly_name: "A" }] },
    "participants",
    /friendly_name is not/,
  ],
  [
    "participant with a bad PN sid",
    { participants: [{ identifier: "+1", proxyIdentifierSid: "PN1" }] },
    "participants",
    /Phone Number SID/,
  ],
  [
    "participant friendlyName of 256 chars",
    { participants: [{ identifier: "+1", friendlyName: "é".repeat(256) }] },
    "participants",
    /255/,
  ],
  [
    "unknown top-level input",
    { serviceSid: KS, friendlyName: "x" },
    "friendlyName",
    /not a ProxySession input/,
  ],
  ["adopt with a bad value", { adopt: "yes" }, "adopt", /Session SID/],
  ["adopt: true without uniqueName", { adopt: true }, "adopt", /uniqueName must be set/],
];

describe("check: bad input gets a clear per-property failure", () => {
  it("covers at least 30 cases", () => expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(30));

  it.each(BAD_INPUTS)("%s", (_name, input, property, reason) => {
    const { failures } = checkInputs({ serviceSid: KS, ...input });
    const hit = failures.find((f) => f.property === property);
    expect(hit, JSON.stringify(failures)).toBeDefined();
    expect(hit!.reason).toMatch(reason);
  });

  it("reports every bad property at once", () => {
    const { failures } = checkInputs({ serviceSid: "x", ttl: -1, mode: "y", status: "z" });
    expect(failures.map((f) => f.property).sort()).toEqual(["mode", "serviceSid", "status", "ttl"]);
  });
});

describe("check: good input", () => {
  it("accepts a full declaration and normalises it", () => {
    const { inputs, failures, warnings } = checkInputs(
      {
        serviceSid: KS,
        uniqueName: "订单-1 ☎",
        mode: "message-only",
        ttl: 0,
        status: "in-progress",
        dateExpiry: "2030-06-01T12:00:00+02:00",
        participants: [
          {
            identifier: "+15550001111",
            friendlyName: "Alice",
            proxyIdentifierSid: PN,
            proxyIdentifier: undefined,
          },
          { identifier: "+15550002222" },
        ],
        adopt: KC,
      },
      Date.parse("2026-11-29T00:00:00Z"),
    );
    expect(failures).toEqual([]);
    expect(warnings).toEqual([]);
    expect(inputs).toEqual({
      serviceSid: KS,
      uniqueName: "订单-1 ☎",
      mode: "message-only",
      ttl: 0,
      status: "in-progress",
      dateExpiry: "2030-06-01T10:00:00Z",
      participants: [
        { identifier: "+15550001111", friendlyName: "Alice", proxyIdentifierSid: PN },
        { identifier: "+15550002222" },
      ],
      adopt: KC,
    });
  });

  it("accepts a unique name of exactly 191 characters", () => {
    expect(checkInputs({ serviceSid: KS, uniqueName: "界".repeat(191) }).failures).toEqual([]);
  });

  it("warns, without failing, when dateExpiry is in the past", () => {
    const r = checkInputs(
      { serviceSid: KS, dateExpiry: "2020-01-01" },
      Date.parse("2026-11-29T00:00:00Z"),
    );
    expect(r.failures).toEqual([]);
    expect(r.warnings).toEqual([expect.stringMatching(/2020-01-01T00:00:00Z is in the past/)]);
  });

  it("lets values unknown during preview through without false failures", () => {
    const r = checkInputs({
      serviceSid: UNKNOWN,
      uniqueName: UNKNOWN,
      mode: UNKNOWN,
      ttl: UNKNOWN,
      status: UNKNOWN,
      dateExpiry: UNKNOWN,
      participants: [{ identifier: UNKNOWN }, UNKNOWN],
    });
    expect(r.failures).toEqual([]);
    expect(r.inputs.serviceSid).toBe(UNKNOWN);
    expect(r.inputs.ttl).toBe(UNKNOWN);
  });

  it("lets a whole unknown participants list through", () => {
    expect(checkInputs({ serviceSid: KS, participants: UNKNOWN }).failures).toEqual([]);
  });
});
