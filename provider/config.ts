// Where the provider finds Twilio credentials and endpoints: stack config first (read in
// configure), then the environment, both at run time, so nothing is captured in state.
//
// The `twilio:` namespace belongs to the Terraform-bridged Twilio provider, which rejects keys
// it does not know: only its five keys are read there, with its meaning and its environment
// fallbacks. Everything that is this package's alone lives under `twilio-proxy:`.
import { ProviderConfigError } from "./errors";

export type LogLevel = "info" | "debug";

export interface TwilioSettings {
  /** Basic-auth user: an API key SID (SK...) or the account SID (AC...). */
  username: string;
  password: string;
  baseUrl: string;
  maxRetries: number;
  timeoutMs: number;
  /**
   * Recovery after an interrupted run: a create that meets its own uniqueName (80603) takes
   * over that session when its create-only fields match, instead of failing.
   */
  adoptOnConflict: boolean;
  /** `info`: a line per retry; `debug`: also a line per request and answer. */
  logLevel: LogLevel;
  /** Ceiling of the adaptive limit on requests in flight to the account; 0 = no limit. */
  maxConcurrency: number;
}

/** A source of stack config by full key (`twilio:username`), such as `ConfigureRequest.config`. */
export type ConfigSource = (key: string) => string | undefined;

/** The namespace of this package's own settings. */
export const NAMESPACE = "twilio-proxy";

/**
 * The Terraform-bridged Twilio provider's keys this package reads. (`twilio:accountSid` names the
 * account to manage; Proxy URLs carry no account, so the credentials alone decide it and the key
 * is not needed here.)
 */
type TwilioKey = "username" | "password" | "region" | "edge";

/** This package's own keys (`twilio-proxy:<key>`) and their environment names. */
const OWN_KEYS = {
  baseUrl: "TWILIO_PROXY_BASE_URL",
  maxRetries: "TWILIO_MAX_RETRIES",
  timeoutMs: "TWILIO_TIMEOUT_MS",
  adoptOnConflict: "TWILIO_ADOPT_ON_CONFLICT",
  logLevel: "TWILIO_LOG_LEVEL",
  maxConcurrency: "TWILIO_MAX_CONCURRENCY",
} as const;

/** Keys earlier releases read under `twilio:`, and what replaces each. */
export const RENAMED_KEYS: Record<string, string> = {
  "twilio:authToken": "twilio:password",
  "twilio:apiKey": "twilio:username",
  "twilio:apiSecret": "twilio:password",
  "twilio:proxyBaseUrl": `${NAMESPACE}:baseUrl`,
  "twilio:maxRetries": `${NAMESPACE}:maxRetries`,
  "twilio:timeoutMs": `${NAMESPACE}:timeoutMs`,
  "twilio:adoptOnConflict": `${NAMESPACE}:adoptOnConflict`,
};

export const DEFAULT_MAX_RETRIES = 5;
export const DEFAULT_TIMEOUT_MS = 30_000;
/**
 * Twilio limits concurrent requests per account but publishes no figure (error 20429); the
 * adaptive limit finds the account's level below this ceiling, and a user who knows it sets it.
 */
export const DEFAULT_MAX_CONCURRENCY = 64;

export const MISSING_CREDENTIALS =
  "Twilio credentials are missing. Set them in stack config, with the keys the Twilio provider " +
  "uses: `pulumi config set twilio:username AC...` (or an API key SID, SK...) and " +
  "`pulumi config set --secret twilio:password ...` (the auth token or API key secret); or in " +
  "the environment: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and " +
  "TWILIO_API_SECRET).";

/** Twilio's host rules (twilio-node getHostname): an edge alone implies region us1. */
export function twilioBaseUrl(region?: string, edge?: string): string {
  if (!region && !edge) return "https://proxy.twilio.com";
  return `https://proxy.${[edge, region ?? "us1"].filter(Boolean).join(".")}.twilio.com`;
}

