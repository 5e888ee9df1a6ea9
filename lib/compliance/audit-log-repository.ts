import type { TDb } from "../db";

/** The audit log as the web page reads it: filtered, newest first, by keyset pages. */

export interface TAuditLogFilter {
  /** LIKE pattern (already translated from `*` wildcards and escaped). */
  actionLike: string | null;
  actorLike: string | null;
  since: Date | null;
  until: Date | null;
  /** Only rows with a smaller id (the next page). */
  beforeId: number | null;
  limit: number;
}

export interface TAuditLogRow {
  id: number;
  chainSeq: number | null;
  at: Date;
  actor: string | null;
  action: string;
  target: string | null;
  details: unknown;
  ip: string | null;
  hash: string | null;
}

/** One page of audit rows, newest (highest id) first. */
export async function selectAuditLogPage(db: TDb, f: TAuditLogFilter): Promise<TAuditLogRow[]> {
  const r = await db.query<TAuditLogRow>(
    `SELECT id, chain_seq AS "chainSeq", at, actor, action, target, details, ip, hash FROM audit_event
     WHERE ($1::text IS NULL OR action LIKE $1) AND ($2::text IS NULL OR lower(coalesce(actor, '')) LIKE lower($2))
       AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at < $4) AND ($5::bigint IS NULL OR id < $5)
     ORDER BY id DESC LIMIT $6`,
    [f.actionLike, f.actorLike, f.since, f.until, f.beforeId, f.limit],
  );
  return r.rows;
}
