// Golden text: the pulumi CLI's output with what changes from run to run replaced by stable
// placeholders, so that a golden file changes only when what users read changes.

/** An ISO 8601 date within two days of now: a live session's timestamp, not a declared date. */
const ISO_DATE = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)/g;
const SID = /\b(AC|KC|KP|KS|PN|SK)[0-9a-f]{32}\b/g;
/** A number Twilio (the emulator) picked from the Service's pool: random. */
const POOL_NUMBER = /\+1555555\d{4}/g;

export function normalisePulumiOutput(text: string, now = Date.now()): string {
  // SIDs by order of appearance, so that "the same session" stays visible.
  const seen = new Map<string, string>();
  const counts = new Map<string, number>();
  return (
    text
      .replace(SID, (sid, prefix: string) => {
        if (!seen.has(sid)) {
          const n = (counts.get(prefix) ?? 0) + 1;
          counts.set(prefix, n);
          seen.set(sid, `${prefix}<${n}>`);
        }
        return seen.get(sid)!;
      })
      .replace(ISO_DATE, (d) =>
        Math.abs(Date.parse(d) - now) < 2 * 86_400_000 ? "<recent date>" : d,
      )
      .replace(POOL_NUMBER, "<pool number>")
      .replace(/https?:\/\/(?:127\.0\.0\.1|localhost):\d+/g, "<emulator>")
      .replace(/(?:\/private)?\/(?:tmp|var\/folders)\/[\w./-]+/g, "<tmp>")
      // "Duration: 2s", "(0.52s)", "1m3s"
      .replace(/\b(?:\d+h)?(?:\d+m)?\d+(?:\.\d+)?m?s\b/g, "<duration>")
      // Progress lines ("@ previewing update....") depend on timing.
      .replace(/^@ .*\n/gm, "")
      .replace(/[ \t]+$/gm, "")
  );
}

/**
 * A line of pulumi's output that shows a change: marked ~, +, - or +-. The stack's own
 * `~ pulumi:pulumi:Stack: (refresh)` is not one: the CLI heads every `--refresh --diff` with it.
 */
export const CHANGE_LINE = /^\s*(?:[~+-]|\+-)\s(?!pulumi:pulumi:Stack: \(refresh\))/m;
