import { z } from "zod";
import { getPool } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { isLocalLoginEnabled } from "@/lib/auth/oidc-providers";
import { AppError, isAppError } from "@/lib/errors";
import { serializeSessionCookie } from "@/lib/auth/cookie";
import { classifyRequestOrigin } from "@/lib/auth/csrf";
import { sanitizeNextPath } from "@/lib/auth/redirect";
import { signIn } from "@/lib/auth/sessions";
import { errorResponse, findClientIp, hasFormBody, hasJsonBody, isSecureRequest, readOriginHeaders, redirectTo, wantsJson } from "@/app/_lib/http";
import { readFormData, readJsonObject } from "@/app/_lib/route-user";

/**
 * POST /api/auth/login — password sign-in. Accepts the login form
 * (urlencoded: email, password, next) and answers with a 303 to `next` or
 * back to /login?error=…; or JSON ({email, password}) answered with JSON.
 * Sets the `bs_session` cookie (HttpOnly, SameSite=Lax, Secure over HTTPS).
 * Cross-site posts are refused (Origin check); attempts are rate limited.
 * With LOCAL_LOGIN=false every password sign-in is refused (403).
 */

export const dynamic = "force-dynamic";

const ZLogin = z.object({
  email: z.string().max(320),
  password: z.string().max(1024),
  next: z.string().max(2000).optional(),
});

async function readInput(request: Request): Promise<z.infer<typeof ZLogin>> {
  let raw: unknown;
  if (hasJsonBody(request)) {
    raw = await readJsonObject(request);
  } else if (hasFormBody(request)) {
    const form = await readFormData(request);
    raw = { email: form.get("email"), password: form.get("password"), next: form.get("next") ?? undefined };
  } else {
    throw new AppError("bad_input", "send the login form or JSON");
  }
  const parsed = ZLogin.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError("bad_input", `invalid ${issue.path.join(".") || "input"}`, { field: issue.path.join(".") });
  }
  return parsed.data;
}

export async function POST(request: Request): Promise<Response> {
  const json = wantsJson(request);
  let input: z.infer<typeof ZLogin>;
  try {
    input = await readInput(request);
  } catch (e) {
    return json || !isAppError(e) ? errorResponse(e) : redirectTo("/login?error=invalid");
  }
  const next = sanitizeNextPath(input.next);
  const refuse = (reason: "invalid" | "rate_limited" | "origin" | "local_disabled", e: AppError) =>
    json ? errorResponse(e) : redirectTo(`/login?error=${reason}&next=${encodeURIComponent(next)}`);

  if (!isLocalLoginEnabled(getEnv())) {
    return refuse("local_disabled", new AppError("forbidden", "Password sign-in is turned off (LOCAL_LOGIN=false)."));
  }

  if (classifyRequestOrigin(readOriginHeaders(request)) === "cross") {
    return refuse("origin", new AppError("csrf", "Cross-site sign-in refused."));
  }
  try {
    const { user, session } = await signIn(getPool(), {
      email: input.email,
      password: input.password,
      ip: findClientIp(request),
      userAgent: request.headers.get("user-agent"),
    });
    const cookie = serializeSessionCookie(session.token, {
      secure: isSecureRequest(request),
      maxAgeSeconds: (session.expiresAt.getTime() - Date.now()) / 1000,
    });
    if (json) {
      return Response.json(
        { ok: true, user: { email: user.email, role: user.role }, csrfToken: session.csrfToken },
        { headers: { "Set-Cookie": cookie, "Cache-Control": "no-store" } },
      );
    }
    return redirectTo(next, { "Set-Cookie": cookie });
  } catch (e) {
    if (isAppError(e) && e.code === "unauthenticated") return refuse("invalid", e);
    if (isAppError(e) && e.code === "rate_limited") return refuse("rate_limited", e);
    return errorResponse(e);
  }
}
