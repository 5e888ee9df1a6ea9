import type pg from "pg";

/** Reads of the append-only audit log (every domain writes its rows through recordAuditEvent of lib/access). */

export interface TAuditRow {
  id: number;
  chainSeq: number | null;
  at: Date;
  actor: string | null;
  action: string;
  target: string | null;
  details: unknown;
  ip: string | null;
  prevHash: string | null;
  hash: string | null;
  /** The canonical text the hash covers, as the database renders the row. */
  canonical: string;
}

/** Audit rows in chain order, streamed in pages (constant memory). */
export async function* streamAuditChain(db: pg.Pool | pg.ClientBase, pageSize = 5000): AsyncGenerator<TAuditRow> {
  let after = -1;
  let afterId = -1;
  for (;;) {
    // Rows without a chain position (written with the trigger disabled) sort last.
    const r = await db.query<TAuditRow>(
      `SELECT id, chain_seq AS "chainSeq", at, actor, action, target, details, ip, prev_hash AS "prevHash", hash,
         concat_ws(E'\\x1f', coalesce(prev_hash, ''), coalesce(chain_seq::text, ''), id::text,
           to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), coalesce(actor_id::text, ''), coalesce(actor, ''),
           action, coalesce(target, ''), details::text, coalesce(ip, '')) AS canonical
       FROM audit_event
       WHERE (coalesce(chain_seq, 9223372036854775807), id) > ($1, $2)
       ORDER BY coalesce(chain_seq, 9223372036854775807), id LIMIT $3`,
      [after, afterId, pageSize],
    );
    for (const row of r.rows) yield row;
    if (r.rows.length < pageSize) return;
    const last = r.rows[r.rows.length - 1]!;
    after = last.chainSeq ?? Number.MAX_SAFE_INTEGER;
    afterId = last.id;
  }
}

export interface TAuditFilter {
  action?: string;
  actor?: string;
  since?: Date;
  until?: Date;
  limit: number;
}

export async function findAuditEvents(db: pg.Pool | pg.ClientBase, f: TAuditFilter): Promise<Omit<TAuditRow, "canonical">[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.action) where.push(`action LIKE $${params.push(f.action.replace(/\*/g, "%"))}`);
  if (f.actor) where.push(`actor = $${params.push(f.actor)}`);
  if (f.since) where.push(`at >= $${params.push(f.since)}`);
  if (f.until) where.push(`at < $${params.push(f.until)}`);
  const r = await db.query(
    `SELECT id, chain_seq AS "chainSeq", at, actor, action, target, details, ip, prev_hash AS "prevHash", hash
     FROM audit_event ${where.length ? "WHERE " + where.join(" AND ") : ""} ORDER BY id DESC LIMIT $${params.push(f.limit)}`,
    params,
  );
  return r.rows;
}
