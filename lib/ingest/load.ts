import type pg from "pg";
import type { NExecution } from "./adapter";
import { copyData } from "./copy";
import { prepareBatch, STAGE_MESSAGE_COLUMNS, STAGE_VERSION_COLUMNS, type TLoadBatch, type TPreparedMessages } from "./prepare";
import { recordContentBatch, type TContentLeaf } from "../compliance/content-digest";
import { insertContentLeavesFromStage, messageHashSql, versionHashSql } from "../compliance/content-repository";

/**
 * The single writer of the archive. Every adapter's batches go through
 * `applyBatch`, inside the transaction the caller opened (together with the
 * batch's checkpoint). All writes are upserts on natural keys that only touch
 * a row when the observation really adds something (see merge.ts for the
 * rules), so re-applying any batch changes nothing.
 */

export interface TLoadContext {
  source: string;
  ingestRunId: number | null;
  /** workspace "platform\0externalId" → id, kept across batches of a run. */
  workspaceIds?: Map<string, number>;
}

export interface TBatchCounts {
  people: number;
  channels: number;
  messagesInserted: number;
  messagesUpdated: number;
  versions: number;
  reactions: number;
  files: number;
  events: number;
  executions: number;
}

export function emptyCounts(): TBatchCounts {
  return { people: 0, channels: 0, messagesInserted: 0, messagesUpdated: 0, versions: 0, reactions: 0, files: 0, events: 0, executions: 0 };
}

export function addCounts(a: TBatchCounts, b: TBatchCounts): TBatchCounts {
  const out = { ...a };
  for (const k of Object.keys(b) as (keyof TBatchCounts)[]) out[k] += b[k];
  return out;
}

const json = (v: unknown) => JSON.stringify(v);

async function upsertWorkspace(db: pg.ClientBase, batch: TLoadBatch, ctx: TLoadContext): Promise<number> {
  const w = batch.workspace;
  const key = `${w.platform}\u0000${w.externalId}`;
  const cached = ctx.workspaceIds?.get(key);
  if (cached !== undefined) return cached;
  // Most batches name a workspace already stored as it is: read it without the
  // row lock ON CONFLICT DO UPDATE takes, which would serialise every
  // concurrent single-record batch (executions API posts) behind one commit.
  const found = await db.query<{ id: number; name: string; domain: string | null }>(
    "SELECT id, name, domain FROM workspace WHERE platform = $1 AND external_id = $2",
    [w.platform, w.externalId],
  );
  const same = found.rows[0];
  if (same && same.name === w.name && same.domain === (w.domain ?? null)) {
    ctx.workspaceIds?.set(key, same.id);
    return same.id;
  }
  const ins = await db.query<{ id: number }>(
    `INSERT INTO workspace (platform, external_id, name, domain) VALUES ($1, $2, $3, $4)
     ON CONFLICT (platform, external_id) DO UPDATE SET name = excluded.name, domain = excluded.domain
       WHERE (workspace.name, workspace.domain) IS DISTINCT FROM (excluded.name, excluded.domain)
     RETURNING id`,
    [w.platform, w.externalId, w.name, w.domain ?? null],
  );
  const id =
    ins.rows[0]?.id ??
    (await db.query<{ id: number }>("SELECT id FROM workspace WHERE platform = $1 AND external_id = $2", [w.platform, w.externalId])).rows[0]!.id;
  ctx.workspaceIds?.set(key, id);
  return id;
}

