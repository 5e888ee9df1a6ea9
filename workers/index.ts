import os from "node:os";
import type pg from "pg";
import { isAppError } from "../lib/errors";
import { logger } from "../lib/logger";
import { JOBS, scheduleRecurringJobs } from "./registry";

/**
 * The worker loop: claims due jobs with SKIP LOCKED (many workers can share
 * the queue), runs their handler, and records the outcome. Failed jobs are
 * retried with backoff up to their definition's limit; bad input (AppError
 * with a 4xx status) fails at once, as retrying cannot help. Jobs left
 * "running" by a worker that died are reclaimed after `staleAfterSeconds`.
 */
export interface TWorkerOptions {
  pool: pg.Pool;
  signal: AbortSignal;
  pollMs?: number;
  staleAfterSeconds?: number;
}

interface TClaimed {
  id: number;
  name: string;
  payload: unknown;
  attempts: number;
  max_attempts: number;
}

export async function runWorker(opts: TWorkerOptions): Promise<void> {
  const { pool, signal } = opts;
  const workerId = `${os.hostname()}:${process.pid}`;
  const log = logger.child({ worker: workerId });
  let wake: (() => void) | undefined;
  const listener = await pool.connect();
  await listener.query("LISTEN backscroll_jobs");
  listener.on("notification", () => wake?.());
  log.info("worker started", { jobs: [...JOBS.keys()] });
  await scheduleRecurringJobs(pool).catch((err: unknown) => log.error("scheduling recurring jobs failed", { error: err instanceof Error ? err.message : String(err) }));
  try {
    while (!signal.aborted) {
      await pool.query(
        `UPDATE job SET status = 'queued', locked_by = NULL, locked_at = NULL
         WHERE status = 'running' AND locked_at < now() - make_interval(secs => $1)`,
        [opts.staleAfterSeconds ?? 600],
      );
      const job = await claim(pool, workerId);
      if (!job) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, opts.pollMs ?? 1000);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
          signal.addEventListener("abort", () => wake?.(), { once: true });
        });
        wake = undefined;
        continue;
      }
      await runOne(pool, job, log);
    }
  } finally {
    listener.release();
    log.info("worker stopped");
  }
}

async function claim(pool: pg.Pool, workerId: string): Promise<TClaimed | undefined> {
  const r = await pool.query<TClaimed>(
    `UPDATE job SET status = 'running', locked_by = $1, locked_at = now(), attempts = attempts + 1
     WHERE id = (SELECT id FROM job WHERE status = 'queued' AND run_at <= now() ORDER BY run_at, id FOR UPDATE SKIP LOCKED LIMIT 1)
     RETURNING id, name, payload, attempts, max_attempts`,
    [workerId],
  );
  return r.rows[0];
}

async function runOne(pool: pg.Pool, job: TClaimed, log: ReturnType<typeof logger.child>): Promise<void> {
  const entry = JOBS.get(job.name);
  try {
    if (!entry) throw new Error(`No handler registered for job "${job.name}"`);
    const payload = entry.definition.schema.parse(job.payload);
    await entry.handler(payload, {
      pool,
      jobId: job.id,
      progress: async (p) => {
        await pool.query("UPDATE job SET progress = $2, locked_at = now() WHERE id = $1", [job.id, JSON.stringify(p)]);
      },
    });
    await pool.query("UPDATE job SET status = 'completed', finished_at = now(), last_error = NULL WHERE id = $1", [job.id]);
    log.info("job completed", { id: job.id, name: job.name });
  } catch (e) {
    const message = isAppError(e) ? e.describe() : (e as Error).message;
    const permanent = (isAppError(e) && e.status < 500) || !entry || job.attempts >= job.max_attempts;
    const backoff = (entry?.definition.retry.backoffSeconds ?? 10) * 2 ** (job.attempts - 1);
    await pool.query(
      `UPDATE job SET status = $2::job_status, last_error = $3, locked_by = NULL, locked_at = NULL,
         run_at = CASE WHEN $2 = 'queued' THEN now() + make_interval(secs => $4) ELSE run_at END,
         finished_at = CASE WHEN $2 = 'failed' THEN now() END
       WHERE id = $1`,
      [job.id, permanent ? "failed" : "queued", message, backoff],
    );
    log.error("job failed", { id: job.id, name: job.name, error: message, willRetry: !permanent });
  }
}
