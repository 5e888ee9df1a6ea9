import type pg from "pg";

/** The SQL behind exports: pages of messages in (channel, ts) order and their details. */

export interface TMessagePageRow {
  id: number;
  channel_id: number;
  ts: string;
  thread_ts: string | null;
  bot_id: string | null;
  username: string | null;
  subtype: string | null;
  text: string;
  text_ts: string | null;
  attachments: unknown;
  blocks: unknown;
  edited_ts: string | null;
  edited_by: string | null;
  deleted: boolean;
  deleted_at: Date | null;
  source: string;
  raw_sha256: string;
  channel_ext: string;
  channel_name: string;
  kind: string;
  ws_ext: string;
  ws_name: string;
  author_ext: string | null;
  author_name: string | null;
  display_name: string | null;
  is_bot: boolean | null;
}

export interface TPageFilter {
  channelIds: number[];
  personIds: number[] | null;
  fromTs: string | null;
  toTs: string | null;
  after: { channelId: number; ts: string } | null;
  limit: number;
}

export async function findMessagePage(db: pg.Pool | pg.ClientBase, f: TPageFilter): Promise<TMessagePageRow[]> {
  const params: unknown[] = [f.channelIds];
  const where = ["m.channel_id = ANY($1::int[])"];
  if (f.personIds) where.push(`m.author_id = ANY($${params.push(f.personIds)}::int[])`);
  // ts strings of this era all have ten integer digits, so text order is time order.
  if (f.fromTs) where.push(`m.ts >= $${params.push(f.fromTs)}`);
  if (f.toTs) where.push(`m.ts < $${params.push(f.toTs)}`);
  // Keyset and order in the column's own collation (C in the embedded server), so both are
  // answered by the (channel_id, ts) index: each page starts where the last ended, with no
  // sort and no re-scan of the channel's earlier rows (COLLATE "C" here made every page do both).
  if (f.after) where.push(`(m.channel_id, m.ts) > ($${params.push(f.after.channelId)}::int, $${params.push(f.after.ts)}::text)`);
  const r = await db.query<TMessagePageRow>(
    `SELECT m.id, m.channel_id, m.ts, m.thread_ts, m.bot_id, m.username, m.subtype, m.text, m.text_ts, m.attachments, m.blocks,
       m.edited_ts, m.edited_by, m.deleted, m.deleted_at, m.source, m.raw_sha256,
       c.external_id AS channel_ext, c.name AS channel_name, c.kind::text AS kind, w.external_id AS ws_ext, w.name AS ws_name,
       p.external_id AS author_ext, p.name AS author_name, p.display_name, p.is_bot
     FROM message m JOIN channel c ON c.id = m.channel_id JOIN workspace w ON w.id = c.workspace_id
     LEFT JOIN person p ON p.id = m.author_id
     WHERE ${where.join(" AND ")}
     ORDER BY m.channel_id, m.ts LIMIT $${params.push(f.limit)}`,
    params,
  );
  return r.rows;
}

/** A Postgres array literal of ids: far cheaper for thousands of ids than the driver's per-element array escaping. */
function idArray(ids: readonly (number | string)[]): string {
  return `{${ids.join(",")}}`;
}

export async function findVersions(db: pg.Pool | pg.ClientBase, ids: number[]) {
  const r = await db.query<{ message_id: number; text: string; valid_from_ts: string; edited_by: string | null }>(
    `SELECT message_id, text, valid_from_ts, edited_by FROM message_version WHERE message_id = ANY($1::bigint[])
     ORDER BY message_id, valid_from_ts::numeric, text_sha256`,
    [idArray(ids)],
  );
  return r.rows;
}

export async function findReactions(db: pg.Pool | pg.ClientBase, ids: number[]) {
  const r = await db.query<{ message_id: number; name: string; users: string[] }>(
    `SELECT message_id, name, array_agg(user_external ORDER BY user_external) AS users FROM reaction
     WHERE message_id = ANY($1::bigint[]) GROUP BY message_id, name ORDER BY message_id, name`,
    [idArray(ids)],
  );
  return r.rows;
}

