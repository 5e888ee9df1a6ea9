import "server-only";
import { cache } from "react";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { getPool } from "@/lib/db";
import type { TViewer } from "@/lib/access/types";
import { SESSION_COOKIE } from "@/lib/auth/cookie";
import { sanitizeNextPath } from "@/lib/auth/redirect";
import { getSessionUser, toViewer } from "@/lib/auth/sessions";
import type { TSessionUser } from "@/lib/auth/types";

/**
 * The signed-in user of the current request, validated through lib/auth
 * (once per request: layout and page share the answer).
 */
export const getCurrentUser = cache(async (): Promise<TSessionUser | null> => {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token) return null;
  return getSessionUser(getPool(), token);
});

/** The signed-in user, or a redirect to /login?next=<this page>. */
export async function requireUser(): Promise<TSessionUser> {
  const user = await getCurrentUser();
  if (!user) {
    const here = sanitizeNextPath((await headers()).get("x-backscroll-path"));
    redirect(`/login?next=${encodeURIComponent(here)}`);
  }
  return user;
}

/** The signed-in user as an access-control viewer (redirects when signed out). */
export async function requireViewer(): Promise<{ user: TSessionUser; viewer: TViewer }> {
  const user = await requireUser();
  return { user, viewer: toViewer(user) };
}
