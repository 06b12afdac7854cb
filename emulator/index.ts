import {
  DEFAULT_ACCOUNT_SID,
  DEFAULT_API_KEY_SECRET,
  DEFAULT_API_KEY_SID,
  DEFAULT_AUTH_TOKEN,
  DEFAULT_SERVICE_SID,
} from "./ids";
import type { FaultConfig } from "./faults";
import { checkReadingIds, type ReadingId } from "./readings";
import { readingsFromFile } from "./readings-from";
import { createEmulatorServer } from "./server";
import { createState } from "./state";

export type { FaultConfig, FaultCounters, FaultKind, InjectedKind } from "./faults";
export { validateFaultConfig } from "./faults";
export type {
  ControlClockResponse,
  ControlFaultsResponse,
  ControlReadingsPatch,
  ControlReadingsResponse,
  ControlRequestLogResponse,
  ControlRequestsResponse,
  ControlServiceJson,
  ControlSessionPatch,
  ControlSessionsResponse,
} from "./control-routes";
export type { OperationId, RequestCounts, RequestLogEntry } from "./request-log";
export { OPERATIONS } from "./request-log";
export type { Reading, ReadingId, ReadingPosition, ReadingState } from "./readings";
export { READINGS } from "./readings";
export type { ReadingsFromRun } from "./readings-from";
export type { ControlSessionJson, ParticipantJson, SessionJson } from "./serialize";
export type { TwilioErrorBody } from "./errors";
export {
  DEFAULT_ACCOUNT_SID,
  DEFAULT_API_KEY_SECRET,
  DEFAULT_API_KEY_SID,
  DEFAULT_AUTH_TOKEN,
  DEFAULT_SERVICE_SID,
};

/** How to start an emulator. */
export interface EmulatorOptions {
  /** The address to bind; default 127.0.0.1. */
  host?: string;
  /** The port to listen on; default 0 = any free port. */
  port?: number;
  /** Faults to inject from the start (429s, 5xx, resets, latency, a concurrency limit...). */
  faults?: FaultConfig;
  /** Readings switched to their alternative (emulator/readings.ts); all others are the default. */
  alternatives?: ReadingId[];
  /**
   * Instead of `alternatives`: the `--json` file of a conformance run (`npm run conformance`),
   * whose readings set every switch, so the emulator behaves as that account did; switches the
   * run did not observe keep the default. A row that read "neither" is refused by name.
   */
  readingsFrom?: string;
  /** Time source in epoch ms (default Date.now); the control API adds its offset on top. */
  now?: () => number;
}

/** A started emulator: where it listens and the credentials it accepts. */
export interface RunningEmulator {
  /** e.g. "http://127.0.0.1:4010": no trailing slash, no /v1. */
  baseUrl: string;
  /** The port it listens on. */
  port: number;
  /** The account SID (AC...), with `authToken` one accepted credential pair. */
  accountSid: string;
  /** The auth token (until rotated through the control API). */
  authToken: string;
  /** An API key SID (SK...), with `apiKeySecret` the other accepted pair. */
  apiKeySid: string;
  /** The API key's secret. */
  apiKeySecret: string;
  /** The seeded Service; it survives /__emulator/reset with the same SID. */
  serviceSid: string;
  /** Stops listening and drops every connection, hung requests included. */
  close(): Promise<void>;
}

/** A wildcard bind address is not something a client can connect to; point at loopback instead. */
function connectableHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * Starts a Twilio Proxy emulator in this process: Sessions and Participants of Proxy v1, a
 * seeded Service, fixed test credentials, and a control API under `/__emulator/`.
 */
export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = opts.host ?? "127.0.0.1";
  const credentials = {
    accountSid: DEFAULT_ACCOUNT_SID,
    authToken: DEFAULT_AUTH_TOKEN,
    apiKeySid: DEFAULT_API_KEY_SID,
    apiKeySecret: DEFAULT_API_KEY_SECRET,
  };
  if (opts.readingsFrom !== undefined && (opts.alternatives?.length ?? 0) > 0) {
    throw new TypeError("give alternatives or readingsFrom, not both");
  }
  const alternatives =
    opts.readingsFrom === undefined
      ? checkReadingIds(opts.alternatives ?? [])
      : readingsFromFile(opts.readingsFrom).alternatives;
  const state = createState(
    credentials,
    DEFAULT_SERVICE_SID,
    opts.faults ?? {},
    alternatives,
    opts.now,
  );
  const server = createEmulatorServer(state);
  const address = await server.listen(host, opts.port ?? 0);
  return {
    baseUrl: `http://${connectableHost(host)}:${address.port}`,
    port: address.port,
    ...credentials,
    serviceSid: DEFAULT_SERVICE_SID,
    close: () => server.close(),
  };
}
