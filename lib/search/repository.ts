import type pg from "pg";
import { readableChannelsSql } from "../access/service";
import type { TViewer } from "../access/types";
import type { TDb } from "../db";

/**
 * Search-side data access outside the backends: autocomplete (scoped to what
 * the viewer may read), the outbox that feeds derived indexes, and the
 * vocabulary used for typo tolerance.
 */

export type TSuggestion = { kind: "channel" | "person"; value: string; label: string };

const likePrefix = (s: string) => s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`) + "%";

/** Channels the viewer may read whose name starts with `prefix`. */
export async function selectChannelSuggestions(db: TDb, viewer: TViewer, prefix: string, limit = 8): Promise<TSuggestion[]> {
  const scope = readableChannelsSql(viewer, 3);
  const r = await db.query<{ name: string; kind: string }>(
    `SELECT c.name, c.kind FROM channel c
     WHERE c.id IN (${scope.sql}) AND c.kind IN ('public', 'private') AND lower(c.name) LIKE $1
     ORDER BY c.name LIMIT $2`,
    [likePrefix(prefix), limit, ...scope.params],
  );
  return r.rows.map((row) => ({ kind: "channel", value: row.name, label: `#${row.name}${row.kind === "private" ? " (private)" : ""}` }));
}

/** People who belong to a channel the viewer may read, by name prefix. */
export async function selectPersonSuggestions(db: TDb, viewer: TViewer, prefix: string, limit = 8): Promise<TSuggestion[]> {
  const scope = readableChannelsSql(viewer, 3);
  const r = await db.query<{ name: string; real_name: string | null }>(
    `SELECT p.name, p.real_name FROM person p
     WHERE NOT p.placeholder AND (lower(p.name) LIKE $1 OR lower(p.real_name) LIKE $1 OR lower(p.display_name) LIKE $1)
       AND EXISTS (SELECT 1 FROM membership sm WHERE sm.person_id = p.id AND sm.channel_id IN (${scope.sql}))
     ORDER BY p.name LIMIT $2`,
    [likePrefix(prefix), limit, ...scope.params],
  );
  return r.rows.map((row) => ({ kind: "person", value: row.name, label: row.real_name ? `@${row.name} (${row.real_name})` : `@${row.name}` }));
}

/** Whether the viewer's person belongs to these channels (for auditing privileged searches). */
export async function selectNonPublicChannels(db: TDb, channelIds: number[]): Promise<number[]> {
  if (channelIds.length === 0) return [];
  const r = await db.query<{ id: number }>("SELECT id FROM channel WHERE id = ANY($1::int[]) AND kind <> 'public' ORDER BY id", [channelIds]);
  return r.rows.map((row) => row.id);
}

export type TOutboxEntry = { id: number; op: "upsert" | "delete"; messageIds: number[] };

/** Outbox entries after the consumer's cursor (at most `limit`). */
export async function selectOutboxAfter(db: TDb, consumer: string, limit: number): Promise<TOutboxEntry[]> {
  const r = await db.query<{ id: number; op: "upsert" | "delete"; message_ids: number[] }>(
    `SELECT o.id, o.op, o.message_ids FROM search_outbox o
     WHERE o.id > coalesce((SELECT outbox_id FROM search_cursor WHERE consumer = $1), 0)
     ORDER BY o.id LIMIT $2`,
    [consumer, limit],
  );
  return r.rows.map((row) => ({ id: row.id, op: row.op, messageIds: row.message_ids.map(Number) }));
}

/** Move a consumer's cursor forward. */
export async function advanceOutboxCursor(db: TDb, consumer: string, outboxId: number): Promise<void> {
  await db.query(
    `INSERT INTO search_cursor (consumer, outbox_id) VALUES ($1, $2)
     ON CONFLICT (consumer) DO UPDATE SET outbox_id = greatest(search_cursor.outbox_id, excluded.outbox_id), updated_at = now()`,
    [consumer, outboxId],
  );
}