function nonNegativeInt(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    throw new ProviderConfigError(`${name} must be a non-negative integer, got "${text}"`);
  }
  return n;
}

const present = (v: string | undefined) =>
  v === undefined || v.trim() === "" ? undefined : v.trim();

/**
 * The credential pair from the environment: an API key pair when both halves are set, else the
 * account SID and auth token. A pair is never mixed (an API key with an auth token is a 401).
 */
function envCredentials(env: NodeJS.ProcessEnv): { username?: string; password?: string } {
  const [key, secret] = [present(env.TWILIO_API_KEY), present(env.TWILIO_API_SECRET)];
  if (key && secret) return { username: key, password: secret };
  return { username: present(env.TWILIO_ACCOUNT_SID), password: present(env.TWILIO_AUTH_TOKEN) };
}

const BASE_URL_KEY = `${NAMESPACE}:baseUrl / ${OWN_KEYS.baseUrl}`;

/**
 * A base URL as set by the user, checked: a scheme and a host (and port) only, since the provider
 * adds `/v1/Services/…` itself (a path such as `/v1` would send every request to a URL Twilio
 * does not serve); `https:` except to this machine, since every request carries the credentials.
 * Returned without a trailing slash.
 */
export function checkBaseUrl(text: string): string {
  const refuse = (why: string) =>
    new ProviderConfigError(
      `${BASE_URL_KEY} ${why}, got "${text.replace(/\/\/[^/@]*@/, "//…@")}". The form is a ` +
        `scheme and host only: https://proxy.twilio.com, or http://127.0.0.1:4010 for a local emulator`,
    );
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refuse("must be an http(s) URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw refuse("must be an http(s) URL");
  if (url.username || url.password) {
    throw refuse("must not carry credentials (they come from twilio:username and twilio:password)");
  }
  if (url.pathname.replace(/\/+$/, "") !== "" || url.search || url.hash) {
    throw refuse(`must have no path or query (the provider adds /v1/Services/… itself)`);
  }
  if (url.protocol === "http:" && !isLoopback(url.hostname)) {
    throw refuse(
      "must use https:// for any host but this machine (localhost, 127.0.0.1, [::1]): " +
        "every request carries the Twilio credentials",
    );
  }
  return url.origin;
}

const isLoopback = (host: string) =>
  host === "localhost" || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host);

/** Checks the base URL the stack config or the environment sets, if any (for `configure`). */
export function checkBaseUrlSetting(config: ConfigSource, env: NodeJS.ProcessEnv): void {
  const given = present(config(`${NAMESPACE}:baseUrl`)) ?? present(env[OWN_KEYS.baseUrl]);
  if (given !== undefined) checkBaseUrl(given);
}

/**
 * Keys someone may set under `twilio-proxy:` that this package does not read there, and what to
 * use instead: the Twilio provider's keys (credentials, region, edge) live under `twilio:`, and
 * `proxyBaseUrl` is the name earlier releases gave `baseUrl`.
 */
export const MISPLACED_KEYS: Record<string, string> = {
  [`${NAMESPACE}:username`]: "twilio:username",
  [`${NAMESPACE}:password`]: "twilio:password",
  [`${NAMESPACE}:accountSid`]: "twilio:username",
  [`${NAMESPACE}:authToken`]: "twilio:password",
  [`${NAMESPACE}:apiKey`]: "twilio:username",
  [`${NAMESPACE}:apiSecret`]: "twilio:password",
  [`${NAMESPACE}:region`]: "twilio:region",
  [`${NAMESPACE}:edge`]: "twilio:edge",
  [`${NAMESPACE}:proxyBaseUrl`]: `${NAMESPACE}:baseUrl`,
};

const TWILIO_NAMESPACE_NOTE =
  "the `twilio:` namespace holds only the Twilio provider's keys accountSid, username, " +
  "password, region and edge";

function renamedKeyMessage(old: string, replacement: string): string {
  return (
    `stack config key ${old} is no longer read: use ${replacement} instead ` +
    `(\`pulumi config rm ${old}\`; ${TWILIO_NAMESPACE_NOTE})`
  );
}

