import { getPool } from "@/lib/db";
import { serializeSessionCookie } from "@/lib/auth/cookie";
import { completeOidcSignIn, OidcSignInError, readOidcFlowCookie, serializeClearedOidcFlowCookie } from "@/lib/auth/oidc";
import { sanitizeNextPath } from "@/lib/auth/redirect";
import { logger } from "@/lib/logger";
import { findClientIp, isSecureRequest, redirectTo } from "@/app/_lib/http";
import { findRedirectUri, readProvider } from "../../_lib/request";

/**
 * GET /api/auth/oidc/<provider>/callback?code=…&state=… — where the identity
 * provider sends the browser back. Verifies the response against the
 * `bs_oidc` cookie, signs the user in (the same `bs_session` cookie as a
 * password sign-in) and redirects to the page they asked for; refusals go
 * to /login?error=oidc_… with a fixed message. Reached without a session
 * (proxy.ts leaves /api/ alone).
 */

export const dynamic = "force-dynamic";

type TCtx = { params: Promise<{ provider: string }> };

export async function GET(request: Request, { params }: TCtx): Promise<Response> {
  const secure = isSecureRequest(request);
  const clearFlow = serializeClearedOidcFlowCookie({ secure });
  const provider = await readProvider(params);
  if (!provider) return redirectTo("/login?error=oidc_unavailable", { "Set-Cookie": clearFlow });
  const flow = readOidcFlowCookie(request.headers.get("cookie"));
  const next = sanitizeNextPath(flow?.next);
  try {
    const { session } = await completeOidcSignIn(getPool(), provider, {
      callbackParams: new URL(request.url).searchParams,
      redirectUri: findRedirectUri(request, provider),
      flow,
      ip: findClientIp(request),
      userAgent: request.headers.get("user-agent"),
    });
    const headers = new Headers({ Location: next, "Cache-Control": "no-store" });
    headers.append("Set-Cookie", clearFlow);
    headers.append(
      "Set-Cookie",
      serializeSessionCookie(session.token, { secure, maxAgeSeconds: (session.expiresAt.getTime() - Date.now()) / 1000 }),
    );
    return new Response(null, { status: 303, headers });
  } catch (e) {
    const reason = e instanceof OidcSignInError ? e.reason : "oidc_failed";
    if (reason === "oidc_failed") logger.error("oidc callback failed", { provider: provider.id, error: e instanceof Error ? e.message : String(e) });
    return redirectTo(`/login?error=${reason}&next=${encodeURIComponent(next)}`, { "Set-Cookie": clearFlow });
  }
}
