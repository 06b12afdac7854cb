import { parseDateInput } from "./dates";
import { Errors } from "./errors";
import { SESSION_MODES, SESSION_STATUSES, type SessionMode, type SessionStatus } from "./model";

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
const MAX_PARTICIPANTS = 2;

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

/** An empty DateExpiry clears it: the only way for a client to remove an expiry date. */
function parseDateExpiry(form: FormBody): number | null | undefined {
  const v = scalar(form, "DateExpiry");
  if (v === undefined) return undefined;
  if (v === "") return null;
  const parsed = parseDateInput(v);
  if (parsed === undefined) throw Errors.invalidParam("DateExpiry");
  return parsed;
}

/** Keys inside a participant object are undocumented: accept the casings seen in the wild. */
function pick(obj: Record<string, unknown>, names: string[]): unknown {
  for (const n of names) if (obj[n] !== undefined) return obj[n];
  return undefined;
}

function optionalString(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw Errors.invalidParam("Participants");
  return value;
}

export function parseParticipant(raw: string): ParticipantInput {
  let obj: unknown;
  try {
    obj = JSON.parse(raw);
  } catch {
    throw Errors.invalidParam("Participants");
  }
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
    throw Errors.invalidParam("Participants");
  }
  const o = obj as Record<string, unknown>;
  const identifier = pick(o, ["Identifier", "identifier"]);
  if (typeof identifier !== "string" || identifier === "") {
    throw Errors.invalidParam("Participants.Identifier");
  }
  return {
    identifier,
    friendlyName: optionalString(pick(o, ["FriendlyName", "friendly_name", "friendlyName"])),
    proxyIdentifier: optionalString(
      pick(o, ["ProxyIdentifier", "proxy_identifier", "proxyIdentifier"]),
    ),
    proxyIdentifierSid: optionalString(
      pick(o, ["ProxyIdentifierSid", "proxy_identifier_sid", "proxyIdentifierSid"]),
    ),
  };
}

/**
 * Validation order: scalar params first (80701), then participant count (80609) before their
 * contents, so a 3-participant request always reports 80609.
 */
export function parseCreate(form: FormBody): CreateInput {
  const rawName = scalar(form, "UniqueName");
  // An empty UniqueName is treated as "no unique name" rather than as a name.
  const uniqueName = rawName === "" ? undefined : rawName;
  if (uniqueName !== undefined && Array.from(uniqueName).length > MAX_UNIQUE_NAME) {
    throw Errors.invalidParam("UniqueName");
  }
  const mode = parseEnum(form, "Mode", SESSION_MODES);
  const status = parseEnum(form, "Status", SESSION_STATUSES);
  const ttl = parseTtl(form);
  const dateExpiry = parseDateExpiry(form);
  const rawParticipants = all(form, "Participants");
  if (rawParticipants.length > MAX_PARTICIPANTS) throw Errors.tooManyParticipants();
  const participants = rawParticipants.map(parseParticipant);
  return { uniqueName, mode, status, ttl, dateExpiry, participants };
}

/** Update accepts only DateExpiry, Ttl and Status; UniqueName, Mode etc. are silently ignored. */
export function parseUpdate(form: FormBody): UpdateInput {
  return {
    status: parseEnum(form, "Status", SESSION_STATUSES),
    ttl: parseTtl(form),
    dateExpiry: parseDateExpiry(form),
  };
}
