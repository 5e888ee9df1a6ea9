import type pg from "pg";
import { holdCoversSql } from "./holds-repository";
import { messageHashSql, versionHashSql } from "./content-repository";

/** Retention policies, runs, and the SQL that finds and purges expired messages. */

type TDb = pg.Pool | pg.ClientBase;

export interface TRetentionPolicyRow {
  id: number;
  workspaceId: number;
  workspace: string;
  channelId: number | null;
  channel: string | null;
  channelName: string | null;
  keepDays: number | null;
  keepPinned: boolean;
  updatedBy: string | null;
  updatedAt: Date;
}

/** Insert or replace the policy of a workspace (channelId null) or channel. */
export async function upsertRetentionPolicy(
  db: TDb,
  p: { workspaceId: number; channelId: number | null; keepDays: number | null; keepPinned: boolean; updatedBy: string | null },
): Promise<number> {
  const r = await db.query<{ id: number }>(
    `INSERT INTO retention_policy (workspace_id, channel_id, keep_days, keep_pinned, updated_by) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (workspace_id, (coalesce(channel_id, 0))) DO UPDATE SET
       keep_days = excluded.keep_days, keep_pinned = excluded.keep_pinned, updated_by = excluded.updated_by, updated_at = now()
     RETURNING id`,
    [p.workspaceId, p.channelId, p.keepDays, p.keepPinned, p.updatedBy],
  );
  return r.rows[0]!.id;
}

export async function findRetentionPolicies(db: TDb): Promise<TRetentionPolicyRow[]> {
  const r = await db.query<TRetentionPolicyRow>(
    `SELECT rp.id, rp.workspace_id AS "workspaceId", w.name AS workspace, rp.channel_id AS "channelId", c.external_id AS channel,
       c.name AS "channelName", rp.keep_days AS "keepDays", rp.keep_pinned AS "keepPinned", rp.updated_by AS "updatedBy", rp.updated_at AS "updatedAt"
     FROM retention_policy rp JOIN workspace w ON w.id = rp.workspace_id LEFT JOIN channel c ON c.id = rp.channel_id
     ORDER BY w.name, rp.channel_id NULLS FIRST, c.name`,
  );
  return r.rows;
}

/** The workspaces (id, name, external id); to resolve a default workspace. */
export async function findWorkspaces(db: TDb): Promise<{ id: number; name: string; externalId: string }[]> {
  const r = await db.query(`SELECT id, name, external_id AS "externalId" FROM workspace ORDER BY id`);
  return r.rows;
}

/**
 * SQL: messages past their retention (`m` with channel `k`), as of $1 (now).
 * A channel's own policy overrides its workspace's; "forever" never expires.
 * Pinned messages (current pin state: the latest pin/unpin event, else the
 * flag the source gave) are kept when the policy says so.
 */
const EXPIRED = `
  SELECT m.id, m.channel_id, m.author_id, m.posted_at
  FROM channel k
  CROSS JOIN LATERAL (
    SELECT rp.keep_days, rp.keep_pinned FROM retention_policy rp
    WHERE rp.workspace_id = k.workspace_id AND (rp.channel_id = k.id OR rp.channel_id IS NULL)
    ORDER BY rp.channel_id NULLS LAST LIMIT 1
  ) pol
  JOIN message m ON m.channel_id = k.id AND m.posted_at < $1::timestamptz - make_interval(days => pol.keep_days)
  WHERE pol.keep_days IS NOT NULL
    AND NOT (pol.keep_pinned AND message_pinned_now(m.channel_id, m.ts, m.pinned))`;

export interface TExpiredByChannel {
  channelId: number;
  channel: string;
  channelName: string;
  expired: number;
  held: number;
}

/** Expired messages per channel, and how many of them active holds keep. */
export async function countExpiredByChannel(db: TDb, now: Date): Promise<TExpiredByChannel[]> {
  const r = await db.query<TExpiredByChannel>(
    `WITH e AS (${EXPIRED})
     SELECT c.id AS "channelId", c.external_id AS channel, c.name AS "channelName", count(*)::int AS expired,
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM legal_hold h WHERE ${holdCoversSql("h", "e")}))::int AS held
     FROM e JOIN channel c ON c.id = e.channel_id GROUP BY c.id ORDER BY c.name, c.id`,
    [now],
  );
  return r.rows;
}

/** For each active hold, how many expired messages it keeps (a message may be kept by several). */
export async function countExpiredHeldByHold(db: TDb, now: Date): Promise<{ holdId: number; name: string; held: number }[]> {
  const r = await db.query(
    `WITH e AS (${EXPIRED})
     SELECT h.id AS "holdId", h.name, (SELECT count(*) FROM e WHERE ${holdCoversSql("h", "e")})::int AS held
     FROM legal_hold h WHERE h.released_at IS NULL ORDER BY h.id`,
    [now],
  );
  return r.rows;
}

