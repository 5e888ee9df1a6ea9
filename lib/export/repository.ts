import type pg from "pg";
import { pinnedNowIdsSql } from "../archive/repository";

/** The SQL behind exports: pages of messages in (channel, ts) order and their details. */

/**
 * A message row of an export page. Rows arrive as arrays (`rowMode:
 * "array"`) and are made into these: the driver's own row objects are built
 * by spreading a template and storing each column by name, a measurable
 * part of exporting a million rows.
 */
export class MessagePageRow {
  readonly id: number;
  readonly channel_id: number;
  readonly ts: string;
  readonly thread_ts: string | null;
  readonly author_id: number | null;
  readonly bot_id: string | null;
  readonly username: string | null;
  readonly subtype: string | null;
  readonly text: string;
  readonly text_ts: string | null;
  readonly attachments: unknown;
  readonly blocks: unknown;
  readonly edited_ts: string | null;
  readonly edited_by: string | null;
  readonly deleted: boolean;
  readonly deleted_at: Date | null;
  readonly source: string;
  readonly raw_sha256: string;

  /** `a` holds the columns in the order of PAGE_COLUMNS. */
  constructor(a: unknown[]) {
    this.id = a[0] as number;
    this.channel_id = a[1] as number;
    this.ts = a[2] as string;
    this.thread_ts = a[3] as string | null;
    this.author_id = a[4] as number | null;
    this.bot_id = a[5] as string | null;
    this.username = a[6] as string | null;
    this.subtype = a[7] as string | null;
    this.text = a[8] as string;
    this.text_ts = a[9] as string | null;
    this.attachments = a[10];
    this.blocks = a[11];
    this.edited_ts = a[12] as string | null;
    this.edited_by = a[13] as string | null;
    this.deleted = a[14] as boolean;
    this.deleted_at = a[15] as Date | null;
    this.source = a[16] as string;
    this.raw_sha256 = a[17] as string;
  }
}

export type TMessagePageRow = MessagePageRow;

const PAGE_COLUMNS = `m.id, m.channel_id, m.ts, m.thread_ts, m.author_id, m.bot_id, m.username, m.subtype, m.text, m.text_ts, m.attachments, m.blocks,
       m.edited_ts, m.edited_by, m.deleted, m.deleted_at, m.source, m.raw_sha256`;

export interface TPageFilter {
  personIds: number[] | null;
  fromTs: string | null;
  toTs: string | null;
  /**
   * Where the page starts: after `afterTs` within one channel, or at the
   * start of the first of `channelIds` (the page then runs on through the
   * following ones).
   */
  start: { channelId: number; afterTs: string } | { channelIds: number[] };
  limit: number;
}

/**
 * One page of messages in (channel, ts) order, without the channel's or
 * author's details (every row would repeat them; see findExportChannels and
 * findExportPeople). A page continuing within a channel names that channel
 * alone: with `channel_id = ANY(…)` and a row comparison `(channel_id, ts) >
 * (…)` PostgreSQL starts the index scan at the first channel of the list and
 * filters its way to the keyset, so every page re-read the index entries of
 * all the pages before it (over 200 ms a page at a million messages).
 */
export async function findMessagePage(db: pg.Pool | pg.ClientBase, f: TPageFilter): Promise<TMessagePageRow[]> {
  const params: unknown[] = [];
  const where: string[] = [];
  let order: string;
  if ("channelIds" in f.start) {
    where.push(`m.channel_id = ANY($${params.push(f.start.channelIds)}::int[])`);
    order = "m.channel_id, m.ts";
  } else {
    // ts strings of this era all have ten integer digits, so text order is time order. The
    // keyset and the order are in the column's own collation (C in the embedded server), so
    // both are answered by the (channel_id, ts) index.
    where.push(`m.channel_id = $${params.push(f.start.channelId)}::int`, `m.ts > $${params.push(f.start.afterTs)}::text`);
    order = "m.ts";
  }
  if (f.personIds) where.push(`m.author_id = ANY($${params.push(f.personIds)}::int[])`);
  if (f.fromTs) where.push(`m.ts >= $${params.push(f.fromTs)}`);
  if (f.toTs) where.push(`m.ts < $${params.push(f.toTs)}`);
  const r = await db.query<unknown[]>({
    text: `SELECT ${PAGE_COLUMNS} FROM message m WHERE ${where.join(" AND ")} ORDER BY ${order} LIMIT $${params.push(f.limit)}`,
    values: params,
    rowMode: "array",
  });
  const rows = new Array<MessagePageRow>(r.rows.length);
  for (let i = 0; i < rows.length; i++) rows[i] = new MessagePageRow(r.rows[i]!);
  return rows;
}

