import "server-only";
import { getEnv } from "@/lib/env";
import { AppError, isAppError } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { readCookie, SESSION_COOKIE, shouldUseSecureCookie } from "@/lib/auth/cookie";
import { isCsrfSafe, type TOriginHeaders } from "@/lib/auth/csrf";

/** Request/response plumbing shared by the route handlers. */

/**
 * The client's address as the nearest proxy reported it (the last
 * X-Forwarded-For entry; Next.js fills it from the socket when absent).
 */
export function findClientIp(request: Request): string | null {
  const xff = request.headers.get("x-forwarded-for");
  const last = xff?.split(",").at(-1)?.trim();
  return last ? last.slice(0, 100) : null;
}

/** The headers the origin check needs. */
export function readOriginHeaders(request: Request): TOriginHeaders {
  return {
    origin: request.headers.get("origin"),
    referer: request.headers.get("referer"),
    host: request.headers.get("host"),
    forwardedHost: request.headers.get("x-forwarded-host"),
  };
}

/** Whether the request's body is JSON (by its Content-Type). */
export function hasJsonBody(request: Request): boolean {
  return (request.headers.get("content-type") ?? "").includes("application/json");
}

/** Whether the request's body is a form (URL-encoded or multipart). */
export function hasFormBody(request: Request): boolean {
  const type = request.headers.get("content-type") ?? "";
  return type.includes("application/x-www-form-urlencoded") || type.includes("multipart/form-data");
}

/**
 * The CSRF token a request carries: the `x-csrf-token` header, or the `csrf`
 * field of a form body (read from a clone, so the handler can still read it).
 */
export async function readCsrfToken(request: Request): Promise<string | null> {
  const header = request.headers.get("x-csrf-token");
  if (header) return header;
  if (hasFormBody(request)) {
    // A malformed form carries no token (the request is then refused as cross-site).
    const value = (await request.clone().formData().catch(() => null))?.get("csrf");
    return typeof value === "string" ? value : null;
  }
  return null;
}

/**
 * Every state-changing route calls this with the session's CSRF token:
 * throws AppError `csrf` unless the request is same-origin (or carries no
 * origin at all) and brings the token back.
 */
export async function assertCsrfSafe(request: Request, session: { csrfToken: string }): Promise<void> {
  const safe = isCsrfSafe({ ...readOriginHeaders(request), expectedToken: session.csrfToken, givenToken: await readCsrfToken(request) });
  if (!safe) throw new AppError("csrf", "Missing or invalid CSRF token, or a cross-site request.");
}

/** The session token from the request's cookie, if any. */
export function readSessionToken(request: Request): string | null {
  return readCookie(request.headers.get("cookie"), SESSION_COOKIE);
}

/** Whether cookies set in answer to this request get the Secure flag. */
export function isSecureRequest(request: Request): boolean {
  return shouldUseSecureCookie(getEnv().COOKIE_SECURE, {
    protocol: new URL(request.url).protocol,
    forwardedProto: request.headers.get("x-forwarded-proto"),
  });
}

/** True when the client asked for JSON rather than a page. */
export function wantsJson(request: Request): boolean {
  const accept = request.headers.get("accept") ?? "";
  return hasJsonBody(request) || (accept.includes("application/json") && !accept.includes("text/html"));
}

/** A 303 to a local path (relative Location: right behind any proxy). */
export function redirectTo(path: string, extraHeaders: Record<string, string> = {}): Response {
  return new Response(null, { status: 303, headers: { Location: path, "Cache-Control": "no-store", ...extraHeaders } });
}

/** The JSON error response for anything thrown in a route handler. */
export function errorResponse(e: unknown): Response {
  if (isAppError(e)) return Response.json(e.toJSON(), { status: e.status, headers: { "Cache-Control": "no-store" } });
  logger.error("route failed", { error: e instanceof Error ? e.message : String(e) });
  return Response.json({ error: "internal", message: "Internal error" }, { status: 500 });
}