async function upsertPeople(db: pg.ClientBase, wid: number, batch: TLoadBatch, ctx: TLoadContext): Promise<number> {
  if (!batch.people?.length) return 0;
  const rows = batch.people.map((p) => ({
    external_id: p.externalId,
    name: p.name,
    real_name: p.realName ?? null,
    display_name: p.displayName ?? null,
    email: p.email ?? null,
    title: p.title ?? null,
    tz: p.tz ?? null,
    is_bot: p.isBot,
    bot_id: p.botId ?? null,
    deleted: p.deleted,
    placeholder: Boolean(p.placeholder),
    raw: p.raw,
    raw_sha256: p.rawSha256,
  }));
  const r = await db.query(
    `INSERT INTO person AS p (workspace_id, external_id, name, real_name, display_name, email, title, tz, is_bot, bot_id, deleted, placeholder, raw, raw_sha256, source, ingest_run_id)
     SELECT $1, x.external_id, x.name, x.real_name, x.display_name, x.email, x.title, x.tz, x.is_bot, x.bot_id, x.deleted, x.placeholder, x.raw, x.raw_sha256, $3, $4
     FROM jsonb_to_recordset($2::jsonb) AS x(external_id text, name text, real_name text, display_name text, email text, title text, tz text,
       is_bot boolean, bot_id text, deleted boolean, placeholder boolean, raw jsonb, raw_sha256 text)
     ON CONFLICT (workspace_id, external_id) DO UPDATE SET
       name = excluded.name, real_name = excluded.real_name, display_name = excluded.display_name, email = excluded.email,
       title = excluded.title, tz = excluded.tz, is_bot = excluded.is_bot, bot_id = excluded.bot_id, deleted = excluded.deleted,
       placeholder = excluded.placeholder, raw = excluded.raw, raw_sha256 = excluded.raw_sha256, source = excluded.source,
       ingest_run_id = excluded.ingest_run_id, updated_at = now()
     WHERE p.raw_sha256 IS DISTINCT FROM excluded.raw_sha256 AND NOT (excluded.placeholder AND NOT p.placeholder)`,
    [wid, json(rows), ctx.source, ctx.ingestRunId],
  );
  return r.rowCount ?? 0;
}

/** People referenced by id but described nowhere (yet) get a placeholder row. */
async function ensurePlaceholders(db: pg.ClientBase, wid: number, ids: Set<string>, ctx: TLoadContext): Promise<void> {
  if (ids.size === 0) return;
  await db.query(
    `INSERT INTO person (workspace_id, external_id, name, placeholder, source, ingest_run_id)
     SELECT $1, id, id, true, $3, $4 FROM unnest($2::text[]) AS id
     ON CONFLICT (workspace_id, external_id) DO NOTHING`,
    [wid, [...ids], ctx.source, ctx.ingestRunId],
  );
}

async function upsertChannels(db: pg.ClientBase, wid: number, batch: TLoadBatch, ctx: TLoadContext): Promise<number> {
  if (!batch.channels?.length) return 0;
  const rows = batch.channels.map((c) => ({
    external_id: c.externalId,
    name: c.name,
    kind: c.kind,
    topic: c.topic ?? null,
    purpose: c.purpose ?? null,
    archived: c.archived,
    created_at: c.createdAt ?? null,
    creator: c.creator ?? null,
    members: c.members ?? null,
    raw: c.raw,
    raw_sha256: c.rawSha256,
  }));
  const r = await db.query(
    `INSERT INTO channel AS c (workspace_id, external_id, name, kind, topic, purpose, archived, created_at, creator, members, raw, raw_sha256, source, ingest_run_id)
     SELECT $1, x.external_id, x.name, x.kind::channel_kind, x.topic, x.purpose, x.archived, x.created_at, x.creator, x.members, x.raw, x.raw_sha256, $3, $4
     FROM jsonb_to_recordset($2::jsonb) AS x(external_id text, name text, kind text, topic text, purpose text, archived boolean,
       created_at timestamptz, creator text, members jsonb, raw jsonb, raw_sha256 text)
     ON CONFLICT (workspace_id, external_id) DO UPDATE SET
       name = excluded.name, kind = excluded.kind, topic = excluded.topic, purpose = excluded.purpose, archived = excluded.archived,
       created_at = excluded.created_at, creator = excluded.creator, members = coalesce(excluded.members, c.members),
       raw = excluded.raw, raw_sha256 = excluded.raw_sha256, source = excluded.source, ingest_run_id = excluded.ingest_run_id, updated_at = now()
     WHERE c.raw_sha256 IS DISTINCT FROM excluded.raw_sha256`,
    [wid, json(rows), ctx.source, ctx.ingestRunId],
  );
  return r.rowCount ?? 0;
}

/**
 * Per-session staging tables, emptied at every commit. A batch is COPYed in
 * here, then merged into the archive with one INSERT … SELECT per table.
 */
