import "server-only";

/** A value as a list of non-empty strings (form fields may repeat or hold comma-separated lists). */
export function toList(v: unknown): string[] {
  const items = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  return items.flatMap((x) => String(x).split(",")).map((s) => s.trim()).filter(Boolean);
}
