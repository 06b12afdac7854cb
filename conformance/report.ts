// What the run shows and writes: the table (Markdown, so that it pastes into an issue), the
// rows Twilio answers otherwise than the emulator can, and the JSON for a bug report. All of it
// goes through `redact`: no credential, account SID or phone number leaves the machine.
import { READINGS } from "../emulator/readings";
import { CONFORMANCE_TOOL, type ConformanceJsonRow } from "../emulator/readings-from";
import type { RowResult } from "./rows";
import type { RunResult } from "./run";

/** SIDs that name an account, a key, a Service or a phone number; E.164 and bare long numbers. */
const REDACTIONS: Array<[RegExp, string]> = [
  [/\b(AC|SK|KS|PN)[0-9a-fA-F]{32}\b/g, "$1…"],
  [/\+[1-9]\d{6,14}\b/g, "+…"],
  [/\b\d{10,15}\b/g, "…"],
];

export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join("…");
  for (const [pattern, replacement] of REDACTIONS) out = out.replace(pattern, replacement);
  return out;
}

const HEADERS = ["behaviour", "emulator default", "emulator switch", "observed", "agrees with"];

function cells(row: RowResult): string[] {
  const sw = row.reading === undefined ? "—" : `${row.reading}: ${row.alternative}`;
  return [row.behaviour, row.emulatorDefault, sw, row.observed, row.agrees];
}

/** A Markdown table with padded columns: readable in a terminal, renders on GitHub. */
export function renderTable(rows: readonly RowResult[]): string {
  const lines = [HEADERS, ...rows.map(cells)].map((r) => r.map((c) => c.replace(/\|/g, "\\|")));
  const widths = HEADERS.map((_, i) => Math.max(...lines.map((l) => [...l[i]].length)));
  const pad = (line: string[]) =>
    `| ${line.map((c, i) => c + " ".repeat(widths[i] - [...c].length)).join(" | ")} |`;
  const rule = `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`;
  return [pad(lines[0]), rule, ...lines.slice(1).map(pad)].join("\n");
}

/**
 * The line under the table: how many rows the emulator's default reproduces, how many its
 * alternative, and which it cannot reproduce at all.
 */
export function renderVerdict(rows: readonly RowResult[]): string {
  const count = (agrees: string) => rows.filter((r) => r.agrees === agrees).length;
  const neither = rows.filter((r) => r.agrees === "neither").map((r) => r.behaviour);
  const unseen = rows.length - count("default") - count("alternative") - neither.length;
  return (
    `Verdict: ${count("default")} of ${rows.length} rows match the emulator's default, ` +
    `${count("alternative")} its alternative, ` +
    (neither.length === 0
      ? "none matches neither"
      : `${neither.length} match neither: ${neither.join("; ")}`) +
    ` (${unseen} not observed or not observable).`
  );
}

/** One line per row the emulator cannot reproduce, saying what Twilio did. */
export function renderDisagreements(rows: readonly RowResult[]): string[] {
  return rows
    .filter((r) => r.agrees === "neither")
    .map((r) => {
      const offered =
        r.reading === undefined ? r.emulatorDefault : `${r.emulatorDefault} or ${r.alternative}`;
      return `${r.behaviour}: the server answered "${r.observed}"; the emulator offers ${offered}`;
    });
}

export interface ReportContext {
  baseUrl: string;
  /** Strings that must never appear (credentials, the Service SID). */
  secrets: readonly string[];
  exitStatus: number;
  startedAt: Date;
}

/** The JSON a user attaches to a bug report. */
export function toJson(result: RunResult, context: ReportContext): string {
  const clean = (text: string) => redact(text, context.secrets);
  const document = {
    tool: CONFORMANCE_TOOL,
    startedAt: context.startedAt.toISOString(),
    // The origin only: a URL could carry userinfo.
    server: new URL(context.baseUrl).origin,
    exitStatus: context.exitStatus,
    failure: result.failure === undefined ? null : clean(result.failure),
    requests: result.requests,
    sessionsLeft: result.left.length,
    // The fields --readings-from reads back are typed by the emulator's reader.
    rows: result.rows.map((row): ConformanceJsonRow & Record<string, unknown> => {
      const reading = READINGS.find((r) => r.id === row.reading);
      return {
        id: row.id,
        behaviour: row.behaviour,
        emulatorDefault: row.emulatorDefault,
        emulatorSwitch: row.reading ?? null,
        alternative: row.alternative ?? null,
        observed: clean(row.observed),
        agreesWith: row.agrees,
        ...(reading && {
          reading: {
            defaultReading: reading.defaultReading,
            alternativeReading: reading.alternativeReading,
            evidence: reading.evidence,
          },
        }),
      };
    }),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