/** Drop outbox rows every consumer has passed. */
export async function pruneOutbox(db: TDb, consumers: string[]): Promise<void> {
  await db.query(
    `DELETE FROM search_outbox WHERE id <= (SELECT coalesce(min(c.outbox_id), 0) FROM unnest($1::text[]) AS k(consumer)
       LEFT JOIN search_cursor c ON c.consumer = k.consumer)`,
    [consumers],
  );
}

/**
 * The words a message adds to the vocabulary: its unstemmed words and the
 * words inside its operations tokens (URLs, paths, file names), so a word
 * said only in a link ("overleaf") is not "corrected" into another.
 * (SQL quoted for use inside ts_stat's query string.)
 */
const VOCABULARY_TSV =
  "to_tsvector(''simple'', left(search_text, 100000)) || array_to_tsvector(string_to_array(coalesce(search_tokens, ''''), '' ''))";

/** Add the words of these messages to the vocabulary. */
export async function insertVocabularyFor(db: TDb, messageIds: number[]): Promise<void> {
  if (messageIds.length === 0) return;
  await db.query(
    `INSERT INTO search_word AS w (word, ndoc)
     SELECT s.word, s.ndoc FROM ts_stat(format('SELECT ${VOCABULARY_TSV} FROM message WHERE id = ANY(%L::bigint[])', $1::bigint[])) s
     WHERE length(s.word) BETWEEN 4 AND 40 AND s.word ~ '^[[:alpha:]]+$'
     ON CONFLICT (word) DO UPDATE SET ndoc = w.ndoc + excluded.ndoc`,
    [messageIds],
  );
}

/** Rebuild the whole vocabulary from the archive. */
export async function rebuildVocabulary(client: pg.ClientBase): Promise<number> {
  await client.query("TRUNCATE search_word");
  const r = await client.query(
    `INSERT INTO search_word (word, ndoc)
     SELECT word, ndoc FROM ts_stat('SELECT ${VOCABULARY_TSV} FROM message WHERE NOT deleted')
     WHERE length(word) BETWEEN 4 AND 40 AND word ~ '^[[:alpha:]]+$'`,
  );
  return r.rowCount ?? 0;
}

/** A page of messages' search text in id order after `afterId` (for recomputing their operations tokens). */
export async function selectSearchTextPage(db: TDb, afterId: number, limit: number): Promise<{ id: number; search_text: string; search_tokens: string | null }[]> {
  const r = await db.query<{ id: number; search_text: string; search_tokens: string | null }>(
    "SELECT id, search_text, search_tokens FROM message WHERE id > $1 ORDER BY id LIMIT $2",
    [afterId, limit],
  );
  return r.rows;
}

/** Store recomputed operations tokens (only the given rows; the text itself is untouched). */
export async function updateSearchTokens(db: TDb, rows: { id: number; tokens: string }[]): Promise<number> {
  if (rows.length === 0) return 0;
  const r = await db.query(
    `UPDATE message m SET search_tokens = x.tokens
       FROM unnest($1::bigint[], $2::text[]) AS x(id, tokens)
      WHERE m.id = x.id AND m.search_tokens IS DISTINCT FROM x.tokens`,
    [rows.map((x) => x.id), rows.map((x) => x.tokens)],
  );
  return r.rowCount ?? 0;
}

/** The number of archived messages (progress totals). */
export async function countMessages(db: TDb): Promise<number> {
  const r = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM message");
  return r.rows[0]!.n;
}

/** The latest outbox id (to start a consumer from "now" after a full rebuild). */
export async function selectLatestOutboxId(db: TDb): Promise<number> {
  const r = await db.query<{ id: number | null }>("SELECT max(id) AS id FROM search_outbox");
  return r.rows[0]?.id ?? 0;
}

