// Where the provider finds Twilio credentials and endpoints: stack config first (read in
// configure), then the environment, both at run time, so nothing is captured in state.
import { ProviderConfigError } from "./errors";

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
}

/** A source of `twilio:*` settings, such as `ConfigureRequest.config`. */
export type ConfigSource = (key: string) => string | undefined;

const SETTINGS = {
  accountSid: "TWILIO_ACCOUNT_SID",
  authToken: "TWILIO_AUTH_TOKEN",
  apiKey: "TWILIO_API_KEY",
  apiSecret: "TWILIO_API_SECRET",
  region: "TWILIO_REGION",
  edge: "TWILIO_EDGE",
  proxyBaseUrl: "TWILIO_PROXY_BASE_URL",
  maxRetries: "TWILIO_MAX_RETRIES",
  timeoutMs: "TWILIO_TIMEOUT_MS",
  adoptOnConflict: "TWILIO_ADOPT_ON_CONFLICT",
} as const;
type Setting = keyof typeof SETTINGS;

export const DEFAULT_MAX_RETRIES = 5;
export const DEFAULT_TIMEOUT_MS = 30_000;

export const MISSING_CREDENTIALS =
  "Twilio credentials are missing. Set them in stack config: " +
  "`pulumi config set twilio:accountSid AC...` and `pulumi config set --secret twilio:authToken ...` " +
  "(or twilio:apiKey and twilio:apiSecret), or in the environment: " +
  "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and TWILIO_API_SECRET).";

/** Twilio's host rules (twilio-node getHostname): an edge alone implies region us1. */
export function twilioBaseUrl(region?: string, edge?: string): string {
  if (!region && !edge) return "https://proxy.twilio.com";
  return `https://proxy.${[edge, region ?? "us1"].filter(Boolean).join(".")}.twilio.com`;
}

function nonNegativeInt(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text.trim() === "") return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    throw new ProviderConfigError(`${name} must be a non-negative integer, got "${text}"`);
  }
  return n;
}

export function resolveSettings(
  config: ConfigSource = () => undefined,
  env: NodeJS.ProcessEnv = process.env,
): TwilioSettings {
  const get = (key: Setting) => {
    const v = config(`twilio:${key}`) ?? env[SETTINGS[key]];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  };
  const [apiKey, apiSecret] = [get("apiKey"), get("apiSecret")];
  const [accountSid, authToken] = [get("accountSid"), get("authToken")];
  let username: string, password: string;
  if (apiKey && apiSecret) [username, password] = [apiKey, apiSecret];
  else if (accountSid && authToken) [username, password] = [accountSid, authToken];
  else throw new ProviderConfigError(MISSING_CREDENTIALS);

  const baseUrl = (get("proxyBaseUrl") ?? twilioBaseUrl(get("region"), get("edge"))).replace(
    /\/+$/,
    "",
  );
  if (!/^https?:\/\//.test(baseUrl)) {
    throw new ProviderConfigError(
      `twilio:proxyBaseUrl / TWILIO_PROXY_BASE_URL must be an http(s) URL, got "${baseUrl}"`,
    );
  }
  return {
    username,
    password,
    baseUrl,
    maxRetries: nonNegativeInt("twilio:maxRetries", get("maxRetries"), DEFAULT_MAX_RETRIES),
    timeoutMs: nonNegativeInt("twilio:timeoutMs", get("timeoutMs"), DEFAULT_TIMEOUT_MS),
    adoptOnConflict: ["true", "1", "yes"].includes((get("adoptOnConflict") ?? "").toLowerCase()),
  };
}
