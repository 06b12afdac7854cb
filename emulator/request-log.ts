import type { FaultKind } from "./faults";
import type { FormBody } from "./params";

/** The OpenAPI operationIds of the Session endpoints; counters are keyed by these. */
export const OPERATIONS = [
  "CreateSession",
  "FetchSession",
  "UpdateSession",
  "DeleteSession",
  "ListSession",
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
  fault: FaultKind | null;
}

export interface RequestCounts {
  total: number;
  byOperation: Record<OperationId, number>;
}

const LOG_LIMIT = 1000;

/** Counts and logs every request that reached a Twilio Session route, errors and faults included. */
export class RequestRecorder {
  private seq = 0;
  private counts = RequestRecorder.zero();
  private entries: RequestLogEntry[] = [];

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

  snapshot(): RequestCounts {
    const byOperation = { ...this.counts };
    const total = Object.values(byOperation).reduce((a, b) => a + b, 0);
    return { total, byOperation };
  }

  log(): RequestLogEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  /** Zeroes the counters and empties the log, so a test can assert on "what happened since". */
  reset(): void {
    this.counts = RequestRecorder.zero();
    this.entries = [];
  }
}
