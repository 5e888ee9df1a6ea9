import { areTokensEqual } from "./tokens";

/**
 * Cross-site request forgery checks, framework-free (the routes pass header
 * values in). Every state-changing request must
 * 1. come from our own origin — the `Origin` header (or, without it,
 *    `Referer`) must name the host the request was sent to; and
 * 2. carry the session's CSRF token (hidden form field or `x-csrf-token`).
 * Sign-in has no session yet, so it relies on the origin check and on the
 * session cookie being SameSite=Lax.
 */

export type TOriginHeaders = {
  origin: string | null;
  referer: string | null;
  host: string | null;
  /** X-Forwarded-Host, when a reverse proxy rewrote Host. */
  forwardedHost?: string | null;
};

/** The host[:port] part of a URL, lowercased; null when it does not parse. */
function hostOf(url: string): string | null {
  try {
    const u = new URL(url);
    if (u.protocol !== "http:" && u.protocol !== "https:") return null;
    return u.host.toLowerCase();
  } catch {
    return null;
  }
}

/**
 * `same` when Origin (or Referer) names the request's host, `cross` when it
 * names another (or is opaque, like `null`), `absent` when neither header is
 * sent (not a browser form post: browsers send Origin on every POST).
 */
export function classifyRequestOrigin(h: TOriginHeaders): "same" | "cross" | "absent" {
  const source = h.origin ?? h.referer;
  if (source === null || source === "") return "absent";
  const from = hostOf(source);
  if (!from) return "cross";
  const targets = [h.host, ...(h.forwardedHost ?? "").split(",")]
    .map((v) => v?.trim().toLowerCase())
    .filter((v): v is string => !!v);
  return targets.includes(from) ? "same" : "cross";
}

/**
 * Whether a state-changing request passes the CSRF checks: not cross-origin,
 * and carrying the session's token.
 */
export function isCsrfSafe(input: TOriginHeaders & { expectedToken: string; givenToken: string | null }): boolean {
  if (classifyRequestOrigin(input) === "cross") return false;
  return areTokensEqual(input.expectedToken, input.givenToken);
}
