import { parseDateInput } from "./dates";
import { Errors } from "./errors";
import { SESSION_MODES, SESSION_STATUSES, type SessionMode, type SessionStatus } from "./model";
import type { ReadingSwitches } from "./readings";

/** A Session has at most 2 participants (docs, error 80609). */
export const MAX_PARTICIPANTS = 2;

/** A parsed form body: repeated keys (Participants) become arrays. */
export type FormBody = Record<string, string | string[]>;

export interface ParticipantInput {
  identifier: string;
  friendlyName: string | null;
  proxyIdentifier: string | null;
  proxyIdentifierSid: string | null;
}

export interface CreateInput {
  uniqueName?: string;
  mode?: SessionMode;
  status?: SessionStatus;
  ttl?: number;
  /** null = explicitly cleared (empty value), undefined = not sent. */
  dateExpiry?: number | null;
  participants: ParticipantInput[];
}

export interface UpdateInput {
  status?: SessionStatus;
  ttl?: number;
  dateExpiry?: number | null;
}

const MAX_UNIQUE_NAME = 191;
/** Limits from the participant schema's descriptions. */
const MAX_IDENTIFIER = 191;
const MAX_FRIENDLY_NAME = 255;
const PN_SID = /^PN[0-9a-fA-F]{32}$/;

/** Scalar params sent twice are ambiguous; the first value wins, like most form parsers. */
function scalar(form: FormBody, key: string): string | undefined {
  const v = form[key];
  return Array.isArray(v) ? v[0] : v;
}

function all(form: FormBody, key: string): string[] {
  const v = form[key];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function parseEnum<T extends string>(
  form: FormBody,
  key: string,
  allowed: readonly T[],
): T | undefined {
  const v = scalar(form, key);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw Errors.invalidParam(key);
  return v as T;
}

function parseTtl(form: FormBody): number | undefined {
  const v = scalar(form, "Ttl");
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw Errors.invalidParam("Ttl");
  return Number(v);
}

/** An empty DateExpiry clears it under the emptyDateExpiry alternative; otherwise it is invalid. */
function parseDateExpiry(form: FormBody, readings: ReadingSwitches): number | null | undefined {
  const v = scalar(form, "DateExpiry");
  if (v === undefined) return undefined;
  if (v === "" && readings.isAlternative("emptyDateExpiry")) return null;
  const parsed = parseDateInput(v);
  if (parsed === undefined) throw Errors.invalidParam("DateExpiry");
  return parsed;
}

/** Keys inside a participant object are undocumented (reference §2.2). */
const PARTICIPANT_KEYS = {
  identifier: { documented: ["Identifier", "identifier"], camel: [] },
  friendlyName: { documented: ["FriendlyName", "friendly_name"], camel: ["friendlyName"] },
  proxyIdentifier: {
    documented: ["ProxyIdentifier", "proxy_identifier"],
    camel: ["proxyIdentifier"],
  },
  proxyIdentifierSid: {
    documented: ["ProxyIdentifierSid", "proxy_identifier_sid"],
    camel: ["proxyIdentifierSid"],
  },
} as const;

function optionalString(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw Errors.invalidParam("Participants");
  return value;
}

/** Each form value is one JSON object or, as Twilio also accepts, a JSON array of them. */
function participantObjects(raw: string): Record<string, unknown>[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw Errors.invalidParam("Participants");
  }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  for (const item of items) {
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      throw Errors.invalidParam("Participants");
    }
  }
  return items as Record<string, unknown>[];
}

function toParticipant(o: Record<string, unknown>, readings: ReadingSwitches): ParticipantInput {
  const camelAllowed = readings.isAlternative("participantKeyCasing");
  const read = (field: keyof typeof PARTICIPANT_KEYS): unknown => {
    const { documented, camel } = PARTICIPANT_KEYS[field];
    for (const key of camel) {
      if (o[key] !== undefined && !camelAllowed) throw Errors.invalidParam("Participants");
    }
    for (const key of [...documented, ...camel]) if (o[key] !== undefined) return o[key];
    return undefined;
  };
  const identifier = read("identifier");
  if (typeof identifier !== "string") throw Errors.invalidParam("Participants.Identifier");
  return checkParticipant(
    {
      identifier,
      friendlyName: optionalString(read("friendlyName")),
      proxyIdentifier: optionalString(read("proxyIdentifier")),
      proxyIdentifierSid: optionalString(read("proxyIdentifierSid")),
    },
    (field) => (field === "Identifier" ? "Participants.Identifier" : "Participants"),
  );
}

