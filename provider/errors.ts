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

  /** The URL called, without credentials, e.g. `https://proxy.twilio.com/v1/Services/KS.../Sessions`. */
  url?: string;

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
    /**
     * Whether the body was Twilio's own JSON error (`code`, `message` and a `status` equal to the
     * HTTP status); false for whatever else answered, such as a proxy's HTML page.
     */
    readonly fromTwilio = code !== undefined,
  ) {
    const what = !fromTwilio
      ? `HTTP ${status}, not a Twilio error`
      : code === undefined
        ? `Twilio error (HTTP ${status})`
        : `Twilio error ${code} (HTTP ${status})`;
    super(`${what}: ${twilioMessage}${moreInfo ? ` (${moreInfo})` : ""} [${request}]`, request);
  }
}

/**
 * Something answered 2xx (or 3xx) with what is not the Twilio resource asked for: a proxy's HTML
 * page, a redirect, another API. Never taken as a success.
 */
export class UnexpectedAnswerError extends TwilioRequestError {}

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

/**
 * Twilio's not-found codes: 20404 (no such resource) and 80308 (no session with that unique
 * name, Fetch by name). Reference §4.2.
 */
export const NOT_FOUND_CODES: ReadonlySet<number> = new Set([20404, 80308]);

/**
 * Whether Twilio itself said that the resource at `path` (e.g. `/v1/Services/KS…/Sessions/KC…`)
 * does not exist: its JSON error with a not-found code, in answer to a request for exactly that
 * path. Any other 404 (a proxy's page, a wrong base URL, another API) proves nothing: dropping a
 * session from state on it would lose a live session.
 */
export function isGone(err: unknown, path: string): boolean {
  return (
    err instanceof TwilioApiError &&
    err.status === 404 &&
    err.fromTwilio &&
    err.code !== undefined &&
    NOT_FOUND_CODES.has(err.code) &&
    pathCalled(err) === path
  );
}

/** The path a request was for, without its query: `GET /v1/Services/KS…?PageSize=50` → `/v1/Services/KS…`. */
function pathCalled(err: TwilioRequestError): string {
  return err.request.slice(err.request.indexOf(" ") + 1).split("?")[0];
}

/**
 * For a 404 that is not Twilio's word that the resource at `path` is gone: an error naming the
 * URL called and what came back, after `stopped` (what stopped and what was left as it was).
 * Other errors as they are.
 */
export function notGone(err: unknown, path: string, stopped: string): unknown {
  if (!(err instanceof TwilioApiError) || err.status !== 404 || isGone(err, path)) return err;
  const answer = err.fromTwilio
    ? `Twilio error ${err.code} "${err.twilioMessage}"`
    : err.twilioMessage;
  return new TwilioProxyError(
    `${stopped}: ${err.url ? `${err.request.split(" ")[0]} ${err.url}` : err.request} answered HTTP 404 with ` +
      `${answer}, which is not Twilio saying that ${path} does not exist. Check ` +
      `twilio-proxy:baseUrl / TWILIO_PROXY_BASE_URL (a scheme and host only, e.g. ` +
      `https://proxy.twilio.com) and any HTTP proxy between you and Twilio.`,
    { cause: err },
  );
}

export function isTwilioError(err: unknown, code: number): boolean {
  return err instanceof TwilioApiError && err.code === code;
}

/**
 * Reads Twilio's error body: its JSON envelope (reference §4.1), or, from whatever else answered
 * (a proxy's HTML page, nothing), a short description of what came back.
 */
export function toApiError(
  status: number,
  body: unknown,
  request: string,
  contentType?: string,
): TwilioApiError {
  const b = (typeof body === "object" && body !== null ? body : {}) as Partial<TwilioErrorBody>;
  const fromTwilio =
    typeof b.code === "number" && typeof b.message === "string" && b.status === status;
  if (!fromTwilio) {
    return new TwilioApiError(
      status,
      undefined,
      describeAnswer(body, contentType),
      undefined,
      request,
      false,
    );
  }
  return new TwilioApiError(
    status,
    b.code,
    b.message!,
    typeof b.more_info === "string" ? b.more_info : undefined,
    request,
  );
}

/** What an answer's body is, in a few words, for errors: never the whole of it. */
export function describeAnswer(body: unknown, contentType?: string): string {
  const type = contentType ? ` (${contentType.split(";")[0].trim()})` : "";
  if (body === undefined || body === null || body === "") return `an empty body${type}`;
  if (typeof body !== "string") {
    const json = JSON.stringify(body);
    return `JSON${type} ${json.length > 160 ? `${json.slice(0, 160)}…` : json}`;
  }
  const text = body.trim();
  if (/^<(!doctype html|html)/i.test(text) || /html/i.test(type)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
    return `an HTML page${type}${title ? ` titled "${title.slice(0, 100)}"` : ""}`;
  }
  const line = text.replace(/\s+/g, " ");
  return `text${type} "${line.length > 160 ? `${line.slice(0, 160)}…` : line}"`;
}
