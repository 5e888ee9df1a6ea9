import { AppError } from "../errors";

/**
 * Times with full dates and an explicit zone, in the viewer's zone (UTC by
 * default): incidents cross midnight and responders sit in many zones.
 */

/** Whether `tz` is an IANA zone name the runtime knows ("UTC" included). */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** `tz` when valid, else AppError naming the field. */
export function parseTimeZone(tz: string | null | undefined, field = "tz"): string {
  const zone = tz?.trim() || "UTC";
  if (!isValidTimeZone(zone)) throw new AppError("bad_input", `Unknown time zone "${zone}"`, { field });
  return zone;
}

type TParts = { date: string; time: string; offset: string };

const formatters = new Map<string, Intl.DateTimeFormat>();

const UTC_ZONES = new Set(["UTC", "Etc/UTC"]);

function partsIn(iso: string | Date, tz: string): TParts {
  // UTC needs no zone rules: slicing the ISO string is the same text, without
  // Intl's formatToParts (most of a 20,000-event postmortem's time otherwise).
  if (UTC_ZONES.has(tz)) {
    const s = typeof iso === "string" && iso.length === 24 && iso.endsWith("Z") ? iso : new Date(iso).toISOString();
    if (s.length === 24) return { date: s.slice(0, 10), time: s.slice(11, 19), offset: "+00:00" };
  }
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone: tz,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
      timeZoneName: "longOffset",
    });
    formatters.set(tz, f);
  }
  const p: Record<string, string> = {};
  for (const x of f.formatToParts(typeof iso === "string" ? new Date(iso) : iso)) p[x.type] = x.value;
  const offset = (p.timeZoneName ?? "GMT").replace("GMT", "") || "+00:00";
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}:${p.second}`, offset };
}

/** The calendar day of an instant in `tz` (YYYY-MM-DD). */
export function formatDayIn(iso: string | Date, tz: string): string {
  return partsIn(iso, tz).date;
}

/** "2026-11-03 22:41:48 UTC" or "2026-11-03 23:41:48 Europe/Berlin (UTC+01:00)". */
export function formatDateTimeIn(iso: string | Date, tz: string): string {
  const p = partsIn(iso, tz);
  if (tz === "UTC" || tz === "Etc/UTC") return `${p.date} ${p.time} UTC`;
  return `${p.date} ${p.time} ${tz} (UTC${p.offset})`;
}

/** "22:41:48" in `tz` (for rows under a day heading that names the zone). */
export function formatTimeIn(iso: string | Date, tz: string): string {
  return partsIn(iso, tz).time;
}

/** "1 h 23 min", "4 min 12 s", "52 s". */
export function formatDurationMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "—";
  const neg = ms < 0;
  let s = Math.round(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts: string[] = [];
  if (d) parts.push(`${d} d`);
  if (h) parts.push(`${h} h`);
  if (m) parts.push(`${m} min`);
  if (s && !d && !h) parts.push(`${s} s`);
  return (neg ? "−" : "") + (parts.join(" ") || "0 s");
}
