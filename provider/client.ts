// The Twilio Proxy v1 Sessions client: form-encoded requests, Twilio errors, and bounded
// retries with backoff for rate limits, server errors and lost connections.
import axios, { AxiosInstance } from "axios";
import * as http from "node:http";
import * as https from "node:https";
import type { TwilioSettings } from "./config";
import { limiterFor, type ConcurrencyLimiter, type Outcome } from "./limiter";
import {
  describeAnswer,
  PaginationError,
  TwilioNetworkError,
  TwilioRequestError,
  toApiError,
  UnexpectedAnswerError,
} from "./errors";
import type {
  Participant,
  SessionCreateForm,
  SessionUpdateForm,
  TwilioPage,
  TwilioPageMeta,
  TwilioParticipant,
  TwilioSession,
  TwilioSessionPage,
} from "./types";

/** Twilio's operationIds, as logs name a request. */
export type TwilioOperation =
  | "CreateSession"
  | "FetchSession"
  | "UpdateSession"
  | "DeleteSession"
  | "ListSession"
  | "ListParticipant"
  | "CreateParticipant"
  | "DeleteParticipant";

/** What a retry looked like, for logs and tests. */
export interface RetryEvent {
  operation: TwilioOperation;
  /** The session concerned: `KC...`, `"unique name"`, or the Service for a listing. */
  subject: string;
  request: string;
  /** The attempt about to be made (2 for the first retry). */
  attempt: number;
  maxAttempts: number;
  delayMs: number;
  reason: string;
}

export interface ClientOptions {
  /** Waits between attempts; tests and benchmarks may shorten it. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onRetry?: (event: RetryEvent) => void;
  /**
   * Receives one line per retry, and per request with logLevel debug. Defaults to stderr,
   * which the Pulumi engine shows for providers and programs alike.
   */
  log?: (line: string) => void;
  /** First backoff step; doubles per attempt up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

type Method = "GET" | "POST" | "DELETE";
type Form = Record<string, string | number | undefined | Array<object>>;

interface CallOptions {
  operation: TwilioOperation;
  subject: string;
  /**
   * Whether to retry when the request may have been applied but the answer was lost
   * (connection reset, timeout, 500). Safe only for requests whose repetition is harmless
   * or detectable.
   */
  retryAmbiguous?: boolean;
  /** What a 2xx answer must be, checked before anything uses it. */
  expect: Expected;
}

/**
 * The 2xx answers Twilio gives: a session (KC… sid), a participant (KP… sid), a list page (its
 * key's array and `meta`), or nothing (a delete). Anything else did not come from Twilio's Proxy
 * API, whatever its status, and is never taken as a success.
 */
type Expected = "session" | "participant" | "nothing" | { list: "sessions" | "participants" };

const SID_OF = { session: /^KC[0-9a-fA-F]{32}$/, participant: /^KP[0-9a-fA-F]{32}$/ };
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const hasSid = (v: unknown, kind: keyof typeof SID_OF) =>
  isObject(v) && typeof v.sid === "string" && SID_OF[kind].test(v.sid);

/** Whether `data` is what `expected` says, and if not, what was expected, for the error. */
function unexpectedAnswer(data: unknown, expected: Expected): string | undefined {
  if (expected === "nothing") {
    return data === undefined || data === null || data === "" ? undefined : "an empty body";
  }
  if (typeof expected === "string") {
    return hasSid(data, expected)
      ? undefined
      : `a Twilio ${expected} (JSON with a ${expected === "session" ? "KC" : "KP"}… sid)`;
  }
  const { list } = expected;
  const item = list === "sessions" ? "session" : "participant";
  const ok =
    isObject(data) &&
    isObject(data.meta) &&
    (data.meta.key === undefined || data.meta.key === list) &&
    Array.isArray(data[list]) &&
    (data[list] as unknown[]).every((x) => hasSid(x, item));
  return ok ? undefined : `a Twilio list page (JSON with "${list}" and "meta")`;
}

