#!/usr/bin/env node
// The drift gate's report: which resources a `pulumi preview --refresh` would change, and how.
//
//   pulumi preview --json --refresh --non-interactive --stack prod | node pipelines/drift-report.mjs
//   node pipelines/drift-report.mjs preview.json
//
// Input (stdin, or a file named as the only argument), any of:
//   - `pulumi preview --json` output: {steps: [{op, urn, oldState: {inputs}, newState: {inputs}}]};
//   - engine events, as a JSON array or one JSON object a line (the Automation API's `onEvent`,
//     `PULUMI_ENABLE_STREAMING_JSON_PREVIEW=1 pulumi preview --json`, `--event-log` files).
// After a refresh the provider rebuilds a session's inputs from its live state, so a step's old
// inputs hold the live values and its new inputs the declared ones.
//
// Exit status: 0 nothing would change, 1 something would change (drift), 2 the input is not a
// preview or the preview reported errors. Values marked secret are never printed.
import * as fs from "node:fs";
// The fields of a ProxySession declaration, in report order: the package's own list, so an input
// added to the resource is never left out of the gate.
import { SESSION_KEYS } from "../dist/provider/types.js";
import { pathToFileURL } from "node:url";

/** Steps that change nothing. */
const NO_CHANGE = new Set(["same", "refresh", "read"]);
const REPLACE_OPS = new Set(["replace", "create-replacement", "delete-replaced"]);
/** Pulumi's marker for a secret value in state and events. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** Parses preview JSON or engine events into {steps, errors}; throws when it is neither. */
export function parsePreview(text) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch {
    // One event a line (a streaming preview or an event log).
    const lines = text.split("\n").filter((l) => l.trim() !== "");
    try {
      doc = lines.map((l) => JSON.parse(l));
    } catch {
      throw new Error("the input is neither JSON nor one JSON event a line");
    }
  }
  if (Array.isArray(doc)) return fromEvents(doc);
  if (doc && Array.isArray(doc.steps)) {
    return {
      steps: doc.steps.map((s) => ({
        op: s.op,
        urn: s.urn,
        type: s.newState?.type ?? s.oldState?.type ?? typeFromUrn(s.urn),
        oldInputs: s.oldState?.inputs,
        newInputs: s.newState?.inputs,
      })),
      errors: (doc.diagnostics ?? []).filter((d) => d.severity === "error").map((d) => d.message),
    };
  }
  if (doc && (doc.resourcePreEvent || doc.summaryEvent || doc.preludeEvent)) {
    return fromEvents([doc]);
  }
  throw new Error("the input has no preview steps or engine events");
}

function fromEvents(events) {
  const steps = [];
  const errors = [];
  let sawEvent = false;
  for (const e of events) {
    if (!e || typeof e !== "object") continue;
    if (e.diagnosticEvent && e.diagnosticEvent.severity === "error") {
      errors.push(e.diagnosticEvent.message);
    }
    if (e.resourcePreEvent || e.resOutputsEvent || e.summaryEvent || e.preludeEvent) {
      sawEvent = true;
    }
    const m = e.resourcePreEvent?.metadata;
    if (!m) continue;
    steps.push({
      op: m.op,
      urn: m.urn,
      type: m.type ?? typeFromUrn(m.urn),
      oldInputs: m.old?.inputs,
      newInputs: m.new?.inputs,
    });
  }
  if (!sawEvent) throw new Error("the input has no preview steps or engine events");
  return { steps, errors };
}

const typeFromUrn = (urn) => String(urn).split("::").at(-2) ?? "";
const nameOf = (urn) => String(urn).split("::").at(-1);
const isSecret = (v) => v !== null && typeof v === "object" && SECRET_SIG in v;
const isSession = (type) => /(^|:)ProxySession$/.test(type ?? "");

function show(field, v) {
  if (v === undefined || v === null) return "(unset)";
  if (isSecret(v) || v === "[secret]") return "[secret]";
  // Participants are phone numbers: report how many, not who.
  if (field === "participants" && Array.isArray(v)) {
    return `${v.length} participant${v.length === 1 ? "" : "s"}`;
  }
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** A value with its object keys sorted: key order is no difference. */
const canonical = (v) =>
  Array.isArray(v)
    ? v.map(canonical)
    : v !== null && typeof v === "object"
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, canonical(v[k])]),
        )
      : v;
