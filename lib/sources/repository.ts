import type pg from "pg";
import type { TKnownChannel } from "../ingest/adapters/slack-events/normalize";

/**
 * SQL of live sources: Slack connections, Events API receipts, and the
 * archive reads the sync needs (which messages a page should contain) and
 * the completeness report. Takes a pool or a transaction client.
 */

type TDb = pg.Pool | pg.ClientBase;

const LIVE_TOP_LEVEL = `m.deleted = false AND (m.thread_ts IS NULL OR m.thread_ts = m.ts OR m.subtype = 'thread_broadcast')`;

/** Live top-level message ts of a channel with from ≤ ts < to (numeric order). */
export async function findLiveTopLevelTs(db: TDb, teamId: string, channel: string, from: string, to: string): Promise<string[]> {
  const r = await db.query<{ ts: string }>(
    `SELECT m.ts FROM message m JOIN channel c ON c.id = m.channel_id JOIN workspace w ON w.id = c.workspace_id
     WHERE w.platform = 'slack' AND w.external_id = $1 AND c.external_id = $2 AND ${LIVE_TOP_LEVEL}
       AND m.ts::numeric >= $3::numeric AND m.ts::numeric < $4::numeric`,
    [teamId, channel, from, to],
  );
  return r.rows.map((x) => x.ts);
}

/** Live replies of a thread (ts), broadcasts included. */
export async function findLiveReplyTs(db: TDb, teamId: string, channel: string, threadTs: string): Promise<string[]> {
  const r = await db.query<{ ts: string }>(
    `SELECT m.ts FROM message m JOIN channel c ON c.id = m.channel_id JOIN workspace w ON w.id = c.workspace_id
     WHERE w.platform = 'slack' AND w.external_id = $1 AND c.external_id = $2 AND m.thread_ts = $3 AND m.ts <> $3 AND m.deleted = false`,
    [teamId, channel, threadTs],
  );
  return r.rows.map((x) => x.ts);
}

export interface TSlackConnectionRow {
  id: number;
  teamId: string;
  teamName: string | null;
  apiUrl: string | null;
  tokenCiphertext: string;
  tokenHint: string;
  options: Record<string, unknown>;
  enabled: boolean;
  lastSyncAt: Date | null;
  lastError: string | null;
}

const CONNECTION_COLUMNS = `id, team_id AS "teamId", team_name AS "teamName", api_url AS "apiUrl", token_ciphertext AS "tokenCiphertext",
  token_hint AS "tokenHint", options, enabled, last_sync_at AS "lastSyncAt", last_error AS "lastError"`;

/** Stores (or replaces) the connection of a team. */
export async function upsertSlackConnection(
  db: TDb,
  c: { teamId: string; teamName: string | null; apiUrl: string | null; tokenCiphertext: string; tokenHint: string; options: Record<string, unknown> },
): Promise<TSlackConnectionRow> {
  const r = await db.query<TSlackConnectionRow>(
    `INSERT INTO slack_connection (team_id, team_name, api_url, token_ciphertext, token_hint, options) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (team_id) DO UPDATE SET team_name = excluded.team_name, api_url = excluded.api_url, token_ciphertext = excluded.token_ciphertext,
       token_hint = excluded.token_hint, options = excluded.options, enabled = true, updated_at = now()
     RETURNING ${CONNECTION_COLUMNS}`,
    [c.teamId, c.teamName, c.apiUrl, c.tokenCiphertext, c.tokenHint, JSON.stringify(c.options)],
  );
  return r.rows[0]!;
}

/** One stored connection. */
export async function findSlackConnection(db: TDb, id: number): Promise<TSlackConnectionRow | undefined> {
  const r = await db.query<TSlackConnectionRow>(`SELECT ${CONNECTION_COLUMNS} FROM slack_connection WHERE id = $1`, [id]);
  return r.rows[0];
}

/** Every stored connection. */
export async function findSlackConnections(db: TDb): Promise<TSlackConnectionRow[]> {
  const r = await db.query<TSlackConnectionRow>(`SELECT ${CONNECTION_COLUMNS} FROM slack_connection ORDER BY id`);
  return r.rows;
}

/** Records the end of a scheduled sync and its error, if any. */
export async function recordConnectionSync(db: TDb, id: number, error: string | null): Promise<void> {
  await db.query("UPDATE slack_connection SET last_sync_at = now(), last_error = $2, updated_at = now() WHERE id = $1", [id, error]);
}

/** Stops scheduling a connection whose token Slack refused. */
export async function disableSlackConnection(db: TDb, id: number, error: string): Promise<void> {
  await db.query("UPDATE slack_connection SET enabled = false, last_error = $2, updated_at = now() WHERE id = $1", [id, error]);
}

