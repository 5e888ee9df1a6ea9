import { recordAuditEvent } from "@/lib/access/service";
import * as oidc from "openid-client";
import { z } from "zod";
import type { TDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { readCookie } from "./cookie";
import type { TOidcProvider } from "./oidc-providers";
import { OIDC_PROVIDER_IDS, SLACK_ISSUER } from "./oidc-providers";
import {
  insertIdentity,
  insertUser,
  selectPersonIdsByEmail,
  selectSlackPersonIds,
  selectUserByEmail,
  selectUserById,
  selectUserIdByIdentity,
  updateIdentityLogin,
  updateLastLogin,
  updateUserPersonIfUnset,
} from "./repository";
import { createSession } from "./sessions";
import { areTokensEqual } from "./tokens";
import type { TNewSession, TUserSummary } from "./types";

/**
 * Sign-in through an OpenID Connect provider, Sign in with Slack included:
 * the authorization-code flow with PKCE, state and nonce (openid-client).
 *
 * 1. `startOidcSignIn` makes the authorization URL and a flow record (state,
 *    nonce, PKCE verifier, where to go afterwards) that the route keeps in a
 *    short-lived HttpOnly cookie (`bs_oidc`).
 * 2. `completeOidcSignIn` checks the callback against that record, redeems
 *    the code, verifies the id_token (signature, issuer, audience, expiry,
 *    nonce), applies the deployment's rules (verified e-mail, allowed
 *    domains, Slack workspace, default role), finds or creates the account,
 *    links it to the archived chat person and starts the same session a
 *    password sign-in starts. Every outcome is audited.
 */

/** Cookie holding the pending flow between start and callback. */
export const OIDC_FLOW_COOKIE = "bs_oidc";
/** How long a user may take at the identity provider. */
export const OIDC_FLOW_TTL_SECONDS = 600;

/** Why an external sign-in was refused; the login page has a message for each. */
export type TOidcFailure =
  | "oidc_state"
  | "oidc_denied"
  | "oidc_email"
  | "oidc_domain"
  | "oidc_team"
  | "oidc_no_account"
  | "oidc_disabled"
  | "oidc_failed";

/** A refused external sign-in: `reason` picks the message the login page shows. */
export class OidcSignInError extends AppError {
  readonly reason: TOidcFailure;

  constructor(reason: TOidcFailure, message: string, options?: { cause?: unknown }) {
    super(reason === "oidc_failed" ? "internal" : reason === "oidc_state" ? "unauthenticated" : "forbidden", message, undefined, options);
    this.name = "OidcSignInError";
    this.reason = reason;
  }
}

/** The pending flow, as kept in the `bs_oidc` cookie. */
export const ZOidcFlow = z.object({
  provider: z.enum(OIDC_PROVIDER_IDS),
  state: z.string().min(16).max(200),
  nonce: z.string().min(16).max(200),
  codeVerifier: z.string().min(43).max(128),
  next: z.string().max(2000),
  /** Epoch milliseconds after which the flow is void. */
  expiresAt: z.number().int(),
});
export type TOidcFlow = z.infer<typeof ZOidcFlow>;

const configurations = new Map<string, Promise<oidc.Configuration>>();

/** Plain-HTTP issuers are accepted only on the loopback interface (local test providers). */
function isLoopbackHttp(issuer: URL): boolean {
  return issuer.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(issuer.hostname);
}

/**
 * The provider's discovered configuration (cached per issuer and client;
 * a failed discovery is retried next time).
 */
async function getConfiguration(p: TOidcProvider): Promise<oidc.Configuration> {
  const key = `${p.issuer}\u0000${p.clientId}\u0000${p.clientSecret ?? ""}`;
  let pending = configurations.get(key);
  if (!pending) {
    const issuer = new URL(p.issuer);
    pending = oidc.discovery(
      issuer,
      p.clientId,
      p.clientSecret ?? undefined,
      p.clientSecret ? oidc.ClientSecretPost(p.clientSecret) : oidc.None(),
      { execute: isLoopbackHttp(issuer) ? [oidc.allowInsecureRequests] : [], timeout: 15 },
    );
    configurations.set(key, pending);
    pending.catch(() => configurations.delete(key));
  }
  try {
    return await pending;
  } catch (e) {
    throw new OidcSignInError("oidc_failed", `The identity provider ${p.issuer} could not be reached or is misconfigured.`, { cause: e });
  }
}

/** Forget discovered configurations (tests start fresh providers). */
export function resetOidcConfigurationCache(): void {
  configurations.clear();
}

/**
 * Begin a sign-in: the URL to send the browser to, and the flow record to
 * keep in the `bs_oidc` cookie until the callback.
 */
export async function startOidcSignIn(
  p: TOidcProvider,
  input: { redirectUri: string; next: string },
): Promise<{ authorizationUrl: URL; flow: TOidcFlow }> {
  const config = await getConfiguration(p);
  const flow: TOidcFlow = {
    provider: p.id,
    state: oidc.randomState(),
    nonce: oidc.randomNonce(),
    codeVerifier: oidc.randomPKCECodeVerifier(),
    next: input.next,
    expiresAt: Date.now() + OIDC_FLOW_TTL_SECONDS * 1000,
  };
  const params: Record<string, string> = {
    redirect_uri: input.redirectUri,
    scope: p.scopes.join(" "),
    state: flow.state,
    nonce: flow.nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(flow.codeVerifier),
    code_challenge_method: "S256",
  };
  // Slack preselects (and keeps users to) this workspace.
  if (p.teamId) params.team = p.teamId;
  return { authorizationUrl: oidc.buildAuthorizationUrl(config, params), flow };
}

/** The Set-Cookie value that keeps a pending flow (HttpOnly, SameSite=Lax, only sent to /api/auth/oidc/). */
export function serializeOidcFlowCookie(flow: TOidcFlow, opts: { secure: boolean }): string {
  const value = Buffer.from(JSON.stringify(flow), "utf8").toString("base64url");
  // Lax: the provider's redirect back is a top-level GET navigation, which Lax allows.
  const parts = [`${OIDC_FLOW_COOKIE}=${value}`, "Path=/api/auth/oidc/", "HttpOnly", "SameSite=Lax", `Max-Age=${OIDC_FLOW_TTL_SECONDS}`];
  if (opts.secure) parts.push("Secure");
  return parts.join("; ");
}

/** The Set-Cookie value that removes the flow cookie (a flow is good for one callback). */
export function serializeClearedOidcFlowCookie(opts: { secure: boolean }): string {
  const parts = [`${OIDC_FLOW_COOKIE}=`, "Path=/api/auth/oidc/", "HttpOnly", "SameSite=Lax", "Max-Age=0", "Expires=Thu, 01 Jan 1970 00:00:00 GMT"];
  if (opts.secure) parts.push("Secure");
  return parts.join("; ");
}

/** The pending flow from a Cookie header; null when absent, malformed or expired. */
export function readOidcFlowCookie(cookieHeader: string | null, now: number = Date.now()): TOidcFlow | null {
  const raw = readCookie(cookieHeader, OIDC_FLOW_COOKIE);
  if (!raw || raw.length > 4000) return null;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  const parsed = ZOidcFlow.safeParse(decoded);
  if (!parsed.success || parsed.data.expiresAt <= now) return null;
  return parsed.data;
}

/** The id_token claims Backscroll uses; anything else is ignored. */
const ZClaims = z.object({
  iss: z.string(),
  sub: z.string().min(1).max(255),
  email: z.string().max(320).optional(),
  // Some providers send "true" as a string.
  email_verified: z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]).optional(),
  "https://slack.com/user_id": z.string().optional(),
  "https://slack.com/team_id": z.string().optional(),
});

