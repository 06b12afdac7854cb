/**
 * Readings: behaviours that neither the OpenAPI document nor any captured Twilio answer settles.
 * The emulator takes the stricter reading by default (a client that copes with it also copes with
 * the lenient one); each can be switched to the alternative per instance, so a client can be
 * tested under both. Every entry is a row of the table in emulator/README.md.
 */

export interface Reading {
  id: string;
  behaviour: string;
  defaultReading: string;
  alternativeReading: string;
  evidence: string;
}

export const READINGS = [
  {
    id: "fetchByUniqueName",
    behaviour: "Fetch (GET /Sessions/{Sid}) with a unique name instead of a KC sid",
    defaultReading:
      "not resolved: 404 20404 'The requested resource … was not found', as for an unknown sid",
    alternativeReading: "resolved to the session with that unique name; 404 80308 when none has it",
    evidence:
      "inferred: only Fetch's Sid lacks a ^KC pattern in the OpenAPI document and error 80308 " +
      "exists; no Twilio doc, example or client uses it (reference §3.3, §9)",
  },
  {
    id: "pageWithoutToken",
    behaviour: "List with Page > 0 and no PageToken",
    defaultReading: "400 20001 'PageToken is required for paging.'",
    alternativeReading: "offset paging: items Page*PageSize onwards",
    evidence:
      "inferred: Twilio's 2010 API answers so (twilio-python#395, twilio-php#507); " +
      "not seen for Proxy (reference §9)",
  },
  {
    id: "pageSizeMax",
    behaviour: "List with PageSize above the maximum",
    defaultReading: "clamped to 100 ('A maximum of 100 records will be returned per page')",
    alternativeReading: "clamped to 1000 (the PageSize parameter description)",
    evidence: "OpenAPI document contradicts itself: operation summary vs parameter (reference §5)",
  },
  {
    id: "sameStatusUpdate",
    behaviour: "Update with Status equal to the current status of an open or in-progress session",
    defaultReading: "400 80608 'Session status change not supported'",
    alternativeReading: "200, a no-op for the status (other parameters applied)",
    evidence:
      "inferred: 80608 lists the allowed transitions, which exclude x -> x (reference §3.1)",
  },
  {
    id: "createOnlyParamsOnUpdate",
    behaviour: "Update carrying UniqueName, Mode or Participants",
    defaultReading: "400 80701 \"'UniqueName' is invalid.\" (the first such parameter)",
    alternativeReading: "silently ignored, like unknown parameters (20001)",
    evidence:
      "inferred: the OpenAPI document lists only DateExpiry, Ttl and Status for Update; " +
      "twilio/sample-code#21 (reference §2.4)",
  },
  {
    id: "retryAfter",
    behaviour: "Retry-After header on 429 answers",
    defaultReading: "omitted: a client must back off on its own",
    alternativeReading: "sent, with the fault config's retryAfterSeconds (default 1)",
    evidence: "not confirmed for Proxy (reference §9); the changelog only says 'HTTP 429'",
  },
  {
    id: "conflictHttpStatus",
    behaviour: "HTTP status of 80603 (unique name in use), 80607 (closed) and 80608 (transition)",
    defaultReading: "409, so a client must key on the error code, not on HTTP 400",
    alternativeReading: "400",
    evidence:
      "inferred: the error catalogue gives codes, not statuses; the analogous 80623 " +
      "(duplicate participant) is documented 409 (reference §4.2)",
  },
  {
    id: "emptyUniqueName",
    behaviour: "Create with UniqueName=''",
    defaultReading: "400 80701 \"'UniqueName' is invalid.\"",
    alternativeReading: "treated as no unique name",
    evidence: "inferred: undocumented",
  },
  {
    id: "emptyDateExpiry",
    behaviour: "Create or Update with DateExpiry=''",
    defaultReading:
      "400 80701 \"'DateExpiry' is invalid.\" (a date_expiry cannot be removed once set)",
    alternativeReading: "clears date_expiry",
    evidence:
      "inferred: DateExpiry is a date-time in the OpenAPI document; clearing is undocumented",
  },
  {
    id: "closedSessionKeepsUniqueName",
    behaviour: "The unique name of a closed (not deleted) session",
    defaultReading: "still reserved: creating another session with it is 80603 until deletion",
    alternativeReading: "freed when the session closes",
    evidence:
      "inferred: 80603 'not currently in use by any other Sessions'; closed sessions still " +
      "exist (reference §2.1, §3.1)",
  },
  {
    id: "implicitTtl",
    behaviour: "A session with ttl 0 and no date_expiry",
    defaultReading:
      "closes (closed_reason 'ttl') 90 days after its start or last interaction; ttl still reads 0",
    alternativeReading: "never expires",
    evidence:
      "Twilio docs contradict each other: 80904 'default Ttl is set to 90 days' vs the Service's " +
      "default_ttl '0 = unlimited' (reference §3.2)",
  },
  {
    id: "participantKeyCasing",
    behaviour: "Keys inside a Participants JSON object",
    defaultReading:
      "PascalCase (Identifier) or snake_case (identifier, friendly_name); a camelCase key " +
      "(friendlyName…) is 400 80701 \"'Participants' is invalid.\"",
    alternativeReading: "camelCase (friendlyName, proxyIdentifier…) accepted too",
    evidence:
      "PascalCase used against the live API (Flex code, gotwilio); snake_case in Twilio's own " +
      "Terraform example; camelCase nowhere (reference §2.2)",
  },
  {
    id: "participantsOnClosedSession",
    behaviour: "CreateParticipant or DeleteParticipant on a closed session",
    defaultReading: "refused: 80607 'Session is closed and cannot be updated'",
    alternativeReading: "allowed",
    evidence: "inferred: 80607 refuses updates of closed sessions; participants are undocumented",
  },
  {
    id: "deletedParticipantsInList",
    behaviour: "A deleted (soft-deleted) participant in ListParticipant and FetchParticipant",
    defaultReading: "still listed and fetchable, with date_deleted set: clients must filter",
    alternativeReading: "omitted from the list; fetching it is 404 20404",
    evidence:
      "OpenAPI: DeleteParticipant is 'a soft-delete. The participant remains associated with " +
      "the session'; the schema has date_deleted. Whether lists show it is not said",
  },
  {
    id: "deletedParticipantsCount",
    behaviour: "Deleted participants and the limit of 2 per session (80609)",
    defaultReading: "they still count: a session never has more than 2 participants in total",
    alternativeReading: "only live participants count",
    evidence: "inferred: 'remains associated with the session' (OpenAPI); 80609 docs",
  },
  {
    id: "duplicateParticipantIdentifier",
    behaviour: "Adding a participant whose identifier a live participant of the session has",
    defaultReading: "409 80623 (on session create too)",
    alternativeReading: "allowed",
    evidence:
      "inferred: 80623 'duplicate participant request' is documented 409 (reference §4.2); a " +
      "deleted participant 'cannot be re-added' (OpenAPI), which is 80623 in both positions",
  },
  {
    id: "participantListOrder",
    behaviour: "The order of ListParticipant's participants",
    defaultReading: "newest first (reverse creation order), so not the order a create declared",
    alternativeReading: "creation order (the order of a create's Participants, then additions)",
    evidence:
      "undocumented: the OpenAPI document and the docs say nothing of the order; a client " +
      "must not depend on it, and the default is one that differs from creation order",
  },
  {
    id: "participantDeleteStatus",
    behaviour: "HTTP status of a successful DeleteParticipant",
    defaultReading: "200 with an empty body, as the OpenAPI document says",
    alternativeReading: "204, as every other Proxy delete",
    evidence:
      "OpenAPI says 200 for DeleteParticipant but 204 for every other delete, and the SDKs " +
      "treat 204 as success: the 200 may be a documentation slip",
  },
  {
    id: "concurrentRequestsHeader",
    behaviour: "Twilio-Concurrent-Requests response header",
    defaultReading: "omitted: a client learns the account's concurrency only from its 429s",
    alternativeReading:
      "sent on every answer to an authenticated operation: the account's requests in flight when this one " +
      "arrived, itself included (on a 429 too)",
    evidence:
      "docs: errors 20429 and 45780 tell clients to monitor Twilio-Concurrent-Requests (and " +
      "Twilio-Request-Duration) to see how close the account is to its concurrency limit; " +
      "whether Proxy sends it and exactly what it counts are not documented",
  },
] as const satisfies readonly Reading[];

