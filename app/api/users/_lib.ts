import "server-only";
import { AppError } from "@/lib/errors";
import type { TUserAdminActor } from "@/lib/auth/users";
import { findClientIp } from "@/app/_lib/http";
import { requireMutatingUser, requireRouteUser } from "@/app/_lib/route-user";

/** The signed-in administrator of an account route (state-changing requests: with the CSRF checks too). */
export async function requireUserAdmin(request: Request, mutating: boolean): Promise<TUserAdminActor> {
  const { user } = mutating ? await requireMutatingUser(request) : await requireRouteUser(request);
  if (user.role !== "admin") throw new AppError("forbidden", "Only administrators manage accounts.");
  return { userId: user.userId, actor: user.email, ip: findClientIp(request) };
}

/** A JSON or form body (by its content type) as a map of values; malformed JSON is bad input. */
export async function readUserBody(request: Request): Promise<Record<string, unknown>> {
  if ((request.headers.get("content-type") ?? "").includes("application/json")) {
    const body: unknown = await request.json().catch(() => null);
    if (body === null || typeof body !== "object" || Array.isArray(body)) throw new AppError("bad_input", "The body must be a JSON object.", { field: "body" });
    return body as Record<string, unknown>;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of (await request.formData()).entries()) if (typeof v === "string") out[k] = v;
  return out;
}

/** "true"/"on"/true → true, "false"/"off"/false → false, absent/empty → undefined. */
export function toFlag(v: unknown): boolean | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  if (v === true || v === "true" || v === "on" || v === "1") return true;
  if (v === false || v === "false" || v === "off" || v === "0") return false;
  throw new AppError("bad_input", `Not a yes/no value: ${String(v)}`, { field: "disabled" });
}
