// The base URL override (`twilio-proxy:baseUrl` / `TWILIO_PROXY_BASE_URL`): a scheme and host only,
// and https:// for any host but this machine, refused before any request with the form expected.
import { describe, expect, it } from "vitest";
import { checkBaseUrl, resolveSettings } from "../provider/config";
import { ProxySessionProvider } from "../provider/internal";

const creds = { TWILIO_ACCOUNT_SID: "AC" + "1".repeat(32), TWILIO_AUTH_TOKEN: "envtoken" };

describe("the base URL", () => {
  it.for([
    "https://proxy.twilio.com",
    "https://proxy.twilio.com/",
    "https://proxy.sydney.au1.twilio.com",
    "https://twilio-gateway.example.com:8443",
    "http://127.0.0.1:4010",
    "http://localhost:4010/",
    "http://[::1]:4010",
  ])("accepts %s", (url) => {
    expect(checkBaseUrl(url)).toBe(url.replace(/\/$/, ""));
  });

  it.for([
    ["https://proxy.twilio.com/v1", /must have no path or query/],
    ["https://proxy.twilio.com/v1/", /must have no path or query/],
    ["http://127.0.0.1:4010/v1/Services", /must have no path or query/],
    ["https://proxy.twilio.com?x=1", /must have no path or query/],
    ["http://proxy.example.com", /must use https:\/\/ for any host but this machine/],
    ["http://10.0.0.7:4010", /must use https:\/\/ for any host but this machine/],
    ["ftp://proxy.twilio.com", /must be an http\(s\) URL/],
    ["proxy.twilio.com", /must be an http\(s\) URL/],
  ] as const)("refuses %s, naming the key and the form expected", ([url, why]) => {
    const err = (() => {
      try {
        checkBaseUrl(url);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toMatch(why);
    expect(err?.message).toContain("twilio-proxy:baseUrl / TWILIO_PROXY_BASE_URL");
    expect(err?.message).toContain("https://proxy.twilio.com");
    expect(err?.message).toContain(`got "${url}"`);
  });

  it("never shows a password written into the URL", () => {
    const err = (() => {
      try {
        checkBaseUrl("https://user:s3cr3t@proxy.twilio.com");
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toMatch(
      /must not carry credentials .*, got "https:\/\/…@proxy.twilio.com"/,
    );
    expect(err?.message).not.toContain("s3cr3t");
  });

  it("is checked from the environment and from stack config", () => {
    const env = { ...creds, TWILIO_PROXY_BASE_URL: "https://proxy.twilio.com/v1" };
    expect(() => resolveSettings(undefined, env)).toThrow(/must have no path/);
    const config = (key: string) =>
      key === "twilio-proxy:baseUrl" ? "http://proxy.example.com" : undefined;
    expect(() => resolveSettings(config, creds)).toThrow(/must use https:\/\//);
  });

  it("is refused at configure, before any resource is read or deleted", async () => {
    const provider = new ProxySessionProvider({
      env: { ...creds, TWILIO_PROXY_BASE_URL: "http://127.0.0.1:9/v1" },
    });
    const config = { get: () => undefined } as never;
    await expect(provider.configure({ config } as never)).rejects.toThrow(
      /twilio-proxy:baseUrl \/ TWILIO_PROXY_BASE_URL must have no path/,
    );
  });
});