/** The largest PageSize Twilio documents for ListSession (it may serve fewer per page). */
export const MAX_PAGE_SIZE = 1000;

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
/** Statuses that say the request was refused before Twilio acted on it. */
const REFUSED_STATUSES = new Set([429, 503]);
const REFUSED_NETWORK = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);

// One agent per process: connections to Twilio are reused across calls and resources.
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });

/** Twilio's form encoding: repeated keys for lists, one JSON object per participant. */
export function encodeForm(form: Form): string {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) body.append(key, JSON.stringify(item));
    else body.append(key, String(value));
  }
  return body.toString();
}

/** Participant keys as Twilio's own Participant-create parameters name them. */
function participantsForm(participants: Participant[] | undefined) {
  return participants?.map((p) => ({
    Identifier: p.identifier,
    FriendlyName: p.friendlyName,
    ProxyIdentifier: p.proxyIdentifier,
    ProxyIdentifierSid: p.proxyIdentifierSid,
  }));
}

const seg = (s: string) => encodeURIComponent(s);

/** The path of a Service's sessions, `/v1/Services/KS…/Sessions`. */
export const sessionsPath = (serviceSid: string) => `/v1/Services/${seg(serviceSid)}/Sessions`;
/** The path of one session, by SID (or, for Fetch, by unique name). */
export const sessionPath = (serviceSid: string, sidOrName: string) =>
  `${sessionsPath(serviceSid)}/${seg(sidOrName)}`;
/** The path of a session's participants. */
export const participantsPath = (serviceSid: string, sessionSid: string) =>
  `${sessionPath(serviceSid, sessionSid)}/Participants`;
const SID = /^KC[0-9a-fA-F]{32}$/;
/** How logs name a session: its SID as is, a unique name quoted. */
const subjectOf = (sidOrName: string) =>
  SID.test(sidOrName) ? sidOrName : JSON.stringify(sidOrName);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** A URL without its scheme and host, as errors and logs name a request. */
export const pathOf = (url: string) => url.replace(/^https?:\/\/[^/]+/, "");

export class TwilioProxyClient {
  private readonly http: AxiosInstance;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly limiter: ConcurrencyLimiter;

  constructor(
    private readonly settings: TwilioSettings,
    private readonly options: ClientOptions = {},
  ) {
    this.http = axios.create({
      baseURL: settings.baseUrl,
      auth: { username: settings.username, password: settings.password },
      timeout: settings.timeoutMs,
      httpAgent,
      httpsAgent,
      validateStatus: () => true,
      // Twilio's API does not redirect: a 3xx is someone else's answer, and following it would
      // send the credentials wherever it points.
      maxRedirects: 0,
      headers: { Accept: "application/json", "User-Agent": "pulumi-twilio-proxy" },
    });
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = options.random ?? Math.random;
    this.limiter = limiterFor(`${settings.baseUrl} ${settings.username}`, settings.maxConcurrency);
  }

  createSession(serviceSid: string, form: SessionCreateForm): Promise<TwilioSession> {
    const body = { ...form, Participants: participantsForm(form.Participants) };
    return this.call<TwilioSession>("POST", sessionsPath(serviceSid), body, {
      operation: "CreateSession",
      expect: "session",
      subject: form.UniqueName === undefined ? "a new session" : subjectOf(form.UniqueName),
      // A lost answer to a create is only safe to retry when a unique name lets a duplicate
      // be detected (80603); otherwise a retry could leave two sessions.
      retryAmbiguous: form.UniqueName !== undefined,
    });
  }

  fetchSession(serviceSid: string, sidOrUniqueName: string): Promise<TwilioSession> {
    return this.call<TwilioSession>("GET", sessionPath(serviceSid, sidOrUniqueName), undefined, {
      operation: "FetchSession",
      expect: "session",
      subject: subjectOf(sidOrUniqueName),
    });
  }

