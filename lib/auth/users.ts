import { z } from "zod";
import type { TDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { generatePassword, hashPassword } from "./password";
import { insertUser, selectPersonIdsByExternalId, selectUserByEmail, selectUserById, selectUsers } from "./repository";
import type { TUserSummary } from "./types";
import type { TViewer } from "@/lib/access/types";

/** Local accounts: creation and listing. Passwords are stored as scrypt hashes only. */

export const MIN_PASSWORD_LENGTH = 8;

const ZEmail = z.string().trim().toLowerCase().pipe(z.email());

/** Input of createUser, validated at the boundary (CLI, admin pages). */
export const ZCreateUser = z.object({
  email: ZEmail,
  role: z.enum(["admin", "auditor", "member"]),
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
): Promise<{ user: TUserSummary; password: string; generated: boolean }> {
  const parsed = ZCreateUser.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError("bad_input", issue.message, { field: issue.path.join(".") });
  }
  const data = parsed.data;
  let personId: number | null = null;
  if (data.personExternalId) {
    const ids = await selectPersonIdsByExternalId(db, data.personExternalId, data.workspaceId ?? null);
    if (ids.length === 0) {
      throw new AppError("bad_input", `no person with id ${data.personExternalId}`, { field: "personExternalId" });
    }
    if (ids.length > 1) {
      throw new AppError("bad_input", `person id ${data.personExternalId} exists in several workspaces; give the workspace`, {
        field: "workspaceId",
      });
    }
    personId = ids[0]!;
  }
  const generated = data.password === undefined;
  const password = data.password ?? generatePassword();
  let id: number;
  try {
    id = await insertUser(db, { email: data.email, passwordHash: await hashPassword(password), role: data.role, personId });
  } catch (e) {
    if (isUniqueViolation(e)) throw new AppError("conflict", `a user with email ${data.email} already exists`, { field: "email" });
    throw e;
  }
  const user = await selectUserById(db, id);
  return { user: user!, password, generated };
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
