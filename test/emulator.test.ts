// Behaviour and OpenAPI conformance of the local Twilio Proxy emulator, over real HTTP.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { READINGS, startEmulator, type ReadingId } from "../emulator";
import { parseCliArgs } from "../emulator/cli";
import type { EmulatorHarness } from "./support/emulator";
import { describe, emulatorTest, expect } from "./support/fixtures";
import { afterAll } from "vitest";

// ---------------------------------------------------------------------------------------------
// OpenAPI 3.0 -> JSON Schema, so ajv can check responses against Twilio's own document.

type Json = Record<string, unknown>;
type ValidatedOperation =
  | "CreateSession"
  | "ListSession"
  | "FetchSession"
  | "UpdateSession"
  | "CreateParticipant"
  | "ListParticipant"
  | "FetchParticipant";

const spec = JSON.parse(
  readFileSync(join(__dirname, "..", "emulator", "spec", "twilio_proxy_v1.json"), "utf8"),
) as Json;
const schemas = (spec.components as Json).schemas as Record<string, Json>;

/** Only the keywords OpenAPI 3.0 adds or changes need work: $ref, nullable and extensions. */
function toJsonSchema(node: Json): Json {
  if (typeof node.$ref === "string") {
    const name = node.$ref.replace("#/components/schemas/", "");
    const target = schemas[name];
    if (!target) throw new Error(`unresolved $ref ${node.$ref}`);
    const resolved = toJsonSchema(target);
    return node.nullable === true ? { anyOf: [resolved, { type: "null" }] } : resolved;
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "nullable" || key === "example" || key === "examples" || key.startsWith("x-")) {
      continue;
    }
    if (key === "properties") {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, Json>).map(([k, v]) => [k, toJsonSchema(v)]),
      );
    } else if (key === "items" || (key === "additionalProperties" && typeof value === "object")) {
      out[key] = toJsonSchema(value as Json);
    } else if (key === "format" && value === "uri-map") {
      // JSON Schema formats only apply to strings and numbers; see the uriMap keyword below.
      out.uriMap = true;
    } else if (key === "allOf" || key === "anyOf" || key === "oneOf") {
      out[key] = (value as Json[]).map(toJsonSchema);
    } else {
      out[key] = value;
    }
  }
  if (node.nullable === true) {
    if (typeof out.type === "string") out.type = [out.type, "null"];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  }
  return out;
}

function operationSchema(path: string, method: string, status: string): Json {
  const op = ((spec.paths as Json)[path] as Json)[method] as Json;
  const responses = op.responses as Record<string, Json>;
  const content = responses[status].content as Record<string, Json>;
  return toJsonSchema(content["application/json"].schema as Json);
}

const ajv = new Ajv({ strict: true, allErrors: true });
addFormats(ajv);
// `links` is `type: object, format: uri-map`: an object whose values are absolute URIs. Ajv's
// `format` cannot apply to objects, so the conversion maps it onto this keyword instead.
ajv.addKeyword({
  keyword: "uriMap",
  type: "object",
  schemaType: "boolean",
  validate: (_schema: boolean, data: Record<string, unknown>) =>
    Object.values(data).every((v) => typeof v === "string" && /^https?:\/\/[^\s]+$/.test(v)),
});

const COLLECTION = "/v1/Services/{ServiceSid}/Sessions";
const INSTANCE = "/v1/Services/{ServiceSid}/Sessions/{Sid}";
const PARTICIPANTS = "/v1/Services/{ServiceSid}/Sessions/{SessionSid}/Participants";
const PARTICIPANT = `${PARTICIPANTS}/{Sid}`;
const validators: Record<ValidatedOperation, ValidateFunction> = {
  CreateSession: ajv.compile(operationSchema(COLLECTION, "post", "201")),
  ListSession: ajv.compile(operationSchema(COLLECTION, "get", "200")),
  FetchSession: ajv.compile(operationSchema(INSTANCE, "get", "200")),
  UpdateSession: ajv.compile(operationSchema(INSTANCE, "post", "200")),
  CreateParticipant: ajv.compile(operationSchema(PARTICIPANTS, "post", "201")),
  ListParticipant: ajv.compile(operationSchema(PARTICIPANTS, "get", "200")),
  FetchParticipant: ajv.compile(operationSchema(PARTICIPANT, "get", "200")),
};
const validated = Object.fromEntries(Object.keys(validators).map((op) => [op, 0])) as Record<
  ValidatedOperation,
  number
>;

const SESSION_KEYS = [
  "sid",
  "service_sid",
  "account_sid",
  "date_started",
  "date_ended",
  "date_last_interaction",
  "date_expiry",
  "unique_name",
  "status",
  "closed_reason",
  "ttl",
  "mode",
  "date_created",
  "date_updated",
  "url",
  "links",
].sort();
const TWILIO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const DATE_KEYS = [
  "date_started",
  "date_ended",
  "date_last_interaction",
  "date_expiry",
  "date_created",
  "date_updated",
];

/** What the schema cannot say: exactly 16 keys, whole-second UTC dates, absolute links. */
function assertSessionShape(s: Json): void {
  expect(Object.keys(s).sort()).toEqual(SESSION_KEYS);
  for (const key of DATE_KEYS) {
    if (s[key] !== null) expect(s[key], key).toMatch(TWILIO_DATE);
  }
  expect(s.url).toBe(`${emu.baseUrl}/v1/Services/${s.service_sid}/Sessions/${s.sid}`);
  expect(s.links).toEqual({
    interactions: `${s.url}/Interactions`,
    participants: `${s.url}/Participants`,
  });
}

const PARTICIPANT_KEYS = [
  "sid",
  "session_sid",
  "service_sid",
  "account_sid",
  "friendly_name",
  "identifier",
  "proxy_identifier",
  "proxy_identifier_sid",
  "date_deleted",
  "date_created",
  "date_updated",
  "url",
  "links",
].sort();

/** What the schema cannot say about a participant, as for sessions. */
function assertParticipantShape(p: Json): void {
  expect(Object.keys(p).sort()).toEqual(PARTICIPANT_KEYS);
  for (const key of ["date_deleted", "date_created", "date_updated"]) {
    if (p[key] !== null) expect(p[key], key).toMatch(TWILIO_DATE);
  }
  const session = `${emu.baseUrl}/v1/Services/${p.service_sid}/Sessions/${p.session_sid}`;
  expect(p.url).toBe(`${session}/Participants/${p.sid}`);
  expect(p.links).toEqual({ message_interactions: `${p.url}/MessageInteractions` });
}

/** Delete operations answer without a body: nothing to validate. */
function operationOf(method: string, path: string): ValidatedOperation | undefined {
  const parts = path.split("?")[0].split("/");
  if (parts.length === 5) return method === "GET" ? "ListSession" : "CreateSession";
  if (parts.length === 6 && method !== "DELETE") {
    return method === "GET" ? "FetchSession" : "UpdateSession";
  }
  if (parts.length === 7) return method === "GET" ? "ListParticipant" : "CreateParticipant";
  if (parts.length === 8 && method === "GET") return "FetchParticipant";
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers

// The file's emulator, for the helpers below and the tests of it.each (which get no fixtures).
let emu: EmulatorHarness;

interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  body: Json;
}

type Form = Record<string, string | string[]>;

function encodeForm(form: Form): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) {
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
  }
  return params.toString();
}

/**
 * Calls a Twilio route. Every 2xx answer with a body is validated against the operation's
 * response schema here, so no test can receive a non-conforming success unnoticed.
 */
async function api(
  method: string,
  path: string,
  form?: Form,
  authorization: string | null = emu.authorization,
): Promise<ApiResponse> {
  const url = path.startsWith("http") ? path : `${emu.baseUrl}${path}`;
  const headers: Record<string, string> = {};
  if (authorization !== null) headers.Authorization = authorization;
  if (form) headers["Content-Type"] = "application/x-www-form-urlencoded";
  const res = await fetch(url, {
    method,
    headers,
    body: form ? encodeForm(form) : undefined,
  });
  const text = await res.text();
  const body = text ? (JSON.parse(text) as Json) : {};
  const op = operationOf(method, new URL(url).pathname);
  if (res.status >= 200 && res.status < 300 && op) {
    const validate = validators[op];
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    validated[op] += 1;
    if (op === "ListSession") (body.sessions as Json[]).forEach(assertSessionShape);
    else if (op === "ListParticipant")
      (body.participants as Json[]).forEach(assertParticipantShape);
    else if (op.endsWith("Participant")) assertParticipantShape(body);
    else assertSessionShape(body);
  }
  return { status: res.status, headers: res.headers, text, body };
}

const sessionsPath = (serviceSid = emu.serviceSid) => `/v1/Services/${serviceSid}/Sessions`;
const sessionPath = (sid: string, serviceSid = emu.serviceSid) =>
  `${sessionsPath(serviceSid)}/${encodeURIComponent(sid)}`;

async function createSession(form: Form = {}, serviceSid?: string): Promise<Json> {
  const res = await api("POST", sessionsPath(serviceSid), form);
  expect(res.status, res.text).toBe(201);
  return res.body;
}

const fetchSession = async (sid: string) => (await api("GET", sessionPath(sid))).body;

async function advance(seconds: number): Promise<string> {
  const res = await emu.controlAnswer<{ now: string }>("POST", "clock/advance", { seconds });
  expect(res.status).toBe(200);
  return res.body.now;
}

const clockNow = async () => (await emu.control<{ now: string }>("GET", "clock")).now;

