import type { TDb } from "@/lib/db";
import { hasFullReadAccess } from "./policy";
import type { TChannelKind, TSqlFragment, TViewer } from "./types";

/**
 * SQL for the access rules. The "current member" test is written once, here,
 * and used both for single-channel checks and for the fragment other readers
 * (search, timelines, exports) embed in their own queries.
 *
 * A person currently belongs to a channel when
 * - they have a membership interval in it with `left_at IS NULL`, or
 * - they have no membership interval in it at all and the channel's
 *   source-listed `members` array holds their external id (sources such as
 *   a Slack export list DM and private-channel members without join events).
 * Membership rows, when a person has any for the channel, are authoritative.
 */

function assertPersonId(personId: number): number {
  if (!Number.isSafeInteger(personId) || personId <= 0) throw new Error(`invalid person id ${personId}`);
  return personId;
}

/** The "person $p currently belongs to channel <alias>" predicate. */
function currentMemberPredicate(channelAlias: string, personParam: string): string {
  return `(
    EXISTS (SELECT 1 FROM membership acc_m
            WHERE acc_m.channel_id = ${channelAlias}.id AND acc_m.person_id = ${personParam} AND acc_m.left_at IS NULL)
    OR (jsonb_typeof(${channelAlias}.members) = 'array'
        AND NOT EXISTS (SELECT 1 FROM membership acc_m2
                        WHERE acc_m2.channel_id = ${channelAlias}.id AND acc_m2.person_id = ${personParam})
        AND ${channelAlias}.members ? (SELECT acc_p.external_id FROM person acc_p
                                       WHERE acc_p.id = ${personParam} AND acc_p.workspace_id = ${channelAlias}.workspace_id))
  )`;
}

/**
 * A subquery selecting the person ids currently belonging to channel
 * `<channelAlias>` (same rule as access), for member counts and DM names.
 */
export function buildCurrentMemberIdsSql(channelAlias: string): string {
  if (!/^[a-z_][a-z0-9_]*$/i.test(channelAlias)) throw new Error(`invalid SQL alias ${channelAlias}`);
  const c = channelAlias;
  return `SELECT acc_m.person_id FROM membership acc_m WHERE acc_m.channel_id = ${c}.id AND acc_m.left_at IS NULL
    UNION
    SELECT acc_p.id FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(${c}.members) = 'array' THEN ${c}.members ELSE '[]'::jsonb END) acc_e(external_id)
      JOIN person acc_p ON acc_p.workspace_id = ${c}.workspace_id AND acc_p.external_id = acc_e.external_id
     WHERE NOT EXISTS (SELECT 1 FROM membership acc_m2 WHERE acc_m2.channel_id = ${c}.id AND acc_m2.person_id = acc_p.id)`;
}

/**
 * A subquery selecting the ids of the channels `viewer` may read, with its
 * placeholders numbered from `$firstParam`.
 */
export function buildReadableChannelsSql(viewer: TViewer, firstParam = 1): TSqlFragment {
  if (hasFullReadAccess(viewer.role)) return { sql: "SELECT acc_c.id FROM channel acc_c", params: [] };
  if (viewer.personId === null) {
    return { sql: "SELECT acc_c.id FROM channel acc_c WHERE acc_c.kind = 'public'", params: [] };
  }
  const p = `$${firstParam}::int`;
  return {
    sql: `SELECT acc_c.id FROM channel acc_c WHERE acc_c.kind = 'public' OR ${currentMemberPredicate("acc_c", p)}`,
    params: [assertPersonId(viewer.personId)],
  };
}

/** Ids of the channels `viewer` may read, ascending. */
export async function selectReadableChannelIds(db: TDb, viewer: TViewer): Promise<number[]> {
  const f = buildReadableChannelsSql(viewer);
  const r = await db.query<{ id: number }>(`${f.sql} ORDER BY 1`, f.params);
  return r.rows.map((row) => row.id);
}

/** The facts the access decision needs about one channel, or null if it does not exist. */
export async function selectChannelAccessFacts(
  db: TDb,
  channelId: number,
  personId: number | null,
): Promise<{ kind: TChannelKind; isCurrentMember: boolean } | null> {
  if (personId === null) {
    const r = await db.query<{ kind: TChannelKind }>("SELECT kind FROM channel WHERE id = $1", [channelId]);
    const row = r.rows[0];
    return row ? { kind: row.kind, isCurrentMember: false } : null;
  }
  const r = await db.query<{ kind: TChannelKind; is_member: boolean }>(
    `SELECT c.kind, ${currentMemberPredicate("c", "$2::int")} AS is_member FROM channel c WHERE c.id = $1`,
    [channelId, assertPersonId(personId)],
  );
  const row = r.rows[0];
  return row ? { kind: row.kind, isCurrentMember: row.is_member } : null;
}

/** Append one row to the audit log (the table refuses updates and deletes). */
export async function insertAuditEvent(
  db: TDb,
  event: { actorId: number | null; actor?: string | null; action: string; target: string | null; details: Record<string, unknown>; ip?: string | null },
): Promise<void> {
  // The actor's label: as given (an e-mail tried at sign-in, "cli"), else the account's e-mail.
  await db.query(
    `INSERT INTO audit_event (actor_id, actor, action, target, details, ip)
     VALUES ($1, coalesce($6::text, (SELECT email FROM app_user WHERE id = $1)), $2, $3, $4::jsonb, $5)`,
    [event.actorId, event.action, event.target, JSON.stringify(event.details), event.ip ?? null, event.actor ?? null],
  );
}
