// The boundary types: what a user declares, what the resource outputs, and Twilio's wire format.
import type * as pulumi from "@pulumi/pulumi";

/** How participants may talk through the session: Twilio's `mode`. */
export const SESSION_MODES = ["message-only", "voice-only", "voice-and-message"] as const;
/** `message-only`, `voice-only` or `voice-and-message` (Twilio's default). */
export type SessionMode = (typeof SESSION_MODES)[number];

/** The statuses a stack may declare. */
export const DECLARABLE_STATUSES = ["open", "in-progress", "closed"] as const;
/** `open`, `in-progress` (both active) or `closed`. */
export type DeclaredStatus = (typeof DECLARABLE_STATUSES)[number];
/** A session's status as Twilio reports it: a declarable one, or `failed` / `unknown`. */
export type SessionStatus = DeclaredStatus | "failed" | "unknown";

/** A participant of a session, every value known: as the provider and the outputs hold it. */
export interface Participant {
  /** The participant's phone number (E.164) or channel address, at most 191 characters. */
  identifier: string;
  /** A name for the participant, at most 255 characters. Twilio asks for no personal data. */
  friendlyName?: string;
  /**
   * The masked number (E.164) or channel address the participant talks through; Twilio picks
   * one from the Service's pool when it is not declared.
   */
  proxyIdentifier?: string;
  /** The SID (PN...) of the masked number. */
  proxyIdentifierSid?: string;
}

/**
 * A participant as a program declares it: each field may be another resource's output.
 * Changing a participant removes it and adds the new one in place, or replaces the session
 * where Twilio cannot (see `ProxySessionArgs.participants`).
 */
export interface ParticipantArgs {
  /** The participant's phone number (E.164) or channel address, at most 191 characters. */
  identifier: pulumi.Input<string>;
  /** A name for the participant, at most 255 characters. Twilio asks for no personal data. */
  friendlyName?: pulumi.Input<string>;
  /** The masked number (E.164) to use; Twilio picks one from the Service's pool if unset. */
  proxyIdentifier?: pulumi.Input<string>;
  /** The SID (PN...) of the masked number to use. */
  proxyIdentifierSid?: pulumi.Input<string>;
}

/**
 * A participant in the resource's outputs: as Twilio lists it (with its SID) once a refresh or
 * an update has read it, as declared until then (Twilio's create answer carries none). Fields
 * Twilio reports as null are left out.
 */
export interface ParticipantState extends Participant {
  /** The participant's SID (KP...), once read from Twilio. */
  sid?: string;
}

/** The arguments of a `ProxySession`: what the stack declares. */
export interface ProxySessionArgs {
  /** The Proxy Service (KS...) the session belongs to. Changing it replaces the session. */
  serviceSid: pulumi.Input<string>;
  /**
   * A name for the session, unique in its Service (Twilio refuses a duplicate with 80603), at
   * most 191 characters. Changing it replaces the session, deleting the old one first when the
   * name stays the same. Give one whenever pipelines run unattended: it makes retries safe.
   */
  uniqueName?: pulumi.Input<string>;
  /** How participants may talk: Twilio's default is `voice-and-message`. Changing it replaces the session. */
  mode?: pulumi.Input<SessionMode>;
  /**
   * At most two participants, compared with Twilio's on refresh (only the fields declared).
   * Changes are made in place, the session keeping its SID: removals first, then additions.
   * The session is replaced instead when it is closed and stays closed, when a participant
   * removed before is declared again, or when the additions need more than two places counting
   * the removed participants (Twilio keeps them).
   */
  participants?: pulumi.Input<pulumi.Input<ParticipantArgs>[]>;
  /**
   * Seconds of inactivity after which Twilio closes the session, counted from its creation or
   * its last interaction; 0 means no expiry. Changes update the session in place.
   */
  ttl?: pulumi.Input<number>;
  /**
   * When Twilio closes the session (ISO 8601 text or a Date), overriding `ttl`. Compared as an
   * instant to the second; changes update the session in place. A past date warns at preview.
   */
  dateExpiry?: pulumi.Input<string | Date>;
  /**
   * `open` or `in-progress` keeps the session active (both match either: a session becomes
   * in-progress by being used); `closed` closes it. Changes update the session in place: a
   * closed session declared active is re-opened. Leave it out to let Twilio manage it.
   */
  status?: pulumi.Input<DeclaredStatus>;
  /**
   * Take over an existing session instead of creating one (dynamic providers cannot `pulumi
   * import`): `true` finds it by `uniqueName`, a KC... SID names it. Its create-only fields must
   * match the declaration; ttl, dateExpiry, status and participants are converged in place.
   * Only read at create.
   */
  adopt?: pulumi.Input<boolean | string>;
}

/** The inputs as the provider receives them (resolved and normalised by check). */
export interface ProxySessionInputs {
  serviceSid: string;
  uniqueName?: string;
  mode?: SessionMode;
  participants?: Participant[];
  ttl?: number;
  dateExpiry?: string;
  status?: DeclaredStatus;
  adopt?: boolean | string;
}

export const DECLARABLE_KEYS = [
  "serviceSid",
  "uniqueName",
  "mode",
  "participants",
  "ttl",
  "dateExpiry",
  "status",
  "adopt",
] as const satisfies readonly (keyof ProxySessionInputs)[];

