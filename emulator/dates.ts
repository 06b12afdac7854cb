/** Twilio's wire format: UTC, `Z` suffix, no fractional seconds (reference §1.1). */
export function formatTwilioDate(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function formatNullableDate(epochSeconds: number | null): string | null {
  return epochSeconds === null ? null : formatTwilioDate(epochSeconds);
}

const DATE_INPUT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?([Zz]|[+-]\d{2}:\d{2}))?$/;

/**
 * Parses what the SDKs send (reference §2.3): RFC 3339 with `Z` or an offset (Go), with or
 * without fractional seconds, or a bare date (twilio/sample-code), which means midnight UTC.
 * Returns epoch seconds (fractions dropped, as Twilio never echoes them) or undefined.
 */
export function parseDateInput(value: string): number | undefined {
  const m = DATE_INPUT.exec(value);
  if (!m) return undefined;
  const [, ys, mos, ds, hs, mis, ss, zone] = m;
  const [year, month, day] = [Number(ys), Number(mos), Number(ds)];
  const [hour, minute, second] = [Number(hs ?? 0), Number(mis ?? 0), Number(ss ?? 0)];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  // setUTCFullYear rolls 31 February over into March; a round trip catches impossible dates.
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  d.setUTCHours(hour, minute, second, 0);
  let offsetMinutes = 0;
  if (zone !== undefined && zone.toUpperCase() !== "Z") {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (zone.startsWith("-") ? -1 : 1) * (oh * 60 + om);
  }
  return Math.floor(d.getTime() / 1000) - offsetMinutes * 60;
}