const ZEmail = z.string().trim().toLowerCase().pipe(z.email());

/** Translate openid-client's errors into the reason the user is shown. */
function toSignInError(e: unknown): OidcSignInError {
  if (e instanceof OidcSignInError) return e;
  if (e instanceof oidc.AuthorizationResponseError) {
    return new OidcSignInError("oidc_denied", `The identity provider refused the sign-in (${e.error}).`, { cause: e });
  }
  if (e instanceof oidc.ClientError) {
    const detail = e.cause instanceof Error ? e.cause.message : "";
    if (/"(state|nonce)"/.test(detail)) {
      return new OidcSignInError("oidc_state", `The sign-in response did not match this browser's request (${detail}).`, { cause: e });
    }
  }
  const message = e instanceof Error ? e.message : String(e);
  return new OidcSignInError("oidc_failed", `Sign-in with the identity provider failed: ${message}`, { cause: e });
}

/** The chat person an external identity stands for: by Slack user id, else by a unique e-mail match. */
async function findPersonId(db: TDb, slack: { userId: string; teamId: string | null } | null, email: string): Promise<number | null> {
  if (slack) {
    const ids = await selectSlackPersonIds(db, slack.teamId, slack.userId);
    if (ids.length === 1) return ids[0]!;
  }
  const ids = await selectPersonIdsByEmail(db, email);
  return ids.length === 1 ? ids[0]! : null;
}

/**
 * Finish a sign-in at the callback: verify the response against `flow`,
 * apply the provider's rules, find or create the account, link it to its
 * chat person, and start a session.
 * Throws OidcSignInError with the reason the login page explains.
 */
