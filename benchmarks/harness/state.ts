// What one resource costs in the state file, part by part, as the backend stores it.
//
// The file backend writes the checkpoint as compact JSON, so a part's cost is the bytes of
// `"key":value,` in that encoding: what the CLI serializes (and writes) again after every step.

export interface StateAnatomy {
  /** The state file, bytes. */
  fileBytes: number;
  /** Resources of the measured type in it. */
  resources: number;
  /** One resource's entry (the last of the type), bytes. */
  entryBytes: number;
  /** Its `__provider` text, bytes (UTF-8, before JSON escaping). */
  providerBytes: number;
  /**
   * Bytes of every part of that entry, by name: `urn`, `stackTrace`, … for the engine's own
   * fields, `inputs.ttl`, `outputs.sid`, … The JSON punctuation around them is the rest.
   */
  parts: Record<string, number>;
}

interface StateResource {
  type: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  [key: string]: unknown;
}

const size = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
/** `"key":value,` */
const member = (key: string, value: unknown) => size(key) + 1 + size(value) + 1;

/** The anatomy of the last resource whose type ends with `typeSuffix`, in a state file's text. */
export function stateAnatomy(text: string, typeSuffix: string): StateAnatomy {
  const all = (JSON.parse(text).checkpoint.latest?.resources ?? []) as StateResource[];
  const ofType = all.filter((r) => r.type.endsWith(typeSuffix));
  const entry = ofType.at(-1);
  if (!entry) throw new Error(`no resource of type …${typeSuffix} in the state`);
  const parts: Record<string, number> = {};
  for (const [key, value] of Object.entries(entry)) {
    if ((key === "inputs" || key === "outputs") && value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) parts[`${key}.${k}`] = member(k, v);
    } else {
      parts[key] = member(key, value);
    }
  }
  const provider = entry.inputs?.__provider;
  return {
    fileBytes: Buffer.byteLength(text),
    resources: ofType.length,
    entryBytes: size(entry),
    providerBytes: typeof provider === "string" ? Buffer.byteLength(provider) : 0,
    parts,
  };
}
