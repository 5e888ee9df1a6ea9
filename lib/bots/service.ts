import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import type { TDb } from "../db";
import { AppError } from "../errors";
import {
  insertBotToken,
  selectActiveTokenByHash,
  selectBotTokens,
  selectSoleWorkspaceId,
  selectWorkspaceIdByExternalId,
  updateRevokeTokens,
  type TBotTokenRow,
} from "./repository";

/**
 * API tokens for chatbots. A token is shown once, when created; the database
 * keeps only its SHA-256, so a leaked table cannot be used to post.
 */

const PREFIX = "bsb_";
const TOKEN_RE = /^bsb_[A-Za-z0-9_-]{43}$/;

export const ZBotName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[\w.@-]+$/, "letters, digits, _ . @ - only");

/** What a verified token says about its bearer. */
export interface TBotIdentity {
  tokenId: number;
  bot: string;
  workspaceId: number | null;
}

function hashBotToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/**
 * Create a token for `bot`. It is bound to `workspace` (an external id), or
 * to the archive's only workspace when there is exactly one. Returns the
 * token itself: it is never shown again.
 */
export async function createBotToken(db: TDb, input: { bot: string; workspace?: string | null }): Promise<{ token: string; row: TBotTokenRow }> {
  const bot = ZBotName.safeParse(input.bot);
  if (!bot.success) throw new AppError("usage", `--bot: ${bot.error.issues[0]!.message}`, { field: "bot" });
  let workspaceId: number | null;
  if (input.workspace) {
    workspaceId = await selectWorkspaceIdByExternalId(db, input.workspace);
    if (workspaceId === null) throw new AppError("bad_input", `No workspace with id ${input.workspace}`, { field: "workspace" });
  } else workspaceId = await selectSoleWorkspaceId(db);
  const token = PREFIX + randomBytes(32).toString("base64url");
  const row = await insertBotToken(db, { bot: bot.data, tokenHash: hashBotToken(token), tokenPrefix: token.slice(0, 10), workspaceId });
  return { token, row };
}

/** Every token (never the token itself), oldest first. */
export async function listBotTokens(db: TDb): Promise<TBotTokenRow[]> {
  return selectBotTokens(db);
}

/** Revoke a token by id, or all of a bot's tokens by bot name. */
export async function revokeBotTokens(db: TDb, target: string): Promise<number[]> {
  const ids = /^\d+$/.test(target) ? await updateRevokeTokens(db, { id: Number(target) }) : await updateRevokeTokens(db, { bot: target });
  if (ids.length === 0) throw new AppError("not_found", `No active token with id or bot name "${target}"`);
  return ids;
}

/**
 * The bot behind an `Authorization: Bearer <token>` header; throws
 * `unauthenticated` when the header is missing, malformed, unknown or revoked
 * (the same answer for all, so callers learn nothing).
 */
export async function verifyBotAuthorization(db: TDb, header: string | null): Promise<TBotIdentity> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  const token = m?.[1];
  const fail = () => new AppError("unauthenticated", "A valid bot token is required (Authorization: Bearer <token>).");
  if (!token || !TOKEN_RE.test(token)) throw fail();
  const row = await selectActiveTokenByHash(db, hashBotToken(token));
  if (!row) throw fail();
  return { tokenId: row.id, bot: row.bot, workspaceId: row.workspaceId };
}
