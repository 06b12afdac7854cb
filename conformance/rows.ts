// The rows of the conformance table: one per behaviour of the emulator's evidence table
// (emulator/README.md) that the Sessions API can reveal, in that table's order. The texts are
// short so that the printed table stays readable; the JSON adds the registry's full texts.
import type { ReadingId } from "../emulator/readings";
import type { Agreement } from "../emulator/readings-from";

export interface RowSpec {
  id: string;
  behaviour: string;
  emulatorDefault: string;
  /** The emulator's switch, when the behaviour is unverified (emulator/readings.ts). */
  reading?: ReadingId;
  /** What the switch turns it into. */
  alternative?: string;
  /** Why no request of a short run can reveal it. */
  notObservable?: string;
}

/** What a row's observation agrees with; `--readings-from` reads it back from the JSON. */
export type { Agreement } from "../emulator/readings-from";

export interface Observation {
  /** What the server did, in a few words (redacted before it is printed or written). */
  observed: string;
  agrees: Agreement;
}

export type RowResult = RowSpec & Observation;

export const seen = {
  default: (observed: string): Observation => ({ observed, agrees: "default" }),
  alternative: (observed: string): Observation => ({ observed, agrees: "alternative" }),
  neither: (observed: string): Observation => ({ observed, agrees: "neither" }),
  nothing: (why: string): Observation => ({ observed: why, agrees: "not observed" }),
};

/** Which reading `observed` shows: the default's when `isDefault`, else the alternative's. */
export function verdict(observed: string, isDefault: boolean, isAlternative: boolean): Observation {
  if (isDefault) return seen.default(observed);
  return isAlternative ? seen.alternative(observed) : seen.neither(observed);
}

