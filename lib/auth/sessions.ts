import { recordAuditEvent } from "@/lib/access/service";
import type { TDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import type { TRole, TViewer } from "@/lib/access/types";
import { getDummyHash, hashPassword, needsRehash, verifyPassword } from "./password";
import {
  countFailuresForEmail,
  countFailuresForIp,
  deleteExpiredSessions,
  deleteSessionByHash,
  insertLoginAttempt,
  insertSession,
  selectCredentials,
  selectSessionUser,
  selectUserById,
  updateLastLogin,
  updatePasswordHash,
} from "./repository";
import { generateToken, hashToken, isWellFormedToken } from "./tokens";
import type { TNewSession, TSessionUser, TUserSummary } from "./types";

/**
 * Password sign-in with rate limiting, and sessions. Sign-in successes and
 * failures and sign-outs are written to the audit log.
 */

/** Sign-in limits: failures counted over a sliding window. */
export const LOGIN_LIMITS = {
  windowMinutes: 15,
  /** Failures per account (reset by a successful sign-in). */
  maxFailuresPerEmail: 5,
  /** Failures per client address, over all accounts. */
  maxFailuresPerIp: 20,
} as const;

function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Check an email and password. Rate limited per account and per client
 * address (see LOGIN_LIMITS); every outcome is audited.
 * Returns the account; throws AppError `rate_limited` or `unauthenticated`
 * (one message for unknown email, wrong password and disabled account).
 */
export async function verifyLogin(
  db: TDb,
  input: { email: string; password: string; ip: string | null },
): Promise<TUserSummary> {
  const email = normalizeEmail(input.email).slice(0, 320);
  const ip = input.ip ? input.ip.slice(0, 100) : null;
  const since = new Date(Date.now() - LOGIN_LIMITS.windowMinutes * 60_000);

  const limited =
    (await countFailuresForEmail(db, email, since)) >= LOGIN_LIMITS.maxFailuresPerEmail ||
    (ip !== null && (await countFailuresForIp(db, ip, since)) >= LOGIN_LIMITS.maxFailuresPerIp);
  if (limited) {
    await recordAuditEvent(db, {
      actorId: null,
      actor: email,
      action: "auth.sign_in_failed",
      target: null,
      details: { reason: "rate_limited" },
      ip,
    });
    throw new AppError("rate_limited", `Too many failed sign-in attempts; try again in ${LOGIN_LIMITS.windowMinutes} minutes.`);
  }

  const creds = email && input.password.length <= 1024 ? await selectCredentials(db, email) : null;
  // Unknown accounts still pay for one scrypt, so timing does not reveal them.
  const ok = await verifyPassword(input.password.slice(0, 1024), creds?.passwordHash ?? (await getDummyHash()));
  const success = ok && creds !== null && creds.passwordHash !== null && !creds.disabled;

  await insertLoginAttempt(db, { email, ip, ok: success });
  if (!success || !creds) {
    const reason = !creds ? "unknown_user" : creds.disabled ? "disabled" : "wrong_password";
    await recordAuditEvent(db, { actorId: creds?.id ?? null, actor: email, action: "auth.sign_in_failed", target: null, details: { reason }, ip });
    throw new AppError("unauthenticated", "Wrong email or password.");
  }
  await updateLastLogin(db, creds.id);
  if (needsRehash(creds.passwordHash!)) await updatePasswordHash(db, creds.id, await hashPassword(input.password));
  await recordAuditEvent(db, { actorId: creds.id, actor: email, action: "auth.sign_in", target: null, details: { method: "password" }, ip });
  return (await selectUserById(db, creds.id))!;
}

/**
 * Start a session for a user: a random token for the cookie (only its
 * SHA-256 is stored), a CSRF token, and an expiry SESSION_TTL_HOURS ahead.
 */
export async function createSession(
  db: TDb,
  input: { userId: number; ip?: string | null; userAgent?: string | null; ttlHours?: number },
): Promise<TNewSession> {
  const ttlHours = input.ttlHours ?? getEnv().SESSION_TTL_HOURS;
  const token = generateToken();
  const csrfToken = generateToken();
  const expiresAt = new Date(Date.now() + ttlHours * 3_600_000);
  await deleteExpiredSessions(db, input.userId);
  await insertSession(db, {
    tokenHash: hashToken(token),
    userId: input.userId,
    csrfToken,
    expiresAt,
    ip: input.ip?.slice(0, 100) ?? null,
    userAgent: input.userAgent?.slice(0, 500) ?? null,
  });
  return { token, csrfToken, expiresAt };
}

/** verifyLogin, then createSession: the whole of a password sign-in. */
export async function signIn(
  db: TDb,
  input: { email: string; password: string; ip: string | null; userAgent?: string | null },
): Promise<{ user: TUserSummary; session: TNewSession }> {
  const user = await verifyLogin(db, input);
  const session = await createSession(db, { userId: user.id, ip: input.ip, userAgent: input.userAgent });
  return { user, session };
}

/** The user behind a session token, or null (unknown, expired, or account disabled). */
export async function getSessionUser(db: TDb, token: string | null | undefined): Promise<TSessionUser | null> {
  if (!isWellFormedToken(token)) return null;
  const row = await selectSessionUser(db, hashToken(token));
  if (!row) return null;
  return { ...row, expiresAt: row.expiresAt.toISOString() };
}

/** End a session (sign-out); audited. Returns false when there was no such session. */
export async function deleteSession(db: TDb, token: string | null | undefined, context: { ip?: string | null } = {}): Promise<boolean> {
  if (!isWellFormedToken(token)) return false;
  const userId = await deleteSessionByHash(db, hashToken(token));
  if (userId === null) return false;
  await recordAuditEvent(db, {
    actorId: userId,
    action: "auth.sign_out",
    target: null,
    details: {},
    ip: context.ip ?? null,
  });
  return true;
}

/** The access-control view of a signed-in user. */
export function toViewer(user: { userId: number; role: TRole; personId: number | null }): TViewer {
  return { userId: user.userId, role: user.role, personId: user.personId };
}
