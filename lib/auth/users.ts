import { recordAuditEvent } from "@/lib/access/service";
import { ROLES } from "@/lib/access/types";
import type pg from "pg";
import { z } from "zod";
import type { TDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { generatePassword, hashPassword } from "./password";
import { withTransaction } from "@/lib/db";
import {
  deleteSessionsOfUser,
  insertUser,
  lockActiveAdminIds,
  selectPersonIdsByExternalId,
  selectUserByEmail,
  selectUserById,
  selectUsers,
  updateUserFields,
} from "./repository";
import type { TUserSummary } from "./types";
import type { TViewer } from "@/lib/access/types";

/**
 * Accounts: creation, listing, role changes, disabling and the link to a
 * chat person. Passwords are stored as scrypt hashes only. Every change is
 * audited with who made it.
 */

/** Who changes accounts: an account (null for the local CLI), a label, the client address. */
export type TUserAdminActor = { userId: number | null; actor: string; ip?: string | null };

export const CLI_ACTOR: TUserAdminActor = { userId: null, actor: "cli" };

/** Who may create and change accounts. */
export function canManageAccounts(role: string): boolean {
  return role === "admin";
}

export const MIN_PASSWORD_LENGTH = 8;

const ZEmail = z.string().trim().toLowerCase().pipe(z.email());

/** Input of createUser, validated at the boundary (CLI, admin pages). */
export const ZCreateUser = z.object({
  email: ZEmail,
  role: z.enum(ROLES),
  password: z.string().min(MIN_PASSWORD_LENGTH, `password must have at least ${MIN_PASSWORD_LENGTH} characters`).max(1024).optional(),
  /** Link the account to this chat person (their source id, e.g. Slack `U…`). */
  personExternalId: z.string().min(1).optional(),
  /** Workspace of `personExternalId`; needed only when several workspaces have that id. */
  workspaceId: z.number().int().positive().optional(),
});
/** What callers pass to createUser. */
export type TCreateUser = z.input<typeof ZCreateUser>;

function isUniqueViolation(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === "23505";
}

/**
 * Create a local account. Without `password`, a strong random one is
 * generated; either way the password is returned once, so the caller can
 * hand it over (it is never stored in clear).
 * Throws AppError `bad_input` (invalid email, short password, unknown or
 * ambiguous person) or `conflict` (email taken).
 */
export async function createUser(
  db: TDb,
  input: TCreateUser,
  by: TUserAdminActor = CLI_ACTOR,
): Promise<{ user: TUserSummary; password: string; generated: boolean }> {
  const parsed = ZCreateUser.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError("bad_input", issue.message, { field: issue.path.join(".") });
  }
  const data = parsed.data;
  const personId = data.personExternalId ? await resolvePerson(db, data.personExternalId, data.workspaceId ?? null) : null;
  const generated = data.password === undefined;
  const password = data.password ?? generatePassword();
  let id: number;
  try {
    id = await insertUser(db, { email: data.email, passwordHash: await hashPassword(password), role: data.role, personId });
  } catch (e) {
    if (isUniqueViolation(e)) throw new AppError("conflict", `a user with email ${data.email} already exists`, { field: "email" });
    throw e;
  }
  const user = (await selectUserById(db, id))!;
  await recordAuditEvent(db, {
    actorId: by.userId,
    actor: by.actor,
    action: "user.create",
    target: `user:${user.email}`,
    details: { role: user.role, person: data.personExternalId ?? null },
    ip: by.ip ?? null,
  });
  return { user, password, generated };
}

/** The one person with this source id (in `workspaceId` when given), or AppError naming the field. */
async function resolvePerson(db: TDb, externalId: string, workspaceId: number | null): Promise<number> {
  const ids = await selectPersonIdsByExternalId(db, externalId, workspaceId);
  if (ids.length === 0) throw new AppError("bad_input", `no person with id ${externalId}`, { field: "personExternalId" });
  if (ids.length > 1) throw new AppError("bad_input", `person id ${externalId} exists in several workspaces; give the workspace`, { field: "workspaceId" });
  return ids[0]!;
}

