import path from "node:path";
import { z } from "zod";

/**
 * Configuration, validated once. Every setting is an environment variable;
 * the README's configuration table lists them.
 */
const ZEnv = z.object({
  DATABASE_URL: z.string().url().optional(),
  BACKSCROLL_HOME: z.string().min(1).default(".backscroll"),
  MEILI_HOST: z.string().url().optional(),
  MEILI_API_KEY: z.string().optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  /** Secure cookies need HTTPS; off for plain-HTTP local use. */
  COOKIE_SECURE: z.enum(["true", "false", "auto"]).default("auto"),
  SESSION_TTL_HOURS: z.coerce.number().positive().default(24 * 7),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /** Zip-bomb limits for archive import. */
  IMPORT_MAX_TOTAL_BYTES: z.coerce.number().int().positive().default(20 * 1024 ** 3),
  IMPORT_MAX_RATIO: z.coerce.number().positive().default(200),
  IMPORT_MAX_ENTRY_BYTES: z.coerce.number().int().positive().default(512 * 1024 ** 2),
  /** Slack app signing secret: the Events API receiver refuses everything without it. */
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  /** Key (32 bytes, hex or base64) encrypting stored Slack tokens; default: a key file in BACKSCROLL_HOME. */
  SLACK_TOKEN_KEY: z.string().min(1).optional(),
  /** Folder for export ZIPs made by workers (default: BACKSCROLL_HOME/exports); shared storage when web and workers run on several machines. */
  EXPORT_DIR: z.string().min(1).optional(),
  /** Daily retention purge time (HH:MM, UTC) once a policy expires anything; `off` leaves purging to `backscroll retention run`. */
  RETENTION_RUN_AT: z.string().regex(/^(?:(?:[01]?\d|2[0-3]):[0-5]\d|off)$/i, "HH:MM (UTC) or off").default("02:00"),
  /** The web app's address as browsers reach it (https://archive.example.com); OIDC redirect URIs are built from it. */
  PUBLIC_URL: z.string().url().optional(),
  /** Password sign-in on the login page and /api/auth/login; `false` leaves only OIDC / Sign in with Slack. */
  LOCAL_LOGIN: z.enum(["true", "false"]).default("true"),
  /** OpenID Connect provider (Okta, Entra ID, Google, Keycloak, …): enabled when issuer and client id are set. */
  OIDC_ISSUER: z.string().url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** Space- or comma-separated scopes; `openid` is always asked for. */
  OIDC_SCOPES: z.string().default("openid email profile"),
  /** The provider's name on the login page button ("Sign in with <name>"). */
  OIDC_NAME: z.string().min(1).max(60).default("SSO"),
  /** Comma-separated e-mail domains that may sign in through OIDC or Slack (default: any). */
  OIDC_ALLOWED_DOMAINS: z.string().optional(),
  /** Role of accounts created at first OIDC/Slack sign-in; `none` admits only accounts created beforehand. */
  OIDC_DEFAULT_ROLE: z.enum(["member", "auditor", "none"]).default("member"),
  /** Sign in with Slack (a Slack app's OpenID Connect credentials); enabled when both are set. */
  SLACK_CLIENT_ID: z.string().min(1).optional(),
  SLACK_CLIENT_SECRET: z.string().min(1).optional(),
  /** Admit only members of this Slack workspace (team id T…). */
  SLACK_TEAM_ID: z.string().regex(/^[TE][A-Z0-9]+$/, "a Slack team id (T…)").optional(),
});

export type TEnv = z.infer<typeof ZEnv> & { backscrollHome: string };

let cached: TEnv | undefined;

/** The validated environment; throws a readable error naming the variable. */
export function getEnv(): TEnv {
  if (cached) return cached;
  const parsed = ZEnv.safeParse(process.env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Invalid environment variable ${issue.path.join(".")}: ${issue.message}`);
  }
  cached = { ...parsed.data, backscrollHome: path.resolve(parsed.data.BACKSCROLL_HOME) };
  return cached;
}

/** Forget the cached environment (tests change variables between cases). */
export function resetEnvCache(): void {
  cached = undefined;
}
