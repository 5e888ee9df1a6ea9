import "server-only";
import { AppError } from "@/lib/errors";
import type { TSessionUser } from "@/lib/auth/types";
import type { TComplianceActor } from "@/lib/compliance/holds";
import { findClientIp } from "@/app/_lib/http";
import { requireMutatingUser, requireRouteUser } from "@/app/_lib/route-user";

/**
 * The signed-in user of a retention or hold route, allowed by `may`; for
 * state-changing requests (`mutating`) also the same origin and CSRF checks
 * as every other form route.
 */
export async function requireComplianceUser(
  request: Request,
  may: (role: string) => boolean,
  mutating: boolean,
): Promise<{ user: TSessionUser; actor: TComplianceActor }> {
  const { user } = mutating ? await requireMutatingUser(request) : await requireRouteUser(request);
  if (!may(user.role)) throw new AppError("forbidden", "Not allowed for your role.");
  return { user, actor: { userId: user.userId, actor: user.email, ip: findClientIp(request) } };
}

/** A value as a list of non-empty strings (form fields may repeat or hold comma-separated lists). */
export function toList(v: unknown): string[] {
  const items = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  return items.flatMap((x) => String(x).split(",")).map((s) => s.trim()).filter(Boolean);
}
