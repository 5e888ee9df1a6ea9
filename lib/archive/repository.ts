import type { TDb } from "@/lib/db";
import type { TChannelKind, TSqlFragment } from "@/lib/access/types";

/**
 * SQL for browsing. Callers pass the viewer's readable scope (from
 * lib/access) or a channel id they have already authorised.
 */

/** A person's display name: display name, else real name, else handle. */
const PERSON_NAME = (p: string) => `COALESCE(NULLIF(${p}.display_name, ''), NULLIF(${p}.real_name, ''), ${p}.name)`;

/** "Top-level" = shown in the channel: not a reply, or a reply also sent to the channel. */
const TOP_LEVEL = (m: string) => `(${m}.thread_ts IS NULL OR ${m}.thread_ts = ${m}.ts OR ${m}.subtype = 'thread_broadcast')`;

/** A channel row with its message and member counts. */
export type TChannelRow = {
  id: number;
  workspace_id: number;
  workspace_name: string;
  external_id: string;
  name: string;
  kind: TChannelKind;
  topic: string | null;
  purpose: string | null;
  archived: boolean;
  message_count: number;
  last_activity_at: Date | null;
  member_count: number;
  member_names: string | null;
};

/**
 * Channels in `scope` (a readable-channels subquery whose placeholders start
 * at $1), optionally only `channelId`; `membersSql` selects a channel's
 * current member ids given alias `c`.
 */
export async function selectChannelSummaries(
  db: TDb,
  scope: TSqlFragment,
  membersSql: string,
  channelId?: number,
): Promise<TChannelRow[]> {
  const params: unknown[] = [...scope.params];
  let only = "";
  if (channelId !== undefined) {
    params.push(channelId);
    only = `AND c.id = $${params.length}`;
  }
  const r = await db.query<TChannelRow>(
    `SELECT c.id, c.workspace_id, w.name AS workspace_name, c.external_id, c.name, c.kind, c.topic, c.purpose, c.archived,
            s.message_count, s.last_activity_at, mem.member_count, mem.member_names
     FROM channel c
     JOIN workspace w ON w.id = c.workspace_id
     CROSS JOIN LATERAL (SELECT count(*)::int AS message_count, max(m.posted_at) AS last_activity_at
                         FROM message m WHERE m.channel_id = c.id) s
     CROSS JOIN LATERAL (SELECT count(*)::int AS member_count,
                                CASE WHEN c.kind IN ('dm', 'mpdm')
                                     THEN string_agg(${PERSON_NAME("p")}, ', ' ORDER BY ${PERSON_NAME("p")}) END AS member_names
                         FROM (${membersSql}) cm JOIN person p ON p.id = cm.person_id) mem
     WHERE c.id IN (${scope.sql}) ${only}
     ORDER BY c.kind, lower(c.name), c.id`,
    params,
  );
  return r.rows;
}

/** Days (UTC) with top-level messages in a channel, oldest first. */
export async function selectChannelDays(db: TDb, channelId: number): Promise<{ day: string; message_count: number }[]> {
  const r = await db.query<{ day: string; message_count: number }>(
    `SELECT to_char(m.posted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::int AS message_count
     FROM message m WHERE m.channel_id = $1 AND ${TOP_LEVEL("m")}
     GROUP BY 1 ORDER BY 1`,
    [channelId],
  );
  return r.rows;
}

/** A message row with its author and thread counts. */
export type TMessageRow = {
  id: number;
  ts: string;
  thread_ts: string | null;
  bot_id: string | null;
  username: string | null;
  subtype: string | null;
  text: string;
  search_text: string;
  posted_at: Date;
  edited_ts: string | null;
  edited_at: Date | null;
  deleted: boolean;
  deleted_at: Date | null;
  pinned: boolean;
  author_name: string | null;
  author_external_id: string | null;
  author_is_bot: boolean | null;
  reply_count: number;
  last_reply_at: Date | null;
};

/** Whether a message is pinned now (the database function holds the one definition: latest pin/unpin event, else the source's flag). */
const PINNED_NOW = (m: string) => `message_pinned_now(${m}.channel_id, ${m}.ts, ${m}.pinned)`;

/**
 * SQL: the ids of the messages of channel `channel` (an SQL expression) that
 * are pinned now. Only messages the source flagged or a pin event named can
 * be, so those are the candidates the function checks.
 */