type ParticipantParam = "Identifier" | "FriendlyName" | "ProxyIdentifierSid";

/** The same rules for a participant given on session create and through CreateParticipant. */
function checkParticipant(
  p: ParticipantInput,
  paramName: (field: ParticipantParam) => string,
): ParticipantInput {
  if (p.identifier === "" || Array.from(p.identifier).length > MAX_IDENTIFIER) {
    throw Errors.invalidParam(paramName("Identifier"));
  }
  if (p.friendlyName !== null && Array.from(p.friendlyName).length > MAX_FRIENDLY_NAME) {
    throw Errors.invalidParam(paramName("FriendlyName"));
  }
  if (p.proxyIdentifierSid !== null && !PN_SID.test(p.proxyIdentifierSid)) {
    throw Errors.invalidParam(paramName("ProxyIdentifierSid"));
  }
  return p;
}

/** CreateParticipant's form: `Identifier` is required (OpenAPI), the rest optional. */
export function parseParticipantCreate(form: FormBody): ParticipantInput {
  const identifier = scalar(form, "Identifier");
  if (identifier === undefined) throw Errors.invalidParam("Identifier");
  return checkParticipant(
    {
      identifier,
      friendlyName: scalar(form, "FriendlyName") ?? null,
      proxyIdentifier: scalar(form, "ProxyIdentifier") ?? null,
      proxyIdentifierSid: scalar(form, "ProxyIdentifierSid") ?? null,
    },
    (field) => field,
  );
}

/**
 * Validation order: scalar params first (80701), then participant count (80609) before their
 * contents, so a 3-participant request always reports 80609.
 */
export function parseCreate(form: FormBody, readings: ReadingSwitches): CreateInput {
  const rawName = scalar(form, "UniqueName");
  let uniqueName = rawName;
  if (rawName === "") {
    if (!readings.isAlternative("emptyUniqueName")) throw Errors.invalidParam("UniqueName");
    uniqueName = undefined;
  }
  if (uniqueName !== undefined && Array.from(uniqueName).length > MAX_UNIQUE_NAME) {
    throw Errors.invalidParam("UniqueName");
  }
  const mode = parseEnum(form, "Mode", SESSION_MODES);
  const status = parseEnum(form, "Status", SESSION_STATUSES);
  const ttl = parseTtl(form);
  const dateExpiry = parseDateExpiry(form, readings);
  const objects = all(form, "Participants").flatMap(participantObjects);
  if (objects.length > MAX_PARTICIPANTS) throw Errors.tooManyParticipants();
  const participants = objects.map((o) => toParticipant(o, readings));
  return { uniqueName, mode, status, ttl, dateExpiry, participants };
}

/** Create parameters that Update does not take (reference §2.4). */
const CREATE_ONLY = ["UniqueName", "Mode", "Participants"];

/**
 * Update takes only DateExpiry, Ttl and Status. Create-only parameters are 80701 unless the
 * createOnlyParamsOnUpdate alternative ignores them; unknown parameters are ignored (20001).
 */
export function parseUpdate(form: FormBody, readings: ReadingSwitches): UpdateInput {
  if (!readings.isAlternative("createOnlyParamsOnUpdate")) {
    const sent = CREATE_ONLY.find((key) => form[key] !== undefined);
    if (sent !== undefined) throw Errors.invalidParam(sent);
  }
  return {
    status: parseEnum(form, "Status", SESSION_STATUSES),
    ttl: parseTtl(form),
    dateExpiry: parseDateExpiry(form, readings),
  };
}
