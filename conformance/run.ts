// One conformance run: a check that the credentials and Service work, then every probe in turn,
// deleting what each created before the next starts, then the rows read from all answers.
import { randomBytes } from "node:crypto";
import { CreatedSessions } from "./created-sessions";
import { Interrupted, NotObserved, ProbeContext, type Probe, type RunState } from "./probe";
import { observeAnswers } from "./probes/answers";
import { errorsProbe } from "./probes/errors";
import { pagingProbe } from "./probes/paging";
import {
  closedSessionParticipantsProbe,
  duplicateIdentifierProbe,
  participantKeyCasingProbe,
  participantResourceProbe,
  participantsOnCreateProbe,
} from "./probes/participants";
import {
  emptyValuesProbe,
  namesInUseProbe,
  newSessionProbe,
  uniqueNameAddressingProbe,
  updatesProbe,
} from "./probes/sessions";
import { ROWS, seen, type Observation, type RowId, type RowResult } from "./rows";
import { describe, isSuccess, RunFailure, type Transport } from "./transport";

/** Participant probes last, the resource probe first of them: it finds out whether test numbers work. */
export const PROBES: readonly Probe[] = [
  errorsProbe,
  newSessionProbe,
  uniqueNameAddressingProbe,
  namesInUseProbe,
  emptyValuesProbe,
  updatesProbe,
  pagingProbe,
  participantResourceProbe,
  duplicateIdentifierProbe,
  closedSessionParticipantsProbe,
  participantsOnCreateProbe,
  participantKeyCasingProbe,
];

/** Every session the run creates has a unique name starting with this. */
export const NAME_PREFIX = "pulumi-twilio-proxy-conformance-";

/** The fixed prefix, then a random part that sets this run's sessions apart from any other's. */
export function newRunPrefix(): string {
  return `${NAME_PREFIX}${randomBytes(4).toString("hex")}-`;
}

/** The most the run creates: what it announces before it starts. */
export function totalBudget(): { sessions: number; participants: number } {
  return PROBES.reduce(
    (sum, p) => ({
      sessions: sum.sessions + p.budget.sessions,
      participants: sum.participants + p.budget.participants,
    }),
    { sessions: 0, participants: 0 },
  );
}

export interface RunResult {
  rows: RowResult[];
  /** Why the run itself failed (exit status 2): credentials, network, interruption. */
  failure?: string;
  /** Sessions the run created and could not delete. */
  left: string[];
  requests: number;
}

export interface RunOptions {
  prefix: string;
  interrupted: () => boolean;
  progress: (line: string) => void;
  /** Told about the tracker, so that a second Ctrl-C can say what may remain. */
  sessions?: CreatedSessions;
}

export async function runConformance(
  transport: Transport,
  options: RunOptions,
): Promise<RunResult> {
  const sessions = options.sessions ?? new CreatedSessions(transport);
  const observations = new Map<RowId, Observation>();
  const state: RunState = {};
  let failure: string | undefined;
  try {
    await checkAccess(transport);
    for (const probe of PROBES) {
      if (options.interrupted()) throw new Interrupted("interrupted");
      options.progress(probe.title);
      const ctx = new ProbeContext(
        probe,
        transport,
        sessions,
        options.prefix,
        options.interrupted,
        observations,
        state,
      );
      try {
        await probe.run(ctx);
      } catch (err) {
        if (!(err instanceof NotObserved)) throw err;
        for (const row of probe.rows) {
          if (!observations.has(row)) observations.set(row, seen.nothing(err.message));
        }
      } finally {
        // What fails to go here is tried again at the end, and reported then.
        await sessions.deleteAll();
      }
    }
  } catch (err) {
    failure =
      err instanceof RunFailure || err instanceof Interrupted
        ? err.message
        : `unexpected: ${(err as Error).stack ?? String(err)}`;
  }
  const left = await sessions.deleteAll();
  for (const [row, observation] of observeAnswers(transport.answers, transport.throttles)) {
    observations.set(row, observation);
  }
  const rows = ROWS.map((spec): RowResult => {
    const observation =
      observations.get(spec.id) ??
      ("notObservable" in spec
        ? { observed: spec.notObservable, agrees: "not observable" }
        : seen.nothing(failure === undefined ? "not reached" : "the run stopped before"));
    return { ...spec, ...observation };
  });
  return { rows, failure, left, requests: transport.answers.length };
}

/** One list request: wrong credentials or a wrong Service end the run before anything is made. */
async function checkAccess(transport: Transport): Promise<void> {
  const answer = await transport.send({ method: "GET", path: "Sessions?PageSize=1" });
  if (isSuccess(answer)) return;
  const said = `${describe(answer)} ${answer.message ?? ""}`.trim();
  if (answer.status === 401 || answer.status === 403) {
    throw new RunFailure(`the credentials were refused (${said})`);
  }
  if (answer.status === 404) {
    throw new RunFailure(`no such Service: TWILIO_PROXY_SERVICE_SID (${said})`);
  }
  throw new RunFailure(`listing the Service's sessions failed (${said})`);
}

/** 0: every observed reading is one the emulator has; 1: one is not; 2: the run failed. */
export function exitStatus(result: RunResult): 0 | 1 | 2 {
  if (result.failure !== undefined) return 2;
  return result.rows.some((r) => r.agrees === "neither") ? 1 : 0;
}
