import type { IncomingHttpHeaders } from "node:http";

export interface Credentials {
  accountSid: string;
  authToken: string;
  apiKeySid: string;
  apiKeySecret: string;
}

/**
 * HTTP Basic with either pair from reference §4.3. Returns the username that authenticated (kept
 * in the request log so tests can tell which credential a client used), or null.
 */
export function authenticate(headers: IncomingHttpHeaders, creds: Credentials): string | null {
  const header = headers.authorization;
  if (!header) return null;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return null;
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  const user = decoded.slice(0, colon);
  const pass = decoded.slice(colon + 1);
  if (user === creds.accountSid && pass === creds.authToken) return user;
  if (user === creds.apiKeySid && pass === creds.apiKeySecret) return user;
  return null;
}
