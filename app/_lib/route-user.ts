import "server-only";
import { getPool } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { getSessionUser, toViewer } from "@/lib/auth/sessions";
import type { TViewer } from "@/lib/access/types";
import type { TSessionUser } from "@/lib/auth/types";
import { assertCsrfSafe, findClientIp, hasFormBody, hasJsonBody, readSessionToken } from "@/app/_lib/http";

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

/**
 * The signed-in user of a route only some roles may use (`may`), and who
 * acts, for services that audit: account id, e-mail, client address.
 * State-changing requests (`mutating`) also get the origin and CSRF checks.
 */
export async function requireAllowedUser(
  request: Request,
  may: (role: string) => boolean,
  mutating: boolean,
  refusal = "Not allowed for your role.",
): Promise<{ user: TSessionUser; actor: { userId: number; actor: string; ip: string | null } }> {
  const { user } = mutating ? await requireMutatingUser(request) : await requireRouteUser(request);
  if (!may(user.role)) throw new AppError("forbidden", refusal);
  return { user, actor: { userId: user.userId, actor: user.email, ip: findClientIp(request) } };
}

/** A text field, or undefined when absent or blank. */
export function optionalText(v: unknown): string | undefined {
  return v === undefined || v === null || String(v).trim() === "" ? undefined : String(v);
}

/** A checkbox or JSON yes: true, "true", "on", "1". */
export function isYes(v: unknown): boolean {
  return v === true || v === "true" || v === "on" || v === "1";
}

/** A yes/no field: true or false, undefined when absent or empty, else AppError naming `field`. */
export function readYesNo(v: unknown, field: string): boolean | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  if (isYes(v)) return true;
  if (v === false || v === "false" || v === "off" || v === "0") return false;
  throw new AppError("bad_input", `Not a yes/no value: ${String(v)}`, { field });
}

/** The request body as a JSON object; anything else (malformed JSON, an array, a form) is bad input. */
export async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  const body: unknown = await request.json().catch(() => null);
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new AppError("bad_input", "The body must be a JSON object.", { field: "body" });
  return body as Record<string, unknown>;
}

/** The request body as form data; a body of another type, or a malformed one, is bad input. */
export async function readFormData(request: Request): Promise<FormData> {
  const refuse = () => new AppError("bad_input", "Send the body as JSON or as a form (URL-encoded or multipart).", { field: "body" });
  if (!hasFormBody(request)) throw refuse();
  try {
    return await request.formData();
  } catch {
    throw refuse();
  }
}

/** A form body as a plain object of strings. */
export async function readForm(request: Request): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [k, v] of (await readFormData(request)).entries()) if (typeof v === "string") out[k] = v;
  return out;
}

/** The request body as a map of strings / string lists: JSON or form, by its content type (malformed JSON is bad input). */
export async function readBody(request: Request): Promise<Record<string, unknown>> {
  if (hasJsonBody(request)) return readJsonObject(request);
  const out: Record<string, unknown> = {};
  for (const [k, v] of (await readFormData(request)).entries()) {
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
