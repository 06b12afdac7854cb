// Reading sessions without managing them, in the style of Pulumi data sources: one session by
// SID or unique name, every session of a Service, and the sessions a stack does not declare.
// Credentials come from the same places as the resource's (stack config `twilio:*`, then the
// environment) and never appear in results or errors.
import * as pulumi from "@pulumi/pulumi";
import { SID_PATTERNS } from "./check";
import { MAX_PAGE_SIZE, sessionPath, TwilioProxyClient, type ClientOptions } from "./client";
import { resolveSettings, type ConfigSource } from "./config";
import { isGone, LookupArgumentError, notGone, SessionNotFoundError } from "./errors";
import { findByUniqueName } from "./find";
import { toSessionState } from "./session";
import type { ProxySessionState } from "./types";

export { LookupArgumentError, PaginationError, SessionNotFoundError } from "./errors";

export interface LookupOptions {
  /**
   * Where stack config comes from, by full key (`twilio:username`, `twilio-proxy:baseUrl`).
   * Defaults to the running Pulumi program's stack config; outside a program that config is
   * empty and the environment is used.
   */
  config?: ConfigSource;
  /** Environment settings (TWILIO_*); defaults to process.env at call time. */
  env?: NodeJS.ProcessEnv;
  /** Retry and backoff tuning for the HTTP client. */
  client?: ClientOptions;
}

/** The arguments of `getProxySession`. */
export interface GetProxySessionArgs {
  /** The Proxy Service (KS...) the session belongs to. */
  serviceSid: string;
  /** The session's SID (KC...). Give exactly one of `sid` and `uniqueName`. */
  sid?: string;
  /** The session's unique name. Give exactly one of `sid` and `uniqueName`. */
  uniqueName?: string;
}

/** The arguments of `getProxySessionOutput`: those of `getProxySession`, as Inputs. */
export interface GetProxySessionOutputArgs {
  /** The Proxy Service (KS...) the session belongs to. */
  serviceSid: pulumi.Input<string>;
  /** The session's SID (KC...). Give exactly one of `sid` and `uniqueName`. */
  sid?: pulumi.Input<string>;
  /** The session's unique name. Give exactly one of `sid` and `uniqueName`. */
  uniqueName?: pulumi.Input<string>;
}

/** Twilio's PageSize bounds (reference §5). */
export const MIN_PAGE_SIZE = 1;
export { MAX_PAGE_SIZE };

/** The arguments of `listProxySessions`. */
export interface ListProxySessionsArgs {
  /** The Proxy Service (KS...) whose sessions to list. */
  serviceSid: string;
  /** Sessions per ListSession call, 1..1000; Twilio's default (50) when left out. */
  pageSize?: number;
}

/** The arguments of `listProxySessionsOutput`: those of `listProxySessions`, as Inputs. */
export interface ListProxySessionsOutputArgs {
  /** The Proxy Service (KS...) whose sessions to list. */
  serviceSid: pulumi.Input<string>;
  /** Sessions per ListSession call, 1..1000; Twilio's default (50) when left out. */
  pageSize?: pulumi.Input<number>;
}

/** The arguments of `listUnmanagedSessions`. */
export interface UnmanagedSessionsArgs {
  /** The Proxy Service (KS...) whose sessions to list. */
  serviceSid: string;
  /** SIDs of the sessions the stack declares; empty or missing entries are ignored. */
  managed: Array<string | undefined | null>;
  /** Sessions per ListSession call, 1..1000. */
  pageSize?: number;
}

/** The arguments of `findUnmanagedSessions`: those of `listUnmanagedSessions`, as Inputs. */
export interface FindUnmanagedSessionsArgs {
  /** The Proxy Service (KS...) whose sessions to list. */
  serviceSid: pulumi.Input<string>;
  /** SIDs of the sessions the stack declares, e.g. `[trip.sid, support.sid]`. */
  managed: pulumi.Input<pulumi.Input<string | undefined>[]>;
  /** Sessions per ListSession call, 1..1000. */
  pageSize?: pulumi.Input<number>;
}

/** The running program's `twilio:*` stack config; empty outside a Pulumi program. */
const programConfig: ConfigSource = (key) => {
  const at = key.indexOf(":");
  return new pulumi.Config(key.slice(0, at)).get(key.slice(at + 1));
};

function clientFor(opts: LookupOptions | undefined): TwilioProxyClient {
  const settings = resolveSettings(opts?.config ?? programConfig, opts?.env ?? process.env);
  return new TwilioProxyClient(settings, opts?.client);
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
 * One session of a Service, by SID (one GET) or by unique name (exactly one of them). By name it
 * asks Twilio's fetch once, and lists the Service's sessions when Twilio does not resolve names
 * there (undocumented either way). Throws `SessionNotFoundError` when there is none.
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

  const client = clientFor(opts);
  if (by === "uniqueName") {
    const found = await findByUniqueName(client, serviceSid, key);
    if (!found) throw new SessionNotFoundError(serviceSid, by, key);
    return toSessionState(found);
  }
  try {
    return toSessionState(await client.fetchSession(serviceSid, key));
  } catch (err) {
    const path = sessionPath(serviceSid, key);
    if (isGone(err, path)) throw new SessionNotFoundError(serviceSid, by, key, { cause: err });
    throw notGone(err, path, `getProxySession of ${key} stopped`);
  }
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
  const sessions = new Map<string, ProxySessionState>();
  for await (const page of clientFor(opts).sessionPages(serviceSid, pageSize)) {
    for (const s of page.sessions) if (!sessions.has(s.sid)) sessions.set(s.sid, toSessionState(s));
  }
  return [...sessions.values()];
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
    args.managed.filter((s): s is string => typeof s === "string" && s !== "").map(foldSidCase),
  );
  const live = await listProxySessions(
    { serviceSid: args.serviceSid, pageSize: args.pageSize },
    opts,
  );
  return live.filter((s) => !managed.has(foldSidCase(s.sid)));
}

/** SIDs compare without regard to the case of their hex digits. */
const foldSidCase = (sid: string) => sid.slice(0, 2).toUpperCase() + sid.slice(2).toLowerCase();

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
