// check: validates and normalises declared inputs before anything touches Twilio.
import type { CheckFailure } from "@pulumi/pulumi/dynamic";
import { parseIsoDate, toTwilioDate } from "./dates";
import {
  DECLARABLE_KEYS,
  DECLARABLE_STATUSES,
  Participant,
  ProxySessionInputs,
  SESSION_MODES,
} from "./types";
import { MAX_PARTICIPANTS } from "./participants";
import { isUnknown } from "./unknown";

export const SID_PATTERNS = {
  service: /^KS[0-9a-fA-F]{32}$/,
  session: /^KC[0-9a-fA-F]{32}$/,
  phoneNumber: /^PN[0-9a-fA-F]{32}$/,
};
const MAX_UNIQUE_NAME = 191;
const MAX_IDENTIFIER = 191;
const MAX_FRIENDLY_NAME = 255;
const PARTICIPANT_KEYS = ["identifier", "friendlyName", "proxyIdentifier", "proxyIdentifierSid"];

export interface CheckOutcome {
  inputs: ProxySessionInputs;
  failures: CheckFailure[];
  warnings: string[];
}

/** Twilio counts characters, not UTF-16 code units. */
const length = (s: string) => [...s].length;
const describe = (v: unknown) =>
  v === null ? "null" : Array.isArray(v) ? "an array" : `a ${typeof v} (${JSON.stringify(v)})`;

/**
 * Validates `news` and returns the normalised inputs, one failure per bad property, and
 * warnings. Values unknown during preview pass through unchecked.
 */
export function checkInputs(news: Record<string, unknown>, now = Date.now()): CheckOutcome {
  const failures: CheckFailure[] = [];
  const warnings: string[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason });
  const inputs: Record<string, unknown> = {};

  for (const key of Object.keys(news)) {
    if (key === "__provider" || news[key] === undefined) continue;
    if (!(DECLARABLE_KEYS as readonly string[]).includes(key)) {
      fail(key, `'${key}' is not a ProxySession input (known: ${DECLARABLE_KEYS.join(", ")})`);
    }
  }

  const known = (key: string) => {
    const v = news[key];
    if (v === undefined) return false;
    if (isUnknown(v)) {
      inputs[key] = v;
      return false;
    }
    return true;
  };

  if (news.serviceSid === undefined || news.serviceSid === null) {
    fail("serviceSid", "serviceSid is required: the SID (KS...) of the Proxy Service");
  } else if (known("serviceSid")) {
    const v = news.serviceSid;
    if (typeof v !== "string" || !SID_PATTERNS.service.test(v)) {
      fail("serviceSid", `must be a Service SID: KS followed by 32 hex digits, got ${describe(v)}`);
    } else inputs.serviceSid = v;
  }

  if (known("uniqueName")) {
    const v = news.uniqueName;
    if (typeof v !== "string") fail("uniqueName", `must be a string, got ${describe(v)}`);
    else if (v.trim() === "") fail("uniqueName", "must not be empty; leave it out instead");
    else if (length(v) > MAX_UNIQUE_NAME) {
      fail("uniqueName", `must be at most ${MAX_UNIQUE_NAME} characters, got ${length(v)}`);
    } else inputs.uniqueName = v;
  }

  if (known("mode")) {
    const v = news.mode;
    if (typeof v !== "string" || !(SESSION_MODES as readonly string[]).includes(v)) {
      fail("mode", `must be one of ${SESSION_MODES.join(", ")}; got ${describe(v)}`);
    } else inputs.mode = v;
  }

  if (known("status")) {
    const v = news.status;
    if (typeof v !== "string" || !(DECLARABLE_STATUSES as readonly string[]).includes(v)) {
      fail("status", `must be one of ${DECLARABLE_STATUSES.join(", ")}; got ${describe(v)}`);
    } else inputs.status = v;
  }

  if (known("ttl")) {
    const v = news.ttl;
    if (typeof v !== "number" || !Number.isFinite(v)) {
      fail("ttl", `must be a number of seconds, got ${describe(v)}`);
    } else if (!Number.isInteger(v)) fail("ttl", `must be a whole number of seconds, got ${v}`);
    else if (v < 0) fail("ttl", `must be 0 (no expiry) or more seconds, got ${v}`);
    else if (!Number.isSafeInteger(v)) fail("ttl", `is too large: ${v}`);
    else inputs.ttl = v;
  }

  if (known("dateExpiry")) {
    const v = news.dateExpiry;
    const ms = typeof v === "string" ? parseIsoDate(v) : undefined;
    if (typeof v !== "string") {
      fail("dateExpiry", `must be an ISO 8601 date string or a Date, got ${describe(v)}`);
    } else if (ms === undefined) {
      fail("dateExpiry", `is not an ISO 8601 date: ${JSON.stringify(v)}`);
    } else {
      inputs.dateExpiry = toTwilioDate(ms);
      if (ms <= now) {
        warnings.push(
          `dateExpiry ${inputs.dateExpiry} is in the past: Twilio will close the session at once`,
        );
      }
    }
  }

  if (known("participants")) {
    const v = news.participants;
    if (!Array.isArray(v)) {
      fail("participants", `must be a list of participants, got ${describe(v)}`);
    } else if (v.length > MAX_PARTICIPANTS) {
      fail(
        "participants",
        `a session has at most ${MAX_PARTICIPANTS} participants, got ${v.length}`,
      );
    } else {
      const checked = v.map((p, i) => checkParticipant(p, i, fail));
      const ids = checked.map((p) => (p && !isUnknown(p) ? p.identifier : undefined));
      let duplicate = false;
      ids.forEach((id, i) => {
        const first = ids.indexOf(id);
        if (id !== undefined && !isUnknown(id) && first < i) {
          duplicate = true;
          fail(
            "participants",
            `participants[${i}].identifier ${JSON.stringify(id)} repeats participants[${first}]: ` +
              "Twilio refuses a duplicate participant (80623)",
          );
        }
      });
      if (checked.every((p) => p !== undefined) && !duplicate) {
        inputs.participants = checked;
      }
    }
  }

  if (known("adopt")) {
    const v = news.adopt;
    if (typeof v === "boolean") inputs.adopt = v;
    else if (typeof v === "string" && SID_PATTERNS.session.test(v)) inputs.adopt = v;
    else fail("adopt", `must be true, false or a Session SID (KC...), got ${describe(v)}`);
    if (v === true && news.uniqueName === undefined) {
      fail("adopt", "adopt: true finds the session by uniqueName, so uniqueName must be set");
    }
  }

  return { inputs: inputs as unknown as ProxySessionInputs, failures, warnings };
}

