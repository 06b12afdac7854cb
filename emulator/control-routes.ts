import { formatTwilioDate, parseDateInput } from "./dates";
import type { FaultConfig, FaultCounters } from "./faults";
import { validateFaultConfig } from "./faults";
import { json, type Reply } from "./http-util";
import { SESSION_STATUSES, type SessionStatus } from "./model";
import { isReadingId, type ReadingId, type ReadingPosition, type ReadingState } from "./readings";
import type { RequestCounts, RequestLogEntry } from "./request-log";
import { toControlSessionJson, type ControlSessionJson } from "./serialize";
import { resetState, type EmulatorState } from "./state";
import type { OutOfBandPatch } from "./store";

/** Prefix of the test-only API. It has no auth and is never delayed, faulted or counted. */
export const CONTROL_PREFIX = "/__emulator/";

/** Response shapes of the control API, exported for tests and other tooling. */
export type ControlRequestsResponse = RequestCounts;
export interface ControlRequestLogResponse {
  requests: RequestLogEntry[];
}
export interface ControlClockResponse {
  now: string;
  offsetSeconds: number;
}
export interface ControlSessionsResponse {
  sessions: ControlSessionJson[];
}
export interface ControlFaultsResponse {
  config: FaultConfig;
  injected: FaultCounters;
}
export interface ControlReadingsResponse {
  readings: ReadingState[];
}
/** Body of `POST /__emulator/readings`: reading id -> position. */
export type ControlReadingsPatch = Record<string, ReadingPosition>;
export interface ControlServiceJson {
  sid: string;
  defaultTtl: number;
}
/** Body of `PATCH /__emulator/sessions/{sid}`. */
export interface ControlSessionPatch {
  ttl?: number;
  status?: SessionStatus;
  /** RFC 3339 or bare date; null clears it. */
  dateExpiry?: string | null;
  closedReason?: string | null;
}

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function parseJson(raw: string): unknown {
  if (raw.trim() === "") return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw new ControlError(400, "body must be JSON");
  }
}

function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ControlError(400, "body must be a JSON object");
  }
  return value as Record<string, unknown>;
}

function onlyKeys(body: Record<string, unknown>, allowed: string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw new ControlError(400, `unknown field '${key}'`);
  }
}

function nonNegativeInteger(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new ControlError(400, `${name} must be a non-negative integer`);
  }
  return value;
}

function parsePatch(body: Record<string, unknown>): OutOfBandPatch {
  onlyKeys(body, ["ttl", "status", "dateExpiry", "closedReason"]);
  const patch: OutOfBandPatch = {};
  if (body.ttl !== undefined) patch.ttl = nonNegativeInteger(body.ttl, "ttl");
  if (body.status !== undefined) {
    if (!(SESSION_STATUSES as readonly unknown[]).includes(body.status)) {
      throw new ControlError(400, `status must be one of ${SESSION_STATUSES.join(", ")}`);
    }
    patch.status = body.status as SessionStatus;
  }
  if (body.dateExpiry === null) patch.dateExpiry = null;
  else if (body.dateExpiry !== undefined) {
    const parsed =
      typeof body.dateExpiry === "string" ? parseDateInput(body.dateExpiry) : undefined;
    if (parsed === undefined) throw new ControlError(400, "dateExpiry must be a date or null");
    patch.dateExpiry = parsed;
  }
  if (body.closedReason !== undefined) {
    if (typeof body.closedReason !== "string" && body.closedReason !== null) {
      throw new ControlError(400, "closedReason must be a string or null");
    }
    patch.closedReason = body.closedReason;
  }
  return patch;
}

/** All-or-nothing: one bad entry leaves every reading as it was. */
function parseReadingsPatch(body: Record<string, unknown>): Array<[ReadingId, ReadingPosition]> {
  return Object.entries(body).map(([id, position]): [ReadingId, ReadingPosition] => {
    if (!isReadingId(id)) throw new ControlError(400, `unknown reading '${id}'`);
    if (position !== "default" && position !== "alternative") {
      throw new ControlError(400, `reading ${id} must be "default" or "alternative"`);
    }
    return [id, position];
  });
}