  updateSession(serviceSid: string, sid: string, form: SessionUpdateForm): Promise<TwilioSession> {
    return this.call<TwilioSession>(
      "POST",
      sessionPath(serviceSid, sid),
      { ...form },
      {
        operation: "UpdateSession",
        subject: sid,
        expect: "session",
      },
    );
  }

  async deleteSession(serviceSid: string, sid: string): Promise<void> {
    await this.call("DELETE", sessionPath(serviceSid, sid), undefined, {
      operation: "DeleteSession",
      subject: sid,
      expect: "nothing",
    });
  }

  /**
   * Every page of a Service's sessions, in Twilio's order: the first page, then each
   * `meta.next_page_url` exactly as Twilio gave it (page URLs are never built here, since
   * Twilio refuses a `Page` without its `PageToken`). Stop early by leaving the loop.
   */
  async *sessionPages(serviceSid: string, pageSize?: number): AsyncGenerator<TwilioSessionPage> {
    const opts: CallOptions = {
      operation: "ListSession",
      subject: `Service ${serviceSid}`,
      expect: { list: "sessions" },
    };
    const url = sessionsPath(serviceSid);
    for await (const page of this.pages<TwilioSession>(url, "sessions", pageSize, opts)) {
      yield { sessions: page.items, meta: page.meta };
    }
  }

  /** Every participant of a session, those Twilio soft-deleted (`date_deleted`) included. */
  async listParticipants(serviceSid: string, sessionSid: string): Promise<TwilioParticipant[]> {
    const url = participantsPath(serviceSid, sessionSid);
    const opts: CallOptions = {
      operation: "ListParticipant",
      subject: sessionSid,
      expect: { list: "participants" },
    };
    const all: TwilioParticipant[] = [];
    for await (const page of this.pages<TwilioParticipant>(url, "participants", undefined, opts)) {
      all.push(...page.items);
    }
    return all;
  }

  createParticipant(
    serviceSid: string,
    sessionSid: string,
    participant: Participant,
  ): Promise<TwilioParticipant> {
    const [form] = participantsForm([participant])!;
    return this.call<TwilioParticipant>("POST", participantsPath(serviceSid, sessionSid), form, {
      operation: "CreateParticipant",
      expect: "participant",
      subject: sessionSid,
      // Whether Twilio refuses a second participant with the same identifier is unverified:
      // a lost answer is checked by listing instead (see the provider).
      retryAmbiguous: false,
    });
  }

  async deleteParticipant(serviceSid: string, sessionSid: string, sid: string): Promise<void> {
    const url = `${participantsPath(serviceSid, sessionSid)}/${seg(sid)}`;
    await this.call("DELETE", url, undefined, {
      operation: "DeleteParticipant",
      subject: sessionSid,
      expect: "nothing",
    });
  }

  /** The pages of a Twilio list, following `meta.next_page_url` verbatim, never one twice. */
  private async *pages<T>(
    path: string,
    key: string,
    pageSize: number | undefined,
    opts: CallOptions,
  ): AsyncGenerator<{ items: T[]; meta: TwilioPageMeta }> {
    let url = `${this.settings.baseUrl}${path}${pageSize === undefined ? "" : `?PageSize=${pageSize}`}`;
    const fetched = new Set<string>();
    for (;;) {
      const page = await this.call<TwilioPage>("GET", url, undefined, opts);
      fetched.add(url);
      if (typeof page?.meta?.url === "string") fetched.add(page.meta.url);
      // The page's shape was checked at the boundary (opts.expect).
      yield { items: page[key] as T[], meta: page.meta };
      const next = page.meta?.next_page_url;
      if (next === null || next === undefined || next === "") return;
      checkNextPageUrl(next, this.settings.baseUrl, fetched);
      url = next;
    }
  }

