// Types of `pulumi-twilio-proxy/drift-report` (drift-report.mjs, plain JavaScript so that a
// pipeline runs it with node alone).

/** One step of a preview, from `pulumi preview --json` or the engine's events. */
export interface PreviewStep {
  op: string;
  urn: string;
  type: string;
  oldInputs?: Record<string, unknown>;
  newInputs?: Record<string, unknown>;
}

export interface ParsedPreview {
  steps: PreviewStep[];
  /** The preview's error diagnostics. */
  errors: string[];
}

/** A resource the preview would change. */
export interface DriftEntry {
  name: string;
  urn: string;
  type: string;
  /** `update`, `create`, `delete`, `replace`, ... */
  op: string;
  /** What differs, e.g. `ttl: 100000 -> 3600`; secrets and participants are never printed. */
  details: string[];
}

/** Parses preview JSON or engine events (an array, or one JSON object a line); throws otherwise. */
export function parsePreview(text: string): ParsedPreview;
/** One entry per resource that would change, in URN order. */
export function driftOf(preview: Pick<ParsedPreview, "steps">): DriftEntry[];
/** The report's lines. */
export function formatReport(drift: DriftEntry[], checked: number): string[];
/** Prints the report for a preview; returns the exit status: 0 no drift, 1 drift, 2 unreadable or failed. */
export function main(
  text: string,
  out?: (line: string) => void,
  err?: (line: string) => void,
): 0 | 1 | 2;