/** Routes under /__emulator/. Returns undefined when nothing matches (the server answers 404). */
function route(
  state: EmulatorState,
  method: string,
  parts: string[],
  query: URLSearchParams,
  rawBody: string,
  baseUrl: string,
): Reply | undefined {
  const { store, clock, faults, recorder, readings } = state;
  const path = parts.join("/");
  const session = (sid: string) => {
    const s = store.findAnywhere(sid);
    if (!s) throw new ControlError(404, `session ${sid} not found`);
    return s;
  };

  switch (`${method} ${path}`) {
    case "GET health":
      return json(200, { ok: true });
    case "POST reset":
      resetState(state);
      return json(200, { ok: true });
    case "GET services":
      return json(200, { services: store.listServices() satisfies ControlServiceJson[] });
    case "POST services": {
      const body = asObject(parseJson(rawBody));
      onlyKeys(body, ["defaultTtl"]);
      const ttl =
        body.defaultTtl === undefined ? 0 : nonNegativeInteger(body.defaultTtl, "defaultTtl");
      const service = store.createService(ttl);
      return json(201, service satisfies ControlServiceJson);
    }
    case "POST credentials": {
      // Rotation: the old secret stops working at once, as when a Twilio token is rotated.
      const body = asObject(parseJson(rawBody));
      onlyKeys(body, ["authToken", "apiKeySecret"]);
      for (const key of ["authToken", "apiKeySecret"] as const) {
        const value = body[key];
        if (value === undefined) continue;
        if (typeof value !== "string" || !/^[A-Za-z0-9]+$/.test(value)) {
          throw new ControlError(400, `${key} must be a non-empty alphanumeric string`);
        }
        state.credentials[key] = value;
      }
      return json(200, { ok: true });
    }
    case "GET requests":
      return json(200, recorder.snapshot() satisfies ControlRequestsResponse);
    case "POST requests/reset":
      recorder.reset();
      return json(200, recorder.snapshot() satisfies ControlRequestsResponse);
    case "GET requests/log":
      return json(200, { requests: recorder.log() } satisfies ControlRequestLogResponse);
    case "GET clock":
    case "POST clock/advance": {
      if (method === "POST") {
        const body = asObject(parseJson(rawBody));
        onlyKeys(body, ["seconds"]);
        const seconds = body.seconds;
        // Time only moves forward: going back would make date_updated precede date_created.
        if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) {
          throw new ControlError(400, "seconds must be a non-negative number");
        }
        clock.advance(seconds);
      }
      const now = formatTwilioDate(clock.nowSeconds());
      return json(200, { now, offsetSeconds: clock.offsetSeconds } satisfies ControlClockResponse);
    }
    case "GET sessions": {
      const serviceSid = query.get("serviceSid");
      const all = serviceSid ? store.listSessions(serviceSid) : store.allSessions();
      const sessions = all.map((s) => toControlSessionJson(s, baseUrl));
      return json(200, { sessions } satisfies ControlSessionsResponse);
    }
    case "GET readings":
    case "POST readings": {
      if (method === "POST") {
        for (const [id, position] of parseReadingsPatch(asObject(parseJson(rawBody)))) {
          readings.set(id, position);
        }
      }
      return json(200, { readings: readings.list() } satisfies ControlReadingsResponse);
    }
    case "GET faults":
    case "POST faults": {
      if (method === "POST") {
        try {
          faults.configure(validateFaultConfig(parseJson(rawBody)));
        } catch (err) {
          if (err instanceof ControlError) throw err;
          throw new ControlError(400, (err as Error).message);
        }
      }
      return json(200, {
        config: faults.config,
        injected: faults.injected,
      } satisfies ControlFaultsResponse);
    }
  }

  if (parts[0] === "sessions" && parts.length === 2) {
    const sid = parts[1];
    if (method === "GET") return json(200, toControlSessionJson(session(sid), baseUrl));
    if (method === "PATCH") {
      const patch = parsePatch(asObject(parseJson(rawBody)));
      return json(200, toControlSessionJson(store.patchSession(session(sid), patch), baseUrl));
    }
    if (method === "DELETE") {
      store.deleteSession(session(sid));
      return { status: 204 };
    }
  }
  if (parts[0] === "sessions" && parts.length === 3 && parts[2] === "interaction") {
    if (method !== "POST") return undefined;
    const updated = store.recordInteraction(session(parts[1]));
    if (!updated) throw new ControlError(409, `session ${parts[1]} is closed`);
    return json(200, toControlSessionJson(updated, baseUrl));
  }
  return undefined;
}

export function handleControl(
  state: EmulatorState,
  method: string,
  pathname: string,
  query: URLSearchParams,
  rawBody: string,
  baseUrl: string,
): Reply {
  const rest = pathname.slice(CONTROL_PREFIX.length).replace(/\/$/, "");
  let parts: string[];
  try {
    parts = rest.split("/").map(decodeURIComponent);
  } catch {
    return json(404, { error: `no control route ${method} ${pathname}` });
  }
  try {
    return (
      route(state, method, parts, query, rawBody, baseUrl) ??
      json(404, { error: `no control route ${method} ${pathname}` })
    );
  } catch (err) {
    if (err instanceof ControlError) return json(err.status, { error: err.message });
    throw err;
  }
}
