import type { Credentials } from "./auth";
import { Clock } from "./clock";
import { FaultInjector, type FaultConfig } from "./faults";
import { ReadingSwitches, type ReadingId } from "./readings";
import { RequestRecorder } from "./request-log";
import { Store } from "./store";

/** Everything one emulator instance owns; routes receive it instead of reaching for globals. */
export interface EmulatorState {
  /** The credentials accepted now: the control API can rotate secrets, as an account owner does. */
  credentials: Credentials;
  startCredentials: Readonly<Credentials>;
  serviceSid: string;
  clock: Clock;
  store: Store;
  faults: FaultInjector;
  recorder: RequestRecorder;
  readings: ReadingSwitches;
}

export function createState(
  credentials: Credentials,
  serviceSid: string,
  faults: FaultConfig,
  alternatives: readonly ReadingId[] = [],
  now?: () => number,
): EmulatorState {
  const clock = new Clock(now);
  const readings = new ReadingSwitches(alternatives);
  return {
    credentials: { ...credentials },
    startCredentials: credentials,
    serviceSid,
    clock,
    store: new Store(clock, credentials.accountSid, serviceSid, readings),
    faults: new FaultInjector(faults),
    recorder: new RequestRecorder(),
    readings,
  };
}

/**
 * Back to the state right after start, minus the faults given at start (tests want a clean
 * slate), but with the readings given at start: they describe which Twilio is being emulated.
 */
export function resetState(state: EmulatorState): void {
  state.store.reset();
  state.clock.reset();
  state.faults.reset();
  state.recorder.reset();
  state.readings.reset();
  Object.assign(state.credentials, state.startCredentials);
}