export async function findFiles(db: pg.Pool | pg.ClientBase, ids: number[]) {
  const r = await db.query<{ message_id: number; external_id: string; name: string | null; title: string | null; mimetype: string | null; size: number | null }>(
    `SELECT mf.message_id, f.external_id, f.name, f.title, f.mimetype, f.size FROM message_file mf JOIN file f ON f.id = mf.file_id
     WHERE mf.message_id = ANY($1::bigint[]) ORDER BY mf.message_id, f.external_id`,
    [idArray(ids)],
  );
  return r.rows;
}

export async function findMembershipIntervals(db: pg.Pool | pg.ClientBase, channelId: number) {
  const r = await db.query<{ person: string; joined_at: Date | null; left_at: Date | null }>(
    `SELECT p.external_id AS person, m.joined_at, m.left_at FROM membership m JOIN person p ON p.id = m.person_id
     WHERE m.channel_id = $1 ORDER BY p.external_id, m.joined_at NULLS FIRST`,
    [channelId],
  );
  return r.rows;
}

/** Channel ids matching names or external ids (any workspace). */
export async function findChannelIdsByRef(db: pg.Pool | pg.ClientBase, refs: string[], kinds: string[] | null): Promise<number[]> {
  const r = await db.query<{ id: number }>(
    `SELECT id FROM channel WHERE ($1::text[] IS NULL OR external_id = ANY($1) OR name = ANY($1) OR '#' || name = ANY($1))
       AND ($2::text[] IS NULL OR kind::text = ANY($2)) ORDER BY id`,
    [refs.length ? refs : null, kinds],
  );
  return r.rows.map((x) => x.id);
}

/** Person ids matching external ids, names or the e-mail of a person. */
export async function findPersonIdsByRef(db: pg.Pool | pg.ClientBase, refs: string[]): Promise<number[]> {
  const r = await db.query<{ id: number }>(
    `SELECT id FROM person WHERE external_id = ANY($1) OR name = ANY($1) OR '@' || name = ANY($1) OR lower(email) = ANY($2) ORDER BY id`,
    [refs, refs.map((x) => x.toLowerCase())],
  );
  return r.rows.map((x) => x.id);
}

/** People of one workspace (by its external id) with the given external ids, for directory files. */
export async function findPeopleByExternalIds(db: pg.Pool | pg.ClientBase, workspaceExt: string, ids: readonly string[]) {
  const r = await db.query<{
    id: string; name: string; real_name: string | null; display_name: string | null; email: string | null; title: string | null;
    tz: string | null; is_bot: boolean; bot_id: string | null; deleted: boolean;
  }>(
    `SELECT p.external_id AS id, p.name, p.real_name, p.display_name, p.email, p.title, p.tz, p.is_bot, p.bot_id, p.deleted
     FROM person p JOIN workspace w ON w.id = p.workspace_id
     WHERE w.external_id = $1 AND p.external_id = ANY($2::text[]) ORDER BY p.external_id COLLATE "C"`,
    [workspaceExt, ids],
  );
  return r.rows;
}

/** Channels of one workspace (by its external id) with the given external ids, for directory files. */
export async function findChannelsByExternalIds(db: pg.Pool | pg.ClientBase, workspaceExt: string, ids: readonly string[]) {
  const r = await db.query<{
    id: string; name: string; kind: string; topic: string | null; purpose: string | null; archived: boolean;
    created_at: Date | null; creator: string | null; members: unknown;
  }>(
    `SELECT c.external_id AS id, c.name, c.kind::text AS kind, c.topic, c.purpose, c.archived, c.created_at, c.creator, c.members
     FROM channel c JOIN workspace w ON w.id = c.workspace_id
     WHERE w.external_id = $1 AND c.external_id = ANY($2::text[]) ORDER BY c.external_id COLLATE "C"`,
    [workspaceExt, ids],
  );
  return r.rows;
}
