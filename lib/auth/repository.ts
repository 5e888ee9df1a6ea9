import type { TDb } from "@/lib/db";
import type { TRole } from "@/lib/access/types";
import type { TUserSummary } from "./types";

/** SQL for accounts, sessions, sign-in attempts and their audit events. */

type TUserRow = {
  id: number;
  email: string;
  role: TRole;
  person_id: number | null;
  person_external_id: string | null;
  person_name: string | null;
  disabled: boolean;
  created_at: Date;
  last_login_at: Date | null;
};

const USER_COLUMNS = `u.id, u.email, u.role, u.person_id, p.external_id AS person_external_id,
  COALESCE(NULLIF(p.display_name, ''), NULLIF(p.real_name, ''), p.name) AS person_name,
  u.disabled, u.created_at, u.last_login_at`;

function toSummary(r: TUserRow): TUserSummary {
  return {
    id: r.id,
    email: r.email,
    role: r.role,
    personId: r.person_id,
    personExternalId: r.person_external_id,
    personName: r.person_name,
    disabled: r.disabled,
    createdAt: r.created_at.toISOString(),
    lastLoginAt: r.last_login_at ? r.last_login_at.toISOString() : null,
  };
}

/** Insert an account; returns its id (throws pg error 23505 on a taken email). */
export async function insertUser(
  db: TDb,
  u: { email: string; passwordHash: string | null; role: TRole; personId: number | null },
): Promise<number> {
  const r = await db.query<{ id: number }>(
    "INSERT INTO app_user (email, password_hash, role, person_id) VALUES ($1, $2, $3, $4) RETURNING id",
    [u.email, u.passwordHash, u.role, u.personId],
  );
  return r.rows[0]!.id;
}

/** One account by id. */
export async function selectUserById(db: TDb, id: number): Promise<TUserSummary | null> {
  const r = await db.query<TUserRow>(
    `SELECT ${USER_COLUMNS} FROM app_user u LEFT JOIN person p ON p.id = u.person_id WHERE u.id = $1`,
    [id],
  );
  return r.rows[0] ? toSummary(r.rows[0]) : null;
}

/** One account by e-mail (case-insensitive). */
export async function selectUserByEmail(db: TDb, email: string): Promise<TUserSummary | null> {
  const r = await db.query<TUserRow>(
    `SELECT ${USER_COLUMNS} FROM app_user u LEFT JOIN person p ON p.id = u.person_id WHERE u.email = lower($1)`,
    [email.trim()],
  );
  return r.rows[0] ? toSummary(r.rows[0]) : null;
}

/** Every account, by email. */
export async function selectUsers(db: TDb): Promise<TUserSummary[]> {
  const r = await db.query<TUserRow>(
    `SELECT ${USER_COLUMNS} FROM app_user u LEFT JOIN person p ON p.id = u.person_id ORDER BY u.email`,
  );
  return r.rows.map(toSummary);
}

/** What sign-in needs about an account, by (normalised) email. */
export async function selectCredentials(
  db: TDb,
  email: string,
): Promise<{ id: number; passwordHash: string | null; disabled: boolean } | null> {
  const r = await db.query<{ id: number; password_hash: string | null; disabled: boolean }>(
    "SELECT id, password_hash, disabled FROM app_user WHERE lower(email) = $1",
    [email],
  );
  const row = r.rows[0];
  return row ? { id: row.id, passwordHash: row.password_hash, disabled: row.disabled } : null;
}

/** Replace an account's password hash (used to upgrade scrypt parameters). */
export async function updatePasswordHash(db: TDb, userId: number, passwordHash: string): Promise<void> {
  await db.query("UPDATE app_user SET password_hash = $2 WHERE id = $1", [userId, passwordHash]);
}

