import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { generateWorkspace, startSlackApiServer, type TSlackApiServer } from "../helpers/slack-api-server";
import { resetEnvCache } from "../../lib/env";
import { connectSlack } from "../../lib/sources/connections";
import { handleSyncSlack } from "../../workers/handlers/sources.sync-slack";
import { JOBS } from "../../workers/registry";

// The scheduled sync: a stored connection (token encrypted), the worker job
// that syncs it and enqueues its next run, and a revoked token disabling it.

const TOKEN = "xoxb-scheduled-secret-token";
let db: TTestDatabase;
let api: TSlackApiServer;
before(async () => {
  process.env.SLACK_TOKEN_KEY = randomBytes(32).toString("hex");
  resetEnvCache();
  db = await createTestDatabase();
  api = await startSlackApiServer(generateWorkspace({ channels: 1, messagesPerChannel: 20, startSec: Math.floor(Date.now() / 1000) - 3600 }), { tokens: [TOKEN] });
});
after(async () => {
  await api.close();
  await db.drop();
  delete process.env.SLACK_TOKEN_KEY;
  resetEnvCache();
});

const ctx = (jobId: number) => ({ pool: db.pool, jobId, progress: async () => undefined });

test("a stored connection is synced by its job, which schedules the next run; the token is stored encrypted", async () => {
  assert.ok(JOBS.has("sources.sync-slack") && JOBS.has("sources.process-slack-event"));
  const { connection, jobId } = await connectSlack(db.pool, { token: TOKEN, apiUrl: api.url, options: { intervalMinutes: 30 } });
  assert.equal(connection.teamId, "T0GEN00001");
  const raw = await db.pool.query("SELECT row_to_json(c)::text AS row FROM slack_connection c");
  assert.ok(!raw.rows[0].row.includes("scheduled-secret"), "no plaintext token in the database");
  const job = await db.pool.query("SELECT name, payload FROM job WHERE id = $1", [jobId]);
  assert.deepEqual(job.rows[0], { name: "sources.sync-slack", payload: { connectionId: connection.id } });
  const startedAt = Date.now();
  await handleSyncSlack({ connectionId: connection.id }, ctx(jobId));
  const n = await db.pool.query("SELECT count(*)::int AS n FROM message");
  assert.equal(n.rows[0].n, 20);
  const next = await db.pool.query("SELECT run_at FROM job WHERE name = 'sources.sync-slack' AND id <> $1", [jobId]);
  assert.equal(next.rowCount, 1);
  const delay = (next.rows[0].run_at as Date).getTime() - startedAt;
  assert.ok(delay >= 29 * 60_000 && delay <= 31 * 60_000, `next run in ${delay} ms`);
  const c = await db.pool.query("SELECT last_sync_at IS NOT NULL AS synced, last_error FROM slack_connection");
  assert.deepEqual(c.rows[0], { synced: true, last_error: null });
});

test("a revoked token disables the connection instead of retrying forever", async () => {
  const id = (await db.pool.query("SELECT id FROM slack_connection")).rows[0].id as number;
  api.revoked.add(TOKEN);
  await assert.rejects(handleSyncSlack({ connectionId: id }, ctx(0)), /token_revoked/);
  const c = await db.pool.query("SELECT enabled, last_error FROM slack_connection WHERE id = $1", [id]);
  assert.equal(c.rows[0].enabled, false);
  assert.match(c.rows[0].last_error, /token_revoked/);
  const jobs = await db.pool.query("SELECT count(*)::int AS n FROM job WHERE name = 'sources.sync-slack'");
  assert.equal(jobs.rows[0].n, 2, "no further run scheduled");
});
