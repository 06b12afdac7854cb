// "Gone" means Twilio said so: a session leaves state on refresh, and a delete counts as done, only
// on Twilio's own JSON not-found answer for that session's URL. A proxy's page, a wrong base URL
// or an answer that is not a session stops the operation, naming the URL and what came back.
import { afterEach } from "vitest";
import type { ProxySessionInputs } from "../provider/internal";
import { isGone, TwilioApiError, UnexpectedAnswerError } from "../provider/errors";
import { READING_SETS, type EmulatorHarness } from "./support/emulator";
import { describe, expect, it } from "./support/fixtures";
import {
  HTML_200,
  HTML_404,
  JSON_404,
  startImpostor,
  type Impostor,
  type ImpostorAnswer,
} from "./support/impostor";

async function created(emu: EmulatorHarness, over: Partial<ProxySessionInputs> = {}) {
  const p = emu.provider();
  const r = await p.create({ serviceSid: emu.serviceSid, uniqueName: "kept", ...over });
  return { id: r.id, outs: r.outs! };
}

// Twilio's behaviour under every switch in both positions: all at their default, all switched.
describe.each(READING_SETS)("with %s", (_, alternatives) => {
  it.beforeEach(async ({ emu }) => {
    await emu.switchReadings(alternatives);
  });

  it("a session deleted at Twilio leaves state on refresh (Twilio's 20404 for its URL)", async ({
    emu,
  }) => {
    const { id, outs } = await created(emu);
    await emu.deleteSession(id);
    const { result, calls } = await emu.count(() => emu.provider().read(id, outs));
    expect(result).toEqual({});
    expect(calls).toMatchObject({ total: 1, FetchSession: 1 });
  });

  it("a session with participants deleted at Twilio leaves state on refresh", async ({ emu }) => {
    const { id, outs } = await created(emu, { participants: [{ identifier: "+15005550006" }] });
    await emu.deleteSession(id);
    expect(await emu.provider().read(id, outs)).toEqual({});
  });

  it("a delete of a session already gone at Twilio is done", async ({ emu }) => {
    const { id, outs } = await created(emu);
    await emu.deleteSession(id);
    await expect(emu.provider().delete(id, outs)).resolves.toBeUndefined();
  });
});

describe("whatever else answers in Twilio's place", () => {
  let impostor: Impostor | undefined;
  afterEach(async () => {
    await impostor?.close();
    impostor = undefined;
  });
  const behind = async (emu: EmulatorHarness, answer: ImpostorAnswer) => {
    impostor = await startImpostor(answer);
    return emu.provider({ env: emu.env({ TWILIO_PROXY_BASE_URL: impostor.baseUrl }) });
  };

  it.for([
    [
      "a 404 HTML page",
      HTML_404,
      /answered HTTP 404 with an HTML page \(text\/html\) titled "404 Not Found"/,
    ],
    [
      "a 404 JSON body without Twilio's code",
      JSON_404,
      /answered HTTP 404 with JSON \(application\/json\)/,
    ],
    [
      "a 200 HTML page",
      HTML_200,
      /answered HTTP 200 with an HTML page \(text\/html\) titled "Sign in to the network", not a Twilio session/,
    ],
  ] as const)(
    "%s stops a refresh, naming the URL, the session kept",
    async ([, answer, message], { emu }) => {
      const { id, outs } = await created(emu);
      const provider = await behind(emu, answer);
      const err = await provider.read(id, outs).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      const url = `${impostor!.baseUrl}/v1/Services/${emu.serviceSid}/Sessions/${id}`;
      expect((err as Error).message).toContain(`GET ${url} answered`);
      expect((err as Error).message).toMatch(message);
      expect(impostor!.requests).toEqual([`GET /v1/Services/${emu.serviceSid}/Sessions/${id}`]);
      expect((await emu.sessions()).map((s) => s.sid)).toEqual([id]);
    },
  );

  it.for([
    ["a 404 HTML page", HTML_404, /answered HTTP 404 with an HTML page/],
    ["a 200 HTML page", HTML_200, /answered HTTP 200 with an HTML page .*, not an empty body/],
  ] as const)("%s stops a delete, naming the URL", async ([, answer, message], { emu }) => {
    const { id, outs } = await created(emu);
    const provider = await behind(emu, answer);
    const err = await provider.delete(id, outs).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const url = `${impostor!.baseUrl}/v1/Services/${emu.serviceSid}/Sessions/${id}`;
    expect((err as Error).message).toContain(`DELETE ${url} answered`);
    expect((err as Error).message).toMatch(message);
    expect((await emu.sessions()).map((s) => s.sid)).toEqual([id]);
  });

  it("a 200 HTML page is not a created session", async ({ emu }) => {
    const provider = await behind(emu, HTML_200);
    const err = await provider
      .create({ serviceSid: emu.serviceSid, uniqueName: "new" })
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(UnexpectedAnswerError);
    expect((err as Error).message).toMatch(
      /POST http:\/\/127\.0\.0\.1:\d+\/v1\/Services\/KS\w+\/Sessions answered HTTP 200 with an HTML page/,
    );
  });

  it("a 200 HTML page is not a list of sessions", async ({ emu }) => {
    const provider = await behind(emu, HTML_200);
    const err = await provider
      .create({ serviceSid: emu.serviceSid, uniqueName: "x", adopt: true })
      .catch((e: Error) => e);
    // Adopt by name: Fetch by name, which an HTML 200 does not answer as a session.
    expect((err as Error).message).toMatch(
      /answered HTTP 200 with an HTML page .*, not a Twilio session/,
    );
  });
});

