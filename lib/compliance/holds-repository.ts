import type pg from "pg";

/** Rows of `legal_hold`, and the SQL predicate that says which messages a hold covers. */

type TDb = pg.Pool | pg.ClientBase;

export interface TLegalHoldRow {
  id: number;
  name: string;
  reason: string;
  channelIds: number[];
  personIds: number[];
  fromAt: Date | null;
  toAt: Date | null;
  createdBy: string | null;
  createdAt: Date;
  releasedBy: string | null;
  releasedAt: Date | null;
  releaseReason: string | null;
}

/**
 * SQL: hold alias `h` covers message alias `m` (and is active). Empty
 * channel or person lists mean any; the range is [from_at, to_at) on the
 * posting time. A person (a custodian) is covered as the author of a
 * message anywhere and as a member of a direct conversation (DM or group
 * DM): what others wrote to them is theirs to preserve too.
 */
export function holdCoversSql(h: string, m: string): string {
  return `(${h}.released_at IS NULL
    AND (jsonb_array_length(${h}.channel_ids) = 0 OR ${h}.channel_ids @> to_jsonb(${m}.channel_id))
    AND (jsonb_array_length(${h}.person_ids) = 0 OR ${h}.person_ids @> to_jsonb(${m}.author_id)
         OR EXISTS (SELECT 1 FROM channel hc JOIN membership hm ON hm.channel_id = hc.id
                    WHERE hc.id = ${m}.channel_id AND hc.kind IN ('dm', 'mpdm') AND ${h}.person_ids @> to_jsonb(hm.person_id)))
    AND (${h}.from_at IS NULL OR ${m}.posted_at >= ${h}.from_at)
    AND (${h}.to_at IS NULL OR ${m}.posted_at < ${h}.to_at))`;
}

const columns = (h = "legal_hold") => `${h}.id, ${h}.name, ${h}.reason, ${h}.channel_ids AS "channelIds", ${h}.person_ids AS "personIds",
  ${h}.from_at AS "fromAt", ${h}.to_at AS "toAt", ${h}.created_by AS "createdBy", ${h}.created_at AS "createdAt",
  ${h}.released_by AS "releasedBy", ${h}.released_at AS "releasedAt", ${h}.release_reason AS "releaseReason"`;
const COLUMNS = columns();

export async function insertLegalHold(
  db: TDb,
  h: { name: string; reason: string; channelIds: number[]; personIds: number[]; fromAt: Date | null; toAt: Date | null; createdBy: string | null },
): Promise<TLegalHoldRow> {
  const r = await db.query<TLegalHoldRow>(
    `INSERT INTO legal_hold (name, reason, channel_ids, person_ids, from_at, to_at, created_by)
     VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6, $7) RETURNING ${COLUMNS}`,
    [h.name, h.reason, JSON.stringify(h.channelIds), JSON.stringify(h.personIds), h.fromAt, h.toAt, h.createdBy],
  );
  return r.rows[0]!;
}

/** Release an active hold; null when there is no active hold with that id. */
export async function updateLegalHoldReleased(db: TDb, id: number, by: string | null, reason: string): Promise<TLegalHoldRow | null> {
  const r = await db.query<TLegalHoldRow>(
    `UPDATE legal_hold SET released_at = now(), released_by = $2, release_reason = $3 WHERE id = $1 AND released_at IS NULL RETURNING ${COLUMNS}`,
    [id, by, reason],
  );
  return r.rows[0] ?? null;
}

export async function findLegalHold(db: TDb, id: number): Promise<TLegalHoldRow | null> {
  const r = await db.query<TLegalHoldRow>(`SELECT ${COLUMNS} FROM legal_hold WHERE id = $1`, [id]);
  return r.rows[0] ?? null;
}

/** Every hold (active first, newest first), with how many archived messages it covers now. */
export async function findLegalHolds(db: TDb): Promise<(TLegalHoldRow & { messages: number })[]> {
  const r = await db.query<TLegalHoldRow & { messages: number }>(
    `SELECT ${columns("h")},
       CASE WHEN h.released_at IS NULL THEN (SELECT count(*) FROM message m WHERE ${holdCoversSql("h", "m")}) ELSE 0 END::int AS messages
     FROM legal_hold h ORDER BY h.released_at IS NULL DESC, h.id DESC`,
  );
  return r.rows;
}

/** Channels named by external id or name (every workspace): id, workspace, external id. */
export async function findChannelsByNameOrId(db: TDb, refs: string[]): Promise<{ ref: string; id: number; workspaceId: number; externalId: string; name: string }[]> {
  if (refs.length === 0) return [];
  const r = await db.query(
    `SELECT x.ref, c.id, c.workspace_id AS "workspaceId", c.external_id AS "externalId", c.name
     FROM unnest($1::text[]) AS x(ref) JOIN channel c ON c.external_id = x.ref OR c.name = ltrim(x.ref, '#') ORDER BY c.id`,
    [refs],
  );
  return r.rows;
}

/** People named by external id, name or e-mail (every workspace). */
export async function findPeopleByNameOrId(db: TDb, refs: string[]): Promise<{ ref: string; id: number; externalId: string }[]> {
  if (refs.length === 0) return [];
  const r = await db.query(
    `SELECT x.ref, p.id, p.external_id AS "externalId"
     FROM unnest($1::text[]) AS x(ref) JOIN person p ON p.external_id = x.ref OR p.name = ltrim(x.ref, '@') OR lower(p.email) = lower(x.ref) ORDER BY p.id`,
    [refs],
  );
  return r.rows;
}