export const pinnedNowIdsSql = (channel: string) => `SELECT pc.id FROM (
    SELECT m2.id, m2.channel_id, m2.ts, m2.pinned FROM message m2 WHERE m2.channel_id = ${channel} AND m2.pinned
    UNION
    SELECT m3.id, m3.channel_id, m3.ts, m3.pinned FROM channel_event e JOIN message m3 ON m3.channel_id = e.channel_id AND m3.ts = e.value
    WHERE e.channel_id = ${channel} AND e.kind = 'pin') pc
  WHERE ${PINNED_NOW("pc")}`;

const MESSAGE_COLUMNS = `m.id, m.ts, m.thread_ts, m.bot_id, m.username, m.subtype, m.text, m.search_text, m.posted_at,
  m.edited_ts, m.edited_at, m.deleted, m.deleted_at, ${PINNED_NOW("m")} AS pinned,
  ${PERSON_NAME("p")} AS author_name, p.external_id AS author_external_id, p.is_bot AS author_is_bot,
  COALESCE(rc.reply_count, 0) AS reply_count, rc.last_reply_at`;

const REPLIES_JOIN = `LEFT JOIN person p ON p.id = m.author_id
  LEFT JOIN LATERAL (SELECT count(*)::int AS reply_count, max(r.posted_at) AS last_reply_at
                     FROM message r WHERE r.channel_id = m.channel_id AND r.thread_ts = m.ts AND r.ts <> m.ts) rc
    ON m.thread_ts IS NULL OR m.thread_ts = m.ts`;

/** Top-level messages of a channel posted in [start, end), in order (at most `limit`). */
export async function selectTopLevelMessages(
  db: TDb,
  channelId: number,
  start: Date,
  end: Date,
  limit: number,
): Promise<TMessageRow[]> {
  const r = await db.query<TMessageRow>(
    `SELECT ${MESSAGE_COLUMNS}
     FROM message m ${REPLIES_JOIN}
     WHERE m.channel_id = $1 AND m.posted_at >= $2 AND m.posted_at < $3 AND ${TOP_LEVEL("m")}
     ORDER BY m.posted_at, m.ts
     LIMIT $4`,
    [channelId, start, end, limit],
  );
  return r.rows;
}

/** A thread's root (if archived) and replies, in order. */
export async function selectThreadMessages(db: TDb, channelId: number, threadTs: string): Promise<TMessageRow[]> {
  const r = await db.query<TMessageRow>(
    `SELECT ${MESSAGE_COLUMNS}
     FROM message m ${REPLIES_JOIN}
     WHERE m.channel_id = $1 AND (m.ts = $2 OR m.thread_ts = $2)
     ORDER BY (m.ts = $2) DESC, m.posted_at, m.ts`,
    [channelId, threadTs],
  );
  return r.rows;
}

/** Reactions of messages, per message and emoji, in the order first given. */
export async function selectReactions(
  db: TDb,
  workspaceId: number,
  messageIds: number[],
): Promise<{ message_id: number; name: string; count: number; users: string[] }[]> {
  if (messageIds.length === 0) return [];
  const r = await db.query<{ message_id: number; name: string; count: number; users: string[] }>(
    `SELECT x.message_id, x.name, count(*)::int AS count,
            array_agg(COALESCE(${PERSON_NAME("p")}, x.user_external) ORDER BY x.id) AS users
     FROM reaction x LEFT JOIN person p ON p.workspace_id = $1 AND p.external_id = x.user_external
     WHERE x.message_id = ANY($2::bigint[])
     GROUP BY x.message_id, x.name
     ORDER BY x.message_id, min(x.id)`,
    [workspaceId, messageIds],
  );
  return r.rows;
}

/** File metadata attached to messages. */
export async function selectFiles(
  db: TDb,
  messageIds: number[],
): Promise<
  { message_id: number; id: number; name: string | null; title: string | null; mimetype: string | null; size: number | null; permalink: string | null; mode: string | null }[]
> {
  if (messageIds.length === 0) return [];
  const r = await db.query(
    `SELECT mf.message_id, f.id, f.name, f.title, f.mimetype, f.size, f.permalink, f.mode
     FROM message_file mf JOIN file f ON f.id = mf.file_id
     WHERE mf.message_id = ANY($1::bigint[])
     ORDER BY mf.message_id, f.created_at NULLS LAST, f.id`,
    [messageIds],
  );
  return r.rows;
}

