import { formatNullableDate, formatTwilioDate } from "./dates";
import type { ParticipantRecord, SessionRecord } from "./model";

/** `proxy.v1.service.session`: exactly these 16 keys, never the participants (reference §1.1). */
export interface SessionJson {
  sid: string;
  service_sid: string;
  account_sid: string;
  date_started: string | null;
  date_ended: string | null;
  date_last_interaction: string | null;
  date_expiry: string | null;
  unique_name: string | null;
  status: string;
  closed_reason: string | null;
  ttl: number;
  mode: string;
  date_created: string;
  date_updated: string;
  url: string;
  links: { interactions: string; participants: string };
}

/** `proxy.v1.service.session.participant`: exactly these 13 keys. */
export interface ParticipantJson {
  sid: string;
  session_sid: string;
  service_sid: string;
  account_sid: string;
  friendly_name: string | null;
  identifier: string;
  proxy_identifier: string | null;
  proxy_identifier_sid: string | null;
  date_deleted: string | null;
  date_created: string;
  date_updated: string;
  url: string;
  links: { message_interactions: string };
}

/** What the control API returns: the Twilio shape plus the live (not deleted) participants. */
export type ControlSessionJson = SessionJson & { participants: ParticipantJson[] };

export function sessionUrl(baseUrl: string, serviceSid: string, sid: string): string {
  return `${baseUrl}/v1/Services/${serviceSid}/Sessions/${sid}`;
}

/** `baseUrl` is the request's own origin so that links work whatever port the emulator got. */
export function toSessionJson(s: SessionRecord, baseUrl: string): SessionJson {
  const url = sessionUrl(baseUrl, s.serviceSid, s.sid);
  return {
    sid: s.sid,
    service_sid: s.serviceSid,
    account_sid: s.accountSid,
    date_started: formatNullableDate(s.dateStarted),
    date_ended: formatNullableDate(s.dateEnded),
    date_last_interaction: formatNullableDate(s.dateLastInteraction),
    date_expiry: formatNullableDate(s.dateExpiry),
    unique_name: s.uniqueName,
    status: s.status,
    closed_reason: s.closedReason,
    ttl: s.ttl,
    mode: s.mode,
    date_created: formatTwilioDate(s.dateCreated),
    date_updated: formatTwilioDate(s.dateUpdated),
    url,
    links: { interactions: `${url}/Interactions`, participants: `${url}/Participants` },
  };
}

export function toParticipantJson(
  p: ParticipantRecord,
  s: SessionRecord,
  baseUrl: string,
): ParticipantJson {
  const url = `${sessionUrl(baseUrl, s.serviceSid, s.sid)}/Participants/${p.sid}`;
  return {
    sid: p.sid,
    session_sid: s.sid,
    service_sid: s.serviceSid,
    account_sid: s.accountSid,
    friendly_name: p.friendlyName,
    identifier: p.identifier,
    proxy_identifier: p.proxyIdentifier,
    proxy_identifier_sid: p.proxyIdentifierSid,
    date_deleted: formatNullableDate(p.dateDeleted),
    date_created: formatTwilioDate(p.dateCreated),
    date_updated: formatTwilioDate(p.dateUpdated),
    url,
    links: { message_interactions: `${url}/MessageInteractions` },
  };
}

export function toControlSessionJson(s: SessionRecord, baseUrl: string): ControlSessionJson {
  const live = s.participants.filter((p) => p.dateDeleted === null);
  return {
    ...toSessionJson(s, baseUrl),
    participants: live.map((p) => toParticipantJson(p, s, baseUrl)),
  };
}
