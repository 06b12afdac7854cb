// Mapping between Twilio's wire Session and the resource's outputs and inputs.
import {
  DECLARABLE_KEYS,
  type DeclarableKey,
  type ParticipantArgs,
  type ProxySessionInputs,
  type ProxySessionOutputs,
  type SessionCreateForm,
  type TwilioSession,
} from "./types";

export function toOutputs(
  s: TwilioSession,
  participants: ParticipantArgs[],
  declaredInputs: DeclarableKey[],
): ProxySessionOutputs {
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
    participants,
    declaredInputs,
  };
}

/** The input names a declaration uses (never the engine's own `__provider`). */
export function declaredKeys(inputs: ProxySessionInputs): DeclarableKey[] {
  return DECLARABLE_KEYS.filter((k) => inputs[k] !== undefined && k !== "adopt");
}

/**
 * The inputs that reproduce the live session, limited to what the stack declared, so that a
 * refresh followed by a preview shows only real drift (and `--diff` shows it as such).
 */
export function inputsFromLive(outs: ProxySessionOutputs): ProxySessionInputs {
  const inputs: ProxySessionInputs = { serviceSid: outs.serviceSid };
  for (const key of outs.declaredInputs ?? []) {
    const value =
      key === "participants" ? outs.participants : outs[key as keyof ProxySessionOutputs];
    if (value !== null && value !== undefined) {
      (inputs as unknown as Record<string, unknown>)[key] = value;
    }
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
