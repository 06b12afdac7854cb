import type { Credentials } from "./auth";
import { Clock } from "./clock";
import { FaultInjector, type FaultConfig } from "./faults";
import { RequestRecorder } from "./request-log";
import { Store } from "./store";

/** Everything one emulator instance owns; routes receive it instead of reaching for globals. */
export interface EmulatorState {
  credentials: Credentials;
  serviceSid: string;
  clock: Clock;
  store: Store;
  faults: FaultInjector;
  recorder: RequestRecorder;
}

export function createState(
  credentials: Credentials,
  serviceSid: string,
  faults: FaultConfig,
  now?: () => number,
): EmulatorState {
  const clock = new Clock(now);
  return {
    credentials,
    serviceSid,
    clock,
    store: new Store(clock, credentials.accountSid, serviceSid),
    faults: new FaultInjector(faults),
    recorder: new RequestRecorder(),
  };
}

/** Back to the state right after start, minus the faults given at start: tests want a clean slate. */
export function resetState(state: EmulatorState): void {
  state.store.reset();
  state.clock.reset();
  state.faults.reset();
  state.recorder.reset();
}
