// Small statistics over runs and over the emulator's request log.
import type { RequestLogEntry } from "../../emulator";

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export interface LogSummary {
  /** Requests in the log. */
  requests: number;
  /**
   * The most requests in flight at once, assuming each was in flight from its arrival for the
   * emulator's fixed added latency (which dominates: the emulator answers within a millisecond).
   */
  maxConcurrent: number;
  /** Arrival of the first and the last request, epoch ms; null without requests. */
  firstMs: number | null;
  lastMs: number | null;
}

export function summarizeLog(entries: RequestLogEntry[], latencyMs: number): LogSummary {
  const times = entries.map((e) => Date.parse(e.time)).sort((a, b) => a - b);
  // Sweep over arrivals: how many arrived within the latency before (and including) each one.
  let maxConcurrent = 0;
  let lo = 0;
  for (let hi = 0; hi < times.length; hi++) {
    while (times[hi] - times[lo] >= latencyMs) lo++;
    maxConcurrent = Math.max(maxConcurrent, hi - lo + 1);
  }
  return {
    requests: times.length,
    maxConcurrent,
    firstMs: times.length ? times[0] : null,
    lastMs: times.length ? times[times.length - 1] : null,
  };
}