async function ensureStaging(db: pg.ClientBase): Promise<void> {
  // Cheap when they exist; not cached, as a rolled-back batch also rolls back their creation.
  await db.query(`CREATE TEMP TABLE IF NOT EXISTS stage_message (
      channel text, ts text, thread_ts text, author text, bot_id text, username text, subtype text, text text, text_ts text,
      text_sha256 text, search_text text, search_tokens text, attachments jsonb, blocks jsonb, edited_ts text, edited_by text, deleted boolean,
      deleted_ts text, reply_count int, pinned boolean, raw jsonb, raw_sha256 text) ON COMMIT DELETE ROWS`);
  await db.query(`CREATE TEMP TABLE IF NOT EXISTS stage_version (
      channel text, ts text, text text, text_sha256 text, valid_from_ts text, edited_by text) ON COMMIT DELETE ROWS`);
  // Content digest leaves of the rows this batch writes; they stay in the
  // database until the batch is recorded (content-digest.ts), only their
  // hashes come back for the Merkle root.
  await db.query(`CREATE TEMP TABLE IF NOT EXISTS ${LEAF_STAGE} (
      ord int GENERATED ALWAYS AS IDENTITY, message_id bigint, version_id bigint, channel_id int, ts text, hash bytea) ON COMMIT DELETE ROWS`);
}

// "take" in SQL: the incoming state carries text that is newer than the
// stored one (same rule as takesText in merge.ts).
const TAKE = `(excluded.text_ts IS NOT NULL AND (m.text_ts IS NULL OR
  (excluded.text_ts::numeric, excluded.text_sha256 COLLATE "C") > (m.text_ts::numeric, m.text_sha256 COLLATE "C")))`;

/** Leaf rows as the upserts return them (ids may come back as strings). */
type TLeafReturn = { message_id: number | string; version_id: number | string; hash: Buffer };

function pushLeaves(leaves: TContentLeaf[], rows: TLeafReturn[]): void {
  for (const r of rows) leaves.push({ messageId: Number(r.message_id), versionId: Number(r.version_id), channelId: null, ts: null, hash: r.hash });
}

/** The temp table the upserts stage content leaves in (see ensureStaging). */
const LEAF_STAGE = "stage_content_leaf";

/**
 * Wrap an upsert `… RETURNING message_id, version_id, channel_id, ts, hash[, extra]`
 * (version_id 0 for message rows) so it also stages its rows' content
 * leaves, and returns message_id, version_id and hash (plus `extra` columns)
 * of each: only the hashes leave the database, for the Merkle root.
 */
function stagingLeaves(upsert: string, extra: string[] = []): string {
  return `WITH up AS (${upsert}),
    staged AS (INSERT INTO ${LEAF_STAGE} (message_id, version_id, channel_id, ts, hash) SELECT message_id, version_id, channel_id, ts, hash FROM up)
    SELECT message_id, version_id, hash${extra.map((e) => `, ${e}`).join("")} FROM up`;
}

