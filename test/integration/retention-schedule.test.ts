import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { seedArchive } from "../helpers/seed";
import { findNextScheduledRetentionRun, nextRetentionRunAt, parseRetentionRunAt, scheduleNextRetentionRun } from "../../lib/compliance/retention-schedule";
import { setRetentionPolicy } from "../../lib/compliance/retention";
import { purgeExpiredJob } from "../../lib/jobs/definitions/compliance.purge-expired";
import { resetEnvCache } from "../../lib/env";
import { JOBS, scheduleRecurringJobs } from "../../workers/registry";

describe("the retention schedule's times", () => {
  it("parses HH:MM and off, and names the variable otherwise", () => {
    assert.equal(parseRetentionRunAt("02:00"), 120);
    assert.equal(parseRetentionRunAt("7:05"), 425);
    assert.equal(parseRetentionRunAt("23:59"), 1439);
    assert.equal(parseRetentionRunAt("OFF"), null);
    for (const bad of ["24:00", "2", "02:60", "noon", ""]) assert.throws(() => parseRetentionRunAt(bad), /RETENTION_RUN_AT/);
  });
  it("is the next such time strictly after now, across midnight and month ends", () => {
    assert.equal(nextRetentionRunAt(new Date("2026-11-26T01:59:59Z"), 120).toISOString(), "2026-11-26T02:00:00.000Z");
    assert.equal(nextRetentionRunAt(new Date("2026-11-26T02:00:00Z"), 120).toISOString(), "2026-11-27T02:00:00.000Z");
    assert.equal(nextRetentionRunAt(new Date("2026-11-30T23:30:00Z"), 0).toISOString(), "2026-12-01T00:00:00.000Z");
  });
});

describe("scheduled retention runs", () => {
  let t: TTestDatabase;
  const who = { userId: null, actor: "compliance-officer" };
  const scheduled = async () =>
    (await t.pool.query<{ run_at: Date; key: string; payload: { scheduled: boolean; requestedBy: string } }>(
      "SELECT run_at, key, payload FROM job WHERE name = 'compliance.purge-expired' AND status = 'queued' ORDER BY run_at",
    )).rows;
  before(async () => {
    t = await createTestDatabase();
    await seedArchive(t.pool);
  });
  after(async () => {
    delete process.env.RETENTION_RUN_AT;
    resetEnvCache();
    await t?.drop();
  });

  it("has nothing to schedule while no policy expires anything", async () => {
    await setRetentionPolicy(t.pool, who, { forever: true });
    assert.equal(await scheduleNextRetentionRun(t.pool), null);
    assert.deepEqual(await scheduled(), []);
  });

  it("queues one run at the next slot when a policy is set, however often it is asked", async () => {
    process.env.RETENTION_RUN_AT = "03:30";
    resetEnvCache();
    await setRetentionPolicy(t.pool, who, { days: 30 });
    await scheduleRecurringJobs(t.pool); // a worker starting
    await scheduleNextRetentionRun(t.pool); // another process
    const jobs = await scheduled();
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0]!.run_at.toISOString(), nextRetentionRunAt(new Date(), 210).toISOString());
    assert.deepEqual([jobs[0]!.payload.scheduled, jobs[0]!.payload.requestedBy], [true, "retention-schedule"]);
    assert.equal((await findNextScheduledRetentionRun(t.pool))?.toISOString(), jobs[0]!.run_at.toISOString());
  });

  it("a scheduled run enqueues the next day's; a requested run does not", async () => {
    const handler = JOBS.get(purgeExpiredJob.name)!.handler;
    const ctx = { pool: t.pool, jobId: 1, progress: async () => undefined };
    const before = (await scheduled()).length;
    await handler(purgeExpiredJob.schema.parse({ dryRun: true }), ctx);
    assert.equal((await scheduled()).length, before, "a requested run schedules nothing new");
    // The queued slot's run, as the worker would run it; the next slot is the same time tomorrow unless now is before today's.
    await t.pool.query("DELETE FROM job WHERE name = 'compliance.purge-expired'");
    await handler(purgeExpiredJob.schema.parse({ scheduled: true, requestedBy: "retention-schedule" }), ctx);
    const jobs = await scheduled();
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0]!.run_at.toISOString(), nextRetentionRunAt(new Date(), 210).toISOString());
    const run = (await t.pool.query("SELECT requested_by, status, dry_run FROM retention_run ORDER BY id DESC LIMIT 1")).rows[0];
    assert.deepEqual(run, { requested_by: "retention-schedule", status: "completed", dry_run: false });
  });

  it("RETENTION_RUN_AT=off schedules nothing", async () => {
    await t.pool.query("DELETE FROM job WHERE name = 'compliance.purge-expired'");
    process.env.RETENTION_RUN_AT = "off";
    resetEnvCache();
    assert.equal(await scheduleNextRetentionRun(t.pool), null);
    await setRetentionPolicy(t.pool, who, { days: 7 });
    assert.deepEqual(await scheduled(), []);
    assert.equal(await findNextScheduledRetentionRun(t.pool), null);
  });
});
