// Mapping between Twilio's wire Session and the resource's outputs and inputs.
import { isDeepStrictEqual } from "node:util";
import { sameInstant } from "./dates";
import { isActive } from "./diff";
import { inDeclaredForm, inDeclaredOrder, type ParticipantsKnown } from "./participants";
import {
  DECLARABLE_KEYS,
  type DeclaredInputs,
  type DeclaredRecord,
  type ProxySessionInputs,
  type ProxySessionOutputs,
  type ProxySessionState,
  type SessionCreateForm,
  type TwilioSession,
} from "./types";

/** Twilio's wire Session in camelCase. */
export function toSessionState(s: TwilioSession): ProxySessionState {
  return {
    sid: s.sid,
    serviceSid: s.service_sid,
    accountSid: s.account_sid,
    uniqueName: s.unique_name,
    mode: s.mode,
    status: s.status,
    ttl: s.ttl,
    dateExpiry: s.date_expiry,
    dateStarted: s.date_started,
    dateEnded: s.date_ended,
    dateLastInteraction: s.date_last_interaction,
    closedReason: s.closed_reason,
    dateCreated: s.date_created,
    dateUpdated: s.date_updated,
    url: s.url,
    links: s.links,
  };
}

/** `participants`: as far as Twilio's lists and this provider's changes tell; else declared. */
export function toOutputs(
  s: TwilioSession,
  declared: DeclaredInputs,
  participants?: ParticipantsKnown,
): ProxySessionOutputs {
  return withDeclared(toSessionState(s), declared, participants);
}

/** A live session as outputs hold it (earlier outputs may still carry `links`). */
type OutputState = Omit<ProxySessionState, "links"> & Partial<ProxySessionState>;

/** The outputs: the live state, the participants and the record of the declaration. */
export function withDeclared(
  state: OutputState,
  declared: DeclaredInputs,
  participants: ParticipantsKnown = { current: declared.participants ?? [], removed: [] },
): ProxySessionOutputs {
  const outs: Omit<ProxySessionOutputs, "__declared"> & Partial<ProxySessionState> = {
    ...state,
    participants: inDeclaredOrder(declared.participants, participants.current),
  };
  // Twilio's links are the URL plus a suffix: the resource derives them (resource.ts) rather
  // than store them, since every byte of state is rewritten after every step of an operation.
  delete outs.links;
  // `state` may be earlier outputs: what they knew of removed participants is in `participants`.
  delete outs.removedParticipants;
  // 0.1.x kept the record under a name the CLI displays.
  delete outs.declared;
  if (participants.removed.length > 0) outs.removedParticipants = participants.removed;
  const record: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(declared)) {
    // serviceSid is always declared, and refresh takes the live one.
    if (key === "serviceSid" || value === undefined) continue;
    record[key] = isDeepStrictEqual(value, outs[key as keyof typeof outs]) ? true : value;
  }
  return { ...outs, __declared: record as DeclaredRecord };
}

/**
 * The declaration that outputs record (`true` stands for the output of the same name), under
 * `__declared`, or `declared` in state written by 0.1.x. State written before either existed
 * records only the service and the participants.
 */
export function declaredIn(outs: ProxySessionOutputs): DeclaredInputs {
  const recorded = outs.__declared ?? outs.declared;
  if (!recorded) return { serviceSid: outs.serviceSid, participants: outs.participants };
  const declared: Record<string, unknown> = { serviceSid: outs.serviceSid };
  for (const [key, value] of Object.entries(recorded)) {
    if (key === "serviceSid") continue;
    declared[key] = value === true ? outs[key as keyof ProxySessionOutputs] : value;
  }
  return declared as unknown as DeclaredInputs;
}

/** The declaration, without the engine's `__provider` or the create-time `adopt`. */
export function declaredOf(inputs: ProxySessionInputs): DeclaredInputs {
  const declared: Record<string, unknown> = {};
  for (const key of DECLARABLE_KEYS) {
    if (key !== "adopt" && inputs[key] !== undefined) declared[key] = inputs[key];
  }
  return declared as unknown as DeclaredInputs;
}

/**
 * The inputs that reproduce the live session, limited to what the stack declared, so that a
 * refresh followed by a preview shows only real drift (and `--diff` shows it as such). Values
 * the diff treats as equal keep their declared form: a declared `open` session that is live
 * `in-progress`, a dateExpiry written with an offset.
 */
export function inputsFromLive(outs: ProxySessionOutputs): DeclaredInputs {
  const declared = declaredIn(outs);
  const inputs: DeclaredInputs = { ...declared, serviceSid: outs.serviceSid };
  if (declared.uniqueName !== undefined && outs.uniqueName !== null) {
    inputs.uniqueName = outs.uniqueName;
  }
  if (declared.mode !== undefined) inputs.mode = outs.mode;
  if (declared.ttl !== undefined) inputs.ttl = outs.ttl;
  if (declared.dateExpiry !== undefined && !sameInstant(declared.dateExpiry, outs.dateExpiry)) {
    if (outs.dateExpiry === null) delete inputs.dateExpiry;
    else inputs.dateExpiry = outs.dateExpiry;
  }
  if (declared.status !== undefined && !(isActive(declared.status) && isActive(outs.status))) {
    inputs.status = outs.status as DeclaredInputs["status"];
  }
  if (declared.participants !== undefined) {
    inputs.participants = inDeclaredForm(declared.participants, outs.participants);
  }
  return inputs;
}

/** Every create-time field a declaration sets, as CreateSession's form. */
export function createForm(inputs: ProxySessionInputs): SessionCreateForm {
  return {
    UniqueName: inputs.uniqueName,
    Mode: inputs.mode,
    Ttl: inputs.ttl,
    DateExpiry: inputs.dateExpiry,
    Status: inputs.status,
    Participants: inputs.participants?.length ? inputs.participants : undefined,
  };
}
