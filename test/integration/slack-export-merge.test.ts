import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { startSlackApiServer, workspaceFromExport, type TSlackApiServer } from "../helpers/slack-api-server";
import { writeDemoExport, DEMO_TEAM } from "../../lib/demo/demo-workspace";
import { runIngest } from "../../lib/ingest/run";
import { slackExportAdapter } from "../../lib/ingest/adapters/slack-export/adapter";
import { findArchiveStats } from "../../lib/archive/stats";
import { runSlackSync } from "../../lib/sources/sync-service";

// An export imported first and an API sync of the same workspace afterwards
// land on the same rows: same workspace (platform slack + team id), same
// channel ids, same message ts.

let db: TTestDatabase;
let api: TSlackApiServer;
let dir: string;
before(async () => {
  db = await createTestDatabase();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "slack-merge-"));
  await writeDemoExport(dir);
  api = await startSlackApiServer(workspaceFromExport(dir, DEMO_TEAM));
});
after(async () => {
  await api.close();
  await db.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("an export import followed by an API sync of the same data adds nothing", async () => {
  await runIngest({ adapter: slackExportAdapter, input: { location: dir }, pool: db.pool });
  const imported = await findArchiveStats(db.pool);
  assert.ok(imported.messages > 200);
  const s = await runSlackSync({ pool: db.pool, token: "xoxb-test-token", apiUrl: api.url });
  const synced = await findArchiveStats(db.pool);
  assert.equal(s.counts.messagesInserted, 0, "no message is new");
  assert.deepEqual(synced, imported);
  assert.equal(synced.workspaces, 1);
  const dup = await db.pool.query("SELECT count(*)::int AS n FROM (SELECT c.external_id, m.ts FROM message m JOIN channel c ON c.id = m.channel_id GROUP BY 1, 2 HAVING count(*) > 1) x");
  assert.equal(dup.rows[0].n, 0);
  // Every channel of the export was read, and is now complete.
  const cps = await db.pool.query("SELECT count(*)::int AS n FROM ingest_checkpoint WHERE source_key = $1 AND scope LIKE 'channel:%' AND (position->>'complete')::boolean", [`slack-api:${DEMO_TEAM.id}`]);
  assert.equal(cps.rows[0].n, imported.channels);
});

test("a message edited on the Slack side becomes a new version of the imported message", async () => {
  const ch = api.workspace.channels.find((c) => c.info.name === "general")!;
  const target = ch.messages.find((m) => !m.subtype && !m.thread_ts && typeof m.text === "string" && !m.edited)!;
  const before = await findArchiveStats(db.pool);
  api.editMessage(ch.info.id, target.ts, "edited through the API: see OPS-1234", `${Math.floor(Date.now() / 1000)}.000000`);
  await runSlackSync({ pool: db.pool, token: "xoxb-test-token", apiUrl: api.url, channels: ["general"], since: (Number(target.ts) - 1).toFixed(6) });
  const after = await findArchiveStats(db.pool);
  assert.equal(after.messages, before.messages);
  assert.equal(after.versions, before.versions + 1, "the unedited message (one version) now has two");
  const r = await db.pool.query(
    `SELECT m.text, array_agg(v.text ORDER BY v.valid_from_ts::numeric) AS versions FROM message m JOIN channel c ON c.id = m.channel_id
     JOIN message_version v ON v.message_id = m.id WHERE c.external_id = $1 AND m.ts = $2 GROUP BY m.text`,
    [ch.info.id, target.ts],
  );
  assert.equal(r.rows[0].text, "edited through the API: see OPS-1234");
  assert.equal(r.rows[0].versions.length, 2);
  assert.equal(r.rows[0].versions[1], "edited through the API: see OPS-1234");
});
