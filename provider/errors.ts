// Errors a user reads in `pulumi up` or catches in a program: one base class, a subclass per
// kind of failure; Twilio's code, status, message and link; never a stack trace or a credential.

/** The body Twilio sends with every error. */
export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info?: string;
  status: number;
}

/** Everything this package throws. */
export class TwilioProxyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A request to Twilio failed. */
export class TwilioRequestError extends TwilioProxyError {
  /**
   * The request may have been applied although its answer was lost (a reset connection, a
   * timeout, a 500): the session may have changed or been created.
   */
  mayHaveApplied = false;

  constructor(
    message: string,
    /** Method and path, e.g. `POST /v1/Services/KS.../Sessions`. */
    readonly request: string,
  ) {
    super(message);
  }
}

/** Twilio answered with an error. */
export class TwilioApiError extends TwilioRequestError {
  /** Twilio's clock when it answered (its Date header), in ms since the epoch. */
  serverDate?: number;
  /** Twilio's id of the request (its Twilio-Request-Id header), for Twilio support. */
  requestId?: string;

  constructor(
    readonly status: number,
    readonly code: number | undefined,
    readonly twilioMessage: string,
    readonly moreInfo: string | undefined,
    request: string,
  ) {
    const what =
      code === undefined
        ? `Twilio error (HTTP ${status})`
        : `Twilio error ${code} (HTTP ${status})`;
    super(`${what}: ${twilioMessage}${moreInfo ? ` (${moreInfo})` : ""} [${request}]`, request);
  }
}

/** No answer from Twilio: connection refused or reset, timeout. */
export class TwilioNetworkError extends TwilioRequestError {
  constructor(
    readonly reason: string,
    request: string,
  ) {
    super(`Twilio request failed without an answer (${reason}) [${request}]`, request);
  }
}

/** The provider cannot run as configured; nothing was sent. */
export class ProviderConfigError extends TwilioProxyError {}

/** The arguments of a lookup are wrong; nothing was sent to Twilio. */
export class LookupArgumentError extends TwilioProxyError {}

/** Twilio has no such session in the Service. `cause` holds Twilio's own error, if any. */
export class SessionNotFoundError extends TwilioProxyError {
  constructor(
    readonly serviceSid: string,
    readonly by: "sid" | "uniqueName",
    readonly key: string,
    options?: { cause?: unknown; message?: string },
  ) {
    super(
      options?.message ??
        `no Proxy session with ${by} "${key}" in Service ${serviceSid}` +
          (options?.cause instanceof Error ? ` (${options.cause.message})` : ""),
      options,
    );
  }
}

/**
 * A live session stands in the way of the declaration: its unique name is taken by a session
 * this stack did not create, or a session to adopt differs in fields Twilio cannot change.
 */
export class SessionConflictError extends TwilioProxyError {}

/** Twilio's list pages did not lead to an end; the listing would be incomplete or endless. */
export class PaginationError extends TwilioProxyError {}

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
