import "server-only";
import { getEnv } from "@/lib/env";
import { buildRedirectUri, findOidcProvider, type TOidcProvider } from "@/lib/auth/oidc-providers";

/** The configured provider named by the `[provider]` route parameter, or null. */
export async function readProvider(params: Promise<{ provider: string }>): Promise<TOidcProvider | null> {
  return findOidcProvider(getEnv(), (await params).provider);
}

/**
 * The origin the browser used: Host (or a reverse proxy's X-Forwarded-Host
 * and -Proto). Next.js may rewrite request.url's host (127.0.0.1 becomes
 * localhost), which would send the provider back to a host that never got
 * the flow cookie. A forged Host only changes the redirect URI, which the
 * provider checks against the registered ones.
 */
function findRequestOrigin(request: Request): string {
  const url = new URL(request.url);
  const first = (name: string) => request.headers.get(name)?.split(",")[0]?.trim() || null;
  const host = first("x-forwarded-host") ?? first("host") ?? url.host;
  const proto = first("x-forwarded-proto") ?? url.protocol.replace(/:$/, "");
  if (proto !== "http" && proto !== "https") return url.origin;
  try {
    const origin = new URL(`${proto}://${host}`);
    // Only a bare host[:port]: no user info, path, query or fragment smuggled in.
    const bare = !origin.username && !origin.password && origin.pathname === "/" && !origin.search && !origin.hash && !/[/?#@\\]/.test(host);
    return bare ? origin.origin : url.origin;
  } catch {
    return url.origin;
  }
}

/** The callback URL registered with the provider: from PUBLIC_URL, else the origin the browser used. */
export function findRedirectUri(request: Request, provider: TOidcProvider): string {
  return buildRedirectUri(provider.id, getEnv().PUBLIC_URL ?? findRequestOrigin(request));
}
