import type pg from "pg";
import type { TCheckpoint, TProgress } from "./adapter";
import type { TBatchCounts } from "./load";

/** Ingest runs and checkpoints: the rows that make ingest resumable. */

export async function loadCheckpoints(db: pg.ClientBase | pg.Pool, sourceKey: string): Promise<Map<string, unknown>> {
  const r = await db.query<{ scope: string; position: unknown }>("SELECT scope, position FROM ingest_checkpoint WHERE source_key = $1", [sourceKey]);
  return new Map(r.rows.map((row) => [row.scope, row.position]));
}

export async function saveCheckpoint(db: pg.ClientBase, sourceKey: string, cp: TCheckpoint, runId: number): Promise<void> {
  await db.query(
    `INSERT INTO ingest_checkpoint (source_key, scope, position, ingest_run_id, updated_at) VALUES ($1, $2, $3, $4, now())
     ON CONFLICT (source_key, scope) DO UPDATE SET position = excluded.position, ingest_run_id = excluded.ingest_run_id, updated_at = now()`,
    [sourceKey, cp.scope, JSON.stringify(cp.position), runId],
  );
}

export async function clearCheckpoints(db: pg.ClientBase | pg.Pool, sourceKey: string): Promise<void> {
  await db.query("DELETE FROM ingest_checkpoint WHERE source_key = $1", [sourceKey]);
}

export async function createIngestRun(db: pg.Pool | pg.ClientBase, r: { source: string; sourceKey: string; location: string }): Promise<number> {
  // A run left "running" by a killed process of the same source is marked failed.
  await db.query(
    `UPDATE ingest_run SET status = 'failed', finished_at = now(), error = coalesce(error, 'interrupted')
     WHERE source_key = $1 AND status = 'running'`,
    [r.sourceKey],
  );
  const res = await db.query<{ id: number }>(
    "INSERT INTO ingest_run (source, source_key, location, pid) VALUES ($1, $2, $3, $4) RETURNING id",
    [r.source, r.sourceKey, r.location, process.pid],
  );
  return res.rows[0]!.id;
}

export async function recordRunProgress(db: pg.ClientBase, runId: number, counts: TBatchCounts, progress: TProgress | undefined): Promise<void> {
  await db.query("UPDATE ingest_run SET counts = $2, progress = $3 WHERE id = $1", [runId, JSON.stringify(counts), progress ? JSON.stringify(progress) : null]);
}

export async function finishIngestRun(db: pg.Pool | pg.ClientBase, runId: number, status: "completed" | "failed", error?: string): Promise<void> {
  await db.query("UPDATE ingest_run SET status = $2, finished_at = now(), error = $3 WHERE id = $1", [runId, status, error ?? null]);
}

export interface TIngestRunRow {
  id: number;
  source: string;
  location: string;
  status: string;
  startedAt: Date;
  finishedAt: Date | null;
  counts: Record<string, number>;
  progress: TProgress | null;
  error: string | null;
}

export async function findRecentIngestRuns(db: pg.Pool | pg.ClientBase, limit = 20): Promise<TIngestRunRow[]> {
  const r = await db.query(
    `SELECT id, source, location, status, started_at AS "startedAt", finished_at AS "finishedAt", counts, progress, error
     FROM ingest_run ORDER BY id DESC LIMIT $1`,
    [limit],
  );
  return r.rows as TIngestRunRow[];
}