export type ReadingId = (typeof READINGS)[number]["id"];
export type ReadingPosition = "default" | "alternative";

export function isReadingId(value: unknown): value is ReadingId {
  return READINGS.some((r) => r.id === value);
}

/** Throws on an unknown id, so a typo cannot silently leave the default in place. */
export function checkReadingIds(ids: readonly unknown[]): ReadingId[] {
  for (const id of ids) {
    if (!isReadingId(id)) {
      throw new TypeError(
        `unknown reading '${String(id)}' (known: ${READINGS.map((r) => r.id).join(", ")})`,
      );
    }
  }
  return ids as ReadingId[];
}

export type ReadingState = Reading & { active: ReadingPosition };

/** Which readings one emulator instance has switched to the alternative. */
export class ReadingSwitches {
  private alternatives: Set<ReadingId>;

  constructor(private readonly atStart: readonly ReadingId[] = []) {
    this.alternatives = new Set(atStart);
  }

  isAlternative(id: ReadingId): boolean {
    return this.alternatives.has(id);
  }

  set(id: ReadingId, position: ReadingPosition): void {
    if (position === "alternative") this.alternatives.add(id);
    else this.alternatives.delete(id);
  }

  /** Back to the readings the instance was started with. */
  reset(): void {
    this.alternatives = new Set(this.atStart);
  }

  list(): ReadingState[] {
    return READINGS.map((r) => ({
      ...r,
      active: this.alternatives.has(r.id) ? "alternative" : "default",
    }));
  }
}
