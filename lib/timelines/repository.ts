import type { TDb } from "../db";
import type { TChannelEventInput, TExecutionInput, TMarkInput, TMessageInput } from "./build";

/**
 * SQL for timelines. Callers have already asked lib/access whether the
 * viewer may read the channel.
 */

const PERSON_NAME = (p: string) => `COALESCE(NULLIF(${p}.display_name, ''), NULLIF(${p}.real_name, ''), ${p}.name)`;

/** A channel's identity. */
export type TChannelIdentity = { id: number; workspaceId: number; externalId: string; name: string; kind: string; createdAt: Date | null };

/** Channels matching an id (numeric or Slack), or a name with or without "#". */
export async function selectChannelsByReference(db: TDb, ref: string): Promise<TChannelIdentity[]> {
  const name = ref.replace(/^#/, "");
  const numeric = /^\d{1,9}$/.test(ref) ? Number(ref) : -1;
  const r = await db.query<{ id: number; workspace_id: number; external_id: string; name: string; kind: string; created_at: Date | null }>(
    `SELECT id, workspace_id, external_id, name, kind::text AS kind, created_at FROM channel
     WHERE id = $1 OR external_id = $2 OR name = $3 ORDER BY (id = $1) DESC, (external_id = $2) DESC, id`,
    [numeric, ref, name],
  );
  return r.rows.map((x) => ({ id: x.id, workspaceId: x.workspace_id, externalId: x.external_id, name: x.name, kind: x.kind, createdAt: x.created_at }));
}

/** One channel's identity by id. */
export async function selectChannelIdentity(db: TDb, channelId: number): Promise<TChannelIdentity | null> {
  const r = await db.query<{ id: number; workspace_id: number; external_id: string; name: string; kind: string; created_at: Date | null }>(
    `SELECT id, workspace_id, external_id, name, kind::text AS kind, created_at FROM channel WHERE id = $1`,
    [channelId],
  );
  const x = r.rows[0];
  return x ? { id: x.id, workspaceId: x.workspace_id, externalId: x.external_id, name: x.name, kind: x.kind, createdAt: x.created_at } : null;
}

/** Messages of a channel posted in [from, to] (null = unbounded), in time order. */
export async function selectTimelineMessages(db: TDb, channelId: number, from: Date | null, to: Date | null): Promise<TMessageInput[]> {
  // Columns named as the builder names them, so each row becomes its input in place (no second object per message).
  const r = await db.query<Omit<TMessageInput, "postedAt" | "editedAt"> & { postedAt: Date | number; editedAt: Date | number | null }>(
    `SELECT m.ts, m.thread_ts AS "threadTs", p.external_id AS "authorId", ${PERSON_NAME("p")} AS "authorName", coalesce(p.is_bot, false) AS "authorIsBot",
            m.bot_id AS "botId", m.username, m.subtype, m.text,
            -- Sent only when it adds something (attachments, blocks): halves the rows' size.
            CASE WHEN m.search_text = m.text THEN '' ELSE m.search_text END AS "searchText",
            -- Epoch milliseconds: parsing 20,000 timestamptz texts costs more than the rest of the row.
            (extract(epoch FROM m.posted_at) * 1000)::float8 AS "postedAt", (extract(epoch FROM m.edited_at) * 1000)::float8 AS "editedAt",
            m.deleted, GREATEST(1, COALESCE(v.n, 0)) AS versions
     FROM message m LEFT JOIN person p ON p.id = m.author_id
     LEFT JOIN (SELECT v.message_id, count(*)::int AS n FROM message_version v JOIN message vm ON vm.id = v.message_id
                WHERE vm.channel_id = $1 GROUP BY v.message_id) v ON v.message_id = m.id
     WHERE m.channel_id = $1 AND ($2::timestamptz IS NULL OR m.posted_at >= $2) AND ($3::timestamptz IS NULL OR m.posted_at <= $3)
     ORDER BY m.posted_at, m.ts`,
    [channelId, from, to],
  );
  for (const x of r.rows) {
    x.postedAt = new Date(x.postedAt as number);
    if (x.editedAt !== null) x.editedAt = new Date(x.editedAt as number);
  }
  return r.rows as TMessageInput[];
}

/** Executions in a channel started in [from, to] (null = unbounded). */
export async function selectTimelineExecutions(db: TDb, channelId: number, from: Date | null, to: Date | null): Promise<TExecutionInput[]> {
  const r = await db.query<{
    id: number;
    bot: string;
    command: string;
    arguments: unknown;
    invoker: string | null;
    message_ts: string | null;
    started_at: Date;
    finished_at: Date | null;
    status: string;
    exit_code: number | null;
    output: string | null;
  }>(
    `SELECT id, bot, command, arguments, invoker, message_ts, started_at, finished_at, status, exit_code, right(output, 2000) AS output
     FROM execution
     WHERE channel_id = $1 AND ($2::timestamptz IS NULL OR started_at >= $2) AND ($3::timestamptz IS NULL OR started_at <= $3)
     ORDER BY started_at, id`,
    [channelId, from, to],
  );
  return r.rows.map((x) => ({
    id: x.id,
    bot: x.bot,
    command: x.command,
    arguments: x.arguments,
    invoker: x.invoker,
    messageTs: x.message_ts,
    startedAt: x.started_at,
    finishedAt: x.finished_at,
    status: x.status,
    exitCode: x.exit_code,
    output: x.output,
  }));
}

/** Channel events in [from, to]. */
export async function selectTimelineChannelEvents(db: TDb, channelId: number, from: Date | null, to: Date | null): Promise<TChannelEventInput[]> {
  const r = await db.query<{ ts: string; kind: string; subtype: string; actor: string | null; subject: string | null; value: string | null; text: string; occurred_at: Date }>(
    `SELECT ts, kind, subtype, actor, subject, value, text, occurred_at FROM channel_event
     WHERE channel_id = $1 AND ($2::timestamptz IS NULL OR occurred_at >= $2) AND ($3::timestamptz IS NULL OR occurred_at <= $3)
     ORDER BY occurred_at, ts`,
    [channelId, from, to],
  );
  return r.rows.map((x) => ({ ts: x.ts, kind: x.kind, subtype: x.subtype, actor: x.actor, subject: x.subject, value: x.value, text: x.text, occurredAt: x.occurred_at }));
}

/** Display names of a workspace's people, by external id. */
export async function selectPeopleNames(db: TDb, workspaceId: number): Promise<Map<string, string>> {
  const r = await db.query<{ external_id: string; name: string }>(
    `SELECT external_id, ${PERSON_NAME("p")} AS name FROM person p WHERE workspace_id = $1`,
    [workspaceId],
  );
  return new Map(r.rows.map((x) => [x.external_id, x.name]));
}

/** The current version of every mark of an incident. */
export async function selectCurrentMarks(db: TDb, incidentId: number): Promise<TMarkInput[]> {
  const r = await db.query<{ source_kind: TMarkInput["sourceKind"]; source_key: string; kind: TMarkInput["kind"]; note: string | null; active: boolean }>(
    `SELECT DISTINCT ON (source_kind, source_key, kind) source_kind, source_key, kind, note, active
     FROM timeline_mark WHERE incident_id = $1
     ORDER BY source_kind, source_key, kind, version DESC`,
    [incidentId],
  );
  return r.rows.map((x) => ({ sourceKind: x.source_kind, sourceKey: x.source_key, kind: x.kind, note: x.note, active: x.active }));
}

/** A mark's history, newest first. */
export async function selectMarkHistory(
  db: TDb,
  incidentId: number,
): Promise<{ sourceKind: string; sourceKey: string; kind: string; note: string | null; active: boolean; version: number; authorId: number | null; createdAt: Date }[]> {
  const r = await db.query<{ source_kind: string; source_key: string; kind: string; note: string | null; active: boolean; version: number; author_id: number | null; created_at: Date }>(
    `SELECT source_kind, source_key, kind, note, active, version, author_id, created_at FROM timeline_mark
     WHERE incident_id = $1 ORDER BY created_at DESC, id DESC`,
    [incidentId],
  );
  return r.rows.map((x) => ({
    sourceKind: x.source_kind,
    sourceKey: x.source_key,
    kind: x.kind,
    note: x.note,
    active: x.active,
    version: x.version,
    authorId: x.author_id,
    createdAt: x.created_at,
  }));
}

/** Append a new version of a mark; returns its version number. */
export async function insertMarkVersion(
  db: TDb,
  m: TMarkInput & { incidentId: number; authorId: number | null },
): Promise<number> {
  const r = await db.query<{ version: number }>(
    `INSERT INTO timeline_mark (incident_id, source_kind, source_key, kind, note, active, version, author_id)
     SELECT $1, $2, $3, $4, $5, $6, COALESCE(max(version), 0) + 1, $7
     FROM timeline_mark WHERE incident_id = $1 AND source_kind = $2 AND source_key = $3 AND kind = $4
     RETURNING version`,
    [m.incidentId, m.sourceKind, m.sourceKey, m.kind, m.note, m.active, m.authorId],
  );
  return r.rows[0]!.version;
}

/** The row versions a fingerprint covers: their number, and the sum and a sum of hashes of the transactions that wrote them. */
const ROW_VERSIONS = (alias: string) => {
  const xid = `${alias}.xmin::text::int8`;
  return `count(*) || ':' || COALESCE(sum(${xid}), 0) || ':' || COALESCE(sum(hashint8(${xid})), 0)`;
};

/**
 * A fingerprint of everything a channel's timeline is built from: the
 * channel, its messages and their versions, executions, channel events,
 * redactions, the workspace's people (names) and the incident's marks.
 * Every insert or update writes a row version stamped with its
 * transaction's id (xmin), newer than any id already there, and a delete
 * removes one, so a committed change to those rows changes the count or the
 * sums; it reads row headers only, a few milliseconds where reading and
 * building takes hundreds. The server's start time and the database
 * name keep fingerprints of different databases apart.
 */
export async function selectTimelineFingerprint(db: TDb, channelId: number, incidentId: number | null): Promise<string> {
  const r = await db.query<{ fingerprint: string | null }>(
    `SELECT concat_ws('|', current_database(), pg_postmaster_start_time()::text,
       (SELECT xmin::text FROM channel WHERE id = $1),
       (SELECT ${ROW_VERSIONS("m")} FROM message m WHERE m.channel_id = $1),
       (SELECT ${ROW_VERSIONS("v")} FROM message_version v JOIN message m ON m.id = v.message_id WHERE m.channel_id = $1),
       (SELECT ${ROW_VERSIONS("r")} FROM message_redaction r JOIN message m ON m.id = r.message_id WHERE m.channel_id = $1),
       (SELECT ${ROW_VERSIONS("x")} FROM execution x WHERE x.channel_id = $1),
       (SELECT ${ROW_VERSIONS("e")} FROM channel_event e WHERE e.channel_id = $1),
       (SELECT ${ROW_VERSIONS("p")} FROM person p WHERE p.workspace_id = (SELECT workspace_id FROM channel WHERE id = $1)),
       (SELECT ${ROW_VERSIONS("k")} FROM timeline_mark k WHERE k.incident_id = $2)) AS fingerprint`,
    [channelId, incidentId],
  );
  return r.rows[0]?.fingerprint ?? "";
}
