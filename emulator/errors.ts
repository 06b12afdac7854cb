import type { ReadingSwitches } from "./readings";

/** Twilio's error envelope (reference §4.1); the SDKs read these keys. */
export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
  /** Only on some errors, e.g. 20003 (real 2018 capture, reference §9). */
  detail?: string;
}

/**
 * A Twilio error the emulator answers with, thrown anywhere below the routes; the server turns it
 * into the envelope and HTTP status. (The provider's TwilioApiError is the client side: an error
 * Twilio answered.)
 */
export class TwilioErrorAnswer extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly detail?: string,
  ) {
    super(message);
    this.name = "TwilioErrorAnswer";
  }

  toBody(): TwilioErrorBody {
    const body = errorBody(this.status, this.code, this.message);
    return this.detail === undefined ? body : { ...body, detail: this.detail };
  }
}

export function errorBody(status: number, code: number, message: string): TwilioErrorBody {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

/** 80603/80607/80608: HTTP status unverified, see the conflictHttpStatus reading. */
function conflictStatus(readings: ReadingSwitches): number {
  return readings.isAlternative("conflictHttpStatus") ? 400 : 409;
}

/**
 * One factory per error the emulator emits. Other HTTP statuses the reference marks "400?" are
 * 400: validation-style failures, which is what Twilio's catalogue implies for 807xx.
 */
export const Errors = {
  authenticate: () =>
    new TwilioErrorAnswer(
      401,
      20003,
      "Authenticate",
      { "WWW-Authenticate": 'Basic realm="Twilio API"' },
      "Your AccountSid or AuthToken was incorrect.",
    ),
  /** Real 20404 messages name the path without the version prefix (reference §9). */
  notFound: (path: string) =>
    new TwilioErrorAnswer(
      404,
      20404,
      `The requested resource ${path.replace(/^\/v1(?=\/)/, "")} was not found`,
    ),
  uniqueNameNotFound: () =>
    new TwilioErrorAnswer(404, 80308, "Session with the unique name not found"),
  methodNotAllowed: (method: string) =>
    new TwilioErrorAnswer(405, 20004, `Method not allowed: ${method}`),
  invalidParam: (name: string) => new TwilioErrorAnswer(400, 80701, `'${name}' is invalid.`),
  duplicateUniqueName: (name: string, readings: ReadingSwitches) =>
    new TwilioErrorAnswer(
      conflictStatus(readings),
      80603,
      `Non Unique Session Name: '${name}' is already in use by another Session for this Service`,
    ),
  sessionClosed: (readings: ReadingSwitches) =>
    new TwilioErrorAnswer(
      conflictStatus(readings),
      80607,
      "Session is closed and cannot be updated",
    ),
  statusChange: (from: string, to: string, readings: ReadingSwitches) =>
    new TwilioErrorAnswer(
      conflictStatus(readings),
      80608,
      `Session status change not supported: ${from} -> ${to}`,
    ),
  /** Documented 409 (reference §4.2); a deleted participant "cannot be re-added" (OpenAPI). */
  duplicateParticipant: (identifier: string) =>
    new TwilioErrorAnswer(
      409,
      80623,
      `Duplicate Participant Request: '${identifier}' is already a participant of this Session`,
    ),
  tooManyParticipants: () =>
    new TwilioErrorAnswer(400, 80609, "A Session may have at most 2 participants"),
  invalidPageToken: () => new TwilioErrorAnswer(400, 21481, "Invalid PageToken"),
  /** Twilio's 2010 API wording (reference §9); see the pageWithoutToken reading. */
  pageTokenRequired: () => new TwilioErrorAnswer(400, 20001, "PageToken is required for paging."),
  payloadTooLarge: () => new TwilioErrorAnswer(413, 20413, "Request entity too large"),
  /** Retry-After only when given: see the retryAfter reading. */
  tooManyRequests: (retryAfterSeconds?: number) =>
    new TwilioErrorAnswer(
      429,
      20429,
      "Too Many Requests",
      retryAfterSeconds === undefined ? {} : { "Retry-After": String(retryAfterSeconds) },
    ),
  internal: () => new TwilioErrorAnswer(500, 20500, "Internal Server Error"),
  unavailable: () => new TwilioErrorAnswer(503, 20503, "Service Unavailable"),
};