/**
 * The declarable keys that describe the session, in declaration order: all but `adopt`, which is
 * read only at create. What a preview can show as changed (the drift report's fields).
 */
export const SESSION_KEYS = DECLARABLE_KEYS.filter(
  (k): k is Exclude<(typeof DECLARABLE_KEYS)[number], "adopt"> => k !== "adopt",
);

/** A live session as Twilio reports it, in camelCase: the outputs of `ProxySession` and lookups. */
export interface ProxySessionState {
  /** The session's SID (KC...): the resource's id. */
  sid: string;
  /** The Proxy Service (KS...) the session belongs to. */
  serviceSid: string;
  /** The account (AC...) that owns the session. */
  accountSid: string;
  /** The session's unique name in its Service, or null. */
  uniqueName: string | null;
  /** How participants may talk. */
  mode: SessionMode;
  /** `open` (unused), `in-progress` (used or re-opened), `closed`, or `failed` / `unknown`. */
  status: SessionStatus;
  /** Seconds of inactivity before Twilio closes the session; 0 for none. */
  ttl: number;
  /** When Twilio closes the session, if a date was set. */
  dateExpiry: string | null;
  /** When the session started (first became in-progress); null before. */
  dateStarted: string | null;
  /** When the session closed; null while it is active. */
  dateEnded: string | null;
  /** When the session last had an interaction; null before the first. */
  dateLastInteraction: string | null;
  /** Why the session closed (free text from Twilio); null while it is active. */
  closedReason: string | null;
  /** When the session was created (ISO 8601, UTC). */
  dateCreated: string | null;
  /** When the session last changed. */
  dateUpdated: string | null;
  /** The session's absolute URL at Twilio. */
  url: string | null;
  /** URLs of the session's Interactions and Participants. */
  links: { interactions?: string; participants?: string } | null;
}

/**
 * The resource's outputs as state holds them: the live Session (less its `links`, which the
 * resource derives from `url`), plus what the stack declared.
 */
export interface ProxySessionOutputs extends Omit<ProxySessionState, "links"> {
  /** The session's participants: live after a refresh or update, else as declared. */
  participants: ParticipantState[];
  /**
   * Identifiers of participants removed from the session. Twilio keeps them (a soft delete):
   * they cannot be added again, and may still count toward the limit of two. Absent when none.
   */
  removedParticipants?: string[];
  /**
   * Which inputs the stack last declared, so that refresh can rebuild exactly those inputs.
   * Bookkeeping: the `__` prefix keeps it out of the CLI's display (the engine hides such keys).
   */
  __declared: DeclaredRecord;
  /** The same record as state written by 0.1.x holds it; read, never written. */
  declared?: DeclaredRecord;
}

/** What a stack declared, less the create-time-only `adopt`. */
export type DeclaredInputs = Omit<ProxySessionInputs, "adopt">;

/**
 * The declaration as outputs record it, without repeating them: `true` where the declared value
 * is the output of the same name, the declared value otherwise (an `open` session that is live
 * `in-progress`, a ttl that drifted). serviceSid is left out: it is always declared. State
 * written before this record had the declared values in full, which read the same way.
 */
export type DeclaredRecord = { [K in keyof DeclaredInputs]?: DeclaredInputs[K] | true };

/** Twilio's Session resource (`proxy.v1.service.session`) as it travels on the wire. */
export interface TwilioSession {
  sid: string;
  service_sid: string;
  account_sid: string;
  date_started: string | null;
  date_ended: string | null;
  date_last_interaction: string | null;
  date_expiry: string | null;
  unique_name: string | null;
  status: SessionStatus;
  closed_reason: string | null;
  ttl: number;
  mode: SessionMode;
  date_created: string | null;
  date_updated: string | null;
  url: string | null;
  links: { interactions?: string; participants?: string } | null;
}

/** Twilio's Participant resource (`proxy.v1.service.session.participant`) on the wire. */
export interface TwilioParticipant {
  sid: string;
  session_sid: string | null;
  identifier: string | null;
  friendly_name: string | null;
  proxy_identifier: string | null;
  proxy_identifier_sid: string | null;
  /** Set when the participant was removed: Twilio keeps it, soft-deleted. */
  date_deleted: string | null;
  date_created: string | null;
}

/** One page of a Twilio list answer; `meta.key` names the array (`sessions`, `participants`). */
export interface TwilioPage {
  meta: TwilioPageMeta;
  [key: string]: unknown;
}

/** One page of Twilio's ListSession answer. */
export interface TwilioSessionPage {
  sessions: TwilioSession[];
  meta: TwilioPageMeta;
}

export interface TwilioPageMeta {
  page: number;
  page_size: number;
  first_page_url: string;
  previous_page_url: string | null;
  url: string;
  next_page_url: string | null;
  key: string;
}

/** The form fields Twilio's CreateSession and UpdateSession accept. */
export interface SessionCreateForm {
  UniqueName?: string;
  Mode?: SessionMode;
  Ttl?: number;
  DateExpiry?: string;
  Status?: DeclaredStatus;
  Participants?: Participant[];
}
export type SessionUpdateForm = Pick<SessionCreateForm, "Ttl" | "DateExpiry" | "Status">;
