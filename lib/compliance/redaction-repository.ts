import type { TDb } from "../db";

/**
 * SQL for redactions (an overlay over messages: the message row is never
 * altered) and for the raw text auditors may ask for.
 */

/** An active redaction, as readers need it. */
export type TActiveRedaction = { messageId: number; ts: string; reason: string; redactedBy: string | null; redactedAt: Date };

/** The message a raw view or a redaction is about. */
export type TMessageTarget = {
  id: number;
  channel_id: number;
  channel_external_id: string;
  channel_name: string;
  ts: string;
  thread_ts: string | null;
  text: string;
  search_text: string;
  attachments: unknown;
  blocks: unknown;
  deleted: boolean;
};

const TARGET_COLUMNS = `m.id, m.channel_id, c.external_id AS channel_external_id, c.name AS channel_name, m.ts, m.thread_ts,
  m.text, m.search_text, m.attachments, m.blocks, m.deleted`;

/** A message by id, with its channel. */
export async function selectMessageTargetById(db: TDb, messageId: number): Promise<TMessageTarget | null> {
  const r = await db.query<TMessageTarget>(
    `SELECT ${TARGET_COLUMNS} FROM message m JOIN channel c ON c.id = m.channel_id WHERE m.id = $1`,
    [messageId],
  );
  return r.rows[0] ?? null;
}

/** A message by channel (numeric id, external id or name, `#` optional) and ts. */
export async function selectMessageTargetByRef(db: TDb, channelRef: string, ts: string): Promise<TMessageTarget | null> {
  const numeric = /^\d{1,9}$/.test(channelRef) ? Number(channelRef) : -1;
  const r = await db.query<TMessageTarget>(
    `SELECT ${TARGET_COLUMNS} FROM message m JOIN channel c ON c.id = m.channel_id
     WHERE m.ts = $4 AND (c.id = $1 OR c.external_id = $2 OR c.name = $3)
     ORDER BY (c.id = $1) DESC, (c.external_id = $2) DESC, c.id LIMIT 1`,
    [numeric, channelRef, channelRef.replace(/^#/, ""), ts],
  );
  return r.rows[0] ?? null;
}

/** Active redactions of these messages, by message id. */
export async function selectActiveRedactions(db: TDb, messageIds: number[]): Promise<Map<number, TActiveRedaction>> {
  if (messageIds.length === 0) return new Map();
  const r = await db.query<{ message_id: number; ts: string; reason: string; redacted_by: string | null; redacted_at: Date }>(
    `SELECT x.message_id, m.ts, x.reason, u.email AS redacted_by, x.redacted_at
     FROM message_redaction x JOIN message m ON m.id = x.message_id LEFT JOIN app_user u ON u.id = x.redacted_by
     WHERE x.message_id = ANY($1::bigint[]) AND x.reverted_at IS NULL`,
    [messageIds],
  );
  return new Map(r.rows.map((x) => [Number(x.message_id), toRedaction(x)]));
}

/** Active redactions of one channel's messages, by message ts. */
export async function selectActiveRedactionsInChannel(db: TDb, channelId: number): Promise<Map<string, TActiveRedaction>> {
  const r = await db.query<{ message_id: number; ts: string; reason: string; redacted_by: string | null; redacted_at: Date }>(
    `SELECT x.message_id, m.ts, x.reason, u.email AS redacted_by, x.redacted_at
     FROM message_redaction x JOIN message m ON m.id = x.message_id LEFT JOIN app_user u ON u.id = x.redacted_by
     WHERE m.channel_id = $1 AND x.reverted_at IS NULL`,
    [channelId],
  );
  return new Map(r.rows.map((x) => [x.ts, toRedaction(x)]));
}

function toRedaction(x: { message_id: number; ts: string; reason: string; redacted_by: string | null; redacted_at: Date }): TActiveRedaction {
  return { messageId: Number(x.message_id), ts: x.ts, reason: x.reason, redactedBy: x.redacted_by, redactedAt: x.redacted_at };
}

/** Record a redaction; returns its id, or null when the message already has an active one. */
export async function insertRedaction(db: TDb, r: { messageId: number; reason: string; redactedBy: number | null }): Promise<number | null> {
  const res = await db.query<{ id: number }>(
    `INSERT INTO message_redaction (message_id, reason, redacted_by) VALUES ($1, $2, $3)
     ON CONFLICT (message_id) WHERE reverted_at IS NULL DO NOTHING RETURNING id`,
    [r.messageId, r.reason, r.redactedBy],
  );
  return res.rows[0] ? Number(res.rows[0].id) : null;
}

/** Revert a message's active redaction; returns the reverted redaction's id and reason, or null when there was none. */
export async function updateRedactionReverted(
  db: TDb,
  r: { messageId: number; revertedBy: number | null; reason: string | null },
): Promise<{ id: number; reason: string } | null> {
  const res = await db.query<{ id: number; reason: string }>(
    `UPDATE message_redaction SET reverted_by = $2, reverted_at = now(), revert_reason = $3
     WHERE message_id = $1 AND reverted_at IS NULL RETURNING id, reason`,
    [r.messageId, r.revertedBy, r.reason],
  );
  const row = res.rows[0];
  return row ? { id: Number(row.id), reason: row.reason } : null;
}

/**
 * Ask the search side to look at a message again (the message row itself
 * does not change, so its trigger does not fire): Meilisearch rewrites its
 * document with the text as readers now see it.
 */
export async function insertSearchOutboxUpsert(db: TDb, messageIds: number[]): Promise<void> {
  if (messageIds.length === 0) return;
  await db.query(`INSERT INTO search_outbox (op, message_ids) VALUES ('upsert', $1::jsonb)`, [JSON.stringify(messageIds)]);
}
