import type { TEnv } from "@/lib/env";

/**
 * The external sign-in providers a deployment has configured, read from the
 * environment: a generic OpenID Connect provider (`OIDC_*`) and Sign in with
 * Slack (`SLACK_CLIENT_ID`/`SLACK_CLIENT_SECRET`), which is the same
 * authorization-code flow against Slack's issuer.
 */

/** Provider ids, as they appear in /api/auth/oidc/<id>/start and …/callback. */
export const OIDC_PROVIDER_IDS = ["oidc", "slack"] as const;
export type TOidcProviderId = (typeof OIDC_PROVIDER_IDS)[number];

/** Slack's OpenID Connect issuer (discovery at https://slack.com/.well-known/openid-configuration). */
export const SLACK_ISSUER = "https://slack.com";

/** Role given to accounts created at their first external sign-in; `none` creates none. */
export type TOidcDefaultRole = "member" | "auditor" | "none";

/** One configured provider. */
export type TOidcProvider = {
  id: TOidcProviderId;
  /** What the login page's button says: "Sign in with <label>". */
  label: string;
  issuer: string;
  clientId: string;
  /** Null for public clients (PKCE only). */
  clientSecret: string | null;
  scopes: string[];
  /** Lowercased e-mail domains allowed to sign in; empty = any. */
  allowedDomains: string[];
  defaultRole: TOidcDefaultRole;
  /** Sign in with Slack only: the workspace (team id) users must belong to. */
  teamId: string | null;
};

/** What the login page needs to draw a provider's button. */
export type TOidcProviderButton = { id: TOidcProviderId; label: string; startPath: string };

function splitList(value: string | undefined): string[] {
  return (value ?? "")
    .split(/[\s,]+/)
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

/** Parse OIDC_SCOPES, always including `openid`. */
export function parseScopes(value: string | undefined): string[] {
  const scopes = splitList(value);
  return scopes.includes("openid") ? scopes : ["openid", ...scopes];
}

/** Parse OIDC_ALLOWED_DOMAINS: lowercased, without a leading "@". */
export function parseAllowedDomains(value: string | undefined): string[] {
  return splitList(value).map((d) => d.toLowerCase().replace(/^@/, ""));
}

/** The providers configured in the environment, generic OIDC first. */
export function listOidcProviders(env: TEnv): TOidcProvider[] {
  const providers: TOidcProvider[] = [];
  const allowedDomains = parseAllowedDomains(env.OIDC_ALLOWED_DOMAINS);
  if (env.OIDC_ISSUER && env.OIDC_CLIENT_ID) {
    providers.push({
      id: "oidc",
      label: env.OIDC_NAME,
      issuer: env.OIDC_ISSUER,
      clientId: env.OIDC_CLIENT_ID,
      clientSecret: env.OIDC_CLIENT_SECRET ?? null,
      scopes: parseScopes(env.OIDC_SCOPES),
      allowedDomains,
      defaultRole: env.OIDC_DEFAULT_ROLE,
      teamId: null,
    });
  }
  if (env.SLACK_CLIENT_ID && env.SLACK_CLIENT_SECRET) {
    providers.push({
      id: "slack",
      label: "Slack",
      issuer: SLACK_ISSUER,
      clientId: env.SLACK_CLIENT_ID,
      clientSecret: env.SLACK_CLIENT_SECRET,
      scopes: ["openid", "email", "profile"],
      allowedDomains,
      defaultRole: env.OIDC_DEFAULT_ROLE,
      teamId: env.SLACK_TEAM_ID ?? null,
    });
  }
  return providers;
}

/** The configured provider with this id, or null (unknown id or not configured). */
export function findOidcProvider(env: TEnv, id: string): TOidcProvider | null {
  return listOidcProviders(env).find((p) => p.id === id) ?? null;
}

/** The login page's buttons: one per configured provider. */
export function listOidcProviderButtons(env: TEnv): TOidcProviderButton[] {
  return listOidcProviders(env).map((p) => ({ id: p.id, label: p.label, startPath: `/api/auth/oidc/${p.id}/start` }));
}

/** Whether e-mail and password sign-in is offered (LOCAL_LOGIN, on by default). */
export function isLocalLoginEnabled(env: TEnv): boolean {
  return env.LOCAL_LOGIN !== "false";
}

/**
 * The redirect URI registered with the identity provider:
 * `<PUBLIC_URL or the request's origin>/api/auth/oidc/<id>/callback`.
 * PUBLIC_URL should be set behind a reverse proxy; the request origin is the
 * fallback for local use.
 */
export function buildRedirectUri(providerId: TOidcProviderId, base: string): string {
  const url = new URL(base);
  const prefix = url.pathname.replace(/\/+$/, "");
  url.pathname = `${prefix}/api/auth/oidc/${providerId}/callback`;
  url.search = "";
  url.hash = "";
  return url.toString();
}
