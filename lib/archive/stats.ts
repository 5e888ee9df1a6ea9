import type pg from "pg";

/** Archive-wide counts, as `backscroll stats --json` prints them. */
export interface TArchiveStats {
  workspaces: number;
  channels: number;
  people: number;
  messages: number;
  channelEvents: number;
  versions: number;
  deleted: number;
  reactions: number;
  files: number;
  executions: number;
  memberships: number;
}

export async function findArchiveStats(db: pg.Pool | pg.ClientBase): Promise<TArchiveStats> {
  const r = await db.query(`SELECT
    (SELECT count(*) FROM workspace)::int AS workspaces,
    (SELECT count(*) FROM channel)::int AS channels,
    (SELECT count(*) FROM person)::int AS people,
    (SELECT count(*) FROM message)::int AS messages,
    (SELECT count(*) FROM channel_event)::int AS "channelEvents",
    -- An unedited message is its own single version (no message_version row).
    ((SELECT count(*) FROM message_version)
      + (SELECT count(*) FROM message m WHERE m.text_ts IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM message_version v WHERE v.message_id = m.id)))::int AS versions,
    (SELECT count(*) FROM message WHERE deleted)::int AS deleted,
    (SELECT count(*) FROM reaction)::int AS reactions,
    (SELECT count(*) FROM file)::int AS files,
    (SELECT count(*) FROM execution)::int AS executions,
    (SELECT count(*) FROM membership)::int AS memberships`);
  return r.rows[0] as TArchiveStats;
}
