// The drift report on its own: which declared fields it names for a step.
import { describe, expect, it } from "vitest";
import { driftOf } from "../pipelines/drift-report.mjs";

const URN = "urn:pulumi:prod::p::pulumi-nodejs:dynamic/twilio:ProxySession::trip";
const TYPE = "pulumi-nodejs:dynamic/twilio:ProxySession";
const update = (oldInputs: Record<string, unknown>, newInputs: Record<string, unknown>) =>
  driftOf({ steps: [{ op: "update", urn: URN, type: TYPE, oldInputs, newInputs }] });

describe("drift report", () => {
  it("names only the fields that differ, whatever the order of a participant's keys", () => {
    const rider = { identifier: "+15005550006", friendlyName: "Rider" };
    const riderAgain = { friendlyName: "Rider", identifier: "+15005550006" };
    const [entry] = update(
      { serviceSid: "KS1", ttl: 60, participants: [rider] },
      { serviceSid: "KS1", ttl: 3600, participants: [riderAgain] },
    );
    expect(entry.details).toEqual(["ttl: 60 -> 3600"]);
  });

  it("counts participants rather than naming them", () => {
    const [entry] = update(
      { serviceSid: "KS1", participants: [{ identifier: "+15005550006" }] },
      {
        serviceSid: "KS1",
        participants: [{ identifier: "+15005550006" }, { identifier: "+15005550007" }],
      },
    );
    expect(entry.details).toEqual(["participants: 1 participant -> 2 participants"]);
  });
});