/**
 * Store a delivery and enqueue the job that archives it in ONE statement
 * (one round trip, one commit: the acknowledgement Slack waits for is
 * bounded by it). The job's payload is `{ receiptId }`. Returns the new
 * receipt's id, or null when the event id was seen before (the retry is
 * then counted on the existing receipt).
 */
export async function insertEventReceiptWithJob(
  db: TDb,
  r: { eventId: string; teamId: string | null; eventType: string; eventTime: Date | null; retryNum: number; payload: unknown },
  job: { name: string; key: string; maxAttempts: number },
): Promise<number | null> {
  const ins = await db.query<{ id: number | null }>(
    `WITH receipt AS (
       INSERT INTO slack_event_receipt (event_id, team_id, event_type, event_time, retry_num, payload) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (event_id) DO NOTHING RETURNING id
     ), queued AS (
       INSERT INTO job (name, key, payload, run_at, max_attempts)
       SELECT $7, $8, jsonb_build_object('receiptId', receipt.id), now(), $9 FROM receipt
       ON CONFLICT (key) DO NOTHING RETURNING id
     )
     SELECT (SELECT id FROM receipt) AS id, (SELECT count(*) FROM queued) AS queued`,
    [r.eventId, r.teamId, r.eventType, r.eventTime, r.retryNum, JSON.stringify(r.payload), job.name, job.key, job.maxAttempts],
  );
  const id = ins.rows[0]?.id ?? null;
  if (id !== null) return id;
  await db.query("UPDATE slack_event_receipt SET retries_seen = retries_seen + 1, retry_num = greatest(retry_num, $2) WHERE event_id = $1", [r.eventId, r.retryNum]);
  return null;
}

export interface TEventReceiptRow {
  id: number;
  eventId: string;
  payload: unknown;
  processedAt: Date | null;
}