async function upsertMessages(
  db: pg.ClientBase,
  wid: number,
  prepared: TPreparedMessages,
  ctx: TLoadContext,
  leaves: TContentLeaf[],
): Promise<{ inserted: number; updated: number; superseded: number }> {
  if (prepared.count === 0) return { inserted: 0, updated: 0, superseded: 0 };
  await copyData(db, "stage_message", STAGE_MESSAGE_COLUMNS, prepared.stage);
  const superseded = await supersededVersions(db, wid, ctx, leaves);
  const r = await db.query<TLeafReturn & { inserted: boolean }>(
    stagingLeaves(
      `INSERT INTO message AS m (channel_id, ts, thread_ts, author_id, bot_id, username, subtype, text, search_text, search_tokens, attachments, blocks,
        posted_at, text_ts, text_sha256, edited_ts, edited_at, edited_by, deleted, deleted_at, reply_count, pinned, raw, source, ingest_run_id, raw_sha256)
     SELECT c.id, x.ts, x.thread_ts, p.id, x.bot_id, x.username, x.subtype, coalesce(x.text, ''), coalesce(x.search_text, ''), x.search_tokens,
        x.attachments, x.blocks,
        to_timestamp(x.ts::numeric), x.text_ts, x.text_sha256, x.edited_ts, to_timestamp(x.edited_ts::numeric), x.edited_by,
        x.deleted, to_timestamp(x.deleted_ts::numeric), x.reply_count, x.pinned, x.raw, $2, $3, x.raw_sha256
     FROM stage_message x
     JOIN channel c ON c.workspace_id = $1 AND c.external_id = x.channel
     LEFT JOIN person p ON p.workspace_id = $1 AND p.external_id = x.author
     ON CONFLICT (channel_id, ts) DO UPDATE SET
       text = CASE WHEN ${TAKE} THEN excluded.text ELSE m.text END,
       text_ts = CASE WHEN ${TAKE} THEN excluded.text_ts ELSE m.text_ts END,
       text_sha256 = CASE WHEN ${TAKE} THEN excluded.text_sha256 ELSE m.text_sha256 END,
       search_text = CASE WHEN ${TAKE} THEN excluded.search_text ELSE m.search_text END,
       search_tokens = CASE WHEN ${TAKE} THEN excluded.search_tokens ELSE m.search_tokens END,
       attachments = CASE WHEN ${TAKE} THEN excluded.attachments ELSE m.attachments END,
       blocks = CASE WHEN ${TAKE} THEN excluded.blocks ELSE m.blocks END,
       edited_ts = CASE WHEN ${TAKE} THEN excluded.edited_ts ELSE m.edited_ts END,
       edited_at = CASE WHEN ${TAKE} THEN excluded.edited_at ELSE m.edited_at END,
       edited_by = CASE WHEN ${TAKE} THEN excluded.edited_by ELSE m.edited_by END,
       subtype = CASE WHEN ${TAKE} THEN excluded.subtype ELSE m.subtype END,
       username = CASE WHEN ${TAKE} THEN coalesce(excluded.username, m.username) ELSE m.username END,
       bot_id = CASE WHEN ${TAKE} THEN coalesce(excluded.bot_id, m.bot_id) ELSE m.bot_id END,
       raw = CASE WHEN ${TAKE} THEN excluded.raw ELSE m.raw END,
       raw_sha256 = CASE WHEN ${TAKE} THEN excluded.raw_sha256 ELSE m.raw_sha256 END,
       source = CASE WHEN ${TAKE} THEN excluded.source ELSE m.source END,
       ingest_run_id = CASE WHEN ${TAKE} THEN excluded.ingest_run_id ELSE m.ingest_run_id END,
       author_id = coalesce(m.author_id, excluded.author_id),
       thread_ts = coalesce(m.thread_ts, excluded.thread_ts),
       deleted = m.deleted OR excluded.deleted,
       deleted_at = CASE WHEN m.deleted_at IS NULL OR excluded.deleted_at < m.deleted_at THEN coalesce(excluded.deleted_at, m.deleted_at) ELSE m.deleted_at END,
       reply_count = greatest(m.reply_count, excluded.reply_count),
       pinned = m.pinned OR excluded.pinned
     WHERE ${TAKE}
       OR (excluded.deleted AND NOT m.deleted)
       OR (excluded.deleted_at IS NOT NULL AND (m.deleted_at IS NULL OR excluded.deleted_at < m.deleted_at))
       OR (m.author_id IS NULL AND excluded.author_id IS NOT NULL)
       OR (m.thread_ts IS NULL AND excluded.thread_ts IS NOT NULL)
       OR (excluded.reply_count > coalesce(m.reply_count, -1))
       OR (excluded.pinned AND NOT m.pinned)
     RETURNING (xmax = 0) AS inserted, m.id AS message_id, 0::bigint AS version_id, m.channel_id, m.ts, ${messageHashSql("m")} AS hash`,
      ["inserted"],
    ),
    [wid, ctx.source, ctx.ingestRunId],
  );
  // Every row created or changed is recorded in the content chain (content-digest.ts).
  pushLeaves(leaves, r.rows);
  let inserted = 0;
  for (const row of r.rows) if (row.inserted) inserted++;
  return { inserted, updated: r.rows.length - inserted, superseded };
}

/**
 * Joins the stored message `m` (with `columns`) of each row `x` (workspace
 * `$1`, channel external id `x.channel`, `x.ts`). The lookup is a subquery the
 * planner cannot flatten, so it is always one probe of (channel_id, ts):
 * as a plain join, PostgreSQL 18 sometimes probed message_channel_id_ts_key
 * by ts alone (a skip scan over every channel) and checked the channel after,
 * which grew with the archive (tens of index pages per row instead of 3).
 */
function messageJoin(columns: string): string {
  return `JOIN channel c ON c.workspace_id = $1 AND c.external_id = x.channel
    CROSS JOIN LATERAL (SELECT ${columns} FROM message WHERE channel_id = c.id AND ts = x.ts OFFSET 0) m`;
}

/**
 * Versions are materialised only for messages that have had two or more
 * texts: an unedited message's single version is the message itself, which
 * keeps the common case (millions of unedited messages) to one row each.
 * Runs before the message upsert: where the stored text differs from the
 * batch's, both texts become version rows (older observations included, so
 * the outcome does not depend on order).
 */