/** Person ids with this external id, optionally within one workspace. */
export async function selectPersonIdsByExternalId(db: TDb, externalId: string, workspaceId: number | null): Promise<number[]> {
  const r = await db.query<{ id: number }>(
    "SELECT id FROM person WHERE external_id = $1 AND ($2::int IS NULL OR workspace_id = $2::int) ORDER BY id",
    [externalId, workspaceId],
  );
  return r.rows.map((row) => row.id);
}

/** Record one sign-in attempt. */
export async function insertLoginAttempt(db: TDb, a: { email: string; ip: string | null; ok: boolean }): Promise<void> {
  await db.query("INSERT INTO login_attempt (email, ip, ok) VALUES ($1, $2, $3)", [a.email, a.ip, a.ok]);
}

/** Failed attempts for `email` since `since` and since its last successful sign-in. */
export async function countFailuresForEmail(db: TDb, email: string, since: Date): Promise<number> {
  const r = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM login_attempt
     WHERE email = $1 AND NOT ok AND created_at > GREATEST($2::timestamptz,
       COALESCE((SELECT max(created_at) FROM login_attempt WHERE email = $1 AND ok), '-infinity'))`,
    [email, since],
  );
  return r.rows[0]?.n ?? 0;
}

/** Failed attempts from `ip` since `since`. */
export async function countFailuresForIp(db: TDb, ip: string, since: Date): Promise<number> {
  const r = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM login_attempt WHERE ip = $1 AND NOT ok AND created_at > $2",
    [ip, since],
  );
  return r.rows[0]?.n ?? 0;
}

/** Mark a successful sign-in. */
export async function updateLastLogin(db: TDb, userId: number): Promise<void> {
  await db.query("UPDATE app_user SET last_login_at = now() WHERE id = $1", [userId]);
}

/** Store a session (its token hash only). */
export async function insertSession(
  db: TDb,
  s: { tokenHash: string; userId: number; csrfToken: string; expiresAt: Date; ip: string | null; userAgent: string | null },
): Promise<void> {
  await db.query(
    `INSERT INTO session (token_hash, user_id, csrf_token, expires_at, ip, user_agent)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [s.tokenHash, s.userId, s.csrfToken, s.expiresAt, s.ip, s.userAgent],
  );
}

/** Drop a user's expired sessions. */
export async function deleteExpiredSessions(db: TDb, userId: number): Promise<void> {
  await db.query("DELETE FROM session WHERE user_id = $1 AND expires_at <= now()", [userId]);
}

/** The enabled user behind an unexpired session. */
export async function selectSessionUser(
  db: TDb,
  tokenHash: string,
): Promise<{ userId: number; email: string; role: TRole; personId: number | null; csrfToken: string; expiresAt: Date } | null> {
  const r = await db.query<{
    user_id: number;
    email: string;
    role: TRole;
    person_id: number | null;
    csrf_token: string;
    expires_at: Date;
  }>(
    `SELECT s.user_id, u.email, u.role, u.person_id, s.csrf_token, s.expires_at
     FROM session s JOIN app_user u ON u.id = s.user_id
     WHERE s.token_hash = $1 AND s.expires_at > now() AND NOT u.disabled`,
    [tokenHash],
  );
  const row = r.rows[0];
  if (!row) return null;
  return {
    userId: row.user_id,
    email: row.email,
    role: row.role,
    personId: row.person_id,
    csrfToken: row.csrf_token,
    expiresAt: row.expires_at,
  };
}

/** Delete a session; returns its user id, or null if there was none. */
export async function deleteSessionByHash(db: TDb, tokenHash: string): Promise<number | null> {
  const r = await db.query<{ user_id: number }>("DELETE FROM session WHERE token_hash = $1 RETURNING user_id", [tokenHash]);
  return r.rows[0]?.user_id ?? null;
}

/** The account linked to an external identity (issuer, subject), if any. */
export async function selectUserIdByIdentity(db: TDb, issuer: string, subject: string): Promise<number | null> {
  const r = await db.query<{ user_id: number }>("SELECT user_id FROM user_identity WHERE issuer = $1 AND subject = $2", [issuer, subject]);
  return r.rows[0]?.user_id ?? null;
}

