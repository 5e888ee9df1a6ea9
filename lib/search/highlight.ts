/**
 * Highlights for the returned page only: the text around the first match,
 * as plain segments (never HTML), so any renderer shows them safely.
 */

export type THighlightSegment = { text: string; hit: boolean };

export type THighlightTerm = { kind: "word" | "phrase"; value: string; prefix: boolean };

const MAX_SNIPPET = 280;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A crude English stem for matching inflected forms in the text (deploying → deploy). */
function stemOf(word: string): string {
  const w = word.toLowerCase();
  const s = w.replace(/(ing|ed|es|s|ly|ment)$/u, "");
  return s.length >= 3 ? s : w;
}

function termPattern(t: THighlightTerm): string | null {
  const v = t.value.trim();
  if (!v || !/[\p{L}\p{N}]/u.test(v)) return null;
  if (t.kind === "phrase") return v.split(/\s+/).map(escapeRegExp).join("[\\s\\W]+");
  if (/[-_./:@=]/.test(v)) return escapeRegExp(v.replace(/^[.:,;!?-]+|[.:,;!?-]+$/g, ""));
  // A word: its stem plus any word characters (inflections, or the rest of a typed prefix).
  return `${escapeRegExp(t.prefix ? v : stemOf(v))}[\\p{L}\\p{N}]*`;
}

/**
 * Split `text` into segments marking the terms, cut to a window around the
 * first match (with "…" where text was left out).
 */
export function buildHighlight(text: string, terms: THighlightTerm[]): THighlightSegment[] {
  const patterns = terms.map(termPattern).filter((p): p is string => p !== null);
  const flat = text.replace(/\s+/g, " ").trim();
  if (patterns.length === 0) return [{ text: cut(flat, 0), hit: false }];
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${patterns.join("|")})`, "giu");
  const matches = [...flat.matchAll(re)].filter((m) => m[0].length > 0);
  if (matches.length === 0) return [{ text: cut(flat, 0), hit: false }];
  const first = matches[0]!.index;
  const start = first > 80 ? flat.lastIndexOf(" ", first - 60) + 1 : 0;
  const end = Math.min(flat.length, start + MAX_SNIPPET);
  const out: THighlightSegment[] = [];
  let at = start;
  if (start > 0) out.push({ text: "…", hit: false });
  for (const m of matches) {
    const i = m.index;
    if (i < at) continue;
    if (i >= end) break;
    if (i > at) out.push({ text: flat.slice(at, i), hit: false });
    const stop = Math.min(i + m[0].length, end);
    out.push({ text: flat.slice(i, stop), hit: true });
    at = stop;
  }
  if (at < end) out.push({ text: flat.slice(at, end), hit: false });
  if (end < flat.length) out.push({ text: "…", hit: false });
  return out;
}

function cut(s: string, from: number): string {
  return s.length - from > MAX_SNIPPET ? s.slice(from, from + MAX_SNIPPET) + "…" : s.slice(from);
}

/** Segments as text with «» around hits (CLI output). */
export function formatHighlightPlain(segments: THighlightSegment[], open = "«", close = "»"): string {
  return segments.map((s) => (s.hit ? `${open}${s.text}${close}` : s.text)).join("");
}
