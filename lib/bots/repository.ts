import type { TDb } from "../db";

/** Rows of `bot_token`: the only SQL about bot tokens. */

export interface TBotTokenRow {
  id: number;
  bot: string;
  tokenPrefix: string;
  workspaceId: number | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const COLUMNS = `id, bot, token_prefix AS "tokenPrefix", workspace_id AS "workspaceId", created_at AS "createdAt",
  last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"`;

export async function insertBotToken(db: TDb, t: { bot: string; tokenHash: string; tokenPrefix: string; workspaceId: number | null }): Promise<TBotTokenRow> {
  const r = await db.query<TBotTokenRow>(
    `INSERT INTO bot_token (bot, token_hash, token_prefix, workspace_id) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
    [t.bot, t.tokenHash, t.tokenPrefix, t.workspaceId],
  );
  return r.rows[0]!;
}

/** The active token with this hash, marking it used (at most once a minute). */
export async function selectActiveTokenByHash(db: TDb, tokenHash: string): Promise<TBotTokenRow | null> {
  const r = await db.query<TBotTokenRow>(`SELECT ${COLUMNS} FROM bot_token WHERE token_hash = $1 AND revoked_at IS NULL`, [tokenHash]);
  const row = r.rows[0];
  if (row && (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000)) {
    await db.query("UPDATE bot_token SET last_used_at = now() WHERE id = $1", [row.id]);
  }
  return row ?? null;
}

export async function selectBotTokens(db: TDb): Promise<TBotTokenRow[]> {
  return (await db.query<TBotTokenRow>(`SELECT ${COLUMNS} FROM bot_token ORDER BY id`)).rows;
}

/** Revoke by id, or every active token of a bot by name; returns the revoked ids. */
export async function updateRevokeTokens(db: TDb, target: { id: number } | { bot: string }): Promise<number[]> {
  const r =
    "id" in target
      ? await db.query<{ id: number }>("UPDATE bot_token SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id", [target.id])
      : await db.query<{ id: number }>("UPDATE bot_token SET revoked_at = now() WHERE bot = $1 AND revoked_at IS NULL RETURNING id", [target.bot]);
  return r.rows.map((x) => x.id);
}

/** The workspace a new token defaults to: the only one, when there is exactly one. */
export async function selectSoleWorkspaceId(db: TDb): Promise<number | null> {
  const r = await db.query<{ id: number }>("SELECT id FROM workspace ORDER BY id LIMIT 2");
  return r.rows.length === 1 ? r.rows[0]!.id : null;
}

export async function selectWorkspaceIdByExternalId(db: TDb, externalId: string): Promise<number | null> {
  const r = await db.query<{ id: number }>("SELECT id FROM workspace WHERE external_id = $1 ORDER BY id LIMIT 1", [externalId]);
  return r.rows[0]?.id ?? null;
}
