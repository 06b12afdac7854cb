// Reading sessions without managing them, in the style of Pulumi data sources: one session by
// SID or unique name, every session of a Service, and the sessions a stack does not declare.
// Credentials come from the same places as the resource's (stack config `twilio:*`, then the
// environment) and never appear in results or errors.
import * as pulumi from "@pulumi/pulumi";
import { SID_PATTERNS } from "./check";
import { pathOf, TwilioProxyClient, type ClientOptions } from "./client";
import { resolveSettings, type ConfigSource } from "./config";
import { isNotFound } from "./errors";
import { toSessionState } from "./session";
import type { ProxySessionState, TwilioSession, TwilioSessionPage } from "./types";

export interface LookupOptions {
  /**
   * Where `twilio:*` settings come from (keys such as `twilio:authToken`). Defaults to the
   * running Pulumi program's stack config, read with `new pulumi.Config("twilio")`; outside a
   * program that config is empty and the environment is used.
   */
  config?: ConfigSource;
  /** Environment settings (TWILIO_*); defaults to process.env at call time. */
  env?: NodeJS.ProcessEnv;
  /** Retry and backoff tuning for the HTTP client. */
  client?: ClientOptions;
}

export interface GetProxySessionArgs {
  /** The Proxy Service (KS...) the session belongs to. */
  serviceSid: string;
  /** The session's SID (KC...). Give exactly one of `sid` and `uniqueName`. */
  sid?: string;
  /** The session's unique name. Give exactly one of `sid` and `uniqueName`. */
  uniqueName?: string;
}

export interface GetProxySessionOutputArgs {
  serviceSid: pulumi.Input<string>;
  sid?: pulumi.Input<string>;
  uniqueName?: pulumi.Input<string>;
}

/** Twilio's PageSize bounds (reference §5). */
export const MIN_PAGE_SIZE = 1;
export const MAX_PAGE_SIZE = 1000;

export interface ListProxySessionsArgs {
  serviceSid: string;
  /** Sessions per ListSession call, 1..1000; Twilio's default (50) when left out. */
  pageSize?: number;
}

export interface ListProxySessionsOutputArgs {
  serviceSid: pulumi.Input<string>;
  pageSize?: pulumi.Input<number>;
}

export interface UnmanagedSessionsArgs {
  serviceSid: string;
  /** SIDs of the sessions the stack declares; empty or missing entries are ignored. */
  managed: Array<string | undefined | null>;
  pageSize?: number;
}

export interface FindUnmanagedSessionsArgs {
  serviceSid: pulumi.Input<string>;
  /** SIDs of the sessions the stack declares, e.g. `[trip.sid, support.sid]`. */
  managed: pulumi.Input<pulumi.Input<string | undefined>[]>;
  pageSize?: pulumi.Input<number>;
}

/** The arguments of a lookup are wrong; nothing was sent to Twilio. */
export class LookupArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LookupArgumentError";
  }
}

/** Twilio has no such session in the Service. `cause` holds Twilio's own error, if any. */
export class SessionNotFoundError extends Error {
  constructor(
    readonly serviceSid: string,
    readonly by: "sid" | "uniqueName",
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(
      `no Proxy session with ${by} "${key}" in Service ${serviceSid}` +
        (options?.cause instanceof Error ? ` (${options.cause.message})` : ""),
      options,
    );
    this.name = "SessionNotFoundError";
  }
}

/** Twilio's list pages did not lead to an end; the listing would be incomplete or endless. */
export class PaginationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PaginationError";
  }
}

/** The running program's `twilio:*` stack config; empty outside a Pulumi program. */
const programConfig: ConfigSource = (key) => {
  const at = key.indexOf(":");
  return new pulumi.Config(key.slice(0, at)).get(key.slice(at + 1));
};

function clientFor(opts: LookupOptions | undefined) {
  const settings = resolveSettings(opts?.config ?? programConfig, opts?.env ?? process.env);
  return { settings, client: new TwilioProxyClient(settings, opts?.client) };
}