export const ROWS = [
  {
    id: "fetchByUniqueName",
    behaviour: "Fetch a session by its unique name",
    emulatorDefault: "404 20404, as an unknown sid",
    reading: "fetchByUniqueName",
    alternative: "resolved; 404 80308 for an unknown name",
  },
  {
    id: "pageWithoutToken",
    behaviour: "List with Page=1 and no PageToken",
    emulatorDefault: "400 20001",
    reading: "pageWithoutToken",
    alternative: "offset paging from Page*PageSize",
  },
  {
    id: "pageSizeMax",
    behaviour: "List with PageSize=101",
    emulatorDefault: "clamped to 100",
    reading: "pageSizeMax",
    alternative: "clamped to 1000 (so 101)",
  },
  {
    id: "sameStatusUpdate",
    behaviour: "Update Status to the current status",
    emulatorDefault: "80608",
    reading: "sameStatusUpdate",
    alternative: "200, other parameters applied",
  },
  {
    id: "createOnlyParamsOnUpdate",
    behaviour: "Update carrying UniqueName or Mode",
    emulatorDefault: "400 80701 '<name>' is invalid.",
    reading: "createOnlyParamsOnUpdate",
    alternative: "200, silently ignored",
  },
  {
    id: "retryAfter",
    behaviour: "Retry-After on a 429",
    emulatorDefault: "omitted",
    reading: "retryAfter",
    alternative: "sent",
  },
  {
    id: "concurrentRequestsHeader",
    behaviour: "Twilio-Concurrent-Requests header",
    emulatorDefault: "not sent",
    reading: "concurrentRequestsHeader",
    alternative: "sent on every answer to an operation",
  },
  {
    id: "conflictHttpStatus",
    behaviour: "HTTP status of 80603, 80607, 80608",
    emulatorDefault: "409",
    reading: "conflictHttpStatus",
    alternative: "400",
  },
  {
    id: "emptyUniqueName",
    behaviour: "Create with UniqueName= (empty)",
    emulatorDefault: "400 80701",
    reading: "emptyUniqueName",
    alternative: "201, no unique name",
  },
  {
    id: "emptyDateExpiry",
    behaviour: "Update with DateExpiry= (empty)",
    emulatorDefault: "400 80701",
    reading: "emptyDateExpiry",
    alternative: "200, date_expiry cleared",
  },
  {
    id: "closedSessionKeepsUniqueName",
    behaviour: "Unique name of a closed session",
    emulatorDefault: "still reserved: 80603",
    reading: "closedSessionKeepsUniqueName",
    alternative: "freed on close",
  },
  {
    id: "implicitTtl",
    behaviour: "ttl 0 and no date_expiry",
    emulatorDefault: "closes after 90 days",
    reading: "implicitTtl",
    alternative: "never expires",
    notObservable: "needs a session left alone for 90 days",
  },
  {
    id: "participantKeyCasing",
    behaviour: "camelCase keys in a Participants object",
    emulatorDefault: "400 80701 (PascalCase, snake_case only)",
    reading: "participantKeyCasing",
    alternative: "accepted",
  },
  {
    id: "participantsOnClosedSession",
    behaviour: "Add or delete a participant of a closed session",
    emulatorDefault: "80607",
    reading: "participantsOnClosedSession",
    alternative: "allowed",
  },
  {
    id: "deletedParticipantsInList",
    behaviour: "A deleted participant in list and fetch",
    emulatorDefault: "listed and fetched, date_deleted set",
    reading: "deletedParticipantsInList",
    alternative: "not listed; fetch 404",
  },
  {
    id: "deletedParticipantsCount",
    behaviour: "Deleted participants and the limit of 2",
    emulatorDefault: "they count: 80609",
    reading: "deletedParticipantsCount",
    alternative: "only live ones count",
  },
  {
    id: "duplicateParticipantIdentifier",
    behaviour: "Add a live participant's identifier again",
    emulatorDefault: "409 80623",
    reading: "duplicateParticipantIdentifier",
    alternative: "allowed",
  },
  {
    id: "participantListOrder",
    behaviour: "Order of a session's participants in ListParticipant",
    emulatorDefault: "newest first",
    reading: "participantListOrder",
    alternative: "creation order",
  },
  {
    id: "participantDeleteStatus",
    behaviour: "Status of a successful DeleteParticipant",
    emulatorDefault: "200, empty body",
    reading: "participantDeleteStatus",
    alternative: "204",
  },
  {
    id: "newSessionNulls",
    behaviour: "A new session's date_started, closed_reason",
    emulatorDefault: "null",
  },
  {
    id: "statusFieldChanges",
    behaviour: "Fields on close and re-open",
    emulatorDefault: "close: reason 'api', date_ended; re-open: reason null, date_started",
  },
  {
    id: "participantsJsonArray",
    behaviour: "Participants as one JSON array value",
    emulatorDefault: "2 participants; 3 is 400 80609",
  },
  {
    id: "participantsRepeated",
    behaviour: "Participants as repeated values",
    emulatorDefault: "2 participants; 3 is 400 80609",
  },
  {
    id: "participantsSubresource",
    behaviour: "Participants sub-resource",
    emulatorDefault: "POST 201 KP…, GET 200, list key 'participants'",
  },
  {
    id: "poolProxyIdentifier",
    behaviour: "Participant without a proxy identifier",
    emulatorDefault: "gets a number from the pool and a PN sid",
  },
  {
    id: "readdDeletedParticipant",
    behaviour: "Re-add a deleted participant's identifier",
    emulatorDefault: "409 80623",
  },
  {
    id: "deleteDeletedParticipant",
    behaviour: "Delete a deleted participant",
    emulatorDefault: "404 20404",
  },
  {
    id: "authBeforeRouting",
    behaviour: "A bad path without credentials",
    emulatorDefault: "401",
  },
  {
    id: "unauthorizedAnswer",
    behaviour: "401 answer",
    emulatorDefault: "20003 Authenticate, detail, WWW-Authenticate",
  },
  {
    id: "notFoundMessage",
    behaviour: "20404 message",
    emulatorDefault: "The requested resource /Services/…/Sessions/KC… was not found",
  },
  {
    id: "responseHeaders",
    behaviour: "Response headers",
    emulatorDefault: "application/json (no charset), Twilio-Request-Id RQ…, Date",
  },
  {
    id: "closedSessionUpdates",
    behaviour: "Update a closed session (empty, closed, open)",
    emulatorDefault: "80607",
  },
  {
    id: "allowedTransitions",
    behaviour: "Status transitions",
    emulatorDefault: "open→closed→in-progress; open↔in-progress 80608",
  },
  {
    id: "unknownParameters",
    behaviour: "Unknown parameters",
    emulatorDefault: "ignored",
  },
  {
    id: "createDefaults",
    behaviour: "Defaults on create",
    emulatorDefault: "mode voice-and-message, status open",
  },
  {
    id: "uniqueNames",
    behaviour: "Create with a unique name in use",
    emulatorDefault: "80603",
  },
  {
    id: "writeByUniqueName",
    behaviour: "Update or delete addressed by unique name",
    emulatorDefault: "404 20404",
  },
  {
    id: "parameterErrors",
    behaviour: "Bad Mode, Ttl, PageSize",
    emulatorDefault: "400 80701 '<name>' is invalid.",
  },
  {
    id: "pageTokens",
    behaviour: "Page tokens",
    emulatorDefault: "absolute next_page_url, PA/PB tokens; bad one 400 21481",
  },
  {
    id: "listOrder",
    behaviour: "List order",
    emulatorDefault: "date_created, then sid",
  },
  {
    id: "dates",
    behaviour: "Dates",
    emulatorDefault: "out UTC …Z; in with an offset",
  },
  {
    id: "rateLimits",
    behaviour: "429 answers",
    emulatorDefault: "429 20429",
  },
  {
    id: "concurrentRequests",
    behaviour: "Concurrent requests per account",
    emulatorDefault: "429 20429 above a limit",
    notObservable: "the run sends one request at a time",
  },
  {
    id: "methodNotAllowed",
    behaviour: "Unsupported method (PUT Sessions)",
    emulatorDefault: "405 20004",
  },
] as const satisfies readonly RowSpec[];

export type RowId = (typeof ROWS)[number]["id"];
