import { serializeOidcFlowCookie, startOidcSignIn } from "@/lib/auth/oidc";
import { sanitizeNextPath } from "@/lib/auth/redirect";
import { isSecureRequest, redirectTo } from "@/app/_lib/http";
import { logger } from "@/lib/logger";
import { findRedirectUri, readProvider } from "../../_lib/request";

/**
 * GET /api/auth/oidc/<provider>/start?next=/path — begins an OpenID Connect
 * (or Sign in with Slack) sign-in: keeps state, nonce and PKCE verifier in
 * the short-lived HttpOnly `bs_oidc` cookie and redirects to the provider.
 * Unknown or unconfigured providers go back to /login with an error.
 */

export const dynamic = "force-dynamic";

type TCtx = { params: Promise<{ provider: string }> };

export async function GET(request: Request, { params }: TCtx): Promise<Response> {
  const next = sanitizeNextPath(new URL(request.url).searchParams.get("next"));
  const provider = await readProvider(params);
  if (!provider) return redirectTo(`/login?error=oidc_unavailable&next=${encodeURIComponent(next)}`);
  try {
    const { authorizationUrl, flow } = await startOidcSignIn(provider, { redirectUri: findRedirectUri(request, provider), next });
    return new Response(null, {
      status: 303,
      headers: {
        Location: authorizationUrl.href,
        "Set-Cookie": serializeOidcFlowCookie(flow, { secure: isSecureRequest(request) }),
        "Cache-Control": "no-store",
      },
    });
  } catch (e) {
    logger.error("oidc start failed", { provider: provider.id, error: e instanceof Error ? e.message : String(e) });
    return redirectTo(`/login?error=oidc_failed&next=${encodeURIComponent(next)}`);
  }
}
