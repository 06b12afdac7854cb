import { Errors } from "./errors";
import { canonicalSid } from "./ids";
import { json, type Reply } from "./http-util";
import { paginate, parsePageRequest } from "./pagination";
import { parseCreate, parseUpdate, type FormBody } from "./params";
import type { OperationId } from "./request-log";
import { toSessionJson } from "./serialize";
import type { EmulatorState } from "./state";

export interface OperationMatch {
  operation: OperationId;
  serviceSid: string;
  sid?: string;
  /** The path as requested, for 404 messages ("The requested resource /Services/... was not found"). */
  path: string;
}

export type RouteMatch =
  | { kind: "operation"; match: OperationMatch }
  | { kind: "notFound" }
  | { kind: "methodNotAllowed" };

const COLLECTION: Record<string, OperationId> = { GET: "ListSession", POST: "CreateSession" };
const INSTANCE: Record<string, OperationId> = {
  GET: "FetchSession",
  POST: "UpdateSession",
  DELETE: "DeleteSession",
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
  const [empty, version, services, serviceSid, sessions, sid, ...rest] = segments;
  if (
    empty !== "" ||
    version !== "v1" ||
    services !== "Services" ||
    !serviceSid ||
    sessions !== "Sessions" ||
    rest.length > 0 ||
    sid === ""
  ) {
    return { kind: "notFound" };
  }
  const table = sid === undefined ? COLLECTION : INSTANCE;
  const operation = table[method];
  if (!operation) return { kind: "methodNotAllowed" };
  return { kind: "operation", match: { operation, serviceSid, sid, path: pathname } };
}

/** Runs one Session operation. Throws TwilioApiError for every Twilio-visible failure. */
export function handleOperation(
  state: EmulatorState,
  m: OperationMatch,
  form: FormBody,
  query: URLSearchParams,
  baseUrl: string,
): Reply {
  const { store } = state;
  const service = store.getService(m.serviceSid);
  if (!service) throw Errors.notFound(m.path);

  switch (m.operation) {
    case "CreateSession": {
      const created = store.createSession(service, parseCreate(form, state.readings));
      return json(201, toSessionJson(created, baseUrl));
    }
    case "ListSession": {
      const req = parsePageRequest(query, state.readings);
      const listUrl = `${baseUrl}/v1/Services/${service.sid}/Sessions`;
      const page = paginate(
        store.listSessions(service.sid),
        req,
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
    case "FetchSession": {
      const sid = m.sid as string;
      const byName = state.readings.isAlternative("fetchByUniqueName");
      const found = byName ? store.findForFetch(service, sid) : store.findBySid(service, sid);
      if (found) return json(200, toSessionJson(found, baseUrl));
      // When names resolve, a value that is not KC-shaped was a unique name: 80308.
      throw byName && canonicalSid("KC", sid) === undefined
        ? Errors.uniqueNameNotFound()
        : Errors.notFound(m.path);
    }
    case "UpdateSession": {
      // Update and Delete declare a ^KC pattern, so unique names are not resolved here.
      const found = store.findBySid(service, m.sid as string);
      if (!found) throw Errors.notFound(m.path);
      const updated = store.updateSession(found, parseUpdate(form, state.readings));
      return json(200, toSessionJson(updated, baseUrl));
    }
    case "DeleteSession": {
      const found = store.findBySid(service, m.sid as string);
      if (!found) throw Errors.notFound(m.path);
      store.deleteSession(found);
      return { status: 204 };
    }
  }
}
