import type pg from "pg";

/**
 * Rows of the content digest chain (`content_batch`, `content_leaf`, see the
 * content_digest migration) and the streams `verify` reads. The canonical
 * texts are SQL expressions defined here once: the loader hashes them with
 * PostgreSQL's sha256() when it writes, the verifier selects the same text
 * from the current rows and hashes it itself. (The migration's
 * `content_*_canonical` functions hold the same expressions for the one-off
 * recording of rows archived before it; a test keeps them equal.)
 */

/** SQL: the canonical text of message row alias `m` (a `message` row). */
export function messageCanonicalSql(m: string): string {
  return `json_build_array('message/1', ${m}.id, ${m}.channel_id, ${m}.ts, ${m}.author_id, ${m}.thread_ts, ${m}.subtype, ${m}.bot_id, ${m}.username,
    ${m}.text, ${m}.attachments, ${m}.blocks, ${m}.edited_ts, ${m}.edited_by, ${m}.deleted,
    to_char(${m}.deleted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), ${m}.pinned)::text`;
}

/** SQL: the canonical text of version row alias `v` (a `message_version` row). */
export function versionCanonicalSql(v: string): string {
  return `json_build_array('version/1', ${v}.id, ${v}.message_id, ${v}.text_sha256, ${v}.text, ${v}.valid_from_ts, ${v}.edited_by)::text`;
}

/** SQL: the 32-byte SHA-256 of message row `m`'s canonical text. */
export const messageHashSql = (m: string) => `sha256(convert_to(${messageCanonicalSql(m)}, 'UTF8'))`;
/** SQL: the 32-byte SHA-256 of version row `v`'s canonical text. */
export const versionHashSql = (v: string) => `sha256(convert_to(${versionCanonicalSql(v)}, 'UTF8'))`;

/** Serialises appends to the chain until the transaction ends (same key as the migration's function). */
const CHAIN_LOCK = 727170002;

export interface TContentLeafRow {
  messageId: number;
  /** 0 for the message itself, else the message_version id. */
  versionId: number;
  channelId: number | null;
  ts: string | null;
  hash: Buffer;
}

export interface TContentBatchRow {
  seq: number;
  kind: string;
  source: string | null;
  ingestRunId: number | null;
  messageLeaves: number;
  versionLeaves: number;
  root: Buffer;
  prevHash: Buffer | null;
  hash: Buffer;
  createdAt: Date;
}

/** Take the chain's append lock (held until COMMIT/ROLLBACK) and return the head. */
export async function lockContentChainHead(db: pg.ClientBase): Promise<{ seq: number; hash: Buffer } | null> {
  await db.query("SELECT pg_advisory_xact_lock($1)", [CHAIN_LOCK]);
  const r = await db.query<{ seq: number; hash: Buffer }>("SELECT seq, hash FROM content_batch ORDER BY seq DESC LIMIT 1");
  return r.rows[0] ?? null;
}