/** The receipt, locked for processing (a second worker waits, then sees it processed). */
export async function lockEventReceipt(db: pg.ClientBase, id: number): Promise<TEventReceiptRow | undefined> {
  const r = await db.query<TEventReceiptRow>(
    `SELECT id, event_id AS "eventId", payload, processed_at AS "processedAt" FROM slack_event_receipt WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return r.rows[0];
}

/** Marks one receipt processed, with the error that made it fail for good. */
export async function markEventProcessed(db: TDb, id: number, error: string | null): Promise<void> {
  await db.query("UPDATE slack_event_receipt SET processed_at = now(), error = $2 WHERE id = $1", [id, error]);
}

/** Channels of a Slack team as stored, by external id (events change them field by field). */
export async function findStoredChannels(db: TDb, teamId: string, externalIds: string[]): Promise<Map<string, TKnownChannel>> {
  if (externalIds.length === 0) return new Map();
  const r = await db.query<TKnownChannel>(
    `SELECT c.external_id AS "externalId", c.name, c.kind::text AS kind, c.topic, c.purpose, c.archived,
            to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "createdAt", c.creator, c.raw
     FROM channel c JOIN workspace w ON w.id = c.workspace_id
     WHERE w.platform = 'slack' AND w.external_id = $1 AND c.external_id = ANY($2::text[])`,
    [teamId, externalIds],
  );
  return new Map(r.rows.map((x) => [x.externalId, x]));
}

export interface TCheckpointRow {
  scope: string;
  position: unknown;
  updatedAt: Date;
}

/** Every checkpoint of one source key (the sync's per-channel and per-thread state). */
export async function findCheckpointRows(db: TDb, sourceKey: string): Promise<TCheckpointRow[]> {
  const r = await db.query<TCheckpointRow>(
    `SELECT scope, position, updated_at AS "updatedAt" FROM ingest_checkpoint WHERE source_key = $1`,
    [sourceKey],
  );
  return r.rows;
}

export interface TChannelArchiveCounts {
  teamId: string;
  externalId: string;
  name: string;
  kind: string;
  archived: boolean;
  createdAt: Date | null;
  messages: number;
  /** Thread parents (messages with replies). */
  threads: number;
  /** Thread parents whose replies the Web API sync has not read. */
  threadsUnfetched: number;
  firstTs: string | null;
  lastTs: string | null;
}

/** Per channel of every Slack workspace: message and thread counts, first and last ts. */
export async function findChannelArchiveCounts(db: TDb): Promise<TChannelArchiveCounts[]> {
  const r = await db.query<TChannelArchiveCounts>(
    `SELECT w.external_id AS "teamId", c.external_id AS "externalId", c.name, c.kind::text AS kind, c.archived, c.created_at AS "createdAt",
            count(m.id)::int AS messages,
            count(m.id) FILTER (WHERE m.reply_count > 0)::int AS threads,
            count(m.id) FILTER (WHERE m.reply_count > 0 AND NOT EXISTS (
              SELECT 1 FROM ingest_checkpoint ic WHERE ic.source_key = 'slack-api:' || w.external_id
                AND ic.scope = 'thread:' || c.external_id || ':' || m.ts))::int AS "threadsUnfetched",
            min(m.ts::numeric)::text AS "firstTs", max(m.ts::numeric)::text AS "lastTs"
     FROM channel c JOIN workspace w ON w.id = c.workspace_id LEFT JOIN message m ON m.channel_id = c.id
     WHERE w.platform = 'slack'
     GROUP BY w.external_id, c.external_id, c.name, c.kind, c.archived, c.created_at
     ORDER BY w.external_id, c.name`,
  );
  return r.rows;
}

export interface TRunningSync {
  id: number;
  sourceKey: string;
  status: string;
  startedAt: Date;
  finishedAt: Date | null;
  progress: unknown;
  counts: unknown;
  error: string | null;
}

/** The latest run of each Slack API source key. */
export async function findLatestSyncRuns(db: TDb): Promise<TRunningSync[]> {
  const r = await db.query<TRunningSync>(
    `SELECT DISTINCT ON (source_key) id, source_key AS "sourceKey", status::text AS status, started_at AS "startedAt",
            finished_at AS "finishedAt", progress, counts, error
     FROM ingest_run WHERE source = 'slack-api' ORDER BY source_key, id DESC`,
  );
  return r.rows;
}

/** Events API receipts: received, processed, failed, retries seen. */
export async function findEventReceiptCounts(db: TDb): Promise<{ received: number; processed: number; failed: number; retries: number; lastAt: Date | null }> {
  const r = await db.query(
    `SELECT count(*)::int AS received, count(processed_at)::int AS processed, count(error)::int AS failed,
            coalesce(sum(retries_seen), 0)::int AS retries, max(received_at) AS "lastAt" FROM slack_event_receipt`,
  );
  return r.rows[0] as { received: number; processed: number; failed: number; retries: number; lastAt: Date | null };
}

/** A stored Slack workspace's name and domain (events must not overwrite them). */
export async function findSlackWorkspace(db: TDb, teamId: string): Promise<{ name: string; domain: string | null } | undefined> {
  const r = await db.query<{ name: string; domain: string | null }>("SELECT name, domain FROM workspace WHERE platform = 'slack' AND external_id = $1", [teamId]);
  return r.rows[0];
}

/** Current stored texts of messages, by "channel ts". */
export async function findMessageTexts(db: TDb, teamId: string, keys: { channel: string; ts: string }[]): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const r = await db.query<{ key: string; text: string }>(
    `SELECT c.external_id || ' ' || m.ts AS key, m.text
     FROM unnest($2::text[], $3::text[]) AS k(channel, ts)
     JOIN workspace w ON w.platform = 'slack' AND w.external_id = $1
     JOIN channel c ON c.workspace_id = w.id AND c.external_id = k.channel
     JOIN message m ON m.channel_id = c.id AND m.ts = k.ts
     WHERE m.text_ts IS NOT NULL`,
    [teamId, keys.map((k) => k.channel), keys.map((k) => k.ts)],
  );
  return new Map(r.rows.map((x) => [x.key, x.text]));
}

/** Other unprocessed receipts, oldest first, skipping those another worker holds. */
export async function lockPendingEventReceipts(db: pg.ClientBase, exceptId: number, limit: number): Promise<TEventReceiptRow[]> {
  const r = await db.query<TEventReceiptRow>(
    `SELECT id, event_id AS "eventId", payload, processed_at AS "processedAt" FROM slack_event_receipt
     WHERE processed_at IS NULL AND id <> $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [exceptId, limit],
  );
  return r.rows;
}

/** Marks receipts processed together with the batch that archived them. */
export async function markEventsProcessed(db: TDb, ids: number[]): Promise<void> {
  await db.query("UPDATE slack_event_receipt SET processed_at = now(), error = NULL WHERE id = ANY($1::bigint[])", [ids]);
}

/**
 * Completes the queued jobs (by job key) of receipts another job archived:
 * left queued, each would cost the worker a claim, a lock and a completion
 * (three commits) to find nothing to do. Jobs a worker already claimed are
 * left to it (it finds its receipt processed).
 */
export async function completeQueuedJobsByKey(db: TDb, name: string, keys: string[]): Promise<number> {
  if (keys.length === 0) return 0;
  const r = await db.query(
    "UPDATE job SET status = 'completed', finished_at = now(), last_error = NULL WHERE key = ANY($1::text[]) AND name = $2 AND status = 'queued'",
    [keys, name],
  );
  return r.rowCount ?? 0;
}