  private async call<T>(
    method: Method,
    path: string,
    form: Form | undefined,
    opts: CallOptions,
  ): Promise<T> {
    // Errors and logs name the URL as sent (a base URL with a path shows in it).
    const url = /^https?:\/\//.test(path) ? path : `${this.settings.baseUrl}${path}`;
    const request = `${method} ${pathOf(url)}`;
    const body = form === undefined ? undefined : encodeForm(form);
    const maxAttempts = this.settings.maxRetries + 1;
    const retryAmbiguous = opts.retryAmbiguous ?? true;
    let lostAnswer = false;
    for (let attempt = 1; ; attempt++) {
      let failure: {
        reason: string;
        ambiguous: boolean;
        retryAfterS?: number;
        error: TwilioRequestError;
      };
      const started = Date.now();
      try {
        const res = await this.send(method, url, body);
        const requestId = res.headers["twilio-request-id"];
        this.debug(
          `${request} -> ${res.status} in ${Date.now() - started} ms` +
            (requestId ? ` (Twilio-Request-Id ${requestId})` : ""),
        );
        if (res.status < 400) return this.checked<T>(res, opts.expect, request, url, method);
        const error = toApiError(res.status, res.data, request, contentType(res.headers));
        error.url = withoutCredentials(url);
        if (requestId) error.requestId = String(requestId);
        const date = Date.parse(String(res.headers.date));
        if (!Number.isNaN(date)) error.serverDate = date;
        if (!RETRY_STATUSES.has(res.status)) throw markLost(error, lostAnswer);
        const retryAfter = Number(res.headers["retry-after"]);
        failure = {
          reason: `HTTP ${res.status}${error.code ? ` (${error.code})` : ""}`,
          ambiguous: !REFUSED_STATUSES.has(res.status),
          retryAfterS: Number.isFinite(retryAfter) ? retryAfter : undefined,
          error,
        };
      } catch (err) {
        if (err instanceof TwilioRequestError) throw err;
        const code = (err as { code?: string }).code ?? "unknown";
        const reason =
          code === "ECONNABORTED" ? `no answer within ${this.settings.timeoutMs} ms` : code;
        this.debug(`${request} -> ${reason} after ${Date.now() - started} ms`);
        failure = {
          reason,
          ambiguous: !REFUSED_NETWORK.has(code),
          error: Object.assign(new TwilioNetworkError(reason, request), {
            url: withoutCredentials(url),
          }),
        };
      }
      lostAnswer ||= failure.ambiguous;
      if (attempt >= maxAttempts || (failure.ambiguous && !retryAmbiguous)) {
        throw markLost(failure.error, lostAnswer);
      }
      const delayMs = this.backoff(attempt - 1, failure.retryAfterS);
      const event: RetryEvent = {
        operation: opts.operation,
        subject: opts.subject,
        request,
        attempt: attempt + 1,
        maxAttempts,
        delayMs,
        reason: failure.reason,
      };
      this.log(
        `${event.operation} ${event.subject}: ${event.reason}; retry ${event.attempt} of ` +
          `${maxAttempts} in ${seconds(delayMs)}` +
          (failure.retryAfterS === undefined ? "" : ` (Retry-After ${failure.retryAfterS} s)`),
      );
      this.options.onRetry?.(event);
      await this.sleep(delayMs);
    }
  }

  /**
   * A 2xx (or 3xx: redirects are not followed) answer as the type asked for, once it is what
   * Twilio sends; anything else is an error naming the URL and what came back. A write may have
   * been applied behind such an answer.
   */
  private checked<T>(
    res: { status: number; data: unknown; headers: Record<string, unknown> },
    expected: Expected,
    request: string,
    url: string,
    method: Method,
  ): T {
    const wanted = unexpectedAnswer(res.data, expected);
    if (wanted === undefined && res.status < 300) return res.data as T;
    const location = res.status >= 300 && res.headers.location ? ` to ${res.headers.location}` : "";
    const error = new UnexpectedAnswerError(
      `${method} ${withoutCredentials(url)} answered HTTP ${res.status}${location} with ` +
        `${describeAnswer(res.data, contentType(res.headers))}, not ${wanted ?? "a Twilio answer"}: ` +
        `is twilio-proxy:baseUrl / TWILIO_PROXY_BASE_URL Twilio's API (a scheme and host, e.g. ` +
        `https://proxy.twilio.com), with no HTTP proxy answering in its place?`,
      request,
    );
    error.url = withoutCredentials(url);
    throw markLost(error, method !== "GET");
  }

