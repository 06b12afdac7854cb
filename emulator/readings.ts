/**
 * Readings: behaviours that neither the OpenAPI document nor any captured Twilio answer settles.
 * The emulator takes the stricter reading by default (a client that copes with it also copes with
 * the lenient one); each can be switched to the alternative per instance, so a client can be
 * tested under both. Every entry is a row of the table in emulator/README.md.
 */

export interface Reading {
  id: string;
  behaviour: string;
  defaultReading: string;
  alternativeReading: string;
  evidence: string;
}

export const READINGS = [
  {
    id: "fetchByUniqueName",
    behaviour: "Fetch (GET /Sessions/{Sid}) with a unique name instead of a KC sid",
    defaultReading:
      "not resolved: 404 20404 'The requested resource … was not found', as for an unknown sid",
    alternativeReading: "resolved to the session with that unique name; 404 80308 when none has it",
    evidence:
      "inferred: only Fetch's Sid lacks a ^KC pattern in the OpenAPI document and error 80308 " +
      "exists; no Twilio doc, example or client uses it (reference §3.3, §9)",
  },
] as const satisfies readonly Reading[];

export type ReadingId = (typeof READINGS)[number]["id"];
export type ReadingPosition = "default" | "alternative";

export function isReadingId(value: unknown): value is ReadingId {
  return READINGS.some((r) => r.id === value);
}

/** Throws on an unknown id, so a typo cannot silently leave the default in place. */
export function checkReadingIds(ids: readonly unknown[]): ReadingId[] {
  for (const id of ids) {
    if (!isReadingId(id)) {
      throw new TypeError(
        `unknown reading '${String(id)}' (known: ${READINGS.map((r) => r.id).join(", ")})`,
      );
    }
  }
  return ids as ReadingId[];
}

export type ReadingState = Reading & { active: ReadingPosition };

/** Which readings one emulator instance has switched to the alternative. */
export class ReadingSwitches {
  private alternatives: Set<ReadingId>;

  constructor(private readonly atStart: readonly ReadingId[] = []) {
    this.alternatives = new Set(atStart);
  }

  isAlternative(id: ReadingId): boolean {
    return this.alternatives.has(id);
  }

  set(id: ReadingId, position: ReadingPosition): void {
    if (position === "alternative") this.alternatives.add(id);
    else this.alternatives.delete(id);
  }

  /** Back to the readings the instance was started with. */
  reset(): void {
    this.alternatives = new Set(this.atStart);
  }

  list(): ReadingState[] {
    return READINGS.map((r) => ({
      ...r,
      active: this.alternatives.has(r.id) ? "alternative" : "default",
    }));
  }
}
