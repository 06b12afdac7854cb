// Rows read from every answer of the run rather than from requests of their own: the headers on
// each answer (Twilio-Concurrent-Requests among them), the HTTP status that came with 80603/80607/80608, and whatever 429s happened.
import type { Observation, RowId } from "../rows";
import { seen, verdict } from "../rows";
import type { LoggedAnswer, Throttle } from "../transport";

const REQUEST_ID = /^RQ[0-9a-f]{32}$/;
const CONFLICT_CODES = [80603, 80607, 80608];

export function observeAnswers(
  answers: readonly LoggedAnswer[],
  throttles: readonly Throttle[],
): Map<RowId, Observation> {
  return new Map<RowId, Observation>([
    ["responseHeaders", headers(answers)],
    ["conflictHttpStatus", conflictStatus(answers)],
    ["retryAfter", retryAfter(throttles)],
    ["concurrentRequestsHeader", concurrentRequestsHeader(answers)],
    ["rateLimits", rateLimits(throttles)],
  ]);
}

function headers(answers: readonly LoggedAnswer[]): Observation {
  if (answers.length === 0) return seen.nothing("no answer");
  const problems = new Map<string, number>();
  const note = (problem: string) => problems.set(problem, (problems.get(problem) ?? 0) + 1);
  for (const { answer } of answers) {
    const type = answer.headers.get("content-type");
    if (answer.text !== "" && type !== "application/json")
      note(`Content-Type ${JSON.stringify(type)}`);
    if (!REQUEST_ID.test(answer.headers.get("twilio-request-id") ?? ""))
      note("no Twilio-Request-Id RQ…");
    if (Number.isNaN(Date.parse(answer.headers.get("date") ?? ""))) note("no Date");
  }
  if (problems.size === 0) {
    return seen.default(`all ${answers.length} answers: application/json, RQ… id, Date`);
  }
  const listed = [...problems].map(([problem, n]) => `${problem} on ${n}`);
  return seen.neither(`${listed.join(", ")} of ${answers.length} answers`);
}

function conflictStatus(answers: readonly LoggedAnswer[]): Observation {
  const byCode = new Map<number, Set<number>>();
  for (const { answer } of answers) {
    if (answer.code === undefined || !CONFLICT_CODES.includes(answer.code)) continue;
    byCode.set(answer.code, (byCode.get(answer.code) ?? new Set()).add(answer.status));
  }
  if (byCode.size === 0) return seen.nothing("none of these codes came");
  const statuses = new Set([...byCode.values()].flatMap((s) => [...s]));
  const observed = [...byCode]
    .sort(([a], [b]) => a - b)
    .map(([code, s]) => `${code}: ${[...s].join("/")}`)
    .join(", ");
  const only = (status: number) => statuses.size === 1 && statuses.has(status);
  return verdict(observed, only(409), only(400));
}

function concurrentRequestsHeader(answers: readonly LoggedAnswer[]): Observation {
  // Answers to the API's operations only: not a refused credential (401), which is no
  // account's request, nor a method the API lacks (405).
  const counted = answers.filter(({ answer }) => answer.status !== 401 && answer.status !== 405);
  if (counted.length === 0) return seen.nothing("no answer to an operation");
  const sent = counted.filter(({ answer }) => answer.headers.has("twilio-concurrent-requests"));
  const missing = counted.find(({ answer }) => !answer.headers.has("twilio-concurrent-requests"));
  const observed =
    `on ${sent.length} of ${counted.length} answers to operations` +
    (missing && sent.length > 0 ? ` (not on ${missing.method} … ${missing.answer.status})` : "");
  return verdict(observed, sent.length === 0, sent.length === counted.length);
}

function retryAfter(throttles: readonly Throttle[]): Observation {
  if (throttles.length === 0) return seen.nothing("no 429 during the run");
  const hinted = throttles.filter((t) => t.retryAfter !== null);
  const observed = `${hinted.length} of ${throttles.length} 429s with Retry-After`;
  return verdict(observed, hinted.length === 0, hinted.length === throttles.length);
}

function rateLimits(throttles: readonly Throttle[]): Observation {
  if (throttles.length === 0) return seen.nothing("no 429 during the run");
  const codes = [...new Set(throttles.map((t) => t.code ?? "no code"))];
  const methods = [...new Set(throttles.map((t) => t.method))];
  const observed = `${throttles.length} × 429 ${codes.join("/")} on ${methods.join(", ")}`;
  return codes.length === 1 && codes[0] === 20429 ? seen.default(observed) : seen.neither(observed);
}