/** Display names of people by external id, in one workspace. */
export async function selectPersonNames(db: TDb, workspaceId: number, externalIds: string[]): Promise<Map<string, string>> {
  if (externalIds.length === 0) return new Map();
  const r = await db.query<{ external_id: string; name: string }>(
    `SELECT p.external_id, ${PERSON_NAME("p")} AS name FROM person p WHERE p.workspace_id = $1 AND p.external_id = ANY($2::text[])`,
    [workspaceId, externalIds],
  );
  return new Map(r.rows.map((row) => [row.external_id, row.name]));
}

/**
 * Channels of a workspace by external id, restricted to `scope` (the
 * viewer's readable channels, placeholders from $1), so that a mention of a
 * private channel does not reveal its name.
 */
export async function selectReadableChannelsByExternalId(
  db: TDb,
  scope: TSqlFragment,
  workspaceId: number,
  externalIds: string[],
): Promise<Map<string, { id: number; name: string }>> {
  if (externalIds.length === 0) return new Map();
  const n = scope.params.length;
  const r = await db.query<{ external_id: string; id: number; name: string }>(
    `SELECT c.external_id, c.id, c.name FROM channel c
     WHERE c.workspace_id = $${n + 1} AND c.external_id = ANY($${n + 2}::text[]) AND c.id IN (${scope.sql})`,
    [...scope.params, workspaceId, externalIds],
  );
  return new Map(r.rows.map((row) => [row.external_id, { id: row.id, name: row.name }]));
}

/** The latest archived version text of messages (for deleted messages whose text was blanked). */
export async function selectLatestVersionTexts(db: TDb, messageIds: number[]): Promise<Map<number, string>> {
  if (messageIds.length === 0) return new Map();
  const r = await db.query<{ message_id: number; text: string }>(
    `SELECT DISTINCT ON (v.message_id) v.message_id, v.text FROM message_version v
     WHERE v.message_id = ANY($1::bigint[]) AND v.text <> ''
     ORDER BY v.message_id, CASE WHEN v.valid_from_ts ~ '^[0-9]+([.][0-9]+)?$' THEN v.valid_from_ts::numeric END DESC NULLS LAST, v.id DESC`,
    [messageIds],
  );
  return new Map(r.rows.map((row) => [row.message_id, row.text]));
}

/** The workspace of a channel, or null when it does not exist. */
export async function selectChannelWorkspaceId(db: TDb, channelId: number): Promise<number | null> {
  const r = await db.query<{ workspace_id: number }>("SELECT workspace_id FROM channel WHERE id = $1", [channelId]);
  return r.rows[0]?.workspace_id ?? null;
}

/** The messages pinned in a channel now (latest pin/unpin event wins), newest first. */
export async function selectPinnedMessages(db: TDb, channelId: number, limit: number): Promise<TMessageRow[]> {
  const r = await db.query<TMessageRow>(
    `SELECT ${MESSAGE_COLUMNS}
     FROM message m ${REPLIES_JOIN}
     WHERE m.id IN (${pinnedNowIdsSql("$1")}) AND NOT m.deleted
     ORDER BY m.posted_at DESC, m.ts DESC
     LIMIT $2`,
    [channelId, limit],
  );
  return r.rows;
}

/** The messages of a channel with the most reactions (ties: newest first). */
export async function selectMostReactedMessages(db: TDb, channelId: number, limit: number): Promise<TMessageRow[]> {
  const r = await db.query<TMessageRow>(
    `WITH top AS (
       SELECT x.message_id, count(*) AS n FROM reaction x JOIN message mm ON mm.id = x.message_id
       WHERE mm.channel_id = $1 AND NOT mm.deleted
       GROUP BY x.message_id ORDER BY n DESC, max(mm.posted_at) DESC LIMIT $2)
     SELECT ${MESSAGE_COLUMNS}
     FROM top JOIN message m ON m.id = top.message_id ${REPLIES_JOIN}
     ORDER BY top.n DESC, m.posted_at DESC`,
    [channelId, limit],
  );
  return r.rows;
}

/** The names of a channel's current members (`membersSql` from lib/access lists their person ids), sorted. */
export async function selectCurrentMemberNames(db: TDb, channelId: number, membersSql: string, limit: number): Promise<string[]> {
  const r = await db.query<{ name: string }>(
    `SELECT ${PERSON_NAME("p")} AS name FROM channel c JOIN person p ON p.id IN (${membersSql})
     WHERE c.id = $1 ORDER BY 1 LIMIT $2`,
    [channelId, limit],
  );
  return r.rows.map((x) => x.name);
}
