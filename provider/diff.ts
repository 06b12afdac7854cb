// diff: a pure function of what the stack declares and the last known live state.
import type { DiffResult } from "@pulumi/pulumi/dynamic";
import { sameInstant } from "./dates";
import type {
  DeclaredStatus,
  Participant,
  ProxySessionInputs,
  ProxySessionOutputs,
  SessionStatus,
  SessionUpdateForm,
} from "./types";
import {
  hasChanges,
  inPlaceObstacle,
  participantChanges,
  type ParticipantsKnown,
} from "./participants";
import { isUnknown } from "./unknown";

/** Fields Twilio cannot change on an existing session. */
export const REPLACE_FIELDS = ["serviceSid", "uniqueName", "mode"] as const;
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

/** The create-only fields whose declared value differs from the live session. */
export function replacedFields(live: Live, news: ProxySessionInputs): string[] {
  const differs: Record<(typeof REPLACE_FIELDS)[number], () => boolean> = {
    serviceSid: () => news.serviceSid.toLowerCase() !== (live.serviceSid ?? "").toLowerCase(),
    uniqueName: () => news.uniqueName !== live.uniqueName,
    mode: () => news.mode !== live.mode,
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

/**
 * Whether the declared participants differ from the session's (only the fields each declares
 * count); converged in place by removing and adding participants.
 */
export function participantsDrifted(live: Live, news: ProxySessionInputs): boolean {
  const declared = news.participants;
  if (declared === undefined) return false;
  if (notKnownYet(declared)) return true;
  return hasChanges(participantChanges(declared, live.participants ?? []));
}

/** Participants still unknown at preview: the list, one of them, or one of their fields. */
const notKnownYet = (declared: Participant[]) =>
  isUnknown(declared) ||
  declared.some((p) => isUnknown(p) || Object.values(p).some((v) => isUnknown(v)));

/** The participants the last known state has: current ones, and those removed. */
export function knownParticipants(live: Live): ParticipantsKnown {
  return { current: live.participants ?? [], removed: live.removedParticipants ?? [] };
}

/**
 * Why the declared participants cannot be reached in place, so that the session is replaced,
 * or undefined. Twilio changes nothing of a closed session, and the emulator's default reading
 * extends that to its participants; removed participants cannot come back and may keep their
 * place (see inPlaceObstacle).
 */
export function participantsObstacle(live: Live, news: ProxySessionInputs): string | undefined {
  if (!participantsDrifted(live, news)) return undefined;
  if (live.status === "closed" && updateForm(live, news).Status !== "in-progress") {
    return "the session is closed and stays closed, and Twilio changes nothing of a closed session";
  }
  const declared = news.participants!;
  if (notKnownYet(declared)) return undefined;
  const known = knownParticipants(live);
  return inPlaceObstacle(participantChanges(declared, known.current), known);
}

export function diffSession(live: Live, news: ProxySessionInputs): DiffResult {
  const replaces = replacedFields(live, news);
  if (participantsObstacle(live, news) !== undefined) replaces.push("participants");
  const updates = Object.keys(updateForm(live, news));
  if (participantsDrifted(live, news)) updates.push("participants");
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
