import type pg from "pg";
import { AppError } from "../errors";
import { getEnv } from "../env";
import { enqueueJob } from "../jobs/enqueue";
import { purgeExpiredJob } from "../jobs/definitions/compliance.purge-expired";

/**
 * Retention applies itself: once a policy that expires anything exists, a
 * purge runs every day at RETENTION_RUN_AT (UTC, default 02:00; `off` leaves
 * purging to `backscroll retention run`). Each scheduled run enqueues the
 * next; setting a policy and starting a worker enqueue it too, all under one
 * job key per slot, so however many workers and web processes do this, each
 * day gets one run.
 */

/** `HH:MM` → minutes after midnight UTC, null for `off`; AppError naming the variable otherwise. */
export function parseRetentionRunAt(value: string): number | null {
  const v = value.trim().toLowerCase();
  if (v === "off") return null;
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(v);
  if (!m) throw new AppError("bad_input", `RETENTION_RUN_AT must be HH:MM (UTC) or off, not "${value}"`, { field: "RETENTION_RUN_AT" });
  return Number(m[1]) * 60 + Number(m[2]);
}

/** The first time after `now` that is `minutes` after a UTC midnight. */
export function nextRetentionRunAt(now: Date, minutes: number): Date {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  let at = midnight + minutes * 60_000;
  if (at <= now.getTime()) at += 86_400_000;
  return new Date(at);
}

/** Enqueue the next scheduled purge when the schedule is on and some policy expires messages; returns its time, or null. */
export async function scheduleNextRetentionRun(db: pg.Pool | pg.ClientBase, now = new Date()): Promise<Date | null> {
  const minutes = parseRetentionRunAt(getEnv().RETENTION_RUN_AT);
  if (minutes === null) return null;
  const r = await db.query("SELECT 1 FROM retention_policy WHERE keep_days IS NOT NULL LIMIT 1");
  if (r.rowCount === 0) return null;
  const at = nextRetentionRunAt(now, minutes);
  await enqueueJob(db, purgeExpiredJob, { dryRun: false, requestedBy: "retention-schedule", scheduled: true }, { key: `compliance.purge-expired:scheduled:${at.toISOString()}`, runAt: at });
  return at;
}

/** When the next scheduled purge is queued to run, or null (for the retention page). */
export async function findNextScheduledRetentionRun(db: pg.Pool | pg.ClientBase): Promise<Date | null> {
  const r = await db.query<{ at: Date | null }>(
    `SELECT min(run_at) AS at FROM job WHERE name = $1 AND status = 'queued' AND (payload->>'scheduled')::boolean`,
    [purgeExpiredJob.name],
  );
  return r.rows[0]?.at ?? null;
}
