import { Errors } from "./errors";
import { canonicalSid } from "./ids";
import { json, type Reply } from "./http-util";
import type { ServiceRecord, SessionRecord } from "./model";
import { paginate, parsePageRequest } from "./pagination";
import { parseCreate, parseParticipantCreate, parseUpdate, type FormBody } from "./params";
import type { OperationId } from "./request-log";
import { sessionUrl, toParticipantJson, toSessionJson } from "./serialize";
import type { EmulatorState } from "./state";

export interface OperationMatch {
  operation: OperationId;
  serviceSid: string;
  /** The Session's sid (or, for Fetch, possibly a unique name). */
  sid?: string;
  participantSid?: string;
  /** The path as requested, for 404 messages ("The requested resource /Services/... was not found"). */
  path: string;
}

export type RouteMatch =
  | { kind: "operation"; match: OperationMatch }
  | { kind: "notFound" }
  | { kind: "methodNotAllowed" };

const SESSIONS: Record<string, OperationId> = { GET: "ListSession", POST: "CreateSession" };
const SESSION: Record<string, OperationId> = {
  GET: "FetchSession",
  POST: "UpdateSession",
  DELETE: "DeleteSession",
};
const PARTICIPANTS: Record<string, OperationId> = {
  GET: "ListParticipant",
  POST: "CreateParticipant",
};
const PARTICIPANT: Record<string, OperationId> = {
  GET: "FetchParticipant",
  DELETE: "DeleteParticipant",
};

/**
 * Maps a request onto an operationId. Segments are percent-decoded because the SDKs put unique
 * names into the Fetch path without encoding them and clients that do encode must match too.
 */
export function matchTwilioRoute(method: string, pathname: string): RouteMatch {
  const trimmed = pathname.length > 1 && pathname.endsWith("/") ? pathname.slice(0, -1) : pathname;
  let segments: string[];
  try {
    segments = trimmed.split("/").map(decodeURIComponent);
  } catch {
    return { kind: "notFound" };
  }
  const [empty, version, services, serviceSid, sessions, sid, participants, participantSid] =
    segments;
  const shapeOk =
    empty === "" &&
    version === "v1" &&
    services === "Services" &&
    !!serviceSid &&
    sessions === "Sessions" &&
    sid !== "" &&
    (participants === undefined || (participants === "Participants" && participantSid !== "")) &&
    segments.length <= 8;
  if (!shapeOk) return { kind: "notFound" };
  const table =
    sid === undefined
      ? SESSIONS
      : participants === undefined
        ? SESSION
        : participantSid === undefined
          ? PARTICIPANTS
          : PARTICIPANT;
  const operation = table[method];
  if (!operation) return { kind: "methodNotAllowed" };
  return {
    kind: "operation",
    match: { operation, serviceSid, sid, participantSid, path: pathname },
  };
}

/** Runs one operation. Throws TwilioErrorAnswer for every Twilio-visible failure. */
export function handleOperation(
  state: EmulatorState,
  m: OperationMatch,
  form: FormBody,
  query: URLSearchParams,
  baseUrl: string,
): Reply {
  const { store, readings } = state;
  const service = store.getService(m.serviceSid);
  if (!service) throw Errors.notFound(m.path);
  /** Every operation below the Session path addresses it by KC sid only (OpenAPI patterns). */
  const session = (): SessionRecord => {
    const found = store.findBySid(service, m.sid as string);
    if (!found) throw Errors.notFound(m.path);
    return found;
  };

  switch (m.operation) {
    case "CreateSession": {
      const created = store.createSession(service, parseCreate(form, readings));
      return json(201, toSessionJson(created, baseUrl));
    }
    case "ListSession": {
      const listUrl = `${baseUrl}/v1/Services/${service.sid}/Sessions`;
      const page = paginate(
        store.listSessions(service.sid),
        parsePageRequest(query, readings),
        listUrl,
        service.sid,
        (sid) => store.sortKey(sid),
        "sessions",
      );
      return json(200, {
        sessions: page.items.map((s) => toSessionJson(s, baseUrl)),
        meta: page.meta,
      });
    }
    case "FetchSession":
      return json(200, toSessionJson(fetchSession(state, service, m), baseUrl));
    case "UpdateSession": {
      const updated = store.updateSession(session(), parseUpdate(form, readings));
      return json(200, toSessionJson(updated, baseUrl));
    }
    case "DeleteSession":
      store.deleteSession(session());
      return { status: 204 };
    case "CreateParticipant": {
      const s = session();
      const created = store.addParticipant(s, parseParticipantCreate(form));
      return json(201, toParticipantJson(created, s, baseUrl));
    }
    case "ListParticipant": {
      const s = session();
      const page = paginate(
        store.visibleParticipants(s),
        parsePageRequest(query, readings),
        `${sessionUrl(baseUrl, s.serviceSid, s.sid)}/Participants`,
        s.sid,
        (sid) => store.participantKey(s, sid),
        "participants",
        store.participantOrder(s),
      );
      return json(200, {
        participants: page.items.map((p) => toParticipantJson(p, s, baseUrl)),
        meta: page.meta,
      });
    }
    case "FetchParticipant": {
      const s = session();
      const p = store.findParticipant(s, m.participantSid as string);
      if (!p) throw Errors.notFound(m.path);
      return json(200, toParticipantJson(p, s, baseUrl));
    }
    case "DeleteParticipant": {
      const s = session();
      const p = store.findParticipant(s, m.participantSid as string);
      // Deleting twice: the participant is already gone, as a second session delete would be.
      if (!p || p.dateDeleted !== null) throw Errors.notFound(m.path);
      store.removeParticipant(s, p);
      return { status: readings.isAlternative("participantDeleteStatus") ? 204 : 200 };
    }
  }
}

function fetchSession(state: EmulatorState, service: ServiceRecord, m: OperationMatch) {
  const sid = m.sid as string;
  const byName = state.readings.isAlternative("fetchByUniqueName");
  const found = byName
    ? state.store.findForFetch(service, sid)
    : state.store.findBySid(service, sid);
  if (found) return found;
  // When names resolve, a value that is not KC-shaped was a unique name: 80308.
  throw byName && canonicalSid("KC", sid) === undefined
    ? Errors.uniqueNameNotFound()
    : Errors.notFound(m.path);
}
