/** In-memory records. Dates are epoch seconds because Twilio only exposes whole seconds. */

export const SESSION_STATUSES = ["open", "in-progress", "closed", "failed", "unknown"] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export const SESSION_MODES = ["message-only", "voice-only", "voice-and-message"] as const;
export type SessionMode = (typeof SESSION_MODES)[number];

export interface ParticipantRecord {
  sid: string;
  identifier: string;
  friendlyName: string | null;
  proxyIdentifier: string | null;
  proxyIdentifierSid: string | null;
  dateCreated: number;
  dateUpdated: number;
  /** Soft delete: the participant stays attached to its session (OpenAPI DeleteParticipant). */
  dateDeleted: number | null;
}

export interface SessionRecord {
  sid: string;
  serviceSid: string;
  accountSid: string;
  uniqueName: string | null;
  status: SessionStatus;
  mode: SessionMode;
  ttl: number;
  dateExpiry: number | null;
  /** Null until the session starts (first interaction, or made in-progress); reference §9. */
  dateStarted: number | null;
  dateEnded: number | null;
  dateLastInteraction: number | null;
  /** Null unless closed (reference §9). */
  closedReason: string | null;
  dateCreated: number;
  dateUpdated: number;
  /**
   * Creation or the latest re-open. Not exposed; the TTL clock starts here (or at the last
   * interaction, whichever is later) so that re-opening an expired session does not close it again
   * on the very next read.
   */
  openedAt: number;
  /** In creation order, soft-deleted ones included; they go when the session is deleted. */
  participants: ParticipantRecord[];
}

export interface ServiceRecord {
  sid: string;
  defaultTtl: number;
}
