// What state keeps of a session's outputs, and how the rest is put back: exactly, or not at all.
import { describe, expect, it } from "vitest";
import { fromStored, toStored } from "../provider/stored";
import type { ProxySessionOutputs } from "../provider/types";

const KS = "KS" + "a".repeat(32);
const KC = "KC" + "b".repeat(32);

function outputs(url: string | null): ProxySessionOutputs {
  return {
    sid: KC,
    serviceSid: KS,
    accountSid: "AC" + "c".repeat(32),
    uniqueName: "trip-1",
    mode: "voice-and-message",
    status: "open",
    ttl: 60,
    dateExpiry: null,
    dateStarted: null,
    dateEnded: null,
    dateLastInteraction: null,
    closedReason: null,
    dateCreated: "2026-12-06T03:14:52Z",
    dateUpdated: "2026-12-06T03:14:52Z",
    url,
    participants: [],
    __declared: { ttl: true },
  };
}

describe("stored outputs", () => {
  it.each([
    ["Twilio's default host", "https://proxy.twilio.com"],
    ["a regional host", "https://proxy.sydney.au1.twilio.com"],
    ["the emulator", "http://127.0.0.1:4010"],
  ])("keep only the origin of a session URL on %s, and read back the same URL", (_, origin) => {
    const outs = outputs(`${origin}/v1/Services/${KS}/Sessions/${KC}`);
    const stored = toStored(outs);
    expect(stored).not.toHaveProperty("sid");
    expect(stored.url).toBe(origin);
    expect(fromStored(KC, stored)).toEqual(outs);
  });

  it.each([
    [
      "another session's URL",
      `https://proxy.twilio.com/v1/Services/${KS}/Sessions/KC${"d".repeat(32)}`,
    ],
    ["a trailing slash", `https://proxy.twilio.com/v1/Services/${KS}/Sessions/${KC}/`],
    ["an upper-case host", `https://Proxy.Twilio.com/v1/Services/${KS}/Sessions/${KC}`],
    ["another API version", `https://proxy.twilio.com/v2/Services/${KS}/Sessions/${KC}`],
    ["no URL", null],
  ])("keep a URL that is not exactly the derived one in full: %s", (_, url) => {
    const outs = outputs(url);
    expect(toStored(outs).url).toBe(url);
    expect(fromStored(KC, toStored(outs))).toEqual(outs);
  });

  it("keep an earlier version's full form when asked, and read it as it is", () => {
    const outs = outputs(`https://proxy.twilio.com/v1/Services/${KS}/Sessions/${KC}`);
    expect(toStored(outs, true)).toEqual(outs);
    expect(fromStored(KC, outs)).toEqual(outs);
  });
});