async function supersededVersions(db: pg.ClientBase, wid: number, ctx: TLoadContext, leaves: TContentLeaf[]): Promise<number> {
  const r = await db.query<TLeafReturn>(
    `WITH pairs AS (
       SELECT m.id, m.text AS old_text, m.text_sha256 AS old_sha, m.text_ts AS old_ts, m.edited_by AS old_by,
              x.text, x.text_sha256, x.text_ts, x.edited_by
       FROM stage_message x ${messageJoin("id, text, text_sha256, text_ts, edited_by")}
       WHERE x.text_sha256 IS NOT NULL AND m.text_sha256 IS NOT NULL AND m.text_sha256 <> x.text_sha256
     ), up AS (
     INSERT INTO message_version AS mv (message_id, text_sha256, text, valid_from_ts, edited_by, source, ingest_run_id)
     SELECT id, old_sha, old_text, old_ts, old_by, $2::text, $3::int FROM pairs
     UNION ALL
     SELECT id, text_sha256, text, text_ts, edited_by, $2::text, $3::int FROM pairs
     ON CONFLICT (message_id, text_sha256) DO UPDATE SET valid_from_ts = excluded.valid_from_ts, edited_by = excluded.edited_by
     WHERE excluded.valid_from_ts::numeric < mv.valid_from_ts::numeric
     RETURNING mv.message_id, mv.id AS version_id, NULL::int AS channel_id, NULL::text AS ts, ${versionHashSql("mv")} AS hash),
     staged AS (INSERT INTO ${LEAF_STAGE} (message_id, version_id, channel_id, ts, hash) SELECT message_id, version_id, channel_id, ts, hash FROM up)
     SELECT message_id, version_id, hash FROM up`,
    [wid, ctx.source, ctx.ingestRunId],
  );
  pushLeaves(leaves, r.rows);
  return r.rowCount ?? 0;
}

async function upsertMessageExtras(
  db: pg.ClientBase,
  wid: number,
  prepared: TPreparedMessages,
  ctx: TLoadContext,
  leaves: TContentLeaf[],
): Promise<Pick<TBatchCounts, "versions" | "reactions" | "files">> {
  const out = { versions: 0, reactions: 0, files: 0 };
  const msgJoin = messageJoin("id");
  if (prepared.versions.length) {
    await copyData(db, "stage_version", STAGE_VERSION_COLUMNS, prepared.versions);
    const r = await db.query<TLeafReturn>(
      stagingLeaves(`INSERT INTO message_version AS mv (message_id, text_sha256, text, valid_from_ts, edited_by, source, ingest_run_id)
       SELECT m.id, x.text_sha256, x.text, x.valid_from_ts, x.edited_by, $2, $3
       FROM stage_version x ${msgJoin}
       ON CONFLICT (message_id, text_sha256) DO UPDATE SET valid_from_ts = excluded.valid_from_ts, edited_by = excluded.edited_by
       WHERE excluded.valid_from_ts::numeric < mv.valid_from_ts::numeric
       RETURNING mv.message_id, mv.id AS version_id, NULL::int AS channel_id, NULL::text AS ts, ${versionHashSql("mv")} AS hash`),
      [wid, ctx.source, ctx.ingestRunId],
    );
    pushLeaves(leaves, r.rows);
    out.versions = r.rowCount ?? 0;
  }
  if (prepared.reactions !== null) {
    const r = await db.query(
      `INSERT INTO reaction (message_id, name, user_external)
       SELECT m.id, x.name, x.user_external FROM jsonb_to_recordset($2::jsonb) AS x(channel text, ts text, name text, user_external text) ${msgJoin}
       ON CONFLICT DO NOTHING`,
      [wid, prepared.reactions],
    );
    out.reactions = r.rowCount ?? 0;
  }
  if (prepared.files !== null) {
    const r = await db.query(
      `INSERT INTO file (workspace_id, external_id, name, title, mimetype, filetype, size, user_external, created_at, url_private, permalink, mode, raw)
       SELECT DISTINCT ON (x.external_id) $1, x.external_id, x.name, x.title, x.mimetype, x.filetype, x.size, x.user_external, x.created_at, x.url_private, x.permalink, x.mode, x.raw
       FROM jsonb_to_recordset($2::jsonb) AS x(external_id text, name text, title text, mimetype text, filetype text, size bigint,
         user_external text, created_at timestamptz, url_private text, permalink text, mode text, raw jsonb)
       ON CONFLICT (workspace_id, external_id) DO NOTHING`,
      [wid, prepared.files],
    );
    out.files = r.rowCount ?? 0;
    await db.query(
      `INSERT INTO message_file (message_id, file_id)
       SELECT m.id, f.id FROM jsonb_to_recordset($2::jsonb) AS x(channel text, ts text, file text) ${msgJoin}
       JOIN file f ON f.workspace_id = $1 AND f.external_id = x.file
       ON CONFLICT DO NOTHING`,
      [wid, prepared.links],
    );
  }
  return out;
}