/** Changes to an account; fields left out stay as they are. `personExternalId: null` unlinks. */
export const ZUpdateUser = z
  .object({
    role: z.enum(ROLES).optional(),
    disabled: z.boolean().optional(),
    personExternalId: z.string().trim().min(1).nullable().optional(),
    workspaceId: z.number().int().positive().optional(),
  })
  .refine((u) => u.role !== undefined || u.disabled !== undefined || u.personExternalId !== undefined, { message: "nothing to change", path: ["role"] });
export type TUpdateUser = z.input<typeof ZUpdateUser>;

/**
 * Change an account's role, disable or enable it, or link it to a chat
 * person (which private conversations it may read). The last enabled
 * administrator cannot be demoted or disabled, so the archive never loses
 * its administration. Disabling ends the account's sessions at once; a role
 * change applies to its next request. Each change is audited.
 */
export async function updateUser(db: pg.Pool, by: TUserAdminActor, email: string, input: TUpdateUser): Promise<TUserSummary> {
  const parsed = ZUpdateUser.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError("bad_input", issue.message, { field: issue.path.join(".") });
  }
  const u = parsed.data;
  return withTransaction(async (tx) => {
    const before = await selectUserByEmail(tx, email);
    if (!before) throw new AppError("not_found", `No account ${email}`, { field: "email" });
    const losesAdmin = before.role === "admin" && !before.disabled && ((u.role !== undefined && u.role !== "admin") || u.disabled === true);
    // Only a change that takes an administrator away waits for the others (the lock keeps two of them from each removing the other).
    if (losesAdmin && (await lockActiveAdminIds(tx)).length <= 1) {
      throw new AppError("conflict", `${before.email} is the last enabled administrator: make another account admin first`, { field: u.disabled ? "disabled" : "role" });
    }
    // The person the account already has (forms send it back unchanged) is no change.
    const samePerson = u.personExternalId !== undefined && u.personExternalId === before.personExternalId && u.workspaceId === undefined;
    const personId =
      u.personExternalId === undefined || samePerson ? undefined : u.personExternalId === null ? null : await resolvePerson(tx, u.personExternalId, u.workspaceId ?? null);
    await updateUserFields(tx, before.id, { role: u.role, disabled: u.disabled, personId });
    const after = (await selectUserById(tx, before.id))!;
    const audit = (action: string, details: Record<string, unknown>) =>
      recordAuditEvent(tx, { actorId: by.userId, actor: by.actor, action, target: `user:${after.email}`, details, ip: by.ip ?? null });
    if (after.role !== before.role) await audit("user.role_change", { from: before.role, to: after.role });
    if (after.disabled !== before.disabled) {
      const ended = after.disabled ? await deleteSessionsOfUser(tx, after.id) : 0;
      await audit(after.disabled ? "user.disable" : "user.enable", after.disabled ? { sessionsEnded: ended } : {});
    }
    if (after.personId !== before.personId) {
      await audit("user.person_link", { from: before.personId, to: after.personId, person: u.personExternalId ?? null });
    }
    return after;
  }, db);
}

/** One account by id, without secrets. */
export async function findUserById(db: TDb, id: number): Promise<TUserSummary | null> {
  return selectUserById(db, id);
}

/** Every account, by email, without secrets. */
export async function listUsers(db: TDb): Promise<TUserSummary[]> {
  return selectUsers(db);
}


/**
 * The viewer a command-line user acts as: the account with this e-mail, or,
 * without one, a local administrator (whoever runs the CLI on the server
 * already has the database).
 */
export async function findCliViewer(db: TDb, email?: string): Promise<{ viewer: TViewer; actor: string; userId: number | null }> {
  if (!email) return { viewer: { userId: 0, role: "admin", personId: null }, actor: "cli", userId: null };
  const u = await selectUserByEmail(db, email);
  if (!u || u.disabled) throw new AppError("bad_input", `No active account ${email}`, { field: "as" });
  return { viewer: { userId: u.id, role: u.role, personId: u.personId }, actor: u.email, userId: u.id };
}
