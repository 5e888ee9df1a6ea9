/** Characters XML 1.0 cannot carry at all, even escaped (control codes, lone surrogates, U+FFFE/FFFF). */
const INVALID_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const SPECIAL = /[&<>"']/g;
const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text escaped for XML and HTML content and attribute values; characters XML forbids are removed. */
export function escapeMarkup(s: string): string {
  return s.replace(INVALID_XML, "").replace(SPECIAL, (c) => ENTITIES[c]!);
}