async function insertEvents(db: pg.ClientBase, wid: number, batch: TLoadBatch, ctx: TLoadContext): Promise<number> {
  if (!batch.events?.length) return 0;
  const rows = batch.events.map((e) => ({
    channel: e.channel,
    ts: e.ts,
    kind: e.kind,
    subtype: e.subtype,
    actor: e.actor ?? null,
    subject: e.subject ?? null,
    value: e.value ?? null,
    text: e.text,
    raw: e.raw,
    raw_sha256: e.rawSha256,
  }));
  const r = await db.query(
    `INSERT INTO channel_event (channel_id, ts, kind, subtype, actor, subject, value, text, occurred_at, raw, source, ingest_run_id, raw_sha256)
     SELECT DISTINCT ON (c.id, x.ts) c.id, x.ts, x.kind, x.subtype, x.actor, x.subject, x.value, x.text, to_timestamp(x.ts::numeric), x.raw, $3, $4, x.raw_sha256
     FROM jsonb_to_recordset($2::jsonb) AS x(channel text, ts text, kind text, subtype text, actor text, subject text, value text, text text, raw jsonb, raw_sha256 text)
     JOIN channel c ON c.workspace_id = $1 AND c.external_id = x.channel
     ON CONFLICT (channel_id, ts) DO NOTHING`,
    [wid, json(rows), ctx.source, ctx.ingestRunId],
  );
  return r.rowCount ?? 0;
}

async function applyReactionChanges(db: pg.ClientBase, wid: number, batch: TLoadBatch): Promise<number> {
  if (!batch.reactionChanges?.length) return 0;
  let n = 0;
  // In order: an add then a remove of the same reaction must end removed.
  for (const ch of batch.reactionChanges) {
    const sql =
      ch.op === "add"
        ? `INSERT INTO reaction (message_id, name, user_external)
           SELECT m.id, $4, $5 FROM channel c JOIN message m ON m.channel_id = c.id AND m.ts = $3
           WHERE c.workspace_id = $1 AND c.external_id = $2 ON CONFLICT DO NOTHING`
        : `DELETE FROM reaction r USING channel c, message m
           WHERE c.workspace_id = $1 AND c.external_id = $2 AND m.channel_id = c.id AND m.ts = $3
             AND r.message_id = m.id AND r.name = $4 AND r.user_external = $5`;
    const r = await db.query(sql, [wid, ch.channel, ch.ts, ch.name, ch.user]);
    n += r.rowCount ?? 0;
  }
  return n;
}

