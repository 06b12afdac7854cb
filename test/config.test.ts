import { describe, expect, it } from "vitest";
import {
  configKeyProblems,
  MISPLACED_KEYS,
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
    ).toThrow(/pulumi config set --secret twilio:password[^]*TWILIO_AUTH_TOKEN/);
  });
});

describe("the names of the stack's config keys", () => {
  it("accepts the Twilio provider's keys, this package's own, and other namespaces", () => {
    const keys = [
      "twilio:accountSid",
      "twilio:username",
      "twilio:password",
      "twilio:region",
      "twilio:edge",
      "twilio:someFutureTwilioKey", // the bridged provider's business, not ours
      "twilio-proxy:baseUrl",
      "twilio-proxy:maxRetries",
      "twilio-proxy:timeoutMs",
      "twilio-proxy:adoptOnConflict",
      "twilio-proxy:logLevel",
      "twilio-proxy:maxConcurrency",
      "my-project:serviceSid",
      "aws:region",
    ];
    expect(configKeyProblems(keys)).toEqual([]);
  });

  it.each(Object.entries({ ...RENAMED_KEYS, ...MISPLACED_KEYS }))(
    "refuses %s, naming %s",
    (key, replacement) => {
      const [problem] = configKeyProblems([key]);
      expect(problem).toMatch(
        new RegExp(`${key} is (no longer )?(read|not read): use ${replacement}`),
      );
      expect(problem).toContain(`pulumi config rm ${key}`);
    },
  );

  it("refuses an unknown twilio-proxy: key, listing the ones it reads", () => {
    const [problem] = configKeyProblems(["twilio-proxy:retries"]);
    expect(problem).toMatch(/^unknown stack config key twilio-proxy:retries \(this package reads /);
    expect(problem).toContain("twilio-proxy:maxRetries");
    expect(configKeyProblems(["twilio-proxy:loglevel"])[0]).toMatch(
      /did you mean twilio-proxy:logLevel\?/,
    );
  });

  it("reports every bad key, not just the first", () => {
    expect(
      configKeyProblems(["twilio:authToken", "twilio-proxy:username", "twilio-proxy:nope"]),
    ).toHaveLength(3);
  });
});
