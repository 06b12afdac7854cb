import { randomBytes } from "node:crypto";

/**
 * Fixed credentials and SIDs. They are constants (not random per start) so that a developer can
 * export them once and restart the emulator without reconfiguring anything. They are strictly
 * alphanumeric because twilio-go rejects other characters before sending (reference §4.3).
 */
export const DEFAULT_ACCOUNT_SID = "AC5e1f0c0ffee0000000000000000000a1";
export const DEFAULT_AUTH_TOKEN = "emulatorAuthToken0000000000000001";
export const DEFAULT_API_KEY_SID = "SK5e1f0c0ffee0000000000000000000b2";
export const DEFAULT_API_KEY_SECRET = "emulatorApiKeySecret000000000002";
export const DEFAULT_SERVICE_SID = "KS5e1f0c0ffee0000000000000000000c3";

/** Twilio emits lowercase hex; random so that tests cannot depend on creation order. */
export function newSid(prefix: string): string {
  return prefix + randomBytes(16).toString("hex");
}

/**
 * Returns the canonical (lowercase hex) form when `value` is a well-formed SID with `prefix`.
 * Clients may send uppercase hex (the spec pattern allows it), so lookups go through this.
 */
export function canonicalSid(prefix: string, value: string): string | undefined {
  if (value.length !== prefix.length + 32 || !value.startsWith(prefix)) return undefined;
  const hex = value.slice(prefix.length);
  return /^[0-9a-fA-F]{32}$/.test(hex) ? prefix + hex.toLowerCase() : undefined;
}

/**
 * A number "from the pool", for participants created without a proxy identifier: Twilio picks one
 * (OpenAPI: "If not specified, Proxy will select a number from the pool"). 555-01xx numbers are
 * reserved for fiction, so these can never reach a real phone.
 */
export function newPoolNumber(): string {
  return `+1555555${String(100 + (randomBytes(1)[0] % 100)).padStart(4, "0")}`;
}