async function upsertExecutions(db: pg.ClientBase, wid: number, list: NExecution[] | undefined, ctx: TLoadContext): Promise<number> {
  if (!list?.length) return 0;
  const rows = list.map((e) => ({
    external_id: e.externalId,
    bot: e.bot,
    command: e.command,
    arguments: e.arguments ?? null,
    invoker: e.invoker ?? null,
    channel: e.channel ?? null,
    message_ts: e.messageTs ?? null,
    started_at: e.startedAt,
    finished_at: e.finishedAt ?? null,
    status: e.status,
    exit_code: e.exitCode ?? null,
    output: e.output ?? null,
    output_truncated: Boolean(e.outputTruncated),
    secrets_masked: e.secretsMasked ?? 0,
    output_bytes: e.outputBytes ?? null,
    raw: e.raw,
    raw_sha256: e.rawSha256,
  }));
  const r = await db.query(
    `INSERT INTO execution AS e (workspace_id, source, external_id, bot, command, arguments, invoker, channel_id, message_ts, started_at,
        finished_at, status, exit_code, output, output_truncated, raw, ingest_run_id, raw_sha256, channel_external, secrets_masked, output_bytes)
     SELECT $1, $3, x.external_id, x.bot, x.command, x.arguments, x.invoker, c.id, x.message_ts, x.started_at, x.finished_at, x.status,
        x.exit_code, x.output, x.output_truncated, x.raw, $4, x.raw_sha256, x.channel, x.secrets_masked, x.output_bytes
     FROM jsonb_to_recordset($2::jsonb) AS x(external_id text, bot text, command text, arguments jsonb, invoker text, channel text,
        message_ts text, started_at timestamptz, finished_at timestamptz, status text, exit_code int, output text, output_truncated boolean,
        raw jsonb, raw_sha256 text, secrets_masked int, output_bytes int)
     LEFT JOIN channel c ON c.workspace_id = $1 AND c.external_id = x.channel
     ON CONFLICT (workspace_id, source, external_id) DO UPDATE SET
       bot = excluded.bot, command = excluded.command, arguments = excluded.arguments, invoker = excluded.invoker,
       channel_id = excluded.channel_id, message_ts = excluded.message_ts, started_at = excluded.started_at,
       finished_at = excluded.finished_at, status = excluded.status, exit_code = excluded.exit_code, output = excluded.output,
       output_truncated = excluded.output_truncated, raw = excluded.raw, ingest_run_id = excluded.ingest_run_id, raw_sha256 = excluded.raw_sha256,
       channel_external = excluded.channel_external, secrets_masked = excluded.secrets_masked, output_bytes = excluded.output_bytes
     WHERE e.raw_sha256 IS DISTINCT FROM excluded.raw_sha256`,
    [wid, json(rows), ctx.source, ctx.ingestRunId],
  );
  return r.rowCount ?? 0;
}

/**
 * Rebuild membership intervals of the given channels from their join/leave
 * events and the member list the source gave: each join opens an interval,
 * the next leave closes it; a leave without a known join closes an interval
 * open since before the archive; a listed member without an open interval
 * has been a member since before the archive.
 */
export async function rebuildMemberships(db: pg.ClientBase, wid: number, channelExternalIds: string[]): Promise<void> {
  if (channelExternalIds.length === 0) return;
  const ids = (
    await db.query<{ id: number }>("SELECT id FROM channel WHERE workspace_id = $1 AND external_id = ANY($2::text[])", [wid, channelExternalIds])
  ).rows.map((r) => r.id);
  if (ids.length === 0) return;
  // Compute the wanted intervals, then change only what differs, so a
  // re-import leaves the rows untouched.
  await db.query("DROP TABLE IF EXISTS pg_temp.want_membership");
  await db.query(
    `CREATE TEMP TABLE want_membership ON COMMIT DROP AS
     WITH ev AS (
       SELECT ce.channel_id, p.id AS person_id, ce.kind, ce.occurred_at, ce.ts::numeric AS t
       FROM channel_event ce JOIN person p ON p.workspace_id = $2 AND p.external_id = ce.actor
       WHERE ce.channel_id = ANY($1::int[]) AND ce.kind IN ('join', 'leave')
     ), seq AS (
       SELECT *, lag(kind) OVER w AS prev_kind, lead(kind) OVER w AS next_kind, lead(occurred_at) OVER w AS next_at
       FROM ev WINDOW w AS (PARTITION BY channel_id, person_id ORDER BY t)
     )
     SELECT channel_id, person_id, occurred_at AS joined_at, CASE WHEN next_kind = 'leave' THEN next_at END AS left_at FROM seq
       WHERE kind = 'join' AND prev_kind IS DISTINCT FROM 'join'
     UNION ALL
     SELECT channel_id, person_id, NULL, occurred_at FROM seq WHERE kind = 'leave' AND prev_kind IS NULL`,
    [ids, wid],
  );
  await db.query(
    `INSERT INTO want_membership (channel_id, person_id, joined_at, left_at)
     SELECT DISTINCT c.id, p.id, NULL::timestamptz, NULL::timestamptz
     FROM channel c CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof(c.members) = 'array' THEN c.members ELSE '[]'::jsonb END) AS mem(ext)
     JOIN person p ON p.workspace_id = c.workspace_id AND p.external_id = mem.ext
     WHERE c.id = ANY($1::int[])
       AND NOT EXISTS (SELECT 1 FROM want_membership x WHERE x.channel_id = c.id AND x.person_id = p.id AND x.left_at IS NULL)`,
    [ids],
  );
  const same = `w.channel_id = m.channel_id AND w.person_id = m.person_id
    AND w.joined_at IS NOT DISTINCT FROM m.joined_at AND w.left_at IS NOT DISTINCT FROM m.left_at`;
  await db.query(
    `DELETE FROM membership m WHERE m.channel_id = ANY($1::int[]) AND NOT EXISTS (SELECT 1 FROM want_membership w WHERE ${same})`,
    [ids],
  );
  await db.query(
    `INSERT INTO membership (channel_id, person_id, joined_at, left_at)
     SELECT w.channel_id, w.person_id, w.joined_at, w.left_at FROM want_membership w
     WHERE NOT EXISTS (SELECT 1 FROM membership m WHERE ${same})`,
  );
}

