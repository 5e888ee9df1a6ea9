/**
 * The session cookie, serialised by hand (no framework): `bs_session`,
 * HttpOnly, SameSite=Lax, Path=/, Secure over HTTPS.
 */

export const SESSION_COOKIE = "bs_session";

/**
 * Whether to mark cookies Secure: always with COOKIE_SECURE=true, never with
 * false, and with `auto` when the request came over HTTPS (directly or as
 * reported by a reverse proxy in X-Forwarded-Proto).
 */
export function shouldUseSecureCookie(
  setting: "true" | "false" | "auto",
  request: { protocol: string; forwardedProto: string | null },
): boolean {
  if (setting === "true") return true;
  if (setting === "false") return false;
  const proto = (request.forwardedProto ?? "").split(",")[0]?.trim().toLowerCase();
  return proto === "https" || request.protocol === "https:";
}

/** The Set-Cookie value that stores a session token. */
export function serializeSessionCookie(token: string, opts: { secure: boolean; maxAgeSeconds: number }): string {
  const parts = [
    `${SESSION_COOKIE}=${token}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    `Max-Age=${Math.max(0, Math.floor(opts.maxAgeSeconds))}`,
  ];
  if (opts.secure) parts.push("Secure");
  return parts.join("; ");
}

/** The Set-Cookie value that removes the session cookie. */
export function serializeClearedSessionCookie(opts: { secure: boolean }): string {
  return serializeSessionCookie("", { secure: opts.secure, maxAgeSeconds: 0 }) + "; Expires=Thu, 01 Jan 1970 00:00:00 GMT";
}

/** The value of cookie `name` in a Cookie header, or null. */
export function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(value);
      } catch {
        return value;
      }
    }
  }
  return null;
}