export async function completeOidcSignIn(
  db: TDb,
  p: TOidcProvider,
  input: {
    /** The callback's query parameters (code, state, or error). */
    callbackParams: URLSearchParams;
    redirectUri: string;
    /** The flow from the cookie; null when the cookie was missing or expired. */
    flow: TOidcFlow | null;
    ip: string | null;
    userAgent?: string | null;
  },
): Promise<{ user: TUserSummary; session: TNewSession; next: string; created: boolean }> {
  const method = p.issuer === SLACK_ISSUER || p.id === "slack" ? "slack" : "oidc";
  const ip = input.ip ? input.ip.slice(0, 100) : null;
  let actor: string | null = null;
  let actorId: number | null = null;
  try {
    const { flow } = input;
    if (!flow || flow.provider !== p.id) {
      throw new OidcSignInError("oidc_state", "No sign-in was started in this browser, or it expired.");
    }
    // The provider's own error (the user cancelled) comes without a code.
    if (!input.callbackParams.has("error") && !areTokensEqual(flow.state, input.callbackParams.get("state"))) {
      throw new OidcSignInError("oidc_state", "The sign-in response's state does not match this browser's request.");
    }
    const config = await getConfiguration(p);
    const currentUrl = new URL(input.redirectUri);
    currentUrl.search = input.callbackParams.toString();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      // The redirect_uri sent to the token endpoint is currentUrl without its query: input.redirectUri.
      tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: flow.codeVerifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
    } catch (e) {
      throw toSignInError(e);
    }
    const parsed = ZClaims.safeParse(tokens.claims());
    if (!parsed.success) throw new OidcSignInError("oidc_failed", "The identity provider's id_token lacks a subject.");
    const claims = parsed.data;
    const issuer = claims.iss;
    const subject = claims.sub;
    const email = ZEmail.safeParse(claims.email ?? "");
    actor = email.success ? email.data : `${method}:${subject}`;

    if (!email.success || claims.email_verified !== true) {
      throw new OidcSignInError("oidc_email", "The identity provider did not vouch for an e-mail address (missing or unverified).");
    }
    const domain = email.data.slice(email.data.lastIndexOf("@") + 1);
    if (p.allowedDomains.length > 0 && !p.allowedDomains.includes(domain)) {
      throw new OidcSignInError("oidc_domain", `E-mail domain ${domain} may not sign in here.`);
    }
    const slackUserId = claims["https://slack.com/user_id"] ?? (method === "slack" ? subject : undefined);
    const slackTeamId = claims["https://slack.com/team_id"] ?? null;
    if (p.teamId && slackTeamId !== p.teamId) {
      throw new OidcSignInError("oidc_team", `Slack workspace ${slackTeamId ?? "(none)"} is not the one this archive admits.`);
    }
    const slack = slackUserId ? { userId: slackUserId, teamId: slackTeamId } : null;

    // The identity first (it survives an e-mail change), then the verified e-mail.
    let userId = await selectUserIdByIdentity(db, issuer, subject);
    let created = false;
    if (userId === null) {
      const byEmail = await selectUserByEmail(db, email.data);
      if (byEmail) {
        userId = byEmail.id;
      } else {
        if (p.defaultRole === "none") {
          throw new OidcSignInError("oidc_no_account", `No account for ${email.data}; only accounts created by an administrator may sign in.`);
        }
        const personId = await findPersonId(db, slack, email.data);
        try {
          userId = await insertUser(db, { email: email.data, passwordHash: null, role: p.defaultRole, personId });
          created = true;
        } catch (e) {
          // Created concurrently by a second callback: use that account.
          if ((e as { code?: unknown }).code !== "23505") throw e;
          userId = (await selectUserByEmail(db, email.data))?.id ?? null;
          if (userId === null) throw e;
        }
      }
      await insertIdentity(db, { userId, provider: p.id, issuer, subject, email: email.data });
    } else {
      await updateIdentityLogin(db, { issuer, subject, email: email.data });
    }
    actorId = userId;
    const existing = (await selectUserById(db, userId))!;
    actor = existing.email;
    if (existing.disabled) throw new OidcSignInError("oidc_disabled", `The account ${existing.email} is disabled.`);
    if (existing.personId === null) {
      const personId = await findPersonId(db, slack, email.data);
      if (personId !== null) await updateUserPersonIfUnset(db, userId, personId);
    }
    await updateLastLogin(db, userId);
    await recordAuditEvent(db, {
      actorId: userId,
      actor: existing.email,
      action: "auth.sign_in",
      target: null,
      details: { method, provider: p.id, issuer, subject, ...(created ? { created: true } : {}) },
      ip,
    });
    const session = await createSession(db, { userId, ip, userAgent: input.userAgent });
    const user = (await selectUserById(db, userId))!;
    return { user, session, next: flow.next, created };
  } catch (e) {
    const err = toSignInError(e);
    await recordAuditEvent(db, {
      actorId,
      actor,
      action: "auth.sign_in_failed",
      target: null,
      details: { method, provider: p.id, reason: err.reason },
      ip,
    });
    throw err;
  }
}
