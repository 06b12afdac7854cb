import { describe, expect, it } from "vitest";
import { MISSING_CREDENTIALS, resolveSettings, twilioBaseUrl } from "../provider/config";

const creds = { TWILIO_ACCOUNT_SID: "AC" + "1".repeat(32), TWILIO_AUTH_TOKEN: "envtoken" };
const fromConfig = (values: Record<string, string>) => (key: string) => values[key];

describe("settings", () => {
  it("builds Twilio's regional hosts as the official SDKs do", () => {
    expect(twilioBaseUrl()).toBe("https://proxy.twilio.com");
    expect(twilioBaseUrl("au1", "sydney")).toBe("https://proxy.sydney.au1.twilio.com");
    expect(twilioBaseUrl(undefined, "dublin")).toBe("https://proxy.dublin.us1.twilio.com");
    expect(twilioBaseUrl("ie1")).toBe("https://proxy.ie1.twilio.com");
  });

  it("prefers stack config to the environment", () => {
    const s = resolveSettings(
      fromConfig({ "twilio:authToken": "configtoken", "twilio:region": "au1" }),
      creds,
    );
    expect(s.password).toBe("configtoken");
    expect(s.username).toBe(creds.TWILIO_ACCOUNT_SID);
    expect(s.baseUrl).toBe("https://proxy.au1.twilio.com");
  });

  it("prefers an API key pair to the account token", () => {
    const s = resolveSettings(undefined, {
      ...creds,
      TWILIO_API_KEY: "SK" + "2".repeat(32),
      TWILIO_API_SECRET: "keysecret",
    });
    expect([s.username, s.password]).toEqual(["SK" + "2".repeat(32), "keysecret"]);
  });

  it("lets a base URL override point at an emulator or a corporate proxy", () => {
    const s = resolveSettings(undefined, {
      ...creds,
      TWILIO_PROXY_BASE_URL: "http://127.0.0.1:4010/",
    });
    expect(s.baseUrl).toBe("http://127.0.0.1:4010");
  });

  it("reads the retry budget and timeout", () => {
    const s = resolveSettings(fromConfig({ "twilio:maxRetries": "0" }), {
      ...creds,
      TWILIO_TIMEOUT_MS: "1500",
    });
    expect([s.maxRetries, s.timeoutMs]).toEqual([0, 1500]);
    expect(() => resolveSettings(undefined, { ...creds, TWILIO_MAX_RETRIES: "-1" })).toThrow(
      /twilio:maxRetries/,
    );
  });

  it("refuses a half-set credential pair with one message naming both ways", () => {
    expect(() =>
      resolveSettings(undefined, { TWILIO_ACCOUNT_SID: creds.TWILIO_ACCOUNT_SID }),
    ).toThrow(MISSING_CREDENTIALS);
    expect(MISSING_CREDENTIALS).toMatch(/pulumi config set --secret twilio:authToken/);
    expect(MISSING_CREDENTIALS).toMatch(/TWILIO_AUTH_TOKEN/);
  });
});
