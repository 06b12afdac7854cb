export { ProxySession } from "./resource";
export type {
  Participant,
  ParticipantArgs,
  ParticipantState,
  ProxySessionArgs,
  ProxySessionInputs,
  ProxySessionOutputs,
  ProxySessionState,
  SessionMode,
  SessionStatus,
  DeclaredStatus,
  TwilioSession,
  TwilioSessionPage,
} from "./types";
export { ProxySessionProvider, type ProviderOptions } from "./provider";
export { providerModule } from "./stub";
export { checkInputs } from "./check";
export { diffSession } from "./diff";
export { TwilioProxyClient, type ClientOptions, type RetryEvent } from "./client";
export { resolveSettings, type TwilioSettings } from "./config";
export {
  TwilioProxyError,
  TwilioRequestError,
  TwilioApiError,
  TwilioNetworkError,
  ProviderConfigError,
  SessionConflictError,
} from "./errors";
export * from "./lookup";
