import type { TDb } from "../db";

/** SQL for postmortem drafts (one row per version). */

/** A stored draft version. */
export type TDraftRow = { version: number; origin: "generated" | "edited"; markdown: string; based_on_version: number | null; author_id: number | null; created_at: Date };

/** Every version of an incident's postmortem, oldest first. */
export async function selectDrafts(db: TDb, incidentId: number): Promise<TDraftRow[]> {
  const r = await db.query<TDraftRow>(
    `SELECT version, origin, markdown, based_on_version, author_id, created_at FROM postmortem_draft WHERE incident_id = $1 ORDER BY version`,
    [incidentId],
  );
  return r.rows;
}

/** Append a version; returns its number. */
export async function insertDraft(
  db: TDb,
  d: { incidentId: number; origin: "generated" | "edited"; markdown: string; basedOnVersion: number | null; authorId: number | null },
): Promise<number> {
  const r = await db.query<{ version: number }>(
    `INSERT INTO postmortem_draft (incident_id, version, origin, markdown, based_on_version, author_id)
     SELECT $1, COALESCE(max(version), 0) + 1, $2, $3, $4, $5 FROM postmortem_draft WHERE incident_id = $1
     RETURNING version`,
    [d.incidentId, d.origin, d.markdown, d.basedOnVersion, d.authorId],
  );
  return r.rows[0]!.version;
}

/** Append to the audit log. */
export async function insertPostmortemAudit(db: TDb, a: { actorId: number | null; action: string; target: string; details: Record<string, unknown> }): Promise<void> {
  await db.query(`INSERT INTO audit_event (actor_id, action, target, details) VALUES ($1, $2, $3, $4::jsonb)`, [a.actorId, a.action, a.target, JSON.stringify(a.details)]);
}
