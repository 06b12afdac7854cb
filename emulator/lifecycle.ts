import { Errors } from "./errors";
import type { SessionRecord, SessionStatus } from "./model";
import type { ReadingSwitches } from "./readings";

/** Twilio's 80904 page: "If both properties are not set, default Ttl is set to 90 days". */
export const IMPLICIT_TTL_SECONDS = 90 * 24 * 3600;

/**
 * Only open and in-progress sessions can expire: closed ones already ended, and failed/unknown are
 * terminal states with no documented trigger (reference §3.1).
 */
function canExpire(status: SessionStatus): boolean {
  return status === "open" || status === "in-progress";
}

/**
 * DateExpiry overrides Ttl; Ttl counts from the later of creation (or re-open) and the last
 * interaction; Ttl 0 means never, or 90 days under the implicitTtl reading (reference §3.2).
 */
export function effectiveExpiry(s: SessionRecord, readings: ReadingSwitches): number | null {
  if (s.dateExpiry !== null) return s.dateExpiry;
  const ttl = s.ttl > 0 || readings.isAlternative("implicitTtl") ? s.ttl : IMPLICIT_TTL_SECONDS;
  if (ttl > 0) return Math.max(s.openedAt, s.dateLastInteraction ?? 0) + ttl;
  return null;
}

/**
 * Lazy expiry: called before every read or write instead of running timers, so expiry follows the
 * injectable clock exactly. The end date is the expiry instant, except when a write moved the
 * expiry into the past: a session cannot have ended before the change that ended it.
 */
export function applyExpiry(s: SessionRecord, now: number, readings: ReadingSwitches): void {
  if (!canExpire(s.status)) return;
  const expiry = effectiveExpiry(s, readings);
  if (expiry === null || now < expiry) return;
  const endedAt = Math.min(now, Math.max(expiry, s.dateUpdated));
  s.status = "closed";
  s.dateEnded = endedAt;
  s.dateUpdated = endedAt;
  s.closedReason = s.dateExpiry !== null ? "date_expiry" : "ttl";
}

/** A session starts when it first becomes in-progress (by traffic or by an update). */
export function start(s: SessionRecord, now: number): void {
  s.status = "in-progress";
  s.dateStarted ??= now;
}

export function close(s: SessionRecord, now: number, reason: string): void {
  s.status = "closed";
  s.dateEnded = now;
  s.closedReason = reason;
}

export function reopen(s: SessionRecord, now: number): void {
  start(s, now);
  s.dateEnded = null;
  s.closedReason = null;
  s.openedAt = now;
}

/**
 * Validates an Update against the current status (reference §3.1):
 * - closed: only `Status=in-progress` (re-open, possibly with new Ttl/DateExpiry) is allowed;
 *   anything else, including an empty update or `Status=closed`, is 80607 (confirmed wording).
 * - open/in-progress -> closed is allowed; closed -> in-progress is allowed.
 * - Same status on a live session: 80608, or a no-op under the sameStatusUpdate alternative.
 * - Every other target (open->in-progress, in-progress->open, anything->failed/unknown) is 80608.
 * Returns the status to apply, or undefined when the status does not change.
 */
export function checkUpdate(
  s: SessionRecord,
  requested: SessionStatus | undefined,
  readings: ReadingSwitches,
): SessionStatus | undefined {
  if (s.status === "closed") {
    if (requested === "in-progress") return "in-progress";
    throw Errors.sessionClosed(readings);
  }
  if (requested === undefined) return undefined;
  if (requested === s.status && readings.isAlternative("sameStatusUpdate")) return undefined;
  if (requested === "closed" && (s.status === "open" || s.status === "in-progress")) {
    return "closed";
  }
  throw Errors.statusChange(s.status, requested, readings);
}
