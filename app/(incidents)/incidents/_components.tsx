import { formatDateTimeIn } from "@/lib/timelines/time";

/** A time with full date and zone, machine-readable too. */
export function Time({ at, tz }: { at: string | null; tz: string }) {
  if (!at) return <span className="muted">unknown</span>;
  return <time dateTime={at}>{formatDateTimeIn(at, tz)}</time>;
}
