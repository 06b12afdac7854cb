import type { InjectedKind } from "./faults";
import type { FormBody } from "./params";

/** The OpenAPI operationIds of the Session and Participant endpoints; counters are keyed by these. */
export const OPERATIONS = [
  "CreateSession",
  "FetchSession",
  "UpdateSession",
  "DeleteSession",
  "ListSession",
  "CreateParticipant",
  "FetchParticipant",
  "DeleteParticipant",
  "ListParticipant",
] as const;
export type OperationId = (typeof OPERATIONS)[number];

export interface RequestLogEntry {
  seq: number;
  /** Wall-clock time the request arrived (not the emulator clock, which tests move). */
  time: string;
  operation: OperationId;
  method: string;
  /** Path as sent, without the query string. */
  path: string;
  query: FormBody;
  form: FormBody;
  /** Username that authenticated, or null when authentication failed. */
  username: string | null;
  /** HTTP status sent, or null while pending or when no answer was sent (hang, reset). */
  status: number | null;
  fault: InjectedKind | null;
}

export interface RequestCounts {
  total: number;
  byOperation: Record<OperationId, number>;
  /** Authenticated Session requests admitted and not yet answered (or dropped). */
  inFlight: number;
  /** The most ever in flight at once since the last reset: what a benchmark reports. */
  peakInFlight: number;
}

const LOG_LIMIT = 1000;

/** Counts and logs every request that reached a Twilio Session route, errors and faults included. */
export class RequestRecorder {
  private seq = 0;
  private counts = RequestRecorder.zero();
  private entries: RequestLogEntry[] = [];
  private current = 0;
  private peak = 0;

  private static zero(): Record<OperationId, number> {
    return Object.fromEntries(OPERATIONS.map((op) => [op, 0])) as Record<OperationId, number>;
  }

  record(entry: Omit<RequestLogEntry, "seq" | "time" | "status" | "fault">): RequestLogEntry {
    this.counts[entry.operation] += 1;
    const full: RequestLogEntry = {
      seq: ++this.seq,
      time: new Date().toISOString(),
      ...entry,
      status: null,
      fault: null,
    };
    this.entries.push(full);
    if (this.entries.length > LOG_LIMIT) this.entries.shift();
    return full;
  }

  get inFlight(): number {
    return this.current;
  }

  /** Marks one admitted request in flight; the returned function ends it (once). */
  begin(): () => void {
    this.current += 1;
    this.peak = Math.max(this.peak, this.current);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.current -= 1;
    };
  }

  snapshot(): RequestCounts {
    const byOperation = { ...this.counts };
    const total = Object.values(byOperation).reduce((a, b) => a + b, 0);
    return { total, byOperation, inFlight: this.current, peakInFlight: this.peak };
  }

  log(): RequestLogEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  /** Zeroes the counters and empties the log, so a test can assert on "what happened since". */
  reset(): void {
    this.counts = RequestRecorder.zero();
    this.entries = [];
    // Requests still in flight stay counted: they will end, and the peak starts from them.
    this.peak = this.current;
  }
}