const describe = (v: unknown) => (typeof v === "string" ? JSON.stringify(v) : `a ${typeof v}`);
const given = (v: unknown) => v !== undefined && v !== null;

function checkServiceSid(what: string, serviceSid: unknown): asserts serviceSid is string {
  if (typeof serviceSid !== "string" || !SID_PATTERNS.service.test(serviceSid)) {
    throw new LookupArgumentError(
      `${what}: serviceSid must be a Service SID (KS followed by 32 hex digits), got ${describe(serviceSid)}`,
    );
  }
}

function checkPageSize(what: string, pageSize: unknown): asserts pageSize is number | undefined {
  if (pageSize === undefined) return;
  if (
    typeof pageSize !== "number" ||
    !Number.isInteger(pageSize) ||
    pageSize < MIN_PAGE_SIZE ||
    pageSize > MAX_PAGE_SIZE
  ) {
    throw new LookupArgumentError(
      `${what}: pageSize must be an integer from ${MIN_PAGE_SIZE} to ${MAX_PAGE_SIZE}, got ${String(pageSize)}`,
    );
  }
}

/**
 * One session of a Service, by SID or by unique name (exactly one of them), with one GET:
 * Twilio's fetch accepts a unique name in place of the SID.
 */
export async function getProxySession(
  args: GetProxySessionArgs,
  opts?: LookupOptions,
): Promise<ProxySessionState> {
  const what = "getProxySession";
  checkServiceSid(what, args?.serviceSid);
  const { serviceSid, sid, uniqueName } = args;
  if (given(sid) === given(uniqueName)) {
    throw new LookupArgumentError(
      `${what}: give exactly one of sid and uniqueName, got ${given(sid) ? "both" : "neither"}`,
    );
  }
  let by: "sid" | "uniqueName", key: string;
  if (given(sid)) {
    if (typeof sid !== "string" || !SID_PATTERNS.session.test(sid)) {
      throw new LookupArgumentError(
        `${what}: sid must be a Session SID (KC followed by 32 hex digits), got ${describe(sid)}`,
      );
    }
    [by, key] = ["sid", sid];
  } else {
    if (typeof uniqueName !== "string" || uniqueName.trim() === "") {
      throw new LookupArgumentError(
        `${what}: uniqueName must be a non-empty string, got ${describe(uniqueName)}`,
      );
    }
    [by, key] = ["uniqueName", uniqueName];
  }

  const { client } = clientFor(opts);
  let live: TwilioSession;
  try {
    live = await client.fetchSession(serviceSid, key);
  } catch (err) {
    if (isNotFound(err)) throw new SessionNotFoundError(serviceSid, by, key, { cause: err });
    throw err;
  }
  // A unique name shaped like a SID is resolved by Twilio as a SID: not the session asked for.
  if (by === "uniqueName" && live.unique_name !== key) {
    throw new SessionNotFoundError(serviceSid, by, key);
  }
  return toSessionState(live);
}

/**
 * Every session of a Service, following Twilio's `meta.next_page_url` (absolute, used verbatim)
 * to the last page. A page is never fetched twice, and a session listed on two pages (offset
 * paging while sessions come and go) is returned once.
 */
