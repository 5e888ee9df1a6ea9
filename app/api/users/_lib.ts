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

/** "true"/"on"/true → true, "false"/"off"/false → false, absent/empty → undefined. */
export function toFlag(v: unknown): boolean | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  if (v === true || v === "true" || v === "on" || v === "1") return true;
  if (v === false || v === "false" || v === "off" || v === "0") return false;
  throw new AppError("bad_input", `Not a yes/no value: ${String(v)}`, { field: "disabled" });
}