function checkParticipant(
  p: unknown,
  i: number,
  fail: (property: string, reason: string) => void,
): Participant | undefined {
  const where = `participants[${i}]`;
  if (isUnknown(p)) return p as unknown as Participant;
  if (typeof p !== "object" || p === null || Array.isArray(p)) {
    fail("participants", `${where} must be an object with an identifier, got ${describe(p)}`);
    return undefined;
  }
  const raw = p as Record<string, unknown>;
  let ok = true;
  const bad = (reason: string) => {
    fail("participants", `${where}.${reason}`);
    ok = false;
  };
  for (const key of Object.keys(raw)) {
    if (!PARTICIPANT_KEYS.includes(key) && raw[key] !== undefined) {
      bad(`${key} is not a participant field (known: ${PARTICIPANT_KEYS.join(", ")})`);
    }
  }
  const text = (key: string, max: number, required: boolean) => {
    const v = raw[key];
    if (v === undefined || isUnknown(v)) {
      if (required && v === undefined) bad(`${key} is required`);
      return;
    }
    if (typeof v !== "string") bad(`${key} must be a string, got ${describe(v)}`);
    else if (v.trim() === "") bad(`${key} must not be empty`);
    else if (length(v) > max) bad(`${key} must be at most ${max} characters, got ${length(v)}`);
  };
  text("identifier", MAX_IDENTIFIER, true);
  text("friendlyName", MAX_FRIENDLY_NAME, false);
  text("proxyIdentifier", MAX_IDENTIFIER, false);
  const sid = raw.proxyIdentifierSid;
  if (sid !== undefined && !isUnknown(sid)) {
    if (typeof sid !== "string" || !SID_PATTERNS.phoneNumber.test(sid)) {
      bad(
        `proxyIdentifierSid must be a Phone Number SID (PN + 32 hex digits), got ${describe(sid)}`,
      );
    }
  }
  if (!ok) return undefined;
  const out: Record<string, string> = {};
  for (const key of PARTICIPANT_KEYS) if (raw[key] !== undefined) out[key] = raw[key] as string;
  return out as unknown as Participant;
}
