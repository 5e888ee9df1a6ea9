/**
 * Instants as ISO text, fast, in one place for every reader: a Slack ts (its
 * seconds and the first three digits after the dot; the ts itself stays the
 * identity) and milliseconds as `toISOString` shows them. Exports and
 * timelines convert one instant per message, and `new Date(ms).toISOString()`
 * was a tenth of an export's time: the date part is made once per day and
 * the time of day by arithmetic.
 */

const DAY_MS = 86_400_000;
/** 10000-01-01: later times have a six-digit signed year, left to Date. */
const MAX_MS = 253_402_300_800_000;

let cachedDay = NaN;
let cachedDayIso = "";

function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

function pad3(n: number): string {
  return n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`;
}

/** Milliseconds of a ts: its seconds and the first three digits after the dot (NaN for what is no number). */
export function tsToMs(ts: string): number {
  // The usual form, ten digits, a dot and six digits, without the split and number parsing.
  if (ts.length === 17 && ts.charCodeAt(10) === 46) {
    let secs = 0;
    let i = 0;
    for (; i < 10; i++) {
      const d = ts.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      secs = secs * 10 + d;
    }
    const a = ts.charCodeAt(11) - 48;
    const b = ts.charCodeAt(12) - 48;
    const c = ts.charCodeAt(13) - 48;
    if (i === 10 && a >= 0 && a <= 9 && b >= 0 && b <= 9 && c >= 0 && c <= 9) return secs * 1000 + a * 100 + b * 10 + c;
  }
  const [secs = "0", frac = ""] = ts.split(".");
  return Number(secs) * 1000 + Number((frac + "000").slice(0, 3));
}

/** ISO time of milliseconds from `tsToMs`: `new Date(ms).toISOString()`, which throws for NaN. */
export function msToIso(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms >= MAX_MS) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDayIso = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  let rest = ms - day * DAY_MS;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  return `${cachedDayIso}${pad2(h)}:${pad2(m)}:${pad2(s)}.${pad3(rest - s * 1000)}Z`;
}

/** A Slack ts as an ISO instant (millisecond precision); throws a RangeError for what is no time. */
export function tsToIso(ts: string): string {
  return msToIso(tsToMs(ts));
}
