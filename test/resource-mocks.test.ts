// The resource class's wiring, under Pulumi's mocks: what a program sends to the engine.
import { createRequire } from "node:module";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..");
// Node's own loader, as in a user's program: the provider text must be serialized from
// the built package, not from test-transformed source.
const load = createRequire(__filename);
const pulumi = load(
  path.join(root, "node_modules/@pulumi/pulumi"),
) as typeof import("@pulumi/pulumi");
const { ProxySession } = load(path.join(root, "dist/provider")) as typeof import("../provider");

const TOKEN = "SuperSecretToken0123456789";
const SID = "KC" + "1".repeat(32);
const registered: Array<{ type: string; name: string; inputs: Record<string, unknown> }> = [];

beforeAll(() => {
  process.env.TWILIO_AUTH_TOKEN = TOKEN;
  pulumi.runtime.setAllConfig({ "twilio:password": TOKEN });
  pulumi.runtime.setMocks({
    newResource: (args) => {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs });
      const fullUrl = `https://proxy.twilio.com/v1/Services/${args.inputs.serviceSid}/Sessions/${SID}`;
      // As the provider stores outputs (stored.ts), or as earlier versions did.
      const stored = args.name.startsWith("earlier")
        ? { sid: SID, url: fullUrl }
        : { url: "https://proxy.twilio.com" };
      return {
        id: SID,
        state: { ...args.inputs, ...stored, status: "open", accountSid: "AC" + "2".repeat(32) },
      };
    },
    call: () => ({}),
  });
});

const promiseOf = <T>(o: import("@pulumi/pulumi").Output<T>) => new Promise<T>((r) => o.apply(r));
const KS = "KS" + "a".repeat(32);

describe("ProxySession", () => {
  it("registers as pulumi-nodejs:dynamic/twilio:ProxySession with the declared inputs", async () => {
    const s = new ProxySession("order-42", {
      serviceSid: KS,
      uniqueName: "order-42",
      ttl: 3600,
      status: "open",
      participants: [{ identifier: "+15550001111" }],
    });
    expect(await promiseOf(s.sid)).toBe("KC" + "1".repeat(32));
    const r = registered.find((x) => x.name === "order-42")!;
    expect(r.type).toBe("pulumi-nodejs:dynamic/twilio:ProxySession");
    expect(r.inputs).toMatchObject({
      serviceSid: KS,
      uniqueName: "order-42",
      ttl: 3600,
      status: "open",
      participants: [{ identifier: "+15550001111" }],
    });
    // Output-only properties are not sent as inputs.
    for (const key of ["sid", "accountSid", "dateCreated", "url"])
      expect(r.inputs).not.toHaveProperty(key);
    expect(await promiseOf(s.accountSid)).toMatch(/^AC/);
  });

  it("puts back what state does not store: sid is the id, url the session's URL", async () => {
    for (const name of ["compact", "earlier-full"]) {
      const s = new ProxySession(name, { serviceSid: KS });
      expect(await promiseOf(s.sid)).toBe(SID);
      expect(await promiseOf(s.url)).toBe(
        `https://proxy.twilio.com/v1/Services/${KS}/Sessions/${SID}`,
      );
    }
  });

  it("derives links from url, as Twilio forms them, instead of storing them", async () => {
    const s = new ProxySession("linked", { serviceSid: KS });
    const url = await promiseOf(s.url);
    expect(url).toMatch(/\/Sessions\/KC1+$/);
    expect(await promiseOf(s.links)).toEqual({
      interactions: `${url}/Interactions`,
      participants: `${url}/Participants`,
    });
    expect(registered.find((x) => x.name === "linked")!.inputs).not.toHaveProperty("links");
  });

  it("sends a Date dateExpiry as an ISO 8601 string", async () => {
    const s = new ProxySession("dated", {
      serviceSid: KS,
      dateExpiry: new Date(Date.UTC(2031, 0, 2, 3, 4, 5)),
    });
    expect(await promiseOf(s.dateExpiry)).toBe("2031-01-02T03:04:05.000Z");
    expect(registered.find((x) => x.name === "dated")!.inputs.dateExpiry).toBe(
      "2031-01-02T03:04:05.000Z",
    );
  });

  it("stores the same provider for every resource, without credentials", async () => {
    const a = new ProxySession("a", { serviceSid: KS });
    const b = new ProxySession("b", { serviceSid: KS, mode: "voice-only" });
    await Promise.all([promiseOf(a.sid), promiseOf(b.sid)]);
    const texts = registered
      .filter((x) => x.name === "a" || x.name === "b")
      .map((x) => x.inputs.__provider);
    expect(typeof texts[0]).toBe("string");
    expect(texts[1]).toBe(texts[0]);
    expect(texts[0] as string).not.toContain(TOKEN);
  });
});
