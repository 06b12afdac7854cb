// diff: a pure function of what the stack declares and the last known live state.
import type { DiffResult } from "@pulumi/pulumi/dynamic";
import { sameInstant } from "./dates";
import type {
  DeclaredStatus,
  ParticipantArgs,
  ProxySessionInputs,
  ProxySessionOutputs,
  SessionStatus,
  SessionUpdateForm,
} from "./types";
import { isUnknown } from "./unknown";

/** Fields Twilio cannot change on an existing session. */
export const REPLACE_FIELDS = ["serviceSid", "uniqueName", "mode", "participants"] as const;
/** Fields Twilio's UpdateSession changes in place. */
export const UPDATE_FIELDS = ["ttl", "dateExpiry", "status"] as const;

type Live = Partial<ProxySessionOutputs>;

/** A session becomes in-progress by being used; both statuses mean "active". */
export function isActive(status: SessionStatus | null | undefined): boolean {
  return status === "open" || status === "in-progress";
}

function statusDrifted(declared: DeclaredStatus, live: SessionStatus | undefined): boolean {
  return declared === "closed" ? live !== "closed" : !isActive(live);
}

function sameParticipants(a: ParticipantArgs[] = [], b: ParticipantArgs[] = []): boolean {
  const canon = (ps: ParticipantArgs[]) =>
    JSON.stringify(
      ps.map((p) => [p.identifier, p.friendlyName, p.proxyIdentifier, p.proxyIdentifierSid]),
    );
  return canon(a) === canon(b);
}

/** The create-only fields whose declared value differs from the live session. */
export function replacedFields(live: Live, news: ProxySessionInputs): string[] {
  const differs: Record<(typeof REPLACE_FIELDS)[number], () => boolean> = {
    serviceSid: () => news.serviceSid.toLowerCase() !== (live.serviceSid ?? "").toLowerCase(),
    uniqueName: () => news.uniqueName !== live.uniqueName,
    mode: () => news.mode !== live.mode,
    participants: () => !sameParticipants(news.participants, live.participants),
  };
  return REPLACE_FIELDS.filter((key) => {
    if (news[key] === undefined) return false;
    return isUnknown(news[key]) || differs[key]();
  });
}

/**
 * The in-place fields whose declared value differs from the live session, as the form
 * UpdateSession needs to converge them. Undeclared fields never appear. Unknown values
 * (preview) appear as themselves: they are changes whose value is not known yet.
 */
export function updateForm(live: Live, news: ProxySessionInputs): SessionUpdateForm {
  const form: SessionUpdateForm = {};
  if (news.ttl !== undefined && (isUnknown(news.ttl) || news.ttl !== live.ttl)) {
    form.Ttl = news.ttl;
  }
  if (
    news.dateExpiry !== undefined &&
    (isUnknown(news.dateExpiry) || !sameInstant(news.dateExpiry, live.dateExpiry))
  ) {
    form.DateExpiry = news.dateExpiry;
  }
  if (news.status !== undefined) {
    if (isUnknown(news.status)) form.Status = news.status;
    else if (statusDrifted(news.status, live.status)) {
      // Twilio re-opens a closed session only through `in-progress`.
      form.Status = news.status === "closed" ? "closed" : "in-progress";
    }
  }
  // Twilio refuses to change a closed session except by re-opening it (80607), and a closed
  // session's ttl and dateExpiry no longer matter: while it stays closed, they cannot drift.
  if (live.status === "closed" && form.Status === undefined) {
    delete form.Ttl;
    delete form.DateExpiry;
  }
  return form;
}

export function diffSession(live: Live, news: ProxySessionInputs): DiffResult {
  const replaces = replacedFields(live, news);
  const updates = Object.keys(updateForm(live, news));
  // Unique names are unique per Service: a replacement in the same Service that keeps its
  // name must delete the old session first, or Twilio answers 80603.
  const keepsName =
    news.uniqueName !== undefined &&
    (isUnknown(news.uniqueName) || news.uniqueName === live.uniqueName);
  const sameService = !replaces.includes("serviceSid") || isUnknown(news.serviceSid);
  return {
    changes: replaces.length > 0 || updates.length > 0,
    replaces,
    deleteBeforeReplace: replaces.length > 0 && keepsName && sameService,
  };
}
