// The Twilio Proxy v1 Sessions client: form-encoded requests, Twilio errors, and bounded
// retries with backoff for rate limits, server errors and lost connections.
import axios, { AxiosInstance } from "axios";
import * as http from "node:http";
import * as https from "node:https";
import type { TwilioSettings } from "./config";
import { TwilioApiError, TwilioNetworkError, toApiError } from "./errors";
import type {
  SessionCreateForm,
  SessionUpdateForm,
  TwilioSession,
  TwilioSessionPage,
} from "./types";

/** What a retry looked like, for logs and tests. */
export interface RetryEvent {
  request: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

export interface ClientOptions {
  /** Waits between attempts; tests and benchmarks may shorten it. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onRetry?: (event: RetryEvent) => void;
  /** First backoff step; doubles per attempt up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

type Method = "GET" | "POST" | "DELETE";
type Form = Record<string, string | number | undefined | Array<object>>;

interface CallOptions {
  /**
   * Whether to retry when the request may have been applied but the answer was lost
   * (connection reset, timeout, 500). Safe only for requests whose repetition is harmless
   * or detectable.
   */
  retryAmbiguous: boolean;
}

/** Set on errors thrown after an attempt whose answer was lost: it may have been applied. */
export interface MaybeApplied {
  afterLostAnswer?: boolean;
}

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
function participantsForm(participants: SessionCreateForm["Participants"]) {
  return participants?.map((p) => ({
    Identifier: p.identifier,
    FriendlyName: p.friendlyName,
    ProxyIdentifier: p.proxyIdentifier,
    ProxyIdentifierSid: p.proxyIdentifierSid,
  }));
}

const seg = (s: string) => encodeURIComponent(s);

/** A URL without its scheme and host, as errors and logs name a request. */
export const pathOf = (url: string) => url.replace(/^https?:\/\/[^/]+/, "");

export class TwilioProxyClient {
  private readonly http: AxiosInstance;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

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
      headers: { Accept: "application/json", "User-Agent": "pulumi-twilio-proxy" },
    });
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = options.random ?? Math.random;
  }

  createSession(serviceSid: string, form: SessionCreateForm): Promise<TwilioSession> {
    const body = { ...form, Participants: participantsForm(form.Participants) };
    // A lost answer to a create is only safe to retry when a unique name lets a duplicate
    // be detected (80603); otherwise a retry could leave two sessions.
    return this.call("POST", `/v1/Services/${seg(serviceSid)}/Sessions`, body, {
      retryAmbiguous: form.UniqueName !== undefined,
    });
  }

  fetchSession(serviceSid: string, sidOrUniqueName: string): Promise<TwilioSession> {
    const path = `/v1/Services/${seg(serviceSid)}/Sessions/${seg(sidOrUniqueName)}`;
    return this.call("GET", path);
  }

  updateSession(serviceSid: string, sid: string, form: SessionUpdateForm): Promise<TwilioSession> {
    const path = `/v1/Services/${seg(serviceSid)}/Sessions/${seg(sid)}`;
    return this.call("POST", path, { ...form });
  }

  async deleteSession(serviceSid: string, sid: string): Promise<void> {
    const path = `/v1/Services/${seg(serviceSid)}/Sessions/${seg(sid)}`;
    await this.call("DELETE", path);
  }

  /** The first page of a Service's sessions. */
  listSessions(serviceSid: string, pageSize?: number): Promise<TwilioSessionPage> {
    const query = pageSize === undefined ? "" : `?PageSize=${pageSize}`;
    return this.call("GET", `/v1/Services/${seg(serviceSid)}/Sessions${query}`);
  }

  /** A later page, from the absolute `meta.next_page_url` Twilio gave. */
  listSessionsPage(url: string): Promise<TwilioSessionPage> {
    return this.call("GET", url);
  }

  private async call<T>(
    method: Method,
    url: string,
    form?: Form,
    opts: CallOptions = { retryAmbiguous: true },
  ) {
    const request = `${method} ${pathOf(url)}`;
    const body = form === undefined ? undefined : encodeForm(form);
    let lostAnswer = false;
    for (let attempt = 0; ; attempt++) {
      let failure: { reason: string; ambiguous: boolean; retryAfterS?: number; error: Error };
      try {
        const res = await this.http.request({
          method,
          url,
          data: body,
          headers:
            body === undefined ? {} : { "Content-Type": "application/x-www-form-urlencoded" },
        });
        if (res.status < 400) return res.data as T;
        const error = toApiError(res.status, res.data, request);
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
        if (err instanceof TwilioApiError) throw err;
        const code = (err as { code?: string }).code ?? "unknown";
        const reason =
          code === "ECONNABORTED" ? `no answer within ${this.settings.timeoutMs} ms` : code;
        failure = {
          reason,
          ambiguous: !REFUSED_NETWORK.has(code),
          error: new TwilioNetworkError(reason, request),
        };
      }
      lostAnswer ||= failure.ambiguous;
      if (attempt >= this.settings.maxRetries || (failure.ambiguous && !opts.retryAmbiguous)) {
        throw markLost(failure.error, lostAnswer);
      }
      const delayMs = this.backoff(attempt, failure.retryAfterS);
      this.options.onRetry?.({ request, attempt: attempt + 1, delayMs, reason: failure.reason });
      await this.sleep(delayMs);
    }
  }

  /** Exponential backoff with full jitter, never shorter than Twilio's Retry-After. */
  private backoff(attempt: number, retryAfterS?: number): number {
    const base = this.options.baseDelayMs ?? 200;
    const cap = this.options.maxDelayMs ?? 10_000;
    const exp = Math.min(cap, base * 2 ** attempt);
    const jittered = exp / 2 + (this.random() * exp) / 2;
    // A Retry-After beyond a minute is not worth blocking a pipeline on: fail and let the
    // user re-run instead.
    return Math.max(jittered, Math.min(retryAfterS ?? 0, 60) * 1000);
  }
}

function markLost<E extends Error>(error: E, lostAnswer: boolean): E & MaybeApplied {
  return Object.assign(error, { afterLostAnswer: lostAnswer });
}
