import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { runCli } from "../helpers/cli";
import { generateWorkspace, startSlackApiServer, type TSlackApiServer } from "../helpers/slack-api-server";

// `backscroll sync slack` and `backscroll sources` as an operator runs them.

const TOKEN = "xoxb-test-token";
let db: TTestDatabase;
let api: TSlackApiServer;
before(async () => {
  db = await createTestDatabase();
  const now = Math.floor(Date.now() / 1000);
  api = await startSlackApiServer(generateWorkspace({ channels: 2, messagesPerChannel: 60, threadEvery: 15, repliesPerThread: 2, startSec: now - 3 * 86400 }));
});
after(async () => {
  await api.close();
  await db.drop();
});

test("sync slack --json archives the workspace; sources --json reports each channel complete", async () => {
  const env = { DATABASE_URL: db.url };
  const r = await runCli(["sync", "slack", "--token", TOKEN, "--api-url", api.url, "--json"], env);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!r.stdout.includes(TOKEN) && !r.stderr.includes(TOKEN), "the token is never printed");
  const s = JSON.parse(r.stdout) as { teamId: string; archive: { messages: number } };
  assert.equal(s.teamId, "T0GEN00001");
  assert.equal(s.archive.messages, 2 * 60 + 2 * 4 * 2);
  const rep = await runCli(["sources", "--json"], env);
  assert.equal(rep.code, 0, rep.stderr);
  const report = JSON.parse(rep.stdout) as { workspaces: { teamId: string; channels: { id: string; complete: boolean; ranges: unknown[]; gaps: unknown[]; threads: number; threadsFetched: number; lastSyncAt: string | null }[] }[] };
  const chs = report.workspaces[0]!.channels;
  assert.equal(chs.length, 2);
  for (const c of chs) {
    assert.equal(c.complete, true);
    assert.equal(c.ranges.length, 1);
    assert.deepEqual(c.gaps, []);
    assert.equal(c.threads, 4);
    assert.equal(c.threadsFetched, 4);
    assert.ok(c.lastSyncAt);
  }
  const text = await runCli(["sources"], env);
  assert.match(text.stdout, /#gen-0 .* complete/);
});

test("a --since sync leaves the earlier history as a reported gap; a bad token exits 2 without printing it", async () => {
  const fresh = await createTestDatabase();
  try {
    const env = { DATABASE_URL: fresh.url };
    const since = new Date(Date.now() - 3 * 86400 * 1000 + 30 * 60 * 1000).toISOString();
    const r = await runCli(["sync", "slack", "--token", TOKEN, "--api-url", api.url, "--channels", "gen-0", "--since", since], env);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse((await runCli(["sources", "--json"], env)).stdout) as { workspaces: { channels: { id: string; complete: boolean; gaps: { from: string | null; to: string | null }[]; messages: number }[] }[] };
    const ch = report.workspaces[0]!.channels.find((c) => c.id === "C0GEN00000")!;
    assert.equal(ch.complete, false);
    assert.deepEqual(ch.gaps, [{ from: null, to: since }]);
    assert.ok(ch.messages > 0 && ch.messages < 60 + 8);
    const bad = await runCli(["sync", "slack", "--token", "xoxb-not-valid", "--api-url", api.url], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid_auth/);
    assert.ok(!bad.stderr.includes("xoxb-not-valid"));
    const usage = await runCli(["sync", "slack", "--token", "hunter2", "--api-url", api.url], env);
    assert.equal(usage.code, 2);
  } finally {
    await fresh.drop();
  }
});
