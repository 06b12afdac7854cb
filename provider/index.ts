// The package's API: the resource, the lookup functions and the errors. The provider class, the
// client and the pure rules behind them are in ./internal, which is not API.
export { ProxySession } from "./resource";
export type {
  Participant,
  ParticipantArgs,
  ParticipantState,
  ProxySessionArgs,
  ProxySessionOutputs,
  ProxySessionState,
  SessionMode,
  SessionStatus,
  DeclaredStatus,
} from "./types";
export {
  getProxySession,
  getProxySessionOutput,
  listProxySessions,
  listProxySessionsOutput,
  listUnmanagedSessions,
  findUnmanagedSessions,
  type LookupOptions,
  type GetProxySessionArgs,
  type GetProxySessionOutputArgs,
  type ListProxySessionsArgs,
  type ListProxySessionsOutputArgs,
  type UnmanagedSessionsArgs,
  type FindUnmanagedSessionsArgs,
} from "./lookup";
export {
  TwilioProxyError,
  TwilioRequestError,
  TwilioApiError,
  TwilioNetworkError,
  UnexpectedAnswerError,
  ProviderConfigError,
  LookupArgumentError,
  SessionNotFoundError,
  SessionConflictError,
  PaginationError,
} from "./errors";