/** Insert one batch row. Call under the chain lock. */
export async function insertContentBatch(db: pg.ClientBase, b: Omit<TContentBatchRow, "createdAt">): Promise<void> {
  await db.query(
    `INSERT INTO content_batch (seq, kind, source, ingest_run_id, message_leaves, version_leaves, root, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [b.seq, b.kind, b.source, b.ingestRunId, b.messageLeaves, b.versionLeaves, b.root, b.prevHash, b.hash],
  );
}

/** Insert a batch's leaves from memory (one statement). */
export async function insertContentLeaves(db: pg.ClientBase, seq: number, leaves: readonly TContentLeafRow[]): Promise<void> {
  const n = leaves.length;
  const mid = new Array<string>(n);
  const vid = new Array<string>(n);
  const cid = new Array<number | null>(n);
  const ts = new Array<string | null>(n);
  const hash = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const l = leaves[i]!;
    mid[i] = String(l.messageId);
    vid[i] = String(l.versionId);
    cid[i] = l.channelId;
    ts[i] = l.ts;
    hash[i] = l.hash.toString("hex");
  }
  await db.query(
    `INSERT INTO content_leaf (batch_seq, message_id, version_id, channel_id, ts, hash)
     SELECT $1, x.m, x.v, x.c, x.t, decode(x.h, 'hex')
     FROM unnest($2::bigint[], $3::bigint[], $4::int[], $5::text[], $6::text[]) AS x(m, v, c, t, h)`,
    [seq, mid, vid, cid, ts, hash],
  );
}

/**
 * Move leaves a writer staged in a temp table `(ord, message_id, version_id,
 * channel_id, ts, hash)` into the chain as batch `seq` (the latest row per
 * message and version wins, as in memory), and empty the stage, so another
 * batch in the same transaction starts clean.
 */
export async function insertContentLeavesFromStage(db: pg.ClientBase, seq: number, stage: string): Promise<void> {
  await db.query(
    `INSERT INTO content_leaf (batch_seq, message_id, version_id, channel_id, ts, hash)
     SELECT DISTINCT ON (message_id, version_id) $1::bigint, message_id, version_id, channel_id, ts, hash FROM ${stage}
     ORDER BY message_id, version_id, ord DESC`,
    [seq],
  );
  await db.query(`DELETE FROM ${stage}`);
}

/** The current head of the chain (no lock). */
export async function findContentChainHead(db: pg.ClientBase | pg.Pool): Promise<{ seq: number; hash: Buffer } | null> {
  const r = await db.query<{ seq: number; hash: Buffer }>("SELECT seq, hash FROM content_batch ORDER BY seq DESC LIMIT 1");
  return r.rows[0] ?? null;
}

/**
 * Rows of a server-side cursor, fetched `pageSize` at a time. The client must
 * be inside a transaction; cursors on one client may be read interleaved.
 */
async function* streamCursor<T extends pg.QueryResultRow>(
  db: pg.ClientBase,
  name: string,
  sql: string,
  params: unknown[] = [],
  pageSize = 2000,
): AsyncGenerator<T> {
  await db.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, params);
  try {
    for (;;) {
      const r = await db.query<T>(`FETCH ${pageSize} FROM ${name}`);
      for (const row of r.rows) yield row;
      if (r.rows.length < pageSize) return;
    }
  } finally {
    await db.query(`CLOSE ${name}`).catch(() => undefined);
  }
}

/** Batches in chain order. */
export function streamContentBatches(db: pg.ClientBase): AsyncGenerator<TContentBatchRow> {
  return streamCursor<TContentBatchRow>(
    db,
    "content_batches",
    `SELECT seq, kind, source, ingest_run_id AS "ingestRunId", message_leaves AS "messageLeaves", version_leaves AS "versionLeaves",
       root, prev_hash AS "prevHash", hash, created_at AS "createdAt" FROM content_batch ORDER BY seq`,
  );
}

/** Every leaf in chain order, each batch's in Merkle order (message id, version id): the primary key's order. */
export function streamLeavesInChainOrder(db: pg.ClientBase): AsyncGenerator<{ batchSeq: number; messageId: number; versionId: number; hash: Buffer }> {
  return streamCursor(
    db,
    "content_chain_leaves",
    `SELECT batch_seq AS "batchSeq", message_id AS "messageId", version_id AS "versionId", hash FROM content_leaf
     ORDER BY batch_seq, message_id, version_id`,
    [],
    5000,
  );
}

export interface TCurrentItemRow {
  id: number;
  messageId: number;
  channel: string | null;
  ts: string | null;
  canonical: string;
}

/** Every message as it is now, in id order, with its canonical text. */
export function streamCurrentMessages(db: pg.ClientBase): AsyncGenerator<TCurrentItemRow> {
  return streamCursor<TCurrentItemRow>(
    db,
    "content_messages",
    `SELECT m.id, m.id AS "messageId", c.external_id AS channel, m.ts, ${messageCanonicalSql("m")} AS canonical
     FROM message m LEFT JOIN channel c ON c.id = m.channel_id ORDER BY m.id`,
  );
}

/** Every version as it is now, in id order, with its canonical text. */
export function streamCurrentVersions(db: pg.ClientBase): AsyncGenerator<TCurrentItemRow> {
  return streamCursor<TCurrentItemRow>(
    db,
    "content_versions",
    `SELECT v.id, v.message_id AS "messageId", c.external_id AS channel, m.ts, ${versionCanonicalSql("v")} AS canonical
     FROM message_version v LEFT JOIN message m ON m.id = v.message_id LEFT JOIN channel c ON c.id = m.channel_id ORDER BY v.id`,
  );
}

export interface TRecordedLeafRow {
  /** Message id (message leaves) or version id (version leaves). */
  id: number;
  messageId: number;
  batchSeq: number;
  /** Kind of the batch; null when the batch row is missing. */
  kind: string | null;
  hash: Buffer;
  channel: string | null;
  ts: string | null;
}

/** Every message leaf, by message id then chain order. */
export function streamMessageLeaves(db: pg.ClientBase): AsyncGenerator<TRecordedLeafRow> {
  return streamCursor<TRecordedLeafRow>(
    db,
    "content_message_leaves",
    `SELECT l.message_id AS id, l.message_id AS "messageId", l.batch_seq AS "batchSeq", b.kind, l.hash, c.external_id AS channel, l.ts
     FROM content_leaf l LEFT JOIN content_batch b ON b.seq = l.batch_seq LEFT JOIN channel c ON c.id = l.channel_id
     WHERE l.version_id = 0 ORDER BY l.message_id, l.batch_seq`,
  );
}

/** Every version leaf, by version id then chain order (channel and ts from the message's own leaves are not needed). */
export function streamVersionLeaves(db: pg.ClientBase): AsyncGenerator<TRecordedLeafRow> {
  return streamCursor<TRecordedLeafRow>(
    db,
    "content_version_leaves",
    `SELECT l.version_id AS id, l.message_id AS "messageId", l.batch_seq AS "batchSeq", b.kind, l.hash,
       c.external_id AS channel, m.ts
     FROM content_leaf l LEFT JOIN content_batch b ON b.seq = l.batch_seq
     LEFT JOIN message m ON m.id = l.message_id LEFT JOIN channel c ON c.id = m.channel_id
     WHERE l.version_id <> 0 ORDER BY l.version_id, l.batch_seq`,
  );
}

/**
 * Run `fn` on a dedicated client inside one read-only REPEATABLE READ
 * transaction, so every stream sees the same snapshot while ingest goes on.
 */
export async function withContentSnapshot<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const out = await fn(client);
    await client.query("COMMIT");
    return out;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}
