/**
 * Dates for the archive's pages. Everything is shown in UTC with the full
 * date and an explicit zone, so a message's time is never ambiguous.
 */

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar day written YYYY-MM-DD. */
export function isValidDay(day: string): boolean {
  const m = DAY_PATTERN.exec(day);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === day;
}

/** The UTC instants [start, end) of a YYYY-MM-DD day. Throws on an invalid day. */
export function findDayBounds(day: string): { start: Date; end: Date } {
  if (!isValidDay(day)) throw new RangeError(`invalid day ${day}`);
  const start = new Date(`${day}T00:00:00.000Z`);
  return { start, end: new Date(start.getTime() + 86_400_000) };
}

/** "2024-03-05 14:02:11 UTC" */
export function formatUtcDateTime(iso: string | Date): string {
  const d = typeof iso === "string" ? new Date(iso) : iso;
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)} UTC`;
}

/** "14:02" (UTC) */
export function formatUtcTime(iso: string | Date): string {
  const d = typeof iso === "string" ? new Date(iso) : iso;
  return d.toISOString().slice(11, 16);
}

/** "Tuesday, 5 March 2024" for a YYYY-MM-DD day. */
export function formatDayLabel(day: string): string {
  const { start } = findDayBounds(day);
  return new Intl.DateTimeFormat("en-GB", {
    timeZone: "UTC",
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
  }).format(start);
}