export async function listProxySessions(
  args: ListProxySessionsArgs,
  opts?: LookupOptions,
): Promise<ProxySessionState[]> {
  const what = "listProxySessions";
  checkServiceSid(what, args?.serviceSid);
  checkPageSize(what, args.pageSize);
  const { serviceSid, pageSize } = args;
  const { settings, client } = clientFor(opts);

  const fetched = new Set<string>();
  const remember = (url: string, page: TwilioSessionPage) => {
    fetched.add(url);
    if (typeof page.meta?.url === "string") fetched.add(page.meta.url);
  };
  const firstUrl =
    `${settings.baseUrl}/v1/Services/${encodeURIComponent(serviceSid)}/Sessions` +
    (pageSize === undefined ? "" : `?PageSize=${pageSize}`);

  const sessions = new Map<string, ProxySessionState>();
  let page = await client.listSessions(serviceSid, pageSize);
  remember(firstUrl, page);
  for (;;) {
    if (!Array.isArray(page?.sessions)) {
      throw new PaginationError(
        `${what}: Twilio's answer for Service ${serviceSid} has no sessions array`,
      );
    }
    for (const s of page.sessions) if (!sessions.has(s.sid)) sessions.set(s.sid, toSessionState(s));
    const next = page.meta?.next_page_url;
    if (next === null || next === undefined || next === "") break;
    checkNextPageUrl(what, next, settings.baseUrl, fetched);
    page = await client.listSessionsPage(next);
    remember(next, page);
  }
  return [...sessions.values()];
}

/**
 * A next page must be new (no loops) and on the host the credentials are meant for: the
 * configured base URL's origin, or another Twilio host over HTTPS when that is a Twilio host.
 */
function checkNextPageUrl(what: string, next: string, baseUrl: string, fetched: Set<string>) {
  if (fetched.has(next)) {
    throw new PaginationError(
      `${what}: Twilio's next_page_url repeats a page already fetched (${pathOf(next)}); stopping to avoid a loop`,
    );
  }
  let url: URL;
  try {
    url = new URL(next);
  } catch {
    throw new PaginationError(`${what}: Twilio's next_page_url is not an absolute URL`);
  }
  const base = new URL(baseUrl);
  const twilioHost = (u: URL) => u.protocol === "https:" && u.hostname.endsWith(".twilio.com");
  if (url.origin !== base.origin && !(twilioHost(url) && twilioHost(base))) {
    throw new PaginationError(
      `${what}: Twilio's next_page_url points to ${url.origin}, not ${base.origin}; not sending credentials there`,
    );
  }
}

/** The live sessions of a Service that none of `managed` (session SIDs) names. */
export async function listUnmanagedSessions(
  args: UnmanagedSessionsArgs,
  opts?: LookupOptions,
): Promise<ProxySessionState[]> {
  if (!Array.isArray(args?.managed)) {
    throw new LookupArgumentError("unmanaged sessions: managed must be an array of session SIDs");
  }
  const managed = new Set(
    args.managed.filter((s): s is string => typeof s === "string" && s !== "").map(canonicalSid),
  );
  const live = await listProxySessions(
    { serviceSid: args.serviceSid, pageSize: args.pageSize },
    opts,
  );
  return live.filter((s) => !managed.has(canonicalSid(s.sid)));
}

/** SIDs compare without regard to the case of their hex digits. */
const canonicalSid = (sid: string) => sid.slice(0, 2).toUpperCase() + sid.slice(2).toLowerCase();

/** `getProxySession` taking Inputs and giving an Output, for use inside Pulumi programs. */
export function getProxySessionOutput(
  args: GetProxySessionOutputArgs,
  opts?: LookupOptions,
): pulumi.Output<ProxySessionState> {
  return pulumi.output(args).apply((a) => getProxySession(a, opts));
}

/** `listProxySessions` taking Inputs and giving an Output, for use inside Pulumi programs. */
export function listProxySessionsOutput(
  args: ListProxySessionsOutputArgs,
  opts?: LookupOptions,
): pulumi.Output<ProxySessionState[]> {
  return pulumi.output(args).apply((a) => listProxySessions(a, opts));
}

/**
 * The live sessions of a Service that the stack does not declare, as an Output: pass the
 * `sid` outputs of the stack's ProxySessions as `managed`. It resolves after those sessions
 * exist, so sessions the same update creates are never reported.
 */
export function findUnmanagedSessions(
  args: FindUnmanagedSessionsArgs,
  opts?: LookupOptions,
): pulumi.Output<ProxySessionState[]> {
  return pulumi.output(args).apply((a) => listUnmanagedSessions(a, opts));
}
