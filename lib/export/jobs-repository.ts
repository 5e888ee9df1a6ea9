import type { TDb } from "../db";

/**
 * The SQL behind export jobs (table `export_job`). State changes are
 * conditional updates, so a cancel and the worker finishing at the same
 * moment cannot both win.
 */

export type TExportJobState = "queued" | "running" | "done" | "failed" | "cancelled";

/** One `export_job` row. */
export interface TExportJobRow {
  id: number;
  requesterId: number;
  requester: string;
  format: string;
  scope: unknown;
  state: TExportJobState;
  recordsDone: number;
  totalEstimate: number | null;
  zipPath: string | null;
  zipName: string | null;
  bytes: number | null;
  sha256: string | null;
  error: string | null;
  jobId: number | null;
  cancelRequested: boolean;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

const COLUMNS = `id, requester_id AS "requesterId", requester, format, scope, state::text AS state, records_done AS "recordsDone",
  total_estimate AS "totalEstimate", zip_path AS "zipPath", zip_name AS "zipName", bytes, sha256, error, job_id AS "jobId",
  cancel_requested AS "cancelRequested", created_at AS "createdAt", started_at AS "startedAt", finished_at AS "finishedAt"`;

/** A new queued export; the requester's e-mail is copied from their account. */
export async function insertExportJob(db: TDb, job: { requesterId: number; format: string; scope: unknown }): Promise<TExportJobRow> {
  const r = await db.query<TExportJobRow>(
    `INSERT INTO export_job (requester_id, requester, format, scope)
     VALUES ($1, (SELECT email FROM app_user WHERE id = $1), $2, $3::jsonb) RETURNING ${COLUMNS}`,
    [job.requesterId, job.format, JSON.stringify(job.scope)],
  );
  return r.rows[0]!;
}

/** Remember which queue job runs this export. */
export async function updateExportQueueJob(db: TDb, id: number, jobId: number): Promise<void> {
  await db.query("UPDATE export_job SET job_id = $2 WHERE id = $1", [id, jobId]);
}

/** One export, or undefined. */
export async function selectExportJob(db: TDb, id: number): Promise<TExportJobRow | undefined> {
  const r = await db.query<TExportJobRow>(`SELECT ${COLUMNS} FROM export_job WHERE id = $1`, [id]);
  return r.rows[0];
}

/** Newest first; only `requesterId`'s when given. */
export async function selectExportJobs(db: TDb, f: { requesterId: number | null; limit: number }): Promise<TExportJobRow[]> {
  const r = await db.query<TExportJobRow>(
    `SELECT ${COLUMNS} FROM export_job WHERE ($1::int IS NULL OR requester_id = $1) ORDER BY created_at DESC, id DESC LIMIT $2`,
    [f.requesterId, f.limit],
  );
  return r.rows;
}

/**
 * Ask an export to stop: a queued one is cancelled at once, a running one is
 * flagged for its worker. Undefined when it had already ended.
 */
export async function updateExportCancelRequested(db: TDb, id: number): Promise<TExportJobRow | undefined> {
  const r = await db.query<TExportJobRow>(
    `UPDATE export_job SET cancel_requested = true,
       state = CASE WHEN state = 'queued' THEN 'cancelled'::export_job_state ELSE state END,
       finished_at = CASE WHEN state = 'queued' THEN now() ELSE finished_at END
     WHERE id = $1 AND state IN ('queued', 'running') RETURNING ${COLUMNS}`,
    [id],
  );
  return r.rows[0];
}

/**
 * Mark an export running (again, after a worker died mid-run); undefined
 * when it has ended (cancelled while queued, or already done).
 */
export async function updateExportStarted(db: TDb, id: number): Promise<TExportJobRow | undefined> {
  const r = await db.query<TExportJobRow>(
    `UPDATE export_job SET state = 'running', started_at = now(), records_done = 0, error = NULL
     WHERE id = $1 AND state IN ('queued', 'running') RETURNING ${COLUMNS}`,
    [id],
  );
  return r.rows[0];
}

/** Record progress of a running export; answers whether a cancel has been asked for meanwhile (or it ended). */
export async function updateExportProgress(db: TDb, id: number, p: { recordsDone: number; totalEstimate?: number | null }): Promise<{ cancelRequested: boolean }> {
  const r = await db.query<{ cancelRequested: boolean }>(
    `UPDATE export_job SET records_done = $2, total_estimate = coalesce($3, total_estimate) WHERE id = $1 AND state = 'running'
     RETURNING cancel_requested AS "cancelRequested"`,
    [id, p.recordsDone, p.totalEstimate ?? null],
  );
  return r.rows[0] ?? { cancelRequested: true };
}

/** Mark an export done with its ZIP; false (nothing changed) if a cancel came first. */
export async function updateExportDone(
  db: TDb,
  id: number,
  d: { recordsDone: number; zipPath: string; zipName: string; bytes: number; sha256: string },
): Promise<boolean> {
  const r = await db.query(
    `UPDATE export_job SET state = 'done', records_done = $2, zip_path = $3, zip_name = $4, bytes = $5, sha256 = $6, finished_at = now()
     WHERE id = $1 AND state = 'running' AND NOT cancel_requested`,
    [id, d.recordsDone, d.zipPath, d.zipName, d.bytes, d.sha256],
  );
  return r.rowCount === 1;
}

/** End an export without a file (failed or cancelled). */
export async function updateExportEnded(db: TDb, id: number, state: "failed" | "cancelled", error: string | null): Promise<void> {
  await db.query(
    `UPDATE export_job SET state = $2::export_job_state, error = $3, zip_path = NULL, zip_name = NULL, bytes = NULL, sha256 = NULL,
       finished_at = now() WHERE id = $1`,
    [id, state, error],
  );
}

/** How many messages (deleted ones included) a resolved scope holds: the progress bar's total. */
export async function countMessagesInScope(
  db: TDb,
  s: { channelIds: number[]; personIds: number[] | null; fromTs: string | null; toTs: string | null },
): Promise<number> {
  if (s.channelIds.length === 0) return 0;
  const r = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM message m WHERE m.channel_id = ANY($1::int[])
       AND ($2::int[] IS NULL OR m.author_id = ANY($2::int[])) AND ($3::text IS NULL OR m.ts >= $3) AND ($4::text IS NULL OR m.ts < $4)`,
    [s.channelIds, s.personIds, s.fromTs, s.toTs],
  );
  return r.rows[0]!.n;
}
