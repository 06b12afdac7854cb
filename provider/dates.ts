// Twilio answers dates as `YYYY-MM-DDTHH:MM:SSZ`; users may write any ISO 8601 form.

const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Milliseconds since the epoch, or undefined when the text is not an ISO 8601 date. */
export function parseIsoDate(text: string): number | undefined {
  const m = ISO_8601.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = "00", mi = "00", s = "00", frac = ""] = m;
  if (+mo < 1 || +mo > 12 || +h > 23 || +mi > 59 || +s > 59) return undefined;
  // Date.parse would roll 2027-02-30 over to March; refuse days that do not exist.
  if (+d < 1 || new Date(Date.UTC(+y, +mo - 1, +d)).getUTCDate() !== +d) return undefined;
  // No zone (or a bare date) is read as UTC, as Twilio does.
  let zone = (m[8] ?? "Z").toUpperCase();
  if (zone !== "Z" && !zone.includes(":")) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac.slice(0, 4)}${zone}`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Twilio's canonical form, to the second. */
export function toTwilioDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** Whether two dates name the same instant to the second (null and undefined mean "none"). */
export function sameInstant(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a == null || b == null) return a == null && b == null;
  const x = parseIsoDate(a);
  const y = parseIsoDate(b);
  if (x === undefined || y === undefined) return a === b;
  return Math.floor(x / 1000) === Math.floor(y / 1000);
}