/** Link an external identity to an account (a no-op when the pair is already linked). */
export async function insertIdentity(
  db: TDb,
  i: { userId: number; provider: string; issuer: string; subject: string; email: string | null },
): Promise<void> {
  await db.query(
    `INSERT INTO user_identity (user_id, provider, issuer, subject, email, last_login_at) VALUES ($1, $2, $3, $4, $5, now())
     ON CONFLICT (issuer, subject) DO NOTHING`,
    [i.userId, i.provider, i.issuer, i.subject, i.email],
  );
}

/** Note a sign-in through an identity, with the e-mail the provider gave this time. */
export async function updateIdentityLogin(db: TDb, i: { issuer: string; subject: string; email: string | null }): Promise<void> {
  await db.query("UPDATE user_identity SET last_login_at = now(), email = $3 WHERE issuer = $1 AND subject = $2", [i.issuer, i.subject, i.email]);
}

/**
 * Chat people with this Slack user id: in the workspace with this team id
 * when there is one, otherwise in any Slack workspace (Enterprise Grid
 * tokens name the organisation, not the workspace).
 */
export async function selectSlackPersonIds(db: TDb, teamId: string | null, slackUserId: string): Promise<number[]> {
  const r = await db.query<{ id: number; in_team: boolean }>(
    `SELECT p.id, (w.external_id = $1) AS in_team
     FROM person p JOIN workspace w ON w.id = p.workspace_id
     WHERE w.platform = 'slack' AND p.external_id = $2 AND NOT p.deleted AND NOT p.is_bot
     ORDER BY p.id`,
    [teamId, slackUserId],
  );
  const inTeam = r.rows.filter((row) => row.in_team);
  return (inTeam.length > 0 ? inTeam : r.rows).map((row) => row.id);
}

/** Human, not deleted chat people whose profile e-mail is this address (case-insensitive). */
export async function selectPersonIdsByEmail(db: TDb, email: string): Promise<number[]> {
  const r = await db.query<{ id: number }>(
    "SELECT id FROM person WHERE lower(email) = lower($1) AND NOT deleted AND NOT is_bot ORDER BY id",
    [email],
  );
  return r.rows.map((row) => row.id);
}

/** Link an account to a chat person unless it is linked to one already. */
export async function updateUserPersonIfUnset(db: TDb, userId: number, personId: number): Promise<void> {
  await db.query("UPDATE app_user SET person_id = $2 WHERE id = $1 AND person_id IS NULL", [userId, personId]);
}

/** Change an account's role, disabled flag and linked person (only the fields given). */
export async function updateUserFields(db: TDb, userId: number, f: { role?: TRole; disabled?: boolean; personId?: number | null }): Promise<void> {
  await db.query(
    `UPDATE app_user SET role = CASE WHEN $2::boolean THEN $3::user_role ELSE role END,
       disabled = CASE WHEN $4::boolean THEN $5::boolean ELSE disabled END,
       person_id = CASE WHEN $6::boolean THEN $7::int ELSE person_id END
     WHERE id = $1`,
    [userId, f.role !== undefined, f.role ?? null, f.disabled !== undefined, f.disabled ?? null, f.personId !== undefined, f.personId ?? null],
  );
}

/** Accounts that are enabled administrators, locked against concurrent demotions. */
export async function lockActiveAdminIds(db: TDb): Promise<number[]> {
  const r = await db.query<{ id: number }>("SELECT id FROM app_user WHERE role = 'admin' AND NOT disabled ORDER BY id FOR UPDATE");
  return r.rows.map((x) => x.id);
}

/** End every session of an account; returns how many there were. */
export async function deleteSessionsOfUser(db: TDb, userId: number): Promise<number> {
  const r = await db.query("DELETE FROM session WHERE user_id = $1", [userId]);
  return r.rowCount ?? 0;
}
