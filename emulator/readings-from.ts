// `--readings-from FILE` (and startEmulator's `readingsFrom`): every switch set to the reading
// that a conformance run (`npm run conformance -- --json FILE`) saw on a real account, so the
// emulator behaves as that account did. A switch the run could not observe keeps its default,
// the stricter reading. A row where the account did what neither reading does is refused by name:
// no setting of the emulator reproduces it.
import { readFileSync } from "node:fs";
import { checkReadingIds, READINGS, type ReadingId } from "./readings";

/** The `tool` field of a conformance run's JSON. */
export const CONFORMANCE_TOOL = "pulumi-twilio-proxy conformance";

export type Agreement = "default" | "alternative" | "neither" | "not observed" | "not observable";

/** The fields of a row of that JSON this reads (conformance/report.ts writes them). */
export interface ConformanceJsonRow {
  id: string;
  behaviour: string;
  /** The reading id, for a behaviour the emulator has a switch for; else null. */
  emulatorSwitch: string | null;
  observed: string;
  agreesWith: Agreement;
}

export interface ReadingsFromRun {
  /** Switches the run saw in their alternative reading. */
  alternatives: ReadingId[];
  /** Switches the run saw in their default reading. */
  defaults: ReadingId[];
  /** Switches the run did not observe (or the file lacks): left at their default. */
  unobserved: ReadingId[];
}

const AGREEMENTS: readonly Agreement[] = [
  "default",
  "alternative",
  "neither",
  "not observed",
  "not observable",
];

function rowsOf(report: unknown, source: string): ConformanceJsonRow[] {
  const doc = report as { tool?: unknown; rows?: unknown };
  if (doc?.tool !== CONFORMANCE_TOOL || !Array.isArray(doc.rows)) {
    throw new Error(`${source}: not the --json of a conformance run (npm run conformance)`);
  }
  for (const row of doc.rows as ConformanceJsonRow[]) {
    if (typeof row?.id !== "string" || !AGREEMENTS.includes(row.agreesWith)) {
      throw new Error(
        `${source}: a row without an id or a known agreesWith: ${JSON.stringify(row)}`,
      );
    }
  }
  return doc.rows as ConformanceJsonRow[];
}

/** The switch positions a conformance run's JSON (parsed) calls for. */
export function readingsFromConformance(
  report: unknown,
  source = "the conformance report",
): ReadingsFromRun {
  const rows = rowsOf(report, source);
  const neither = rows.filter((r) => r.agreesWith === "neither");
  if (neither.length > 0) {
    const named = neither.map(
      (r) => `${r.id} (${r.behaviour}: the server answered "${r.observed}")`,
    );
    throw new Error(
      `${source}: the emulator cannot behave as that account did: it has no reading for ` +
        `${named.join("; ")}`,
    );
  }
  const seen = new Map<ReadingId, Agreement>();
  for (const row of rows) {
    if (row.emulatorSwitch === null || row.emulatorSwitch === undefined) continue;
    const [id] = checkReadingIds([row.emulatorSwitch]);
    seen.set(id, row.agreesWith);
  }
  const positions = READINGS.map((r) => [r.id, seen.get(r.id)] as const);
  const where = (agrees: Agreement | undefined) =>
    positions.filter(([, a]) => a === agrees).map(([id]) => id);
  return {
    alternatives: where("alternative"),
    defaults: where("default"),
    unobserved: positions
      .filter(([, a]) => a !== "alternative" && a !== "default")
      .map(([id]) => id),
  };
}

/** readingsFromConformance of a file. */
export function readingsFromFile(file: string): ReadingsFromRun {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  }
  let report: unknown;
  try {
    report = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not JSON (${(err as Error).message})`, { cause: err });
  }
  return readingsFromConformance(report, file);
}