/** The channels (and their workspaces) of an export, read once rather than on every message row. */
export async function findExportChannels(db: pg.Pool | pg.ClientBase, channelIds: number[]) {
  const r = await db.query<{ id: number; channel_ext: string; channel_name: string; kind: string; ws_ext: string; ws_name: string }>(
    `SELECT c.id, c.external_id AS channel_ext, c.name AS channel_name, c.kind::text AS kind, w.external_id AS ws_ext, w.name AS ws_name
     FROM channel c JOIN workspace w ON w.id = c.workspace_id WHERE c.id = ANY($1::int[])`,
    [channelIds],
  );
  return r.rows;
}

/** Authors of messages, by person id. */
export async function findExportPeople(db: pg.Pool | pg.ClientBase, personIds: number[]) {
  const r = await db.query<{ id: number; external_id: string; name: string; display_name: string | null; is_bot: boolean | null }>(
    `SELECT id, external_id, name, display_name, is_bot FROM person WHERE id = ANY($1::int[])`,
    [personIds],
  );
  return r.rows;
}

/** A Postgres array literal of ids: far cheaper for thousands of ids than the driver's per-element array escaping. */
function idArray(ids: readonly (number | string)[]): string {
  return `{${ids.join(",")}}`;
}

/*
 * The detail queries below are named (prepared once per connection). Planned
 * anew, `= ANY(<5000 ids>)` costs more to plan than to run (the planner
 * estimates each element), up to 30 ms a page; prepared, PostgreSQL settles
 * on a generic plan (an index scan on message_id) after a few executions.
 */

export async function findVersions(db: pg.Pool | pg.ClientBase, ids: number[]) {
  const r = await db.query<{ message_id: number; text: string; valid_from_ts: string; edited_by: string | null }>({
    name: "export.versions",
    text: `SELECT message_id, text, valid_from_ts, edited_by FROM message_version WHERE message_id = ANY($1::bigint[])
     ORDER BY message_id, valid_from_ts::numeric, text_sha256`,
    values: [idArray(ids)],
  });
  return r.rows;
}

export async function findReactions(db: pg.Pool | pg.ClientBase, ids: number[]) {
  const r = await db.query<{ message_id: number; name: string; users: string[] }>({
    name: "export.reactions",
    text: `SELECT message_id, name, array_agg(user_external ORDER BY user_external) AS users FROM reaction
     WHERE message_id = ANY($1::bigint[]) GROUP BY message_id, name ORDER BY message_id, name`,
    values: [idArray(ids)],
  });
  return r.rows;
}

export async function findFiles(db: pg.Pool | pg.ClientBase, ids: number[]) {
  const r = await db.query<{ message_id: number; external_id: string; name: string | null; title: string | null; mimetype: string | null; size: number | null }>({
    name: "export.files",
    text: `SELECT mf.message_id, f.external_id, f.name, f.title, f.mimetype, f.size FROM message_file mf JOIN file f ON f.id = mf.file_id
     WHERE mf.message_id = ANY($1::bigint[]) ORDER BY mf.message_id, f.external_id`,
    values: [idArray(ids)],
  });
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
    created_at: Date | null; creator: string | null; members: unknown; pins: string[];
  }>(
    `SELECT c.external_id AS id, c.name, c.kind::text AS kind, c.topic, c.purpose, c.archived, c.created_at, c.creator, c.members,
       coalesce((SELECT array_agg(pm.ts ORDER BY pm.ts) FROM message pm WHERE pm.id IN (${pinnedNowIdsSql("c.id")})), '{}') AS pins
     FROM channel c JOIN workspace w ON w.id = c.workspace_id
     WHERE w.external_id = $1 AND c.external_id = ANY($2::text[]) ORDER BY c.external_id COLLATE "C"`,
    [workspaceExt, ids],
  );
  return r.rows;
}

/** A channel's events in [fromTs, toTs), in ts order, for formats that export them. */
export async function findChannelEventsForExport(db: pg.Pool | pg.ClientBase, channelId: number, fromTs: string | null, toTs: string | null) {
  const r = await db.query<{ ts: string; kind: string; subtype: string; actor: string | null; subject: string | null; value: string | null; text: string; raw: unknown; source: string; raw_sha256: string }>(
    `SELECT ts, kind, subtype, actor, subject, value, text, raw, source, raw_sha256 FROM channel_event
     WHERE channel_id = $1 AND ($2::text IS NULL OR ts >= $2) AND ($3::text IS NULL OR ts < $3) ORDER BY ts`,
    [channelId, fromTs, toTs],
  );
  return r.rows;
}