/**
 * What is wrong with the names of the stack's config keys, one line per key: keys of earlier
 * releases under `twilio:`, and keys under `twilio-proxy:` that this package does not read
 * (misplaced ones name their replacement). Other namespaces are none of this package's business.
 * Checked in the provider's `configure`, so a mistake stops `pulumi preview` before any request.
 */
export function configKeyProblems(keys: Iterable<string>): string[] {
  const problems: string[] = [];
  for (const key of keys) {
    if (key in RENAMED_KEYS) {
      problems.push(renamedKeyMessage(key, RENAMED_KEYS[key]));
    } else if (key in MISPLACED_KEYS) {
      problems.push(
        `stack config key ${key} is not read: use ${MISPLACED_KEYS[key]} instead ` +
          `(\`pulumi config rm ${key}\`)`,
      );
    } else if (key.startsWith(`${NAMESPACE}:`) && !(key.slice(NAMESPACE.length + 1) in OWN_KEYS)) {
      const own = Object.keys(OWN_KEYS);
      const name = key.slice(NAMESPACE.length + 1).toLowerCase();
      const meant = own.find((k) => k.toLowerCase() === name);
      problems.push(
        `unknown stack config key ${key}` +
          (meant ? `: did you mean ${NAMESPACE}:${meant}?` : "") +
          ` (this package reads ${own.map((k) => `${NAMESPACE}:${k}`).join(", ")})`,
      );
    }
  }
  return problems;
}

/** Throws one ProviderConfigError listing every problem configKeyProblems finds. */
export function refuseBadConfigKeys(keys: Iterable<string>): void {
  const problems = configKeyProblems(keys);
  if (problems.length > 0) throw new ProviderConfigError(problems.join("; "));
}

export function resolveSettings(
  config: ConfigSource = () => undefined,
  env: NodeJS.ProcessEnv = process.env,
): TwilioSettings {
  for (const [old, replacement] of Object.entries(RENAMED_KEYS)) {
    if (present(config(old)) !== undefined) {
      throw new ProviderConfigError(renamedKeyMessage(old, replacement));
    }
  }
  const twilio = (key: TwilioKey) => present(config(`twilio:${key}`));
  const own = (key: keyof typeof OWN_KEYS) =>
    present(config(`${NAMESPACE}:${key}`)) ?? present(env[OWN_KEYS[key]]);

  const envPair = envCredentials(env);
  const username = twilio("username") ?? envPair.username;
  const password = twilio("password") ?? envPair.password;
  if (!username || !password) throw new ProviderConfigError(MISSING_CREDENTIALS);

  const region = twilio("region") ?? present(env.TWILIO_REGION);
  const edge = twilio("edge") ?? present(env.TWILIO_EDGE);
  const given = own("baseUrl");
  const baseUrl = given === undefined ? twilioBaseUrl(region, edge) : checkBaseUrl(given);
  const logLevel = (own("logLevel") ?? "info").toLowerCase();
  if (logLevel !== "info" && logLevel !== "debug") {
    throw new ProviderConfigError(
      `${NAMESPACE}:logLevel / TWILIO_LOG_LEVEL must be info or debug, got "${logLevel}"`,
    );
  }
  return {
    username,
    password,
    baseUrl,
    maxRetries: nonNegativeInt(`${NAMESPACE}:maxRetries`, own("maxRetries"), DEFAULT_MAX_RETRIES),
    timeoutMs: nonNegativeInt(`${NAMESPACE}:timeoutMs`, own("timeoutMs"), DEFAULT_TIMEOUT_MS),
    adoptOnConflict: ["true", "1", "yes"].includes((own("adoptOnConflict") ?? "").toLowerCase()),
    logLevel,
    maxConcurrency: nonNegativeInt(
      `${NAMESPACE}:maxConcurrency`,
      own("maxConcurrency"),
      DEFAULT_MAX_CONCURRENCY,
    ),
  };
}
