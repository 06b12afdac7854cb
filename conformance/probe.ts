// What a probe is and what it may do: a few requests that reveal which reading the server takes
// for some rows. A probe creates sessions only through its context, which holds it to the budget
// it declares (the run announces the sum up front) and to the run's name prefix.
import type { CreatedSessions } from "./created-sessions";
import type { Observation, RowId } from "./rows";
import {
  describe,
  isSuccess,
  type Answer,
  type Form,
  type Request,
  type Transport,
} from "./transport";

export interface Probe {
  title: string;
  rows: RowId[];
  /** The most sessions (create requests) and participants it may create. */
  budget: { sessions: number; participants: number };
  run(ctx: ProbeContext): Promise<void>;
}

/** A setup step went otherwise than planned: the probe's remaining rows are not observed. */
export class NotObserved extends Error {}

/** The user pressed Ctrl-C: no further probe request goes out. */
export class Interrupted extends Error {}

/**
 * Twilio's test numbers (https://www.twilio.com/docs/iam/test-credentials, magic inputs): no
 * phone answers them. They are the only identifiers the run ever gives a participant.
 */
export const TEST_NUMBERS = ["+15005550006", "+15005550009", "+15005550002"] as const;

/** What the probes share across the run. */
export interface RunState {
  /** Why the server refused a test-number participant: later participant probes skip. */
  participantRefusal?: string;
}

export class ProbeContext {
  private sessionsCreated = 0;
  private participantsCreated = 0;

  constructor(
    private readonly probe: Probe,
    private readonly transport: Transport,
    private readonly sessions: CreatedSessions,
    private readonly prefix: string,
    private readonly interrupted: () => boolean,
    private readonly observations: Map<RowId, Observation>,
    readonly state: RunState,
  ) {}

  get serviceSid(): string {
    return this.transport.target.serviceSid;
  }

  /** The server's origin, e.g. https://proxy.twilio.com. */
  get origin(): string {
    return new URL(this.transport.target.baseUrl).origin;
  }

  /** A unique name of this run: the fixed prefix, the run's random part, a label. */
  name(label: string): string {
    return `${this.prefix}${label}`;
  }

  send(request: Request): Promise<Answer> {
    if (this.interrupted()) throw new Interrupted("interrupted");
    return this.transport.send(request);
  }

  /** POST Sessions; the session, if made, is deleted when the probe ends. */
  createSession(form: Form): Promise<Answer> {
    if (this.interrupted()) throw new Interrupted("interrupted");
    this.spend("sessions", 1);
    this.spend("participants", countParticipants(form));
    return this.sessions.create(form);
  }

  addParticipant(sessionSid: string, form: Form): Promise<Answer> {
    this.spend("participants", 1);
    return this.send({ method: "POST", path: `Sessions/${sessionSid}/Participants`, form });
  }

  deleteSession(sid: string): Promise<Answer> {
    if (this.interrupted()) throw new Interrupted("interrupted");
    return this.sessions.delete(sid);
  }

  observe(row: RowId, observation: Observation): void {
    if (!this.probe.rows.includes(row)) {
      throw new Error(`${this.probe.title}: row ${row} not declared`);
    }
    this.observations.set(row, observation);
  }

  /** Stops the probe (its unobserved rows read "not observed") unless the step succeeded. */
  expectSuccess(answer: Answer, step: string): void {
    if (!isSuccess(answer)) {
      throw new NotObserved(`${step}: ${describe(answer)} ${answer.message ?? ""}`.trim());
    }
  }

  private spend(kind: "sessions" | "participants", n: number): void {
    const used =
      kind === "sessions" ? (this.sessionsCreated += n) : (this.participantsCreated += n);
    if (used > this.probe.budget[kind]) {
      throw new Error(`${this.probe.title}: more ${kind} than its declared budget`);
    }
  }
}

/** Participants in a create form: each value is one JSON object or an array of them. */
function countParticipants(form: Form): number {
  return form
    .filter(([key]) => key === "Participants")
    .reduce((n, [, value]) => {
      try {
        const parsed: unknown = JSON.parse(value);
        return n + (Array.isArray(parsed) ? parsed.length : 1);
      } catch {
        return n + 1;
      }
    }, 0);
}
