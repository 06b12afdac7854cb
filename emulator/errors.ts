/** Twilio's error envelope (reference §4.1); the SDKs read exactly these four keys. */
export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

/** Thrown anywhere below the routes; the server turns it into the envelope and HTTP status. */
export class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "TwilioApiError";
  }

  toBody(): TwilioErrorBody {
    return errorBody(this.status, this.code, this.message);
  }
}

export function errorBody(status: number, code: number, message: string): TwilioErrorBody {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

/**
 * One factory per error the emulator emits. HTTP statuses the reference marks "400?" are 400:
 * validation-style failures, which is what Twilio's catalogue implies for 806xx/807xx.
 */
export const Errors = {
  authenticate: () => new TwilioApiError(401, 20003, "Authenticate"),
  /** Real 20404 messages name the path without the version prefix (reference §9). */
  notFound: (path: string) =>
    new TwilioApiError(
      404,
      20404,
      `The requested resource ${path.replace(/^\/v1(?=\/)/, "")} was not found`,
    ),
  uniqueNameNotFound: () =>
    new TwilioApiError(404, 80308, "Session with the unique name not found"),
  methodNotAllowed: (method: string) =>
    new TwilioApiError(405, 20004, `Method not allowed: ${method}`),
  invalidParam: (name: string) => new TwilioApiError(400, 80701, `'${name}' is invalid.`),
  duplicateUniqueName: (name: string) =>
    new TwilioApiError(
      400,
      80603,
      `Non Unique Session Name: '${name}' is already in use by another Session for this Service`,
    ),
  sessionClosed: () => new TwilioApiError(400, 80607, "Session is closed and cannot be updated"),
  statusChange: (from: string, to: string) =>
    new TwilioApiError(400, 80608, `Session status change not supported: ${from} -> ${to}`),
  tooManyParticipants: () =>
    new TwilioApiError(400, 80609, "A Session may have at most 2 participants"),
  invalidPageToken: () => new TwilioApiError(400, 21481, "Invalid PageToken"),
  payloadTooLarge: () => new TwilioApiError(413, 20413, "Request entity too large"),
  tooManyRequests: (retryAfterSeconds: number) =>
    new TwilioApiError(429, 20429, "Too Many Requests", {
      "Retry-After": String(retryAfterSeconds),
    }),
  internal: () => new TwilioApiError(500, 20500, "Internal Server Error"),
  unavailable: () => new TwilioApiError(503, 20503, "Service Unavailable"),
};
