// Participants: how the declared ones compare with Twilio's, and what converging them takes.
// Twilio has no participant update, so a participant whose declared fields changed is removed
// and added again; a session has at most two, so removals always come before additions.
import type { Participant, ParticipantState, TwilioParticipant } from "./types";

/** The most participants a session can have: 80609 beyond. */
export const MAX_PARTICIPANTS = 2;

/** The fields a declaration may set besides the identifier; only declared ones are compared. */
const OPTIONAL_FIELDS = ["friendlyName", "proxyIdentifier", "proxyIdentifierSid"] as const;

/** Twilio's participant in the outputs' shape, without the fields it reports as null. */
export function toParticipantState(p: TwilioParticipant): ParticipantState {
  const state: ParticipantState = { sid: p.sid, identifier: p.identifier ?? "" };
  if (p.friendly_name !== null) state.friendlyName = p.friendly_name;
  if (p.proxy_identifier !== null) state.proxyIdentifier = p.proxy_identifier;
  if (p.proxy_identifier_sid !== null) state.proxyIdentifierSid = p.proxy_identifier_sid;
  return state;
}

/** A session's participants as far as they are known: current ones, and those removed. */
export interface ParticipantsKnown {
  current: ParticipantState[];
  removed: string[];
}

/**
 * What Twilio's list says, with what was known before: Twilio may list removed participants
 * (soft-deleted, `date_deleted` set) or leave them out, so one known before that is no longer
 * current was removed either way.
 */
export function fromListing(
  listed: TwilioParticipant[],
  before: ParticipantsKnown = { current: [], removed: [] },
): ParticipantsKnown {
  const current = listed.filter((p) => p.date_deleted === null).map(toParticipantState);
  const isCurrent = (identifier: string) => current.some((p) => p.identifier === identifier);
  const removed = [
    ...before.removed,
    ...listed.filter((p) => p.date_deleted !== null).map((p) => p.identifier ?? ""),
    ...before.current.map((p) => p.identifier),
  ].filter((id) => !isCurrent(id));
  return { current, removed: [...new Set(removed)] };
}

/** A live participant is the declared one when every field the declaration sets is the same. */
export function matches(declared: Participant, live: Participant): boolean {
  return (
    declared.identifier === live.identifier &&
    OPTIONAL_FIELDS.every((k) => declared[k] === undefined || declared[k] === live[k])
  );
}

/** Pairs each declared participant with a distinct live one it matches, in order. */
function pair(declared: Participant[], live: ParticipantState[]) {
  const taken = new Set<number>();
  const partner = declared.map((d) => {
    const i = live.findIndex((l, j) => !taken.has(j) && matches(d, l));
    if (i >= 0) taken.add(i);
    return i;
  });
  return { partner, taken };
}

export interface ParticipantChanges {
  /** Live participants that no declared one matches, to remove first. */
  remove: ParticipantState[];
  /** Declared participants that no live one matches, to add after the removals. */
  add: Participant[];
}

export function participantChanges(
  declared: Participant[],
  live: ParticipantState[],
): ParticipantChanges {
  const { partner, taken } = pair(declared, live);
  return {
    remove: live.filter((_, j) => !taken.has(j)),
    add: declared.filter((_, i) => partner[i] < 0),
  };
}

export const hasChanges = (c: ParticipantChanges) => c.remove.length > 0 || c.add.length > 0;

/**
 * The live participants in the one order the engine ever sees (outputs, and refresh's inputs):
 * the declared order, each declared participant taking the live one with its identifier (the
 * one that matches every declared field first), then any undeclared ones by identifier and SID.
 * Twilio's list order is undocumented (the emulator's participantListOrder reading), so a
 * listing never reorders what the stack shows.
 */
export function inDeclaredOrder<T extends ParticipantState>(
  declared: readonly Participant[] | undefined,
  live: readonly T[],
): T[] {
  const rest = [...live];
  const ordered: T[] = [];
  for (const d of declared ?? []) {
    let i = rest.findIndex((l) => matches(d, l));
    if (i < 0) i = rest.findIndex((l) => l.identifier === d.identifier);
    if (i >= 0) ordered.push(...rest.splice(i, 1));
  }
  const key = (p: ParticipantState) => `${p.identifier}\u0000${p.sid ?? ""}`;
  rest.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return [...ordered, ...rest];
}

/**
 * The live participants written as the stack declares them, for refresh's inputs, in declared
 * order: a live one that matches a declared one keeps the declared form (no spurious diff); any
 * other shows its identifier and the fields Twilio reports, so `preview --diff` names the drift.
 */
export function inDeclaredForm(declared: Participant[], listed: ParticipantState[]): Participant[] {
  const live = inDeclaredOrder(declared, listed);
  const { partner } = pair(declared, live);
  return live.map((l, j) => {
    const i = partner.indexOf(j);
    if (i >= 0) return declared[i];
    const fields: Participant = { identifier: l.identifier };
    for (const k of OPTIONAL_FIELDS) if (l[k] !== undefined) fields[k] = l[k];
    return fields;
  });
}

/**
 * Why the changes cannot be made in place, or undefined when they can. Twilio does not add a
 * removed participant again (OpenAPI: DeleteParticipant is a soft delete, "cannot be
 * re-added"), and whether removed participants still take one of the two places is
 * unverified: the provider assumes they do, so that it is right on either Twilio.
 */
export function inPlaceObstacle(
  changes: ParticipantChanges,
  known: ParticipantsKnown,
): string | undefined {
  const again = changes.add.find((p) => known.removed.includes(p.identifier));
  if (again) {
    return (
      `participant ${again.identifier} was removed from the session, and Twilio does not add ` +
      `a removed participant again`
    );
  }
  const places = known.current.length + known.removed.length + changes.add.length;
  if (changes.add.length > 0 && places > MAX_PARTICIPANTS) {
    return (
      `adding ${changes.add.map((p) => p.identifier).join(" and ")} needs a place, and a ` +
      `session holds ${MAX_PARTICIPANTS} participants, removed ones included (Twilio keeps them)`
    );
  }
  return undefined;
}