const same = (a, b) =>
  JSON.stringify(canonical(a ?? null)) === JSON.stringify(canonical(b ?? null));

/** The declared fields whose old (live, after refresh) and new (declared) values differ. */
function changedFields(type, oldInputs, newInputs) {
  if (!oldInputs || !newInputs) return [];
  if (isSession(type)) {
    return SESSION_KEYS.filter((f) => !same(oldInputs[f], newInputs[f])).map((f) => {
      if (f === "participants" && !isSecret(oldInputs[f]) && !isSecret(newInputs[f])) {
        const [a, b] = [show(f, oldInputs[f]), show(f, newInputs[f])];
        return a === b ? `${f}: changed (${a})` : `${f}: ${a} -> ${b}`;
      }
      return `${f}: ${show(f, oldInputs[f])} -> ${show(f, newInputs[f])}`;
    });
  }
  // Other resources (providers, the stack): name what changed, never the values.
  const keys = new Set([...Object.keys(oldInputs), ...Object.keys(newInputs)]);
  keys.delete("__provider");
  const changed = [...keys].filter((k) => !same(oldInputs[k], newInputs[k]));
  return changed.length ? [`changed: ${changed.sort().join(", ")}`] : [];
}

/**
 * One entry per resource that would change: {name, urn, type, op, details}. A replacement's
 * several steps make one "replace" entry.
 */
export function driftOf({ steps }) {
  const refreshed = new Set(steps.filter((s) => s.op === "refresh").map((s) => s.urn));
  const byUrn = new Map();
  for (const s of steps) {
    if (NO_CHANGE.has(s.op)) continue;
    const entry = byUrn.get(s.urn) ?? { urn: s.urn, type: s.type, ops: [], steps: [] };
    if (!entry.ops.includes(s.op)) entry.ops.push(s.op);
    entry.steps.push(s);
    byUrn.set(s.urn, entry);
  }
  const entries = [...byUrn.values()].map(({ urn, type, ops, steps: own }) => {
    const op = ops.some((o) => REPLACE_OPS.has(o)) ? "replace" : ops.join(",");
    const full = own.find((s) => s.oldInputs && s.newInputs) ?? own[0];
    let details = changedFields(type, full.oldInputs, full.newInputs);
    if (op === "create") {
      details = refreshed.has(urn)
        ? ["gone from Twilio: deleted outside Pulumi, would be created again"]
        : ["new in the program"];
    } else if (op === "delete") {
      details = ["no longer declared in the program"];
    } else if (details.length === 0) {
      details = ["no declared field differs; see `pulumi preview --diff`"];
    }
    return { name: nameOf(urn), urn, type, op, details };
  });
  return entries.sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
}

/** The report's lines, e.g. `s-ttl: update (ttl: 100000 -> 3600)`. */
export function formatReport(drift, checked) {
  if (drift.length === 0) return [`drift-gate: no changes (${checked} resources checked)`];
  return [
    `drift-gate: ${drift.length} of ${checked} resources would change`,
    ...drift.map((d) => `${d.name}: ${d.op} (${d.details.join("; ")})`),
  ];
}

/** Reads the input, prints the report, returns the exit status. */
export function main(text, out = console.log, err = console.error) {
  let parsed;
  try {
    parsed = parsePreview(text);
  } catch (e) {
    err(`drift-gate: cannot read the preview: ${e.message}`);
    return 2;
  }
  // Resources the program declares: not the stack itself, not the default providers.
  const declared = parsed.steps.filter(
    (s) => s.type !== "pulumi:pulumi:Stack" && !String(s.type).startsWith("pulumi:providers:"),
  );
  const drift = driftOf(parsed);
  const checked = new Set([...declared, ...drift].map((s) => s.urn)).size;
  formatReport(drift, checked).forEach((l) => out(l));
  if (parsed.errors.length > 0) {
    for (const m of parsed.errors) err(`drift-gate: preview error: ${m.trim()}`);
    return 2;
  }
  return drift.length > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href) {
  const file = process.argv[2];
  const text = fs.readFileSync(file && file !== "-" ? file : 0, "utf8");
  process.exitCode = main(text);
}