describe("credentials go only to the configured host", () => {
  it("a redirect is not followed: an error naming where it pointed", async ({ emu }) => {
    const elsewhere = await startImpostor(HTML_200);
    const redirecting = await startImpostor({
      status: 302,
      contentType: "text/html",
      body: "",
      headers: { Location: `${elsewhere.baseUrl}/login` },
    });
    try {
      const provider = emu.provider({
        env: emu.env({ TWILIO_PROXY_BASE_URL: redirecting.baseUrl }),
      });
      const err = await provider
        .create({ serviceSid: emu.serviceSid, uniqueName: "r" })
        .catch((e: Error) => e);
      expect(err).toBeInstanceOf(UnexpectedAnswerError);
      expect((err as Error).message).toContain(`answered HTTP 302 to ${elsewhere.baseUrl}/login`);
      expect(redirecting.requests).toHaveLength(1);
      expect(elsewhere.requests).toEqual([]);
    } finally {
      await Promise.all([elsewhere.close(), redirecting.close()]);
    }
  });
});

describe("isGone", () => {
  const path = `/v1/Services/KS${"1".repeat(32)}/Sessions/KC${"2".repeat(32)}`;
  const twilio404 = (request: string, code = 20404) =>
    new TwilioApiError(404, code, "The requested resource was not found", undefined, request);

  it("is Twilio's not-found for exactly that path, whatever the query", () => {
    expect(isGone(twilio404(`GET ${path}`), path)).toBe(true);
    expect(isGone(twilio404(`DELETE ${path}`), path)).toBe(true);
    expect(isGone(twilio404(`GET ${path}?PageSize=50`), path)).toBe(true);
    expect(isGone(twilio404(`GET ${path}`, 80308), path)).toBe(true);
  });

  it("is not a not-found for another path, e.g. under a base URL ending in /v1", () => {
    expect(isGone(twilio404(`GET /v1${path}`), path)).toBe(false);
  });

  it("is not another Twilio code, nor a 404 that did not come from Twilio", () => {
    expect(isGone(twilio404(`GET ${path}`, 20003), path)).toBe(false);
    const page = new TwilioApiError(
      404,
      undefined,
      "an HTML page",
      undefined,
      `GET ${path}`,
      false,
    );
    expect(isGone(page, path)).toBe(false);
    expect(isGone(new Error("404"), path)).toBe(false);
  });
});
