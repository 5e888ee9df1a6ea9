import type pg from "pg";
import type { z } from "zod";
import type { TJobDefinition } from "./define-job";

/**
 * Put a job on the PostgreSQL-backed queue. Takes a pool or a transaction
 * client, so a job can commit together with the rows that caused it. With a
 * `key`, enqueueing the same work twice yields one job (the existing id).
 * `notify: false` leaves waking the workers to their poll (within a second):
 * PostgreSQL serialises the commits of every transaction that NOTIFYs
 * (a database-wide lock held through the WAL flush), which caps a hot path
 * such as the Slack Events receiver at one commit per disk flush.
 */
export async function enqueueJob<S extends z.ZodType>(
  db: pg.Pool | pg.ClientBase,
  def: TJobDefinition<S>,
  payload: z.input<S>,
  opts: { key?: string; runAt?: Date; notify?: boolean } = {},
): Promise<number> {
  const data = def.schema.parse(payload);
  const r = await db.query<{ id: number }>(
    `INSERT INTO job (name, key, payload, run_at, max_attempts) VALUES ($1, $2, $3, coalesce($4, now()), $5)
     ON CONFLICT (key) DO NOTHING RETURNING id`,
    [def.name, opts.key ?? null, JSON.stringify(data), opts.runAt ?? null, def.retry.maxAttempts],
  );
  if (r.rows[0]) {
    if (opts.notify !== false) await db.query("SELECT pg_notify('backscroll_jobs', $1)", [def.name]);
    return r.rows[0].id;
  }
  const existing = await db.query<{ id: number }>("SELECT id FROM job WHERE key = $1", [opts.key]);
  return existing.rows[0]!.id;
}

export interface TJobRow {
  id: number;
  name: string;
  status: string;
  attempts: number;
  progress: unknown;
  lastError: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export async function findJob(db: pg.Pool | pg.ClientBase, id: number): Promise<TJobRow | undefined> {
  const r = await db.query<TJobRow>(
    `SELECT id, name, status, attempts, progress, last_error AS "lastError", created_at AS "createdAt", finished_at AS "finishedAt" FROM job WHERE id = $1`,
    [id],
  );
  return r.rows[0];
}
