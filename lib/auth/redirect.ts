/**
 * Where to send the browser after sign-in: only paths on this site, never
 * another origin (open-redirect protection). Anything else becomes "/".
 */
export function sanitizeNextPath(next: string | null | undefined): string {
  if (typeof next !== "string" || next.length === 0 || next.length > 2000) return "/";
  // Only absolute paths; "//host" and "/\host" are other origins to browsers.
  if (!next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  // Control characters (tabs, newlines) are dropped by URL parsers: refuse them.
  for (let i = 0; i < next.length; i++) {
    const c = next.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return "/";
  }
  try {
    const base = "http://backscroll.invalid";
    const u = new URL(next, base);
    if (u.origin !== base) return "/";
    if (u.pathname === "/login" || u.pathname.startsWith("/api/")) return "/";
    return u.pathname + u.search + u.hash;
  } catch {
    return "/";
  }
}
