// The boundary types: what a user declares, what the resource outputs, and Twilio's wire format.
import type * as pulumi from "@pulumi/pulumi";

export const SESSION_MODES = ["message-only", "voice-only", "voice-and-message"] as const;
export type SessionMode = (typeof SESSION_MODES)[number];

/** The statuses a user may declare. Twilio also reports `failed` and `unknown`. */
export const DECLARABLE_STATUSES = ["open", "in-progress", "closed"] as const;
export type DeclaredStatus = (typeof DECLARABLE_STATUSES)[number];
export type SessionStatus = DeclaredStatus | "failed" | "unknown";

export interface ParticipantArgs {
  /** The participant's phone number (E.164) or channel address. */
  identifier: string;
  friendlyName?: string;
  /** The masked number (E.164) Twilio should use for this participant. */
  proxyIdentifier?: string;
  /** The SID (PN...) of the masked number. */
  proxyIdentifierSid?: string;
}

/**
 * A participant in the resource's outputs: what Twilio reports once refresh or an update has
 * read it (with its SID, KP...), or what was declared until then (Twilio's create answer does
 * not carry participants). Fields Twilio reports as null are left out.
 */
export interface ParticipantState extends ParticipantArgs {
  sid?: string;
}

/** Arguments of a `ProxySession`: what the stack declares. */
export interface ProxySessionArgs {
  /** The Proxy Service (KS...) the session belongs to. Changing it replaces the session. */
  serviceSid: pulumi.Input<string>;
  /** Unique per Service, at most 191 characters. Changing it replaces the session. */
  uniqueName?: pulumi.Input<string>;
  /** Defaults to `voice-and-message` at Twilio. Changing it replaces the session. */
  mode?: pulumi.Input<SessionMode>;
  /** At most 2. Twilio does not return participants, so they are compared with what was declared. */
  participants?: pulumi.Input<pulumi.Input<ParticipantArgs>[]>;
  /** Seconds until the session closes, counted from creation or the last interaction. */
  ttl?: pulumi.Input<number>;
  /** When the session closes (ISO 8601 or a Date). Overrides `ttl` at Twilio. */
  dateExpiry?: pulumi.Input<string | Date>;
  /** `open` and `in-progress` both mean "active"; `closed` closes the session. */
  status?: pulumi.Input<DeclaredStatus>;
  /**
   * Take over an existing session instead of creating one: `true` finds it by `uniqueName`,
   * a KC... SID names it. Its create-only fields must match the declaration.
   */
  adopt?: pulumi.Input<boolean | string>;
}

/** The inputs as the provider receives them (resolved and normalised by check). */
export interface ProxySessionInputs {
  serviceSid: string;
  uniqueName?: string;
  mode?: SessionMode;
  participants?: ParticipantArgs[];
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

/** A live Session in camelCase: what Twilio reports. */
export interface ProxySessionState {
  sid: string;
  serviceSid: string;
  accountSid: string;
  uniqueName: string | null;
  mode: SessionMode;
  status: SessionStatus;
  ttl: number;
  dateExpiry: string | null;
  dateStarted: string | null;
  dateEnded: string | null;
  dateLastInteraction: string | null;
  closedReason: string | null;
  dateCreated: string | null;
  dateUpdated: string | null;
  url: string | null;
  links: { interactions?: string; participants?: string } | null;
}

/** The resource's outputs: the live Session, plus what the stack declared. */
export interface ProxySessionOutputs extends ProxySessionState {
  /** The session's participants: live after a refresh or update, else as declared. */
  participants: ParticipantState[];
  /**
   * Identifiers of participants removed from the session. Twilio keeps them (a soft delete):
   * they cannot be added again, and may still count toward the limit of two. Absent when none.
   */
  removedParticipants?: string[];
  /** Which inputs the stack last declared, so that refresh can rebuild exactly those inputs. */
  declared: DeclaredRecord;
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
  Participants?: ParticipantArgs[];
}
export type SessionUpdateForm = Pick<SessionCreateForm, "Ttl" | "DateExpiry" | "Status">;
