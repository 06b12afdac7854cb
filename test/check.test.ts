import { describe, expect, it } from "vitest";
import { checkInputs } from "../provider/check";
import { UNKNOWN } from "../provider/unknown";
import { BAD_INPUTS, KS } from "./support/bad-inputs";

const PN = "PN" + "0123456789abcdef".repeat(2);
const KC = "KC" + "0123456789abcdef".repeat(2);

describe("check: bad input gets a clear per-property failure", () => {
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

  it("refuses the same participant twice, as Twilio would (80623)", () => {
    const p = { identifier: "+15550001111" };
    const r = checkInputs({ serviceSid: KS, participants: [p, { ...p, friendlyName: "again" }] });
    expect(r.failures).toEqual([
      {
        property: "participants",
        reason: expect.stringMatching(
          /participants\[1\]\.identifier "\+15550001111" repeats participants\[0\]/,
        ),
      },
    ]);
  });

  it("lets a whole unknown participants list through", () => {
    expect(checkInputs({ serviceSid: KS, participants: UNKNOWN }).failures).toEqual([]);
  });
});
