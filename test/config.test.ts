import { describe, expect, it } from "vitest";
import {
  MISSING_CREDENTIALS,
  RENAMED_KEYS,
  resolveSettings,
  twilioBaseUrl,
} from "../provider/config";

const creds = { TWILIO_ACCOUNT_SID: "AC" + "1".repeat(32), TWILIO_AUTH_TOKEN: "envtoken" };
const apiKey = { TWILIO_API_KEY: "SK" + "2".repeat(32), TWILIO_API_SECRET: "keysecret" };

/** A config source that records every key asked for. */
function configOf(values: Record<string, string>) {
  const asked: string[] = [];
  const source = (key: string) => {
    asked.push(key);
    return values[key];
  };
  return { source, asked };
}

describe("settings", () => {
  it("builds Twilio's regional hosts as the official SDKs do", () => {
    expect(twilioBaseUrl()).toBe("https://proxy.twilio.com");
    expect(twilioBaseUrl("au1", "sydney")).toBe("https://proxy.sydney.au1.twilio.com");
    expect(twilioBaseUrl(undefined, "dublin")).toBe("https://proxy.dublin.us1.twilio.com");
    expect(twilioBaseUrl("ie1")).toBe("https://proxy.ie1.twilio.com");
  });

  it("works with a stack configured exactly as the bridged Twilio provider wants it", () => {
    const { source } = configOf({
      "twilio:accountSid": "AC" + "3".repeat(32),
      "twilio:username": "SK" + "4".repeat(32),
      "twilio:password": "configsecret",
      "twilio:region": "au1",
      "twilio:edge": "sydney",
    });
    const s = resolveSettings(source, {});
    expect([s.username, s.password]).toEqual(["SK" + "4".repeat(32), "configsecret"]);
    expect(s.baseUrl).toBe("https://proxy.sydney.au1.twilio.com");
  });

  it("reads no twilio: key beyond the bridged provider's five, except to refuse old ones", () => {
    const { source, asked } = configOf({});
    resolveSettings(source, { ...creds, TWILIO_REGION: "ie1" });
    const read = asked.filter((k) => k.startsWith("twilio:") && !(k in RENAMED_KEYS));
    expect(new Set(read)).toEqual(
      new Set(["twilio:username", "twilio:password", "twilio:region", "twilio:edge"]),
    );
    const ownKeys = asked.filter((k) => !k.startsWith("twilio:"));
    expect(ownKeys.every((k) => k.startsWith("twilio-proxy:"))).toBe(true);
  });

  it.each(Object.entries(RENAMED_KEYS))("refuses the old key %s, naming %s", (old, replacement) => {
    const { source } = configOf({ [old]: "x" });
    expect(() => resolveSettings(source, creds)).toThrow(
      new RegExp(`${old} is no longer read: use ${replacement} instead`),
    );
  });

  it("prefers stack config to the environment, key by key", () => {
    const { source } = configOf({ "twilio:password": "configtoken", "twilio:region": "au1" });
    const s = resolveSettings(source, creds);
    expect(s.password).toBe("configtoken");
    expect(s.username).toBe(creds.TWILIO_ACCOUNT_SID);
    expect(s.baseUrl).toBe("https://proxy.au1.twilio.com");
  });

  it("takes the bridged provider's environment fallbacks, an API key pair first", () => {
    const s = resolveSettings(undefined, { ...creds, ...apiKey, TWILIO_EDGE: "dublin" });
    expect([s.username, s.password]).toEqual([apiKey.TWILIO_API_KEY, "keysecret"]);
    expect(s.baseUrl).toBe("https://proxy.dublin.us1.twilio.com");
    // Half an API key pair never mixes with the account pair.
    const t = resolveSettings(undefined, { ...creds, TWILIO_API_KEY: apiKey.TWILIO_API_KEY });
    expect([t.username, t.password]).toEqual([creds.TWILIO_ACCOUNT_SID, "envtoken"]);
  });

  it("keeps its own settings under twilio-proxy:, with environment fallbacks", () => {
    const { source } = configOf({
      "twilio-proxy:baseUrl": "http://127.0.0.1:4010/",
      "twilio-proxy:maxRetries": "0",
      "twilio-proxy:adoptOnConflict": "true",
    });
    const s = resolveSettings(source, {
      ...creds,
      TWILIO_TIMEOUT_MS: "1500",
      TWILIO_LOG_LEVEL: "DEBUG",
    });
    expect(s).toMatchObject({
      baseUrl: "http://127.0.0.1:4010",
      maxRetries: 0,
      timeoutMs: 1500,
      adoptOnConflict: true,
      logLevel: "debug",
    });
    expect(() => resolveSettings(undefined, { ...creds, TWILIO_MAX_RETRIES: "-1" })).toThrow(
      /twilio-proxy:maxRetries/,
    );
    expect(() => resolveSettings(undefined, { ...creds, TWILIO_LOG_LEVEL: "trace" })).toThrow(
      /twilio-proxy:logLevel/,
    );
  });

  it("refuses a half-set credential pair with one message naming both ways", () => {
    expect(() =>
      resolveSettings(undefined, { TWILIO_ACCOUNT_SID: creds.TWILIO_ACCOUNT_SID }),
    ).toThrow(MISSING_CREDENTIALS);
    expect(MISSING_CREDENTIALS).toMatch(/pulumi config set --secret twilio:password/);
    expect(MISSING_CREDENTIALS).toMatch(/TWILIO_AUTH_TOKEN/);
  });
});