/** Messages in id order after `afterId`, for rebuilding an external index. */
export async function selectMessagesForIndex(db: TDb, afterId: number, limit: number, ids?: number[]): Promise<TIndexRow[]> {
  const r = await db.query<TIndexRow>(
    `SELECT m.id, m.channel_id, c.external_id AS channel_external_id, c.name AS channel_name, c.kind AS channel_kind, m.ts, m.thread_ts,
            extract(epoch FROM m.posted_at)::float8 AS posted_epoch, p.external_id AS author_external_id,
            coalesce(nullif(p.display_name, ''), nullif(p.real_name, ''), p.name, m.username) AS author_name,
            lower(concat_ws(' ', p.name, p.real_name, p.display_name, p.email, m.username)) AS author_keys,
            m.search_text, m.deleted, message_pinned_now(m.channel_id, m.ts, m.pinned) AS pinned, m.edited_ts IS NOT NULL AS edited,
            (m.bot_id IS NOT NULL OR m.subtype = 'bot_message' OR coalesce(p.is_bot, false)) AS is_bot,
            EXISTS (SELECT 1 FROM reaction r WHERE r.message_id = m.id) AS has_reaction,
            EXISTS (SELECT 1 FROM message_file f WHERE f.message_id = m.id) AS has_file,
            coalesce((SELECT array_agg(DISTINCT lower(e.command)) FROM execution e WHERE e.channel_id = m.channel_id AND e.message_ts = m.ts), '{}') AS commands,
            coalesce((SELECT array_agg(DISTINCT lower(e.status)) FROM execution e WHERE e.channel_id = m.channel_id AND e.message_ts = m.ts), '{}') AS statuses,
            coalesce((SELECT array_agg(DISTINCT lower(e.bot)) FROM execution e WHERE e.channel_id = m.channel_id AND e.message_ts = m.ts), '{}') AS bots,
            string_to_array(coalesce(m.search_tokens, ''), ' ') AS ops_tokens,
            (SELECT x.reason FROM message_redaction x WHERE x.message_id = m.id AND x.reverted_at IS NULL) AS redaction_reason
     FROM message m JOIN channel c ON c.id = m.channel_id LEFT JOIN person p ON p.id = m.author_id
     WHERE ${ids ? "m.id = ANY($3::bigint[]) AND m.id > $1" : "m.id > $1"}
     ORDER BY m.id LIMIT $2`,
    ids ? [afterId, limit, ids] : [afterId, limit],
  );
  return r.rows;
}

export type TIndexRow = {
  id: number;
  channel_id: number;
  channel_external_id: string;
  channel_name: string;
  channel_kind: "public" | "private" | "dm" | "mpdm";
  ts: string;
  thread_ts: string | null;
  posted_epoch: number;
  author_external_id: string | null;
  author_name: string | null;
  author_keys: string;
  search_text: string;
  deleted: boolean;
  pinned: boolean;
  edited: boolean;
  is_bot: boolean;
  has_reaction: boolean;
  has_file: boolean;
  commands: string[];
  statuses: string[];
  bots: string[];
  ops_tokens: string[];
  /** The active redaction's reason (the document then holds only "[redacted: reason]"). */
  redaction_reason: string | null;
};

/**
 * Move the text index's pending entries into the index proper. GIN gathers
 * new entries in an unsorted pending list (fastupdate), so bulk writes are
 * merged into the index in batches; but every search reads the whole list
 * on each read of the index: a full list (4 MB, the default limit) cost each
 * read of message_search_idx about 12 ms where the read itself took 1–2 ms.
 * Imports, `backscroll reindex` and the search outbox job end with this.
 * Returns the pages moved (0 where this role may not maintain the index).
 */
export async function flushTextIndexPending(db: TDb): Promise<number> {
  try {
    const r = await db.query<{ n: string }>("SELECT gin_clean_pending_list('message_search_idx'::regclass) AS n");
    return Number(r.rows[0]!.n);
  } catch (e) {
    if ((e as { code?: string }).code === "42501") return 0;
    throw e;
  }
}

/**
 * VACUUM (ANALYZE) the message table after a rewrite of many of its rows
 * (`backscroll reindex`): until then every search also reads the text index's
 * entries of the old row versions (36,000 rewritten rows of 1,000,000 made
 * a phrase's read of the index return 38,000 rows instead of 2,800), and
 * autovacuum waits for a fifth of the table to be dead. Not in a transaction.
 * (A role that may not vacuum the table gets a warning and a skip; the
 * pending list is flushed then all the same.)
 */
export async function vacuumMessages(db: TDb): Promise<void> {
  await db.query("VACUUM (ANALYZE) message");
  await flushTextIndexPending(db);
}
