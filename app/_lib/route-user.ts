import "server-only";
import { getPool } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { getSessionUser, toViewer } from "@/lib/auth/sessions";
import type { TViewer } from "@/lib/access/types";
import type { TSessionUser } from "@/lib/auth/types";
import { assertCsrfSafe, readSessionToken } from "@/app/_lib/http";

/** The signed-in user of a route request, or AppError `unauthenticated`. */
export async function requireRouteUser(request: Request): Promise<{ user: TSessionUser; viewer: TViewer }> {
  const user = await getSessionUser(getPool(), readSessionToken(request));
  if (!user) throw new AppError("unauthenticated", "Sign in first.");
  return { user, viewer: toViewer(user) };
}

/** Same, for state-changing requests: also checks origin and CSRF token. */
export async function requireMutatingUser(request: Request): Promise<{ user: TSessionUser; viewer: TViewer }> {
  const r = await requireRouteUser(request);
  await assertCsrfSafe(request, r.user);
  return r;
}

/** A form body as a plain object of strings. */
export async function readForm(request: Request): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [k, v] of (await request.formData()).entries()) if (typeof v === "string") out[k] = v;
  return out;
}

/** The request body as a map of strings / string lists: JSON or form, by its content type (malformed JSON is bad input). */
export async function readBody(request: Request): Promise<Record<string, unknown>> {
  if ((request.headers.get("content-type") ?? "").includes("application/json")) {
    const body: unknown = await request.json().catch(() => null);
    if (body === null || typeof body !== "object" || Array.isArray(body)) throw new AppError("bad_input", "The body must be a JSON object.", { field: "body" });
    return body as Record<string, unknown>;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of (await request.formData()).entries()) {
    if (typeof v !== "string") continue;
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** A local path to send a form back to (never another site). */
export function backTo(value: string | undefined, fallback: string): string {
  return value && value.startsWith("/") && !value.startsWith("//") ? value : fallback;
}
