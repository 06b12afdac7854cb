// Errors a user reads in `pulumi up`: Twilio's code, status, message and link, never a
// stack trace, never a credential.

/** The body Twilio sends with every error. */
export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info?: string;
  status: number;
}

/** Twilio answered with an error. */
export class TwilioApiError extends Error {
  /** Twilio's clock when it answered (its Date header), in ms since the epoch. */
  serverDate?: number;

  constructor(
    readonly status: number,
    readonly code: number | undefined,
    readonly twilioMessage: string,
    readonly moreInfo: string | undefined,
    readonly request: string,
  ) {
    const what =
      code === undefined
        ? `Twilio error (HTTP ${status})`
        : `Twilio error ${code} (HTTP ${status})`;
    super(`${what}: ${twilioMessage}${moreInfo ? ` (${moreInfo})` : ""} [${request}]`);
    this.name = "TwilioApiError";
  }
}

/** No answer from Twilio: connection refused or reset, timeout. */
export class TwilioNetworkError extends Error {
  constructor(
    readonly reason: string,
    readonly request: string,
  ) {
    super(`Twilio request failed without an answer (${reason}) [${request}]`);
    this.name = "TwilioNetworkError";
  }
}

/** The provider cannot run as configured; nothing was sent. */
export class ProviderConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProviderConfigError";
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof TwilioApiError && err.status === 404;
}

export function isTwilioError(err: unknown, code: number): boolean {
  return err instanceof TwilioApiError && err.code === code;
}

/** Reads Twilio's error body, tolerating proxies that answer with HTML or nothing. */
export function toApiError(status: number, body: unknown, request: string): TwilioApiError {
  const b = (typeof body === "object" && body !== null ? body : {}) as Partial<TwilioErrorBody>;
  const message =
    typeof b.message === "string"
      ? b.message
      : typeof body === "string" && body.trim() !== ""
        ? body.trim().slice(0, 200)
        : "no error details in the answer";
  return new TwilioApiError(
    status,
    typeof b.code === "number" ? b.code : undefined,
    message,
    typeof b.more_info === "string" ? b.more_info : undefined,
    request,
  );
}
