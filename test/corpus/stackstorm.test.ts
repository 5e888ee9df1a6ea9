import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { corpusSkip, TESTDATA } from "../helpers/corpus";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { rowVersions } from "../helpers/snapshot";
import { stackstormAdapter } from "../../lib/ingest/adapters/stackstorm/adapter";
import { runIngest } from "../../lib/ingest/run";

/** The StackStorm execution sample (../shared/testdata/stackstorm-execution-sample), older `liveaction` layout. */

const SUB = "stackstorm-execution-sample";
const skip = corpusSkip(SUB);
const FILE = path.join(TESTDATA, SUB, "st2_execution1.json");

let t: TTestDatabase;
before(async () => {
  if (!skip) t = await createTestDatabase();
});
after(async () => {
  await t?.drop();
});

test("a StackStorm execution imports with its action, status, invoker and times; again changes nothing", { skip }, async () => {
  const raw = JSON.parse(fs.readFileSync(FILE, "utf8")) as { id: string; liveaction: { action: string; start_timestamp: string; end_timestamp: string; context: { user: string } } };
  assert.equal(await stackstormAdapter.detect({ location: FILE }), true);
  const s = await runIngest({ adapter: stackstormAdapter, input: { location: FILE }, pool: t.pool });
  assert.equal(s.counts.executions, 1);
  const rows = (await t.pool.query("SELECT * FROM execution")).rows;
  assert.equal(rows.length, 1);
  const e = rows[0];
  assert.equal(e.source, "stackstorm");
  assert.equal(e.external_id, raw.id);
  assert.equal(e.command, raw.liveaction.action);
  assert.equal(e.status, "pending", "st2 `scheduled`");
  assert.equal(e.invoker, raw.liveaction.context.user);
  assert.equal(e.started_at.toISOString(), new Date(raw.liveaction.start_timestamp).toISOString());
  assert.equal(e.finished_at.toISOString(), new Date(raw.liveaction.end_timestamp).toISOString());
  const versions = await rowVersions(t.pool);
  await runIngest({ adapter: stackstormAdapter, input: { location: FILE }, pool: t.pool });
  assert.deepEqual(await rowVersions(t.pool), versions);
});
