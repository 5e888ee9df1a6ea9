import type { TDb } from "../db";

/** SQL for postmortem drafts (one row per version). */

/** A stored draft version; `markdown` is null where it was not read. */
export type TDraftRow = { version: number; origin: "generated" | "edited"; markdown: string | null; based_on_version: number | null; author_id: number | null; created_at: Date };

/**
 * Every version of an incident's postmortem, oldest first, with the text of
 * the latest generated and the latest edited version only: a large
 * incident's draft is megabytes, and it is regenerated often.
 */
export async function selectDrafts(db: TDb, incidentId: number): Promise<TDraftRow[]> {
  const r = await db.query<TDraftRow>(
    `SELECT version, origin, CASE WHEN version = max(version) OVER (PARTITION BY origin) THEN markdown END AS markdown,
            based_on_version, author_id, created_at
     FROM postmortem_draft WHERE incident_id = $1 ORDER BY version`,
    [incidentId],
  );
  return r.rows;
}

/** One version, with its text. */
export async function selectDraft(db: TDb, incidentId: number, version: number): Promise<TDraftRow | null> {
  const r = await db.query<TDraftRow>(
    `SELECT version, origin, markdown, based_on_version, author_id, created_at FROM postmortem_draft WHERE incident_id = $1 AND version = $2`,
    [incidentId, version],
  );
  return r.rows[0] ?? null;
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
