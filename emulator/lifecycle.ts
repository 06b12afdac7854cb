import { Errors } from "./errors";
import type { SessionRecord, SessionStatus } from "./model";

/**
 * Only open and in-progress sessions can expire: closed ones already ended, and failed/unknown are
 * terminal states with no documented trigger (reference §3.1).
 */
function canExpire(status: SessionStatus): boolean {
  return status === "open" || status === "in-progress";
}

/**
 * DateExpiry overrides Ttl; Ttl counts from the later of creation (or re-open) and the last
 * interaction; Ttl 0 means never (reference §3.2).
 */
export function effectiveExpiry(s: SessionRecord): number | null {
  if (s.dateExpiry !== null) return s.dateExpiry;
  if (s.ttl > 0) return Math.max(s.openedAt, s.dateLastInteraction ?? 0) + s.ttl;
  return null;
}

/**
 * Lazy expiry: called before every read or write instead of running timers, so expiry follows the
 * injectable clock exactly. The end date is the expiry instant, except when a write moved the
 * expiry into the past: a session cannot have ended before the change that ended it.
 */
export function applyExpiry(s: SessionRecord, now: number): void {
  if (!canExpire(s.status)) return;
  const expiry = effectiveExpiry(s);
  if (expiry === null || now < expiry) return;
  const endedAt = Math.min(now, Math.max(expiry, s.dateUpdated));
  s.status = "closed";
  s.dateEnded = endedAt;
  s.dateUpdated = endedAt;
  s.closedReason = s.dateExpiry !== null ? "date_expiry" : "ttl";
}

export function close(s: SessionRecord, now: number, reason: string): void {
  s.status = "closed";
  s.dateEnded = now;
  s.closedReason = reason;
}

export function reopen(s: SessionRecord, now: number): void {
  s.status = "in-progress";
  s.dateEnded = null;
  s.closedReason = "";
  s.openedAt = now;
}

/**
 * Validates an Update against the current status (reference §3.1):
 * - closed: only `Status=in-progress` (re-open, possibly with new Ttl/DateExpiry) is allowed;
 *   anything else, including an empty update or `Status=closed`, is 80607.
 * - open/in-progress -> closed is allowed; closed -> in-progress is allowed.
 * - Same status on a non-closed session is accepted as a no-op. Choice: 80608 reads "status
 *   change not supported" and resending the unchanged status is not a change; Terraform-style
 *   clients resend `Status` on every update and would otherwise break on every Ttl edit.
 * - Every other target (open->in-progress, in-progress->open, anything->failed/unknown) is 80608.
 * Returns the status to apply, or undefined when the status does not change.
 */
export function checkUpdate(
  s: SessionRecord,
  requested: SessionStatus | undefined,
): SessionStatus | undefined {
  if (s.status === "closed") {
    if (requested === "in-progress") return "in-progress";
    throw Errors.sessionClosed();
  }
  if (requested === undefined || requested === s.status) return undefined;
  if (requested === "closed" && (s.status === "open" || s.status === "in-progress")) {
    return "closed";
  }
  throw Errors.statusChange(s.status, requested);
}
