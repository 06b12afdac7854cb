// Mapping between Twilio's wire Session and the resource's outputs and inputs.
import { sameInstant } from "./dates";
import { isActive } from "./diff";
import {
  DECLARABLE_KEYS,
  type DeclaredInputs,
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

export function toOutputs(s: TwilioSession, declared: DeclaredInputs): ProxySessionOutputs {
  return { ...toSessionState(s), participants: declared.participants ?? [], declared };
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
  const declared: DeclaredInputs = outs.declared ?? { serviceSid: outs.serviceSid };
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