const plusSeconds = (iso: string, seconds: number) =>
  new Date(Date.parse(iso) + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

function expectError(res: ApiResponse, status: number, code: number, message?: string | RegExp) {
  expect(res.status, res.text).toBe(status);
  expect(Object.keys(res.body).sort()).toEqual(["code", "message", "more_info", "status"]);
  expect(res.body.code).toBe(code);
  expect(res.body.status).toBe(status);
  expect(res.body.more_info).toBe(`https://www.twilio.com/docs/errors/${code}`);
  expect(typeof res.body.message).toBe("string");
  if (message !== undefined) expect(res.body.message).toMatch(message);
}

/** 80603, 80607 and 80608 answer 409 unless the conflictHttpStatus alternative is on. */
const CONFLICT = 409;

/** Switches one reading of the shared emulator; the reset before each test restores defaults. */
async function useReading(id: ReadingId, position: "default" | "alternative" = "alternative") {
  const res = await emu.controlAnswer("POST", "readings", { [id]: position });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

/**
 * The shared emulator's time stands still unless a test advances it, so exact date assertions
 * cannot flake when real time crosses a second boundary mid-test.
 */
const FROZEN_NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

const it = emulatorTest({ now: () => FROZEN_NOW });
it.beforeAll(({ emu: started }) => {
  emu = started;
});

// ---------------------------------------------------------------------------------------------

describe("module API", () => {
  it("exposes the documented credentials and a seeded service", () => {
    expect(emu.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emu.emulator.accountSid).toMatch(/^AC[0-9a-f]{32}$/);
    expect(emu.emulator.apiKeySid).toMatch(/^SK[0-9a-f]{32}$/);
    expect(emu.serviceSid).toMatch(/^KS[0-9a-f]{32}$/);
    expect(emu.emulator.authToken).toMatch(/^[A-Za-z0-9]+$/);
    expect(emu.emulator.apiKeySecret).toMatch(/^[A-Za-z0-9]+$/);
  });

  it("gives each instance its own port and state", async () => {
    const other = await startEmulator();
    try {
      expect(other.baseUrl).not.toBe(emu.baseUrl);
      await createSession();
      const res = await fetch(`${other.baseUrl}/__emulator/sessions`);
      expect(((await res.json()) as { sessions: unknown[] }).sessions).toHaveLength(0);
      // Without an injected time source the clock is real time.
      const created = await fetch(`${other.baseUrl}${sessionsPath(other.serviceSid)}`, {
        method: "POST",
        headers: { Authorization: emu.authorization },
      });
      const s = (await created.json()) as Json;
      expect(Math.abs(Date.parse(s.date_created as string) - Date.now())).toBeLessThan(5000);
    } finally {
      await other.close();
    }
  });
});

describe("OpenAPI conformance", () => {
  const session = () => validators.FetchSession;
  let sample: Json;
  it.beforeEach(async () => {
    sample = await createSession();
  });

  it("uses the official spec copy", () => {
    expect(spec.openapi).toBe("3.0.1");
    expect((spec.info as Json).title).toBe("Twilio - Proxy");
    const license = readFileSync(
      join(__dirname, "..", "emulator", "spec", "twilio_proxy_v1.LICENSE"),
      "utf8",
    );
    expect(license).toMatch(/MIT License/);
  });

  it("the validator rejects what the spec forbids", () => {
    expect(session()(sample)).toBe(true);
    expect(session()({ ...sample, status: null })).toBe(false);
    expect(session()({ ...sample, mode: null })).toBe(false);
    expect(session()({ ...sample, ttl: null })).toBe(false);
    expect(session()({ ...sample, status: "paused" })).toBe(false);
    expect(session()({ ...sample, sid: "KX" + "0".repeat(32) })).toBe(false);
    expect(session()({ ...sample, date_created: "yesterday" })).toBe(false);
    expect(session()({ ...sample, url: "not a uri" })).toBe(false);
    expect(session()({ ...sample, links: { participants: "/relative" } })).toBe(false);
    // Nullable fields may be null:
    expect(session()({ ...sample, unique_name: null, closed_reason: null })).toBe(true);
    // The spec sets no additionalProperties, so extra keys pass it; the key-set check catches them.
    expect(session()({ ...sample, participants: [] })).toBe(true);
    expect(() => assertSessionShape({ ...sample, participants: [] })).toThrow();
  });

  it("a fresh session conforms and has the documented defaults", async () => {
    const s = sample;
    expect(s.sid).toMatch(/^KC[0-9a-f]{32}$/);
    expect(s.service_sid).toBe(emu.serviceSid);
    expect(s.account_sid).toBe(emu.emulator.accountSid);
    expect(s.status).toBe("open");
    expect(s.mode).toBe("voice-and-message");
    expect(s.ttl).toBe(0);
    // A real 2019 create response: date_started and closed_reason null (reference §9).
    expect(s.date_started).toBeNull();
    expect(s.closed_reason).toBeNull();
    expect(s.unique_name).toBeNull();
    expect(s.date_ended).toBeNull();
    expect(s.date_last_interaction).toBeNull();
    expect(s.date_expiry).toBeNull();
    expect(s.date_updated).toBe(s.date_created);
    expect(await fetchSession(s.sid as string)).toEqual(s);
  });

  it("a session with participants, unique name and expiry date conforms", async () => {
    const s = await createSession({
      UniqueName: "Order #1234",
      DateExpiry: "2099-07-30T20:00:00Z",
      Ttl: "3600",
      Mode: "message-only",
      Participants: [
        JSON.stringify({ Identifier: "+15555550100", FriendlyName: "Alice" }),
        JSON.stringify({ identifier: "+15555550101", friendly_name: "Bob" }),
      ],
    });
    expect(s).toMatchObject({
      unique_name: "Order #1234",
      date_expiry: "2099-07-30T20:00:00Z",
      ttl: 3600,
      mode: "message-only",
    });
    await fetchSession(s.sid as string);
  });

  it("in-progress, closed (update and expiry) and re-opened sessions conform", async () => {
    const sid = sample.sid as string;
    expect((await emu.controlAnswer("POST", `sessions/${sid}/interaction`)).status).toBe(200);
    expect((await fetchSession(sid)).status).toBe("in-progress");
    expect((await api("POST", sessionPath(sid), { Status: "closed" })).body.status).toBe("closed");
    const reopened = await api("POST", sessionPath(sid), { Status: "in-progress" });
    expect(reopened.body.status).toBe("in-progress");

    const byTtl = await createSession({ Ttl: "30" });
    const byDate = await createSession({ DateExpiry: plusSeconds(await clockNow(), 30) });
    await advance(31);
    expect(await fetchSession(byTtl.sid as string)).toMatchObject({ status: "closed" });
    expect(await fetchSession(byDate.sid as string)).toMatchObject({ status: "closed" });
  });

  it("list pages conform, empty or not", async () => {
    const other = await emu.controlAnswer<{ sid: string }>("POST", "services", {});
    const empty = await api("GET", sessionsPath(other.body.sid));
    expect(empty.body).toEqual({
      sessions: [],
      meta: {
        page: 0,
        page_size: 50,
        first_page_url: `${emu.baseUrl}${sessionsPath(other.body.sid)}?PageSize=50&Page=0`,
        previous_page_url: null,
        url: `${emu.baseUrl}${sessionsPath(other.body.sid)}?PageSize=50&Page=0`,
        next_page_url: null,
        key: "sessions",
      },
    });
    await createSession();
    await createSession();
    const first = await api("GET", `${sessionsPath()}?PageSize=2`);
    expect(first.body.sessions).toHaveLength(2);
    await api("GET", (first.body.meta as Json).next_page_url as string);
    expect(validators.ListSession({ sessions: [{ ...sample, status: null }], meta: {} })).toBe(
      false,
    );
  });
});

describe("authentication", () => {
  const as = (user: string, pass: string) =>
    "Basic " + Buffer.from(`${user}:${pass}`).toString("base64");
  const AUTH_ERROR = {
    code: 20003,
    detail: "Your AccountSid or AuthToken was incorrect.",
    message: "Authenticate",
    more_info: "https://www.twilio.com/docs/errors/20003",
    status: 401,
  };

  it("accepts the account SID and auth token", async () => {
    expect((await api("GET", sessionsPath())).status).toBe(200);
  });

  it("accepts the API key SID and secret", async () => {
    const res = await api(
      "POST",
      sessionsPath(),
      {},
      as(emu.emulator.apiKeySid, emu.emulator.apiKeySecret),
    );
    expect(res.status).toBe(201);
    expect(res.body.account_sid).toBe(emu.emulator.accountSid);
  });

  it.each([
    ["no header", null],
    ["a wrong token", "wrong"],
    ["mixed pairs", "key-with-token"],
    ["a bearer token", "bearer"],
  ])("answers 401/20003 for %s on every operation", async (_label, kind) => {
    const header =
      kind === null
        ? null
        : kind === "wrong"
          ? as(emu.emulator.accountSid, "wrongToken")
          : kind === "key-with-token"
            ? as(emu.emulator.apiKeySid, emu.emulator.authToken)
            : `Bearer ${emu.emulator.authToken}`;
    const sid = (await createSession()).sid as string;
    const calls: Array<[string, string, Form | undefined]> = [
      ["POST", sessionsPath(), {}],
      ["GET", sessionsPath(), undefined],
      ["GET", sessionPath(sid), undefined],
      ["POST", sessionPath(sid), { Status: "closed" }],
      ["DELETE", sessionPath(sid), undefined],
    ];
    for (const [method, path, form] of calls) {
      const res = await api(method, path, form, header);
      expect(res.status).toBe(401);
      expect(res.body).toEqual(AUTH_ERROR);
      expect(res.headers.get("www-authenticate")).toBe('Basic realm="Twilio API"');
    }
    // Nothing was changed by the rejected calls.
    expect(await emu.sessions()).toHaveLength(1);
    expect((await fetchSession(sid)).status).toBe("open");
  });

  it("checks credentials before routing: bad paths and methods are 401 too", async () => {
    for (const [method, path] of [
      ["GET", "/v1/Services"],
      ["GET", "/nowhere"],
      ["PUT", sessionsPath()],
      ["GET", `${sessionsPath()}/x/y/z`],
    ]) {
      const res = await api(method, path, undefined, null);
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body).toEqual(AUTH_ERROR);
    }
  });
});

describe("response headers", () => {
  it("every Twilio-route answer has a request id and a bare JSON content type", async () => {
    const s = await createSession();
    const answers = [
      await api("GET", sessionPath(s.sid as string)),
      await api("GET", sessionsPath()),
      await api("GET", sessionPath("KC" + "0".repeat(32))),
      await api("GET", "/v1/Services"),
      await api("PUT", sessionsPath()),
      await api("GET", sessionsPath(), undefined, null),
      await api("DELETE", sessionPath(s.sid as string)),
    ];
    const ids = answers.map((r) => r.headers.get("twilio-request-id"));
    for (const id of ids) expect(id).toMatch(/^RQ[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of answers.filter((a) => a.status !== 204)) {
      expect(r.headers.get("content-type")).toBe("application/json");
    }
  });
});

describe("create", () => {
  it("answers 201 with random lowercase sids", async () => {
    const a = await createSession();
    const b = await createSession();
    expect(a.sid).not.toBe(b.sid);
  });

  it("stamps dates from the emulator clock", async () => {
    const s = await createSession();
    expect(s.date_created).toBe(await clockNow());
    expect(s.date_created).toBe("2026-01-15T12:00:00Z");
    await advance(3600);
    const later = await createSession();
    expect(
      Date.parse(later.date_created as string) - Date.parse(s.date_created as string),
    ).toBeGreaterThanOrEqual(3600_000);
  });

  it("stores Mode, Status and Ttl", async () => {
    for (const mode of ["message-only", "voice-only", "voice-and-message"]) {
      expect((await createSession({ Mode: mode })).mode).toBe(mode);
    }
    expect((await createSession({ Ttl: "0" })).ttl).toBe(0);
    expect((await createSession({ Ttl: "86400" })).ttl).toBe(86400);
    expect((await createSession({ Status: "in-progress" })).status).toBe("in-progress");
    const closed = await createSession({ Status: "closed" });
    expect(closed).toMatchObject({ status: "closed", closed_reason: "api" });
    expect(closed.date_ended).toBe(closed.date_created);
  });

  it("defaults ttl to the service's default_ttl", async () => {
    const service = await emu.controlAnswer<{ sid: string }>("POST", "services", {
      defaultTtl: 300,
    });
    expect(service.status).toBe(201);
    expect(service.body.sid).toMatch(/^KS[0-9a-f]{32}$/);
    expect((await createSession({}, service.body.sid)).ttl).toBe(300);
    expect((await createSession({ Ttl: "5" }, service.body.sid)).ttl).toBe(5);
    expect((await createSession()).ttl).toBe(0);
  });

  it.each([
    ["2030-01-02T03:04:05Z", "2030-01-02T03:04:05Z"],
    ["2030-01-02T05:04:05+02:00", "2030-01-02T03:04:05Z"],
    ["2030-01-01T23:04:05-04:00", "2030-01-02T03:04:05Z"],
    ["2030-01-02T03:04:05.678Z", "2030-01-02T03:04:05Z"],
    ["2030-01-02", "2030-01-02T00:00:00Z"],
  ])("accepts DateExpiry %s", async (input, expected) => {
    expect((await createSession({ DateExpiry: input })).date_expiry).toBe(expected);
  });

  it.each([
    ["Mode", "voice"],
    ["Status", "paused"],
    ["Ttl", "-1"],
    ["Ttl", "1.5"],
    ["Ttl", "ten"],
    ["DateExpiry", "tomorrow"],
    ["DateExpiry", "2030-02-30"],
    ["DateExpiry", "2030-01-02T25:00:00Z"],
    ["UniqueName", "x".repeat(192)],
  ])("rejects %s=%s with 80701", async (param, value) => {
    const res = await api("POST", sessionsPath(), { [param]: value });
    expectError(res, 400, 80701, `'${param}' is invalid.`);
    expect(await emu.sessions()).toHaveLength(0);
  });

  it("accepts a 191-character unique name (counted in characters)", async () => {
    const name = "é".repeat(191);
    expect((await createSession({ UniqueName: name })).unique_name).toBe(name);
  });

  it("keeps unique names unique per service (80603)", async () => {
    await createSession({ UniqueName: "order-1" });
    const dup = await api("POST", sessionsPath(), { UniqueName: "order-1" });
    expectError(dup, CONFLICT, 80603, /order-1/);
    const service = await emu.controlAnswer<{ sid: string }>("POST", "services", {});
    expect((await createSession({ UniqueName: "order-1" }, service.body.sid)).unique_name).toBe(
      "order-1",
    );
  });

  it("still reserves the name of a closed session, and frees it on delete", async () => {
    const s = await createSession({ UniqueName: "reserved" });
    await api("POST", sessionPath(s.sid as string), { Status: "closed" });
    expectError(await api("POST", sessionsPath(), { UniqueName: "reserved" }), CONFLICT, 80603);
    expect((await api("DELETE", sessionPath(s.sid as string))).status).toBe(204);
    expect((await createSession({ UniqueName: "reserved" })).unique_name).toBe("reserved");
  });

  it("frees the name of a closed session under the closedSessionKeepsUniqueName alternative", async () => {
    await useReading("closedSessionKeepsUniqueName");
    const s = await createSession({ UniqueName: "reused" });
    await api("POST", sessionPath(s.sid as string), { Status: "closed" });
    const again = await createSession({ UniqueName: "reused" });
    expect(again.sid).not.toBe(s.sid);
    // The live holder is the one the name refers to; a second live one is still refused.
    expectError(await api("POST", sessionsPath(), { UniqueName: "reused" }), CONFLICT, 80603);
    await useReading("fetchByUniqueName");
    expect((await fetchSession("reused")).sid).toBe(again.sid);
  });

  it("answers the conflicts 80603, 80607 and 80608 with 400 under conflictHttpStatus", async () => {
    await useReading("conflictHttpStatus");
    await createSession({ UniqueName: "taken" });
    expectError(await api("POST", sessionsPath(), { UniqueName: "taken" }), 400, 80603);
    const closed = await createSession({ Status: "closed" });
    expectError(await api("POST", sessionPath(closed.sid as string), { Ttl: "5" }), 400, 80607);
    const open = await createSession();
    const res = await api("POST", sessionPath(open.sid as string), { Status: "failed" });
    expectError(res, 400, 80608);
  });

  it("rejects an empty UniqueName with 80701; emptyUniqueName treats it as none", async () => {
    expectError(await api("POST", sessionsPath(), { UniqueName: "" }), 400, 80701, "'UniqueName'");
    await useReading("emptyUniqueName");
    expect((await createSession({ UniqueName: "" })).unique_name).toBeNull();
  });

  it("ignores unknown parameters", async () => {
    const s = await createSession({ FailOnParticipantConflict: "true", Colour: "blue" });
    expect(s.status).toBe("open");
  });
});

describe("participants", () => {
  const storedParticipants = async (sid: string) =>
    (await emu.control<Json>("GET", `sessions/${sid}`)).participants as Json[];

  const camel = {
    identifier: "+15555550100",
    friendlyName: "Alice",
    proxyIdentifier: "+15555550999",
    proxyIdentifierSid: "PN" + "a".repeat(32),
  };

  it("rejects camelCase keys with 80701 by default", async () => {
    for (const key of ["friendlyName", "proxyIdentifier", "proxyIdentifierSid"] as const) {
      const p = { identifier: "+15555550100", [key]: camel[key] };
      const res = await api("POST", sessionsPath(), { Participants: JSON.stringify(p) });
      expectError(res, 400, 80701, "'Participants' is invalid.");
    }
    expect(await emu.sessions()).toHaveLength(0);
  });

  it("accepts a repeated JSON field in PascalCase, snake_case and (participantKeyCasing) camelCase", async () => {
    await useReading("participantKeyCasing");
    for (const [label, p] of [
      [
        "Pascal",
        {
          Identifier: "+15555550100",
          FriendlyName: "Alice",
          ProxyIdentifier: "+15555550999",
          ProxyIdentifierSid: "PN" + "a".repeat(32),
        },
      ],
      [
        "snake",
        {
          identifier: "+15555550100",
          friendly_name: "Alice",
          proxy_identifier: "+15555550999",
          proxy_identifier_sid: "PN" + "a".repeat(32),
        },
      ],
      ["camel", camel],
    ] as const) {
      const s = await createSession({
        Participants: [JSON.stringify(p), JSON.stringify({ Identifier: "+15555550101" })],
      });
      expect(s, label).not.toHaveProperty("participants");
      const stored = await storedParticipants(s.sid as string);
      expect(stored, label).toHaveLength(2);
      expect(stored[0], label).toMatchObject({
        identifier: "+15555550100",
        friendly_name: "Alice",
        proxy_identifier: "+15555550999",
        proxy_identifier_sid: "PN" + "a".repeat(32),
      });
      expect(stored[0].sid).toMatch(/^KP[0-9a-f]{32}$/);
      expect(stored[1], label).toMatchObject({ identifier: "+15555550101", friendly_name: null });
      // Twilio picks a proxy number from the pool when none is given (OpenAPI).
      expect(stored[1].proxy_identifier).toMatch(/^\+1555555\d{4}$/);
      expect(stored[1].proxy_identifier_sid).toMatch(/^PN[0-9a-f]{32}$/);
    }
  });

  it("accepts a single participant", async () => {
    const s = await createSession({ Participants: JSON.stringify({ Identifier: "alice" }) });
    expect(await storedParticipants(s.sid as string)).toHaveLength(1);
  });

  it.each([
    ["a missing identifier", [JSON.stringify({ FriendlyName: "Alice" })]],
    ["an empty identifier", [JSON.stringify({ Identifier: "" })]],
    ["a non-string identifier", [JSON.stringify({ Identifier: 15555550100 })]],
    ["invalid JSON", ["{Identifier: +1555}"]],
    ["a JSON string", [JSON.stringify("a")]],
    ["a JSON array holding a string", [JSON.stringify(["a"])]],
  ])("rejects %s with 80701", async (_label, values) => {
    const res = await api("POST", sessionsPath(), { Participants: values });
    expectError(res, 400, 80701, /^'Participants.*' is invalid\.$/);
    expect(await emu.sessions()).toHaveLength(0);
  });

  it("accepts one form value holding a JSON array, as Twilio does", async () => {
    const both = JSON.stringify([{ Identifier: "alice" }, { identifier: "bob" }]);
    const s = await createSession({ Participants: both });
    const stored = await storedParticipants(s.sid as string);
    expect(stored.map((p) => p.identifier)).toEqual(["alice", "bob"]);
    const none = await createSession({ Participants: "[]" });
    expect(await storedParticipants(none.sid as string)).toEqual([]);
  });

  it.each([
    ["repeated values", (ps: Json[]) => ps.map((p) => JSON.stringify(p))],
    ["one JSON array", (ps: Json[]) => [JSON.stringify(ps)]],
    [
      "an array and a value",
      (ps: Json[]) => [JSON.stringify(ps.slice(0, 2)), JSON.stringify(ps[2])],
    ],
  ])("rejects more than 2 participants with 80609 (%s)", async (_label, encode) => {
    const ps = [1, 2, 3].map((n) => ({ Identifier: `+1555555010${n}` }));
    const res = await api("POST", sessionsPath(), { Participants: encode(ps) });
    expectError(res, 400, 80609);
    expect(await emu.sessions()).toHaveLength(0);
  });
});

describe("participants sub-resource", () => {
  const participantsPath = (sid: string) => `${sessionPath(sid)}/Participants`;
  const participantPath = (sid: string, kp: string) => `${participantsPath(sid)}/${kp}`;
  const add = (sid: string, form: Form) => api("POST", participantsPath(sid), form);
  const list = async (sid: string) =>
    (await api("GET", participantsPath(sid))).body.participants as Json[];
  const live = async (sid: string) =>
    (await emu.control<Json>("GET", `sessions/${sid}`)).participants as Json[];
  const p = (identifier: string) => JSON.stringify({ Identifier: identifier });

  it("lists the participants created with the session, through links.participants", async () => {
    const s = await createSession({ Participants: [p("alice"), p("bob")] });
    const res = await api("GET", (s.links as Json).participants as string);
    expect(res.status).toBe(200);
    const listed = res.body.participants as Json[];
    // Newest first (participantListOrder), although the two share their second.
    expect(listed.map((x) => x.identifier)).toEqual(["bob", "alice"]);
    for (const x of listed) {
      expect(x).toMatchObject({
        session_sid: s.sid,
        service_sid: emu.serviceSid,
        account_sid: emu.emulator.accountSid,
        date_deleted: null,
        date_created: s.date_created,
      });
    }
    expect(res.body.meta).toMatchObject({
      key: "participants",
      page: 0,
      page_size: 50,
      url: `${emu.baseUrl}${participantsPath(s.sid as string)}?PageSize=50&Page=0`,
      next_page_url: null,
    });
    // Twilio's paging: PageSize=1 walks both through next_page_url and back.
    const first = await api("GET", `${participantsPath(s.sid as string)}?PageSize=1`);
    const second = await api("GET", (first.body.meta as Json).next_page_url as string);
    expect([
      ...(first.body.participants as Json[]),
      ...(second.body.participants as Json[]),
    ]).toEqual(listed);
    expect((second.body.meta as Json).next_page_url).toBeNull();
    const back = await api("GET", (second.body.meta as Json).previous_page_url as string);
    expect(back.body.participants).toEqual(first.body.participants);
    expectError(await api("GET", `${participantsPath(s.sid as string)}?Page=1`), 400, 20001);
  });

  it("creates a participant (201), with Identifier required and a pool number when none is given", async () => {
    const s = await createSession();
    await advance(5);
    const res = await add(s.sid as string, { Identifier: "+15555550100", FriendlyName: "Alice" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      identifier: "+15555550100",
      friendly_name: "Alice",
      date_created: await clockNow(),
      date_updated: await clockNow(),
      date_deleted: null,
    });
    expect(res.body.sid).toMatch(/^KP[0-9a-f]{32}$/);
    expect(res.body.proxy_identifier).toMatch(/^\+1555555\d{4}$/);
    const given = await add(s.sid as string, {
      Identifier: "messenger:123",
      ProxyIdentifier: "messenger:987",
      ProxyIdentifierSid: "PN" + "b".repeat(32),
    });
    expect(given.body).toMatchObject({
      proxy_identifier: "messenger:987",
      proxy_identifier_sid: "PN" + "b".repeat(32),
      friendly_name: null,
    });
    const both = [res.body.sid, given.body.sid].sort();
    // Newest first (participantListOrder).
    expect((await list(s.sid as string)).map((x) => x.sid)).toEqual([given.body.sid, res.body.sid]);
    expect((await live(s.sid as string)).map((x) => x.sid).sort()).toEqual(both);
    for (const created of [res.body, given.body]) {
      const path = participantPath(s.sid as string, created.sid as string);
      expect((await api("GET", path)).body).toEqual(created);
    }
  });

  it.each([
    ["Identifier", {}],
    ["Identifier", { Identifier: "" }],
    ["Identifier", { Identifier: "x".repeat(192) }],
    ["FriendlyName", { Identifier: "a", FriendlyName: "x".repeat(256) }],
    ["ProxyIdentifierSid", { Identifier: "a", ProxyIdentifierSid: "PN123" }],
  ])("rejects a bad %s with 80701", async (name, form: Form) => {
    const s = await createSession();
    expectError(await add(s.sid as string, form), 400, 80701, `'${name}' is invalid.`);
    expect(await list(s.sid as string)).toEqual([]);
  });

  it("keeps the limit of 2 participants (80609), whichever way they were added", async () => {
    const s = await createSession({ Participants: p("alice") });
    expect((await add(s.sid as string, { Identifier: "bob" })).status).toBe(201);
    expectError(await add(s.sid as string, { Identifier: "carol" }), 400, 80609);
    expect(await list(s.sid as string)).toHaveLength(2);
  });

  it("fetches a participant of its own session only", async () => {
    const s = await createSession({ Participants: p("alice") });
    const other = await createSession({ Participants: p("bob") });
    const [alice] = await list(s.sid as string);
    const res = await api("GET", participantPath(s.sid as string, alice.sid as string));
    expect(res.body).toEqual(alice);
    const wrong = participantPath(other.sid as string, alice.sid as string);
    expectError(await api("GET", wrong), 404, 20404, /\/Participants\/KP/);
    expectError(
      await api("GET", participantPath(s.sid as string, "KP" + "0".repeat(32))),
      404,
      20404,
    );
    expectError(await api("GET", participantPath(s.sid as string, "alice")), 404, 20404);
    expectError(await api("GET", participantsPath("KC" + "0".repeat(32))), 404, 20404);
    expectError(await api("PUT", participantsPath(s.sid as string)), 405, 20004);
  });

  it("soft-deletes: 200 without a body, still listed with date_deleted, gone from the control API", async () => {
    const s = await createSession({ Participants: [p("alice"), p("bob")] });
    const [bob, alice] = await list(s.sid as string);
    await advance(7);
    const res = await api("DELETE", participantPath(s.sid as string, alice.sid as string));
    expect(res.status).toBe(200);
    expect(res.text).toBe("");
    const after = await list(s.sid as string);
    expect(after.map((x) => x.sid)).toEqual([bob.sid, alice.sid]);
    expect(after[1]).toMatchObject({
      date_deleted: await clockNow(),
      date_updated: await clockNow(),
    });
    expect(after[0].date_deleted).toBeNull();
    const fetched = await api("GET", participantPath(s.sid as string, alice.sid as string));
    expect(fetched.body.date_deleted).toBe(await clockNow());
    expect((await live(s.sid as string)).map((x) => x.sid)).toEqual([bob.sid]);
    // Deleting it again: it is already gone.
    const again = await api("DELETE", participantPath(s.sid as string, alice.sid as string));
    expectError(again, 404, 20404);
  });

  it("under participantListOrder lists in creation order, paging included", async () => {
    await useReading("participantListOrder");
    const s = await createSession({ Participants: [p("alice"), p("bob")] });
    expect((await list(s.sid as string)).map((x) => x.identifier)).toEqual(["alice", "bob"]);
    const first = await api("GET", `${participantsPath(s.sid as string)}?PageSize=1`);
    const second = await api("GET", (first.body.meta as Json).next_page_url as string);
    expect((second.body.participants as Json[]).map((x) => x.identifier)).toEqual(["bob"]);
  });

  it("under deletedParticipantsInList a deleted participant is neither listed nor fetchable", async () => {
    await useReading("deletedParticipantsInList");
    const s = await createSession({ Participants: [p("alice"), p("bob")] });
    const [bob, alice] = await list(s.sid as string);
    await api("DELETE", participantPath(s.sid as string, alice.sid as string));
    expect((await list(s.sid as string)).map((x) => x.sid)).toEqual([bob.sid]);
    const fetched = await api("GET", participantPath(s.sid as string, alice.sid as string));
    expectError(fetched, 404, 20404);
  });

  it("answers a delete with 204 under participantDeleteStatus", async () => {
    await useReading("participantDeleteStatus");
    const s = await createSession({ Participants: p("alice") });
    const [alice] = await list(s.sid as string);
    const res = await api("DELETE", participantPath(s.sid as string, alice.sid as string));
    expect(res.status).toBe(204);
  });

  it("counts deleted participants toward the limit, unless deletedParticipantsCount", async () => {
    const s = await createSession({ Participants: [p("alice"), p("bob")] });
    const [alice] = await list(s.sid as string);
    await api("DELETE", participantPath(s.sid as string, alice.sid as string));
    expectError(await add(s.sid as string, { Identifier: "carol" }), 400, 80609);
    await useReading("deletedParticipantsCount");
    expect((await add(s.sid as string, { Identifier: "carol" })).status).toBe(201);
    expectError(await add(s.sid as string, { Identifier: "dave" }), 400, 80609);
  });

  it("refuses a duplicate identifier (409 80623), unless duplicateParticipantIdentifier", async () => {
    const s = await createSession({ Participants: p("alice") });
    expectError(await add(s.sid as string, { Identifier: "alice" }), 409, 80623, /alice/);
    expectError(await api("POST", sessionsPath(), { Participants: [p("x"), p("x")] }), 409, 80623);
    await useReading("duplicateParticipantIdentifier");
    expect((await add(s.sid as string, { Identifier: "alice" })).status).toBe(201);
    expect((await createSession({ Participants: [p("x"), p("x")] })).sid).toMatch(/^KC/);
  });

  it("never re-adds a deleted participant's identifier (80623), in either position", async () => {
    await useReading("deletedParticipantsCount");
    for (const position of ["default", "alternative"] as const) {
      await useReading("duplicateParticipantIdentifier", position);
      const s = await createSession({ Participants: p("alice") });
      const [alice] = await list(s.sid as string);
      await api("DELETE", participantPath(s.sid as string, alice.sid as string));
      expectError(await add(s.sid as string, { Identifier: "alice" }), 409, 80623);
    }
  });

  it("refuses changes on a closed session (80607), unless participantsOnClosedSession", async () => {
    const s = await createSession({ Participants: p("alice") });
    const [alice] = await list(s.sid as string);
    await api("POST", sessionPath(s.sid as string), { Status: "closed" });
    expectError(await add(s.sid as string, { Identifier: "bob" }), CONFLICT, 80607);
    const del = await api("DELETE", participantPath(s.sid as string, alice.sid as string));
    expectError(del, CONFLICT, 80607);
    expect(await list(s.sid as string)).toHaveLength(1);
    await useReading("participantsOnClosedSession");
    expect((await add(s.sid as string, { Identifier: "bob" })).status).toBe(201);
    expect(
      (await api("DELETE", participantPath(s.sid as string, alice.sid as string))).status,
    ).toBe(200);
  });

  it("goes with its session, counts per operation and needs credentials", async () => {
    const s = await createSession({ Participants: p("alice") });
    const [alice] = await list(s.sid as string);
    const fetchPath = participantPath(s.sid as string, alice.sid as string);
    await api("GET", fetchPath);
    await api("POST", participantsPath(s.sid as string), { Identifier: "bob" });
    expect((await api("GET", fetchPath, undefined, null)).status).toBe(401);
    await api("DELETE", fetchPath);
    const counts = (await emu.control<{ byOperation: Json }>("GET", "requests")).byOperation;
    expect(counts).toMatchObject({
      ListParticipant: 1,
      FetchParticipant: 2,
      CreateParticipant: 1,
      DeleteParticipant: 1,
    });
    await api("DELETE", sessionPath(s.sid as string));
    expectError(await api("GET", participantsPath(s.sid as string)), 404, 20404);
    expectError(await api("GET", fetchPath), 404, 20404);
  });
});

describe("fetch", () => {
  const setFetchByName = async (position: "default" | "alternative") => {
    const res = await emu.controlAnswer("POST", "readings", { fetchByUniqueName: position });
    expect(res.status).toBe(200);
  };
  /** Twilio's 20404 names the path without the /v1 prefix (reference §9). */
  const notFoundMessage = (path: string) =>
    `The requested resource ${path.replace(/^\/v1/, "")} was not found`;

  it("finds a session by sid and uppercase hex sid", async () => {
    const s = await createSession({ UniqueName: "Order #42 / ünï" });
    expect(await fetchSession(s.sid as string)).toEqual(s);
    const upper = "KC" + (s.sid as string).slice(2).toUpperCase();
    expect(await fetchSession(upper)).toEqual(s);
  });

  it("answers 20404 for an unknown sid, naming the path without /v1", async () => {
    const sid = "KC" + "0".repeat(32);
    const res = await api("GET", sessionPath(sid));
    expectError(res, 404, 20404, notFoundMessage(sessionPath(sid)));
    expect(res.body.message).toMatch(/^The requested resource \/Services\/KS/);
  });

  it("by default does not resolve unique names: 20404, exactly as an unknown sid", async () => {
    await createSession({ UniqueName: "Order #42 / ünï" });
    for (const name of ["Order #42 / ünï", "unknown"]) {
      const res = await api("GET", sessionPath(name));
      expectError(res, 404, 20404, notFoundMessage(sessionPath(name)));
    }
  });

  it("with the fetchByUniqueName alternative resolves names, 80308 when unknown", async () => {
    const s = await createSession({ UniqueName: "Order #42 / ünï" });
    await setFetchByName("alternative");
    expect(await fetchSession("Order #42 / ünï")).toEqual(s);
    expectError(await api("GET", sessionPath("unknown")), 404, 80308);
    expectError(await api("GET", sessionPath("KC" + "0".repeat(32))), 404, 20404);
    await setFetchByName("default");
    expectError(await api("GET", sessionPath("Order #42 / ünï")), 404, 20404);
  });

  it.each(["default", "alternative"] as const)(
    "does not find a session through another service (%s reading)",
    async (position) => {
      await setFetchByName(position);
      const s = await createSession({ UniqueName: "mine" });
      const other = (await emu.control<{ sid: string }>("POST", "services", {})).sid;
      expectError(await api("GET", sessionPath(s.sid as string, other)), 404, 20404);
      const byName = await api("GET", sessionPath("mine", other));
      expectError(byName, 404, position === "default" ? 20404 : 80308);
    },
  );
});

describe("unknown service", () => {
  it.each(["KS" + "f".repeat(32), "KSnothex", "not-a-sid"])(
    "answers 404/20404 on every session route for %s",
    async (serviceSid) => {
      const sid = (await createSession()).sid as string;
      const calls: Array<[string, string, Form | undefined]> = [
        ["POST", sessionsPath(serviceSid), {}],
        ["GET", sessionsPath(serviceSid), undefined],
        ["GET", sessionPath(sid, serviceSid), undefined],
        ["POST", sessionPath(sid, serviceSid), { Ttl: "5" }],
        ["DELETE", sessionPath(sid, serviceSid), undefined],
      ];
      for (const [method, path, form] of calls) {
        expectError(await api(method, path, form), 404, 20404, /was not found$/);
      }
      expect((await fetchSession(sid)).ttl).toBe(0);
    },
  );

  it("answers 404 for unknown paths and 405 for unsupported methods", async () => {
    expectError(await api("GET", "/v1/Services"), 404, 20404);
    expectError(await api("GET", `${sessionsPath()}/x/Participants`), 404, 20404);
    const res = await api("PUT", sessionsPath());
    expect(res.status).toBe(405);
    expect(res.body.code).toBe(20004);
  });
});

describe("update", () => {
  const update = (sid: string, form: Form) => api("POST", sessionPath(sid), form);

  it("changes Ttl alone and moves date_updated", async () => {
    const s = await createSession();
    await advance(10);
    const res = await update(s.sid as string, { Ttl: "3600" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ttl: 3600, status: "open", date_created: s.date_created });
    expect(Date.parse(res.body.date_updated as string)).toBe(
      Date.parse(s.date_updated as string) + 10_000,
    );
    expect(await fetchSession(s.sid as string)).toEqual(res.body);
  });

  it("sets DateExpiry; an empty one is 80701, or clears it under emptyDateExpiry", async () => {
    const s = await createSession();
    const set = await update(s.sid as string, { DateExpiry: "2099-01-01T00:00:00+01:00" });
    expect(set.body.date_expiry).toBe("2098-12-31T23:00:00Z");
    expectError(await update(s.sid as string, { DateExpiry: "" }), 400, 80701, "'DateExpiry'");
    expectError(await api("POST", sessionsPath(), { DateExpiry: "" }), 400, 80701);
    await useReading("emptyDateExpiry");
    const cleared = await update(s.sid as string, { DateExpiry: "" });
    expect(cleared.body.date_expiry).toBeNull();
    expect((await createSession({ DateExpiry: "" })).date_expiry).toBeNull();
  });

  it.each([
    ["UniqueName", { UniqueName: "moved" }],
    ["Mode", { Mode: "message-only", Ttl: "5" }],
    ["Participants", { Participants: JSON.stringify({ Identifier: "x" }) }],
  ])("rejects the create-only %s with 80701 before applying anything", async (name, form: Form) => {
    const s = await createSession({ UniqueName: "fixed", Mode: "voice-only" });
    expectError(await update(s.sid as string, form), 400, 80701, `'${name}' is invalid.`);
    expect(await fetchSession(s.sid as string)).toEqual(s);
  });

  it("ignores create-only parameters under createOnlyParamsOnUpdate", async () => {
    await useReading("createOnlyParamsOnUpdate");
    const s = await createSession({ UniqueName: "fixed", Mode: "voice-only" });
    const res = await update(s.sid as string, { UniqueName: "moved", Mode: "message-only" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ unique_name: "fixed", mode: "voice-only" });
    expect(res.body.date_updated).toBe(s.date_updated);
  });

  it("accepts an empty update as a no-op", async () => {
    const s = await createSession();
    await advance(5);
    expect((await update(s.sid as string, {})).body).toEqual(s);
  });

  it("closes open and in-progress sessions", async () => {
    const open = await createSession();
    await advance(7);
    const closed = await update(open.sid as string, { Status: "closed" });
    expect(closed.body).toMatchObject({ status: "closed", closed_reason: "api" });
    expect(closed.body.date_ended).toBe(plusSeconds(open.date_created as string, 7));
    expect(closed.body.date_updated).toBe(closed.body.date_ended);

    const busy = await createSession();
    await emu.interact(busy.sid as string);
    const closedBusy = await update(busy.sid as string, { Status: "closed" });
    expect(closedBusy.body).toMatchObject({ status: "closed", closed_reason: "api" });
  });

  it("re-opens a closed session, optionally with a new Ttl", async () => {
    const s = await createSession();
    await update(s.sid as string, { Status: "closed" });
    const reopened = await update(s.sid as string, { Status: "in-progress" });
    expect(reopened.body).toMatchObject({ status: "in-progress", closed_reason: null });
    expect(reopened.body.date_ended).toBeNull();
    await update(s.sid as string, { Status: "closed" });
    const withTtl = await update(s.sid as string, { Status: "in-progress", Ttl: "120" });
    expect(withTtl.body).toMatchObject({ status: "in-progress", ttl: 120 });
  });

  it("refuses re-sending the current status of a live session with 80608", async () => {
    const open = await createSession();
    expectError(await update(open.sid as string, { Status: "open" }), CONFLICT, 80608);
    await emu.interact(open.sid as string);
    const busy = await fetchSession(open.sid as string);
    const res = await update(open.sid as string, { Status: "in-progress", Ttl: "60" });
    expectError(res, CONFLICT, 80608);
    expect(await fetchSession(open.sid as string)).toEqual(busy);
  });

  it("treats re-sending the current status as a no-op under sameStatusUpdate", async () => {
    await useReading("sameStatusUpdate");
    const open = await createSession();
    await advance(5);
    expect((await update(open.sid as string, { Status: "open" })).body).toEqual(open);
    await emu.interact(open.sid as string);
    const busy = await fetchSession(open.sid as string);
    await advance(5);
    expect((await update(open.sid as string, { Status: "in-progress" })).body).toEqual(busy);
    const res = await update(open.sid as string, { Status: "in-progress", Ttl: "60" });
    expect(res.body).toMatchObject({ status: "in-progress", ttl: 60 });
  });

  it.each([
    ["open", "in-progress"],
    ["open", "failed"],
    ["open", "unknown"],
    ["in-progress", "open"],
    ["in-progress", "failed"],
    ["failed", "closed"],
  ])("rejects %s -> %s with 80608", async (from, to) => {
    const s = await createSession(from === "open" ? {} : { Status: from });
    expect(s.status).toBe(from);
    const res = await update(s.sid as string, { Status: to, Ttl: "99" });
    expectError(res, CONFLICT, 80608);
    expect(await fetchSession(s.sid as string)).toEqual(s);
  });

  it.each([
    ["Status=open", { Status: "open" }],
    ["Status=closed", { Status: "closed" }],
    ["Ttl alone", { Ttl: "60" }],
    ["DateExpiry alone", { DateExpiry: "2099-01-01" }],
    ["no parameters", {}],
  ])("rejects updating a closed session with %s (80607)", async (_label, form: Form) => {
    const s = await createSession({ Status: "closed" });
    expectError(await update(s.sid as string, form), CONFLICT, 80607);
    expect(await fetchSession(s.sid as string)).toEqual(s);
  });

  it("validates parameters with 80701 before applying anything", async () => {
    const s = await createSession();
    expectError(
      await update(s.sid as string, { Status: "bogus" }),
      400,
      80701,
      "'Status' is invalid.",
    );
    expectError(await update(s.sid as string, { Ttl: "-5", Status: "closed" }), 400, 80701);
    expectError(await update(s.sid as string, { DateExpiry: "soon" }), 400, 80701);
    expect(await fetchSession(s.sid as string)).toEqual(s);
  });

  it("only addresses sessions by KC sid", async () => {
    const s = await createSession({ UniqueName: "by-name" });
    expectError(await update("by-name", { Ttl: "5" }), 404, 20404);
    expectError(await update("KC" + "1".repeat(32), { Ttl: "5" }), 404, 20404);
    expect((await fetchSession(s.sid as string)).ttl).toBe(0);
  });
});

describe("delete", () => {
  it("answers 204 with an empty body, then 404", async () => {
    const s = await createSession({ Participants: JSON.stringify({ Identifier: "a" }) });
    const res = await api("DELETE", sessionPath(s.sid as string));
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expectError(await api("GET", sessionPath(s.sid as string)), 404, 20404);
    expectError(await api("DELETE", sessionPath(s.sid as string)), 404, 20404);
    expect(await emu.sessions()).toHaveLength(0);
  });

  it("does not resolve unique names, whatever the fetchByUniqueName reading", async () => {
    const s = await createSession({ UniqueName: "keep-me" });
    expectError(await api("DELETE", sessionPath("keep-me")), 404, 20404);
    await emu.controlAnswer("POST", "readings", { fetchByUniqueName: "alternative" });
    expectError(await api("DELETE", sessionPath("keep-me")), 404, 20404);
    expect((await fetchSession(s.sid as string)).unique_name).toBe("keep-me");
  });
});

describe("lifecycle", () => {
  it("an interaction moves open to in-progress and stamps date_last_interaction", async () => {
    const s = await createSession();
    const now = await advance(42);
    const res = await emu.controlAnswer<Json>("POST", `sessions/${s.sid}/interaction`);
    expect(res.status).toBe(200);
    const after = await fetchSession(s.sid as string);
    expect(after).toMatchObject({ status: "in-progress", date_last_interaction: now });
    expect(after.date_updated).toBe(now);
    expect(res.body.status).toBe("in-progress");
  });

  it("date_started is set when the session starts; closed_reason only while closed", async () => {
    const s = await createSession();
    expect(s).toMatchObject({ date_started: null, closed_reason: null });
    const startedAt = await advance(10);
    await emu.interact(s.sid as string);
    await advance(10);
    await emu.interact(s.sid as string);
    expect(await fetchSession(s.sid as string)).toMatchObject({
      status: "in-progress",
      date_started: startedAt,
      closed_reason: null,
    });
    const closed = await api("POST", sessionPath(s.sid as string), { Status: "closed" });
    expect(closed.body).toMatchObject({ closed_reason: "api", date_started: startedAt });
    await advance(10);
    const reopened = await api("POST", sessionPath(s.sid as string), { Status: "in-progress" });
    expect(reopened.body).toMatchObject({ closed_reason: null, date_started: startedAt });

    // Created in-progress: started at once. Closed before it ever started: never started.
    const busy = await createSession({ Status: "in-progress" });
    expect(busy.date_started).toBe(busy.date_created);
    const never = await createSession({ Status: "closed" });
    expect(never).toMatchObject({ date_started: null, closed_reason: "api" });
    const revived = await api("POST", sessionPath(never.sid as string), { Status: "in-progress" });
    expect(revived.body.date_started).toBe(await clockNow());
  });

  it("expires a session when its ttl runs out", async () => {
    const s = await createSession({ Ttl: "60" });
    await advance(59);
    expect((await fetchSession(s.sid as string)).status).toBe("open");
    await advance(1);
    const expired = await fetchSession(s.sid as string);
    expect(expired).toMatchObject({ status: "closed", closed_reason: "ttl" });
    expect(expired.date_ended).toBe(plusSeconds(s.date_created as string, 60));
  });

  it("counts the ttl from the last interaction", async () => {
    const s = await createSession({ Ttl: "60" });
    await advance(50);
    await emu.interact(s.sid as string);
    await advance(50);
    expect((await fetchSession(s.sid as string)).status).toBe("in-progress");
    await advance(10);
    const expired = await fetchSession(s.sid as string);
    expect(expired).toMatchObject({ status: "closed", closed_reason: "ttl" });
    expect(expired.date_ended).toBe(plusSeconds(expired.date_last_interaction as string, 60));
  });

  it("expires at date_expiry, which overrides the ttl", async () => {
    const expiry = plusSeconds(await clockNow(), 120);
    const s = await createSession({ Ttl: "10", DateExpiry: expiry });
    await advance(60);
    expect((await fetchSession(s.sid as string)).status).toBe("open");
    await advance(61);
    const expired = await fetchSession(s.sid as string);
    expect(expired).toMatchObject({ status: "closed", closed_reason: "date_expiry" });
    expect(expired.date_ended).toBe(expiry);
  });

  it("applies the service default ttl", async () => {
    const service = await emu.control<{ sid: string }>("POST", "services", { defaultTtl: 30 });
    const s = await createSession({}, service.sid);
    await advance(31);
    const res = await api("GET", sessionPath(s.sid as string, service.sid));
    expect(res.body).toMatchObject({ status: "closed", closed_reason: "ttl" });
  });

  const DAY = 24 * 3600;

  it("closes a session with ttl 0 and no date 90 days after its last interaction", async () => {
    const s = await createSession();
    await advance(30 * DAY);
    await emu.interact(s.sid as string);
    await advance(90 * DAY - 1);
    expect(await fetchSession(s.sid as string)).toMatchObject({ status: "in-progress", ttl: 0 });
    await advance(1);
    const closed = await fetchSession(s.sid as string);
    expect(closed).toMatchObject({ status: "closed", closed_reason: "ttl", ttl: 0 });
    expect(closed.date_ended).toBe(await clockNow());
  });

  it("never expires with ttl 0 and no date under the implicitTtl alternative", async () => {
    await useReading("implicitTtl");
    const s = await createSession();
    await advance(365 * DAY);
    expect((await fetchSession(s.sid as string)).status).toBe("open");
  });

  it("shows expiry in lists and rejects a later ttl update with 80607", async () => {
    const s = await createSession({ Ttl: "5" });
    await advance(6);
    const list = await api("GET", sessionsPath());
    expect((list.body.sessions as Json[])[0]).toMatchObject({ sid: s.sid, status: "closed" });
    expectError(await api("POST", sessionPath(s.sid as string), { Ttl: "500" }), CONFLICT, 80607);
  });

  it("closes at once when an update moves the expiry into the past", async () => {
    const s = await createSession();
    await advance(100);
    const res = await api("POST", sessionPath(s.sid as string), { Ttl: "50" });
    expect(res.body).toMatchObject({ status: "closed", closed_reason: "ttl", ttl: 50 });
    expect(res.body.date_ended).toBe(await clockNow());
  });

  it("restarts the ttl when an expired session is re-opened", async () => {
    const s = await createSession({ Ttl: "60" });
    await advance(61);
    const reopened = await api("POST", sessionPath(s.sid as string), { Status: "in-progress" });
    expect(reopened.body.status).toBe("in-progress");
    await advance(59);
    expect((await fetchSession(s.sid as string)).status).toBe("in-progress");
    await advance(1);
    expect((await fetchSession(s.sid as string)).status).toBe("closed");
  });

  it("refuses interactions on closed or unknown sessions", async () => {
    const s = await createSession({ Status: "closed" });
    expect((await emu.controlAnswer("POST", `sessions/${s.sid}/interaction`)).status).toBe(409);
    expect(
      (await emu.controlAnswer("POST", `sessions/KC${"0".repeat(32)}/interaction`)).status,
    ).toBe(404);
  });
});

describe("pagination", () => {
  /** Five sessions: three created in the same second (ordered by sid), then two later ones. */
  async function seedFive(): Promise<string[]> {
    const same = [await createSession(), await createSession(), await createSession()];
    expect(new Set(same.map((s) => s.date_created)).size).toBe(1);
    await advance(1);
    const later = await createSession();
    await advance(1);
    const last = await createSession();
    const sameSids = same.map((s) => s.sid as string).sort();
    return [...sameSids, later.sid as string, last.sid as string];
  }

  async function walk(pageSize: number) {
    const pages: Json[] = [];
    let url: string | null = `${sessionsPath()}?PageSize=${pageSize}`;
    while (url) {
      const res = await api("GET", url);
      expect(res.status).toBe(200);
      pages.push(res.body);
      url = (res.body.meta as Json).next_page_url as string | null;
      expect(pages.length).toBeLessThan(20);
    }
    return pages;
  }

  it.each([1, 2, 50])("walks every session once with PageSize %i", async (size) => {
    const expected = await seedFive();
    const pages = await walk(size);
    expect(pages).toHaveLength(Math.ceil(5 / size));
    const seen = pages.flatMap((p) => (p.sessions as Json[]).map((s) => s.sid));
    expect(seen).toEqual(expected);
    pages.forEach((p, i) => {
      const meta = p.meta as Json;
      expect(meta.page).toBe(i);
      expect(meta.page_size).toBe(size);
      expect(meta.key).toBe("sessions");
      expect(meta.first_page_url).toBe(`${emu.baseUrl}${sessionsPath()}?PageSize=${size}&Page=0`);
      if (i === 0) {
        expect(meta.url).toBe(meta.first_page_url);
        expect(meta.previous_page_url).toBeNull();
      } else {
        expect(meta.url).toMatch(new RegExp(`[?&]Page=${i}(&|$)`));
        expect(meta.previous_page_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\//);
      }
      if (i === pages.length - 1) expect(meta.next_page_url).toBeNull();
      else expect(meta.next_page_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/.*PageToken=/);
    });
  });

  it("previous_page_url leads back to the previous page", async () => {
    await seedFive();
    const pages = await walk(2);
    const back = await api("GET", (pages[2].meta as Json).previous_page_url as string);
    expect(back.body.sessions).toEqual(pages[1].sessions);
    const backAgain = await api("GET", (back.body.meta as Json).previous_page_url as string);
    expect(backAgain.body.sessions).toEqual(pages[0].sessions);
  });

  it("keeps walking when the boundary session is deleted between pages", async () => {
    const expected = await seedFive();
    const first = await api("GET", `${sessionsPath()}?PageSize=2`);
    await api("DELETE", sessionPath(expected[1]));
    const second = await api("GET", (first.body.meta as Json).next_page_url as string);
    expect((second.body.sessions as Json[]).map((s) => s.sid)).toEqual(expected.slice(2, 4));
  });

  it("refuses Page > 0 without a PageToken (20001); Page=0 is the first page", async () => {
    await seedFive();
    const res = await api("GET", `${sessionsPath()}?PageSize=2&Page=1`);
    expectError(res, 400, 20001, /^PageToken is required for paging\.$/);
    expectError(await api("GET", `${sessionsPath()}?Page=3&PageToken=`), 400, 20001);
    expect((await api("GET", `${sessionsPath()}?PageSize=2&Page=0`)).body.sessions).toHaveLength(2);
  });

  it("pages by offset without a token under the pageWithoutToken alternative", async () => {
    await useReading("pageWithoutToken");
    const expected = await seedFive();
    const res = await api("GET", `${sessionsPath()}?PageSize=2&Page=1`);
    expect((res.body.sessions as Json[]).map((s) => s.sid)).toEqual(expected.slice(2, 4));
    expect((res.body.meta as Json).page).toBe(1);
  });

  it("defaults to 50 per page", async () => {
    for (let i = 0; i < 51; i++) await createSession();
    const first = await api("GET", sessionsPath());
    expect(first.body.sessions).toHaveLength(50);
    expect((first.body.meta as Json).page_size).toBe(50);
    const second = await api("GET", (first.body.meta as Json).next_page_url as string);
    expect(second.body.sessions).toHaveLength(1);
    expect((second.body.meta as Json).next_page_url).toBeNull();
  });

  it("clamps PageSize above 100 to 100, or to 1000 under the pageSizeMax alternative", async () => {
    for (let i = 0; i < 101; i++) await createSession();
    const res = await api("GET", `${sessionsPath()}?PageSize=1000`);
    expect(res.body.sessions).toHaveLength(100);
    expect((res.body.meta as Json).page_size).toBe(100);
    expect((res.body.meta as Json).url).toContain("PageSize=100&");
    expect((res.body.meta as Json).next_page_url).toContain("PageSize=100&");
    await useReading("pageSizeMax");
    const all = await api("GET", `${sessionsPath()}?PageSize=1000`);
    expect(all.body.sessions).toHaveLength(101);
    const over = await api("GET", `${sessionsPath()}?PageSize=1001`);
    expect((over.body.meta as Json).page_size).toBe(1000);
  });

  it.each(["0", "-1", "abc", "2.5"])("rejects PageSize=%s with 80701", async (size) => {
    expectError(await api("GET", `${sessionsPath()}?PageSize=${size}`), 400, 80701, "'PageSize'");
  });

  it("rejects a negative Page with 80701", async () => {
    expectError(await api("GET", `${sessionsPath()}?Page=-1`), 400, 80701, "'Page' is invalid.");
  });

  it("rejects invalid page tokens with 21481", async () => {
    const s = await createSession();
    const other = (await emu.control<{ sid: string }>("POST", "services", {})).sid;
    const foreign = await createSession({}, other);
    for (const token of [
      "garbage",
      `PA${"KC" + "0".repeat(32)}`,
      `PX${s.sid}`,
      `PA${foreign.sid}`,
    ]) {
      const res = await api("GET", `${sessionsPath()}?PageToken=${token}`);
      expectError(res, 400, 21481, "Invalid PageToken");
    }
  });

  it("builds absolute URLs from the host the client used", async () => {
    await createSession();
    await createSession();
    const viaLocalhost = emu.baseUrl.replace("127.0.0.1", "localhost");
    const res = await fetch(`${viaLocalhost}${sessionsPath()}?PageSize=1`, {
      headers: { Authorization: emu.authorization },
    });
    const body = (await res.json()) as { sessions: Json[]; meta: Json };
    expect(body.meta.next_page_url).toMatch(new RegExp(`^${viaLocalhost}/v1/`));
    expect(body.sessions[0].url).toMatch(new RegExp(`^${viaLocalhost}/v1/`));
  });
});

describe("control API", () => {
  it("counts every request per operation, errors included", async () => {
    const s = await createSession();
    await fetchSession(s.sid as string);
    await api("GET", sessionPath("KC" + "0".repeat(32)));
    await api("POST", sessionPath(s.sid as string), { Ttl: "3600" });
    await api("GET", sessionsPath());
    await api("GET", sessionsPath(), undefined, null);
    await api("DELETE", sessionPath(s.sid as string));
    await api("GET", "/v1/Services"); // not a session route: not counted
    await emu.controlAnswer("GET", "sessions"); // control routes are not counted
    const counts = await emu.controlAnswer("GET", "requests");
    expect(counts.body).toEqual({
      inFlight: 0,
      peakInFlight: 1,
      total: 7,
      byOperation: {
        CreateSession: 1,
        FetchSession: 2,
        UpdateSession: 1,
        DeleteSession: 1,
        ListSession: 2,
        CreateParticipant: 0,
        FetchParticipant: 0,
        DeleteParticipant: 0,
        ListParticipant: 0,
      },
    });
    const zero = await emu.controlAnswer("POST", "requests/reset");
    expect(zero.status).toBe(200);
    expect((await emu.control<Json>("GET", "requests")).total).toBe(0);
    expect((await emu.control<{ requests: Json[] }>("GET", "requests/log")).requests).toEqual([]);
  });

  it("logs exactly what was sent", async () => {
    const s = await createSession({
      UniqueName: "logged",
      Participants: [JSON.stringify({ Identifier: "a" }), JSON.stringify({ Identifier: "b" })],
    });
    await api("POST", sessionPath(s.sid as string), { Ttl: "3600" });
    await api("GET", `${sessionsPath()}?PageSize=7`);
    const log = (await emu.control<{ requests: Json[] }>("GET", "requests/log")).requests;
    expect(log.map((e) => [e.operation, e.method, e.path, e.status])).toEqual([
      ["CreateSession", "POST", sessionsPath(), 201],
      ["UpdateSession", "POST", sessionPath(s.sid as string), 200],
      ["ListSession", "GET", sessionsPath(), 200],
    ]);
    expect(log[0].form).toEqual({
      UniqueName: "logged",
      Participants: [JSON.stringify({ Identifier: "a" }), JSON.stringify({ Identifier: "b" })],
    });
    expect(log[1].form).toEqual({ Ttl: "3600" });
    expect(log[2].query).toEqual({ PageSize: "7" });
    expect(log[0].username).toBe(emu.emulator.accountSid);
  });

  it("reset clears sessions, services, counters, clock and faults but keeps the seeded service", async () => {
    await createSession({ UniqueName: "gone" });
    const service = (await emu.control<{ sid: string }>("POST", "services", {})).sid;
    await advance(1000);
    await emu.controlAnswer("POST", "faults", { latencyMs: 5 });
    const reset = await emu.controlAnswer("POST", "reset");
    expect(reset.status).toBe(200);
    expect(await emu.sessions()).toEqual([]);
    expect((await emu.control<Json>("GET", "requests")).total).toBe(0);
    expect((await emu.control<Json>("GET", "clock")).offsetSeconds).toBe(0);
    expect((await emu.control<Json>("GET", "faults")).config).toEqual({});
    expectError(await api("GET", sessionsPath(service)), 404, 20404);
    expect((await createSession({ UniqueName: "gone" })).service_sid).toBe(emu.serviceSid);
  });

  it("creates services and validates the body", async () => {
    const a = await emu.controlAnswer<{ sid: string; defaultTtl: number }>("POST", "services", {});
    expect(a.status).toBe(201);
    expect(a.body.defaultTtl).toBe(0);
    expect((await emu.controlAnswer("POST", "services", { defaultTtl: -1 })).status).toBe(400);
    expect((await emu.controlAnswer("POST", "services", { defaultTtl: "5" })).status).toBe(400);
    expect((await emu.controlAnswer("POST", "services", { ttl: 5 })).status).toBe(400);
    const list = await emu.controlAnswer<{ services: Json[] }>("GET", "services");
    expect(list.body.services.map((s) => s.sid)).toEqual([emu.serviceSid, a.body.sid]);
  });

  it("reads and advances the clock", async () => {
    const before = Date.parse(await clockNow());
    const advanced = await advance(86_400);
    expect(Date.parse(advanced) - before).toBeGreaterThanOrEqual(86_400_000);
    expect(advanced).toMatch(TWILIO_DATE);
    expect((await emu.controlAnswer("POST", "clock/advance", { seconds: -1 })).status).toBe(400);
    expect((await emu.controlAnswer("POST", "clock/advance", {})).status).toBe(400);
  });

  it("lists sessions of every service with their participants", async () => {
    const other = (await emu.control<{ sid: string }>("POST", "services", {})).sid;
    await createSession({ Participants: JSON.stringify({ Identifier: "x" }) });
    await createSession({}, other);
    const all = await emu.sessions();
    expect(all).toHaveLength(2);
    expect(all.map((s) => s.service_sid).sort()).toEqual([emu.serviceSid, other].sort());
    expect(all.every((s) => Array.isArray(s.participants))).toBe(true);
    const filtered = await emu.controlAnswer<{ sessions: Json[] }>(
      "GET",
      `sessions?serviceSid=${other}`,
    );
    expect(filtered.body.sessions).toHaveLength(1);
  });

  it("patches sessions out of band without transition rules", async () => {
    const s = await createSession();
    await advance(10);
    const patched = await emu.controlAnswer<Json>("PATCH", `sessions/${s.sid}`, {
      ttl: 77,
      status: "closed",
      closedReason: "console",
    });
    expect(patched.status).toBe(200);
    const seen = await fetchSession(s.sid as string);
    expect(seen).toMatchObject({ ttl: 77, status: "closed", closed_reason: "console" });
    expect(seen.date_updated).toBe(plusSeconds(s.date_created as string, 10));
    expect(seen.date_ended).toBe(seen.date_updated);
    // closed -> open is no legal Twilio transition, but out of band anything goes.
    await emu.controlAnswer("PATCH", `sessions/${s.sid}`, {
      status: "open",
      dateExpiry: "2099-01-01",
    });
    expect(await fetchSession(s.sid as string)).toMatchObject({
      status: "open",
      date_ended: null,
      closed_reason: null,
      date_expiry: "2099-01-01T00:00:00Z",
    });
    await emu.controlAnswer("PATCH", `sessions/${s.sid}`, { dateExpiry: null });
    expect((await fetchSession(s.sid as string)).date_expiry).toBeNull();
    expect((await emu.controlAnswer("PATCH", `sessions/${s.sid}`, { status: "gone" })).status).toBe(
      400,
    );
    expect((await emu.controlAnswer("PATCH", `sessions/${s.sid}`, { Ttl: 5 })).status).toBe(400);
    expect(
      (await emu.controlAnswer("PATCH", `sessions/KC${"0".repeat(32)}`, { ttl: 5 })).status,
    ).toBe(404);
  });

  it("deletes sessions out of band", async () => {
    const s = await createSession();
    expect((await emu.controlAnswer("DELETE", `sessions/${s.sid}`)).status).toBe(204);
    expectError(await api("GET", sessionPath(s.sid as string)), 404, 20404);
    expect((await emu.controlAnswer("DELETE", `sessions/${s.sid}`)).status).toBe(404);
    expect((await emu.controlAnswer("GET", "no/such/route")).status).toBe(404);
  });
});

describe("readings", () => {
  type ReadingsBody = { readings: Array<Json & { id: string; active: string }> };
  const readings = async () => (await emu.control<ReadingsBody>("GET", "readings")).readings;
  const active = async (id: string) => (await readings()).find((r) => r.id === id)?.active;

  it("lists every reading of the registry with its evidence, all at the default", async () => {
    const list = await readings();
    expect(list.map((r) => r.id)).toEqual(READINGS.map((r) => r.id));
    for (const r of list) {
      expect(Object.keys(r).sort()).toEqual(
        ["active", "alternativeReading", "behaviour", "defaultReading", "evidence", "id"].sort(),
      );
      expect(r.active).toBe("default");
    }
  });

  it("every reading is a row of the README table, and every switch there is a reading", () => {
    const readme = readFileSync(join(__dirname, "..", "emulator", "README.md"), "utf8");
    const table = readme.split("## Behaviours and their evidence")[1].split("\n## ")[0];
    const rows = table.split("\n").filter((line) => /^\| (?!-|behaviour )/.test(line));
    expect(rows.length).toBeGreaterThan(READINGS.length);
    const alternativeOf = (row: string) => row.split("|")[3].trim();
    const switches = rows.flatMap((row) => {
      const alternative = alternativeOf(row);
      const id = /\(`(\w+)`\)$/.exec(alternative)?.[1];
      return id === undefined ? [] : [id];
    });
    expect([...switches].sort()).toEqual(READINGS.map((r) => r.id).sort());
    // The rows without a switch say why: confirmed, or inferred with the reason.
    for (const row of rows) {
      expect(alternativeOf(row), row).toMatch(/\(`\w+`\)$|^(confirmed|inferred), no switch/);
    }
  });

  it("switches readings, refuses unknown ids and bad positions, resets to the start", async () => {
    const set = await emu.controlAnswer<ReadingsBody>("POST", "readings", {
      fetchByUniqueName: "alternative",
    });
    expect(set.status).toBe(200);
    expect(set.body.readings.find((r) => r.id === "fetchByUniqueName")?.active).toBe("alternative");
    expect((await emu.controlAnswer("POST", "readings", { noSuchReading: "default" })).status).toBe(
      400,
    );
    expect((await emu.controlAnswer("POST", "readings", { fetchByUniqueName: "on" })).status).toBe(
      400,
    );
    // A refused body changes nothing, not even its valid entries.
    const mixed = { fetchByUniqueName: "default", noSuchReading: "default" };
    expect((await emu.controlAnswer("POST", "readings", mixed)).status).toBe(400);
    expect(await active("fetchByUniqueName")).toBe("alternative");
    await emu.controlAnswer("POST", "reset");
    expect(await active("fetchByUniqueName")).toBe("default");
  });

  it("starts with alternatives, which reset restores, and refuses unknown ids", async () => {
    const other = await startEmulator({ alternatives: ["fetchByUniqueName"] });
    try {
      const get = async () =>
        ((await (await fetch(`${other.baseUrl}/__emulator/readings`)).json()) as ReadingsBody)
          .readings[0].active;
      expect(await get()).toBe("alternative");
      await fetch(`${other.baseUrl}/__emulator/readings`, {
        method: "POST",
        body: JSON.stringify({ fetchByUniqueName: "default" }),
      });
      expect(await get()).toBe("default");
      await fetch(`${other.baseUrl}/__emulator/reset`, { method: "POST" });
      expect(await get()).toBe("alternative");
    } finally {
      await other.close();
    }
    await expect(startEmulator({ alternatives: ["nope" as unknown as ReadingId] })).rejects.toThrow(
      /unknown reading 'nope'/,
    );
  });
});

describe("CLI arguments", () => {
  it("defaults to 127.0.0.1:4010 without faults", () => {
    expect(parseCliArgs([])).toEqual({
      help: false,
      options: { host: "127.0.0.1", port: 4010, alternatives: [], faults: {} },
    });
  });

  it("parses every flag, with and without '='", () => {
    const parsed = parseCliArgs([
      "--port=0",
      "--host",
      "0.0.0.0",
      "--seed",
      "7",
      "--rate-429=0.1",
      "--rate-500",
      "0.05",
      "--rate-503",
      "0.05",
      "--reset-before",
      "0.1",
      "--reset-after",
      "0.1",
      "--latency-ms",
      "100",
      "--hang-rate",
      "0.01",
      "--retry-after",
      "3",
      "--fault-methods",
      "post,delete",
      "--max-concurrent",
      "4",
      "--alternative",
      "fetchByUniqueName",
      "--alternative=fetchByUniqueName,",
    ]);
    expect(parsed).toEqual({
      help: false,
      options: {
        host: "0.0.0.0",
        port: 0,
        alternatives: ["fetchByUniqueName"],
        faults: {
          seed: 7,
          rate429: 0.1,
          rate500: 0.05,
          rate503: 0.05,
          resetBeforeRate: 0.1,
          resetAfterRate: 0.1,
          latencyMs: 100,
          hangRate: 0.01,
          retryAfterSeconds: 3,
          methods: ["POST", "DELETE"],
          maxConcurrent: 4,
        },
      },
    });
    expect(parseCliArgs(["--help"])).toEqual({ help: true });
  });

  it.each([
    [["--port", "70000"]],
    [["--port"]],
    [["--rate-429", "lots"]],
    [["--rate-429", "1.5"]],
    [["--rate-500", "0.6", "--rate-503", "0.6"]],
    [["--latency-ms", "-1"]],
    [["--verbose"]],
    [["--alternative", "fetchByUniquename"]],
    [["--alternative"]],
    [["--max-concurrent", "0"]],
  ])("rejects %j", (argv) => {
    expect(() => parseCliArgs(argv)).toThrow();
  });
});

// OpenAPI coverage: every operation had success responses validated by the tests above. Checked
// once every test of the file has run, whatever order --sequence.shuffle gave them.
afterAll(() => {
  for (const op of Object.keys(validated) as ValidatedOperation[]) {
    expect(validated[op], `success responses of ${op} validated`).toBeGreaterThan(3);
  }
});