/** Lock and return up to `limit` expired messages no active hold covers (others' locks are skipped). */
export async function lockPurgeableMessages(db: pg.ClientBase, now: Date, limit: number): Promise<number[]> {
  const r = await db.query<{ id: number }>(
    `SELECT m.id FROM message m WHERE m.id IN (
       SELECT e.id FROM (${EXPIRED}) e WHERE NOT EXISTS (SELECT 1 FROM legal_hold h WHERE ${holdCoversSql("h", "e")})
       ORDER BY e.id LIMIT $2)
     ORDER BY m.id FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  return r.rows.map((x) => Number(x.id));
}

export interface TPurgedRows {
  messages: { id: number; channelId: number; ts: string; hash: Buffer }[];
  versions: { id: number; messageId: number; hash: Buffer }[];
  reactions: number;
  files: number;
}

/**
 * Delete these messages with their versions, reactions, file links (and
 * files no other message links), their words' share of the search
 * vocabulary, returning each removed message's and version's content hash
 * (for the purge's content batch). The search outbox learns of the deletions
 * from the message table's own trigger.
 */
export async function deleteMessages(db: pg.ClientBase, ids: number[]): Promise<TPurgedRows> {
  const out: TPurgedRows = { messages: [], versions: [], reactions: 0, files: 0 };
  if (ids.length === 0) return out;
  // The vocabulary (typo tolerance) must not keep suggesting words only purged messages had.
  const dec = await db.query<{ word: string; ndoc: number }>(
    `UPDATE search_word w SET ndoc = w.ndoc - s.ndoc
     FROM ts_stat(format('SELECT to_tsvector(''simple'', left(search_text, 100000)) || array_to_tsvector(string_to_array(coalesce(search_tokens, ''''), '' '')) FROM message WHERE id = ANY(%L::bigint[])', $1::bigint[])) s
     WHERE w.word = s.word RETURNING w.word, w.ndoc`,
    [ids],
  );
  const unused = dec.rows.filter((x) => x.ndoc <= 0).map((x) => x.word);
  if (unused.length) await db.query("DELETE FROM search_word WHERE word = ANY($1::text[]) AND ndoc <= 0", [unused]);
  const v = await db.query<{ id: number; messageId: number; hash: Buffer }>(
    `DELETE FROM message_version v WHERE v.message_id = ANY($1::bigint[]) RETURNING v.id, v.message_id AS "messageId", ${versionHashSql("v")} AS hash`,
    [ids],
  );
  out.versions = v.rows.map((x) => ({ ...x, id: Number(x.id), messageId: Number(x.messageId) }));
  out.reactions = (await db.query("DELETE FROM reaction WHERE message_id = ANY($1::bigint[])", [ids])).rowCount ?? 0;
  const files = await db.query<{ fileId: number }>(`DELETE FROM message_file WHERE message_id = ANY($1::bigint[]) RETURNING file_id AS "fileId"`, [ids]);
  const m = await db.query<{ id: number; channelId: number; ts: string; hash: Buffer }>(
    `DELETE FROM message m WHERE m.id = ANY($1::bigint[]) RETURNING m.id, m.channel_id AS "channelId", m.ts, ${messageHashSql("m")} AS hash`,
    [ids],
  );
  out.messages = m.rows.map((x) => ({ ...x, id: Number(x.id) }));
  if (files.rows.length) {
    const f = await db.query(
      `DELETE FROM file f WHERE f.id = ANY($1::bigint[]) AND NOT EXISTS (SELECT 1 FROM message_file mf WHERE mf.file_id = f.id)`,
      [[...new Set(files.rows.map((x) => x.fileId))]],
    );
    out.files = f.rowCount ?? 0;
  }
  return out;
}

export interface TRetentionRunRow {
  id: number;
  dryRun: boolean;
  status: string;
  requestedBy: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  report: unknown;
  error: string | null;
}

export async function insertRetentionRun(db: TDb, r: { dryRun: boolean; requestedBy: string | null }): Promise<number> {
  const res = await db.query<{ id: number }>("INSERT INTO retention_run (dry_run, requested_by) VALUES ($1, $2) RETURNING id", [r.dryRun, r.requestedBy]);
  return res.rows[0]!.id;
}

export async function finishRetentionRun(db: TDb, id: number, status: "completed" | "failed", report: unknown, error?: string): Promise<void> {
  await db.query("UPDATE retention_run SET status = $2, finished_at = now(), report = $3::jsonb, error = $4 WHERE id = $1", [
    id,
    status,
    report === null ? null : JSON.stringify(report),
    error ?? null,
  ]);
}

export async function findRecentRetentionRuns(db: TDb, limit = 20): Promise<TRetentionRunRow[]> {
  const r = await db.query<TRetentionRunRow>(
    `SELECT id, dry_run AS "dryRun", status, requested_by AS "requestedBy", started_at AS "startedAt", finished_at AS "finishedAt", report, error
     FROM retention_run ORDER BY id DESC LIMIT $1`,
    [limit],
  );
  return r.rows;
}

/** The shortest finite retention of any policy (days), or null when every policy is "forever". */
export async function findShortestRetentionDays(db: TDb): Promise<number | null> {
  const r = await db.query<{ d: number | null }>("SELECT min(keep_days) AS d FROM retention_policy");
  return r.rows[0]?.d ?? null;
}

/**
 * Raw Events API deliveries hold message text too: processed ones received
 * before `before` are deleted (or only counted, with `dryRun`).
 */
export async function deleteProcessedEventReceipts(db: TDb, before: Date, dryRun: boolean): Promise<number> {
  const where = "processed_at IS NOT NULL AND received_at < $1";
  if (dryRun) return Number((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM slack_event_receipt WHERE ${where}`, [before])).rows[0]!.n);
  return (await db.query(`DELETE FROM slack_event_receipt WHERE ${where}`, [before])).rowCount ?? 0;
}
