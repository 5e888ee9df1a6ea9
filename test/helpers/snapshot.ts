import type pg from "pg";

/**
 * Canonical dumps of the archive for equality checks.
 * - `contentSnapshot`: every archive row by natural key, without surrogate ids
 *   or provenance of the run — two archives built from the same data in any
 *   order, with any interruptions, must give equal snapshots.
 * - `rowVersions`: each row's id and xmin — equal before and after an
 *   operation only if that operation rewrote no row at all.
 */

const ARCHIVE_QUERIES: Record<string, string> = {
  workspace: `SELECT platform, external_id, name, domain FROM workspace ORDER BY 1, 2`,
  person: `SELECT w.external_id AS ws, p.external_id, p.name, p.real_name, p.display_name, p.email, p.is_bot, p.bot_id, p.deleted, p.placeholder, p.raw_sha256
           FROM person p JOIN workspace w ON w.id = p.workspace_id ORDER BY 1, 2`,
  channel: `SELECT c.external_id, c.name, c.kind, c.topic, c.purpose, c.archived, c.created_at, c.members, c.raw_sha256 FROM channel c ORDER BY 1`,
  membership: `SELECT c.external_id AS channel, p.external_id AS person, m.joined_at, m.left_at FROM membership m
               JOIN channel c ON c.id = m.channel_id JOIN person p ON p.id = m.person_id ORDER BY 1, 2, 3 NULLS FIRST`,
  message: `SELECT c.external_id AS channel, m.ts, m.thread_ts, p.external_id AS author, m.bot_id, m.username, m.subtype, m.text, m.search_text,
              m.attachments, m.blocks, m.posted_at, m.text_ts, m.edited_ts, m.edited_by, m.deleted, m.deleted_at, m.reply_count, m.pinned, m.raw_sha256
            FROM message m JOIN channel c ON c.id = m.channel_id LEFT JOIN person p ON p.id = m.author_id ORDER BY 1, 2`,
  message_version: `SELECT c.external_id AS channel, m.ts, v.text_sha256, v.text, v.valid_from_ts, v.edited_by FROM message_version v
                    JOIN message m ON m.id = v.message_id JOIN channel c ON c.id = m.channel_id ORDER BY 1, 2, 3`,
  reaction: `SELECT c.external_id AS channel, m.ts, r.name, r.user_external FROM reaction r JOIN message m ON m.id = r.message_id
             JOIN channel c ON c.id = m.channel_id ORDER BY 1, 2, 3, 4`,
  file: `SELECT external_id, name, title, mimetype, size, mode FROM file ORDER BY 1`,
  message_file: `SELECT c.external_id AS channel, m.ts, f.external_id AS file FROM message_file mf JOIN message m ON m.id = mf.message_id
                 JOIN channel c ON c.id = m.channel_id JOIN file f ON f.id = mf.file_id ORDER BY 1, 2, 3`,
  channel_event: `SELECT c.external_id AS channel, e.ts, e.kind, e.subtype, e.actor, e.subject, e.value, e.text, e.raw_sha256 FROM channel_event e
                  JOIN channel c ON c.id = e.channel_id ORDER BY 1, 2`,
  execution: `SELECT source, external_id, bot, command, status, exit_code, started_at, finished_at, raw_sha256 FROM execution ORDER BY 1, 2`,
};

export async function contentSnapshot(db: pg.Pool): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [table, sql] of Object.entries(ARCHIVE_QUERIES)) out[table] = (await db.query(sql)).rows;
  return out;
}

export async function rowVersions(db: pg.Pool): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of ["workspace", "person", "channel", "membership", "message", "message_version", "reaction", "file", "channel_event", "execution"]) {
    const key = t === "message_file" ? "message_id, file_id" : "id";
    const r = await db.query<{ k: string }>(`SELECT (${key})::text || ':' || xmin::text AS k FROM ${t} ORDER BY ${key}`);
    out[t] = r.rows.map((x) => x.k);
  }
  return out;
}