  /** One HTTP exchange, within the account's limit on requests in flight. */
  private async send(method: Method, url: string, body: string | undefined) {
    const slot = await this.limiter.acquire();
    let outcome: Outcome = "other";
    let accountInFlight: number | undefined;
    try {
      const res = await this.http.request({
        method,
        url,
        data: body,
        headers: body === undefined ? {} : { "Content-Type": "application/x-www-form-urlencoded" },
      });
      outcome = res.status === 429 ? "throttled" : res.status < 400 ? "success" : "other";
      const concurrent = res.headers["twilio-concurrent-requests"];
      if (concurrent !== undefined) accountInFlight = Number(concurrent);
      return res;
    } finally {
      this.limiter.release(slot, outcome, accountInFlight);
    }
  }

  private log(line: string): void {
    (this.options.log ?? writeStderr)(`twilio-proxy: ${line}`);
  }

  private debug(line: string): void {
    if (this.settings.logLevel === "debug") this.log(line);
  }

  /**
   * Exponential backoff with full jitter (a wait drawn uniformly from 0 to the exponential
   * step), never shorter than Twilio's Retry-After. Full rather than equal jitter: when many
   * clients meet one rate limit at once it spreads their retries the widest, for the fewest
   * repeated 429s and the soonest completion (Brooker, "Exponential Backoff And Jitter", AWS).
   */
  private backoff(attempt: number, retryAfterS?: number): number {
    const base = this.options.baseDelayMs ?? 200;
    const cap = this.options.maxDelayMs ?? 10_000;
    const exp = Math.min(cap, base * 2 ** attempt);
    const jittered = this.random() * exp;
    // A Retry-After beyond a minute is not worth blocking a pipeline on: fail and let the
    // user re-run instead.
    return Math.max(jittered, Math.min(retryAfterS ?? 0, 60) * 1000);
  }
}

const writeStderr = (line: string) => {
  process.stderr.write(`${line}\n`);
};

/**
 * A next page must be new (no loops) and on the host the credentials are meant for: the
 * configured base URL's origin, or another Twilio host over HTTPS when that is a Twilio host.
 */
function checkNextPageUrl(next: string, baseUrl: string, fetched: Set<string>) {
  if (fetched.has(next)) {
    throw new PaginationError(
      `Twilio's next_page_url repeats a page already fetched (${pathOf(next)}); stopping to avoid a loop`,
    );
  }
  let url: URL;
  try {
    url = new URL(next);
  } catch {
    throw new PaginationError(`Twilio's next_page_url is not an absolute URL`);
  }
  const base = new URL(baseUrl);
  const twilioHost = (u: URL) => u.protocol === "https:" && u.hostname.endsWith(".twilio.com");
  if (url.origin !== base.origin && !(twilioHost(url) && twilioHost(base))) {
    throw new PaginationError(
      `Twilio's next_page_url points to ${url.origin}, not ${base.origin}; not sending credentials there`,
    );
  }
}

const contentType = (headers: Record<string, unknown>) =>
  typeof headers["content-type"] === "string" ? headers["content-type"] : undefined;

/** A URL as errors may show it: without a user or password. */
function withoutCredentials(url: string): string {
  return url.replace(/^(https?:\/\/)[^/@]*@/, "$1");
}

/** An attempt whose answer was lost may have been applied, whatever the last attempt met. */
function markLost<E extends TwilioRequestError>(error: E, lostAnswer: boolean): E {
  error.mayHaveApplied = lostAnswer;
  return error;
}
