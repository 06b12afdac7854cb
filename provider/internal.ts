// Not API (`pulumi-twilio-proxy/internal`): the pieces behind ProxySession, for tests and tools
// that drive the provider directly. They may change in any release.
export { ProxySessionProvider, type ProviderOptions } from "./provider";
export { providerModule } from "./stub";
export { checkInputs } from "./check";
export { diffSession } from "./diff";
export { TwilioProxyClient, type ClientOptions, type RetryEvent } from "./client";
export { resolveSettings, type TwilioSettings } from "./config";
export type { ProxySessionInputs, TwilioSession, TwilioSessionPage } from "./types";
