// What state keeps of a session's outputs: what cannot be derived. The engine rewrites the whole
// state after every step of an operation, so each byte is paid for N times per step.
//
// Derived, not stored: `sid` (the resource id) and the path of `url` (the API's origin followed
// by the Service's and the session's SIDs, wherever Twilio's URL is exactly that: the origin is
// kept, since the host depends on region, edge and the emulator). The provider puts them back
// when the engine hands it state (fromStored); the resource does the same for the program
// (resource.ts). Values left out of state would read as unknown in every preview (the SDK
// resolves a missing output as unknown in a dry run), so nothing else is dropped.
import { sessionPath } from "./client";
import type { ProxySessionOutputs } from "./types";

/** The outputs as state holds them; state of earlier versions still has `sid` and a full `url`. */
export type StoredOutputs = Omit<ProxySessionOutputs, "sid"> & { sid?: string };

/** The URL Twilio gives a session: its API origin (`https://proxy.twilio.com`) and its path. */
const sessionUrl = (origin: string, serviceSid: string, sid: string) =>
  `${origin}${sessionPath(serviceSid, sid)}`;

/** The session's URL from what state holds: an origin alone stands for the session's URL. */
export function urlFromStored(stored: string | null, serviceSid: string, sid: string) {
  return stored !== null && originOf(stored) === stored
    ? sessionUrl(stored, serviceSid, sid)
    : stored;
}

/**
 * Outputs as state keeps them. `fullForm` keeps what earlier versions stored (`sid`, the whole
 * `url`): a refresh of their state then rewrites nothing the CLI would show as a change.
 */
export function toStored(outs: ProxySessionOutputs, fullForm = false): StoredOutputs {
  if (fullForm) return outs;
  const { sid, ...stored } = outs;
  const origin = outs.url === null ? null : originOf(outs.url);
  if (origin !== null && outs.url === sessionUrl(origin, outs.serviceSid, sid)) {
    stored.url = origin;
  }
  return stored;
}

/** The outputs from what state holds, `sid` and `url` put back. */
export function fromStored(id: string, stored: StoredOutputs): ProxySessionOutputs {
  return { ...stored, sid: id, url: urlFromStored(stored.url, stored.serviceSid, id) };
}

/** Whether an earlier version wrote this state, in the full form: it holds `sid`. */
export function isFullForm(stored: StoredOutputs): boolean {
  return stored.sid !== undefined;
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}