function referencedPeople(batch: TLoadBatch, prepared: TPreparedMessages): Set<string> {
  const ids = new Set<string>();
  const add = (v: string | null | undefined) => {
    if (v) ids.add(v);
  };
  for (const c of batch.channels ?? []) for (const m of c.members ?? []) add(m);
  for (const a of prepared.authors) add(a);
  for (const e of batch.events ?? []) add(e.actor);
  if (batch.people) for (const p of batch.people) ids.delete(p.externalId);
  return ids;
}

/** A batch's rows written, before the steps that read what earlier batches wrote (finishBatch). */
export interface TWrittenBatch {
  wid: number;
  counts: TBatchCounts;
  leaves: TContentLeaf[];
  /** Channels whose memberships the batch could have changed (external ids). */
  touched: string[];
}

/**
 * The rows of one batch: everything keyed by the batch's own natural keys.
 * Call inside a transaction, then finishBatch in the same one.
 */
export async function writeBatchRows(db: pg.ClientBase, batch: TLoadBatch, ctx: TLoadContext): Promise<TWrittenBatch> {
  const counts = emptyCounts();
  const { prepared } = prepareBatch(batch);
  const wid = await upsertWorkspace(db, batch, ctx);
  counts.people = await upsertPeople(db, wid, batch, ctx);
  await ensurePlaceholders(db, wid, referencedPeople(batch, prepared), ctx);
  counts.channels = await upsertChannels(db, wid, batch, ctx);
  if (prepared.count) await ensureStaging(db);
  const leaves: TContentLeaf[] = [];
  const m = await upsertMessages(db, wid, prepared, ctx, leaves);
  counts.messagesInserted = m.inserted;
  counts.messagesUpdated = m.updated;
  const superseded = m.superseded;
  Object.assign(counts, await upsertMessageExtras(db, wid, prepared, ctx, leaves));
  counts.versions += superseded;
  counts.events = await insertEvents(db, wid, batch, ctx);
  counts.reactions += await applyReactionChanges(db, wid, batch);
  counts.executions = await upsertExecutions(db, wid, batch.executions, ctx);
  const touched = new Set(batch.finishedChannels ?? []);
  for (const e of batch.events ?? []) if (e.kind === "join" || e.kind === "leave") touched.add(e.channel);
  for (const c of batch.channels ?? []) if (c.members) touched.add(c.externalId);
  return { wid, counts, leaves, touched: [...touched] };
}

/**
 * The rest of a batch: what reads rows other batches write (memberships from
 * every join/leave of a channel) and the content digest chain. Run it when
 * every earlier batch has committed; the chain's lock is held from here to
 * the caller's COMMIT.
 */
export async function finishBatch(db: pg.ClientBase, written: TWrittenBatch, ctx: TLoadContext): Promise<void> {
  // Memberships derive from join/leave events and member lists: rebuild the
  // channels this batch could have changed, so batch order does not matter.
  await rebuildMemberships(db, written.wid, written.touched);
  await recordContentBatch(db, {
    kind: "ingest",
    source: ctx.source,
    ingestRunId: ctx.ingestRunId,
    leaves: written.leaves,
    writeLeaves: (seq) => insertContentLeavesFromStage(db, seq, LEAF_STAGE),
  });
}

/**
 * Write one batch. Call inside a transaction; returns what changed. The
 * message and version rows it created or changed are recorded as one batch of
 * the content digest chain, last, so the chain's lock is held only from there
 * to the caller's COMMIT.
 */
export async function applyBatch(db: pg.ClientBase, batch: TLoadBatch, ctx: TLoadContext): Promise<TBatchCounts> {
  const written = await writeBatchRows(db, batch, ctx);
  await finishBatch(db, written, ctx);
  return written.counts;
}
