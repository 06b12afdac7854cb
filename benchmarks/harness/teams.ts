// `npm run bench -- --teams`: the scenarios of a team's reality, in one run and a BENCHMARKS.md
// section of their own: the same sessions as one stack or several (scale-out.ts), and several
// processes sharing one account's concurrency limit (processes.ts).
import { renderProcessesTable, type ProcessesRun } from "./processes";
import { renderScaleOutTable, type ScaleOutRun } from "./scale-out";

export interface TeamsResult {
  date: string;
  durationS: number;
  load: { start: string; end: string };
  /** Processes outside the benchmark busy at its start. */
  otherWork: string[];
  latencyMs: number;
  scaleOut: { total: number; runs: ScaleOutRun[] };
  processes: { n: number; maxConcurrent: number; runs: ProcessesRun[] };
}

export function renderTeamsSection(r: TeamsResult, chartLink: string): string {
  const { total } = r.scaleOut;
  const { n, maxConcurrent } = r.processes;
  // The command as it was run: without PostgreSQL rows, it was run with --no-postgres.
  const postgres = r.scaleOut.runs.some((x) => x.backend === "postgres");
  return `## Teams: one stack or several, one account and several processes

Measured by its own run, \`npm run bench -- --teams${postgres ? "" : " --no-postgres"}\`, on ${r.date} (${Math.round(r.durationS / 60)} min; load
average at start ${r.load.start}, at end ${r.load.end}; other work at its start:
${r.otherWork.length ? r.otherWork.join("; ") : "none"}). Every stack's \`pulumi up\` is a process
of its own, as a pipeline runner runs it, set up before the clock starts; the stacks of a run share
one state backend (new and empty for each run) and one emulator (${r.latencyMs} ms per request,
reset before each run). Raw data: \`benchmarks/teams.json\`.

### Scale-out

The same ${total} sessions as 1 stack, as 4 stacks of ${total / 4} and as 8 of ${total / 8}, one stack
after another and 2 at a time, on each backend; the same shapes of the engine floor. Wall time runs
from the first \`pulumi up\` started to the last one finished; CPU is the \`pulumi\` CLI processes',
summed; state is one stack's \`pulumi stack export\`, compact JSON.

${renderScaleOutTable(r.scaleOut.runs)}

![wall time against sessions per stack](${chartLink})

### Several processes, one account limit

R \`pulumi up\` processes at once, ${n} sessions each (a stack each, file backend), while the emulator
answers 429 to requests beyond ${maxConcurrent} in flight account-wide, with and without
its \`Twilio-Concurrent-Requests\` header (the \`concurrentRequestsHeader\` reading). "No account
limit" is the same R processes against an emulator that limits nothing (no 429 can happen): what
the account's limit and the limiter cost is the wall time beyond it. The target: total 429s that
do not grow with R, and wall time within 1.25 × R·N·latency/K or the engine floor (R floor stacks
of ${n} at once), whichever is larger.

${renderProcessesTable(r.processes.runs)}
`;
}
