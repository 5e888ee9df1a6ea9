import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { generateWorkspace, startSlackApiServer, type TSlackApiServer } from "../helpers/slack-api-server";
import { runSlackSync } from "../../lib/sources/sync-service";
import { findArchiveStats } from "../../lib/archive/stats";
import type { TClock } from "../../lib/ingest/adapters/slack-api/budget";
import { findSlackCompleteness } from "../../lib/sources/completeness";

// The Web API sync with the real @slack/web-api client against the local
// Slack server: paging, 429 + Retry-After, errors, budgets, resume,
// incremental runs with edits, deletions and late thread replies.

const TOKEN = "xoxb-test-token";
const START = 1_760_000_000;

/** A clock that never waits: sleeping moves it forward. */
function fakeClock(startMs: number): TClock & { slept: number[] } {
  let now = startMs;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

let db: TTestDatabase;
let api: TSlackApiServer;
before(async () => {
  db = await createTestDatabase();
  // 3 channels × 250 messages (pages of 100), a thread every 20th with 3 replies; 25 users (pages of 200 → 1).
  api = await startSlackApiServer(generateWorkspace({ channels: 3, messagesPerChannel: 250, threadEvery: 20, repliesPerThread: 3, startSec: START }));
});
after(async () => {
  await api.close();
  await db.drop();
});

const count = async (sql: string, params: unknown[] = []) => Number((await db.pool.query(sql, params)).rows[0].n);

test("a first sync pages through history and replies and archives everything once", async () => {
  const clock = fakeClock((START + 250 * 60 + 3600) * 1000);
  const s = await runSlackSync({ pool: db.pool, token: TOKEN, apiUrl: api.url, clock, retries: 2 });
  assert.equal(s.teamId, "T0GEN00001");
  const stats = await findArchiveStats(db.pool);
  // 750 top-level + 3 × 13 threads × 3 replies.
  assert.equal(stats.messages, 750 + 3 * 13 * 3);
  assert.equal(stats.channels, 3);
  assert.equal(stats.people, 25);
  assert.equal(stats.deleted, 0);
  const history = api.requests.filter((r) => r.method === "conversations.history");
  // Pages of 200: 250 messages → 2 requests per channel.
  assert.equal(history.length, 6);
  assert.ok(history.some((r) => r.params.cursor), "cursor paging used");
  assert.equal(api.requests.filter((r) => r.method === "conversations.replies").length, 39);
  const report = await findSlackCompleteness(db.pool);
  const ch = report.workspaces[0]!.channels.find((c) => c.id === "C0GEN00000")!;
  assert.equal(ch.complete, true);
  assert.equal(ch.threadsFetched, 13);
  assert.deepEqual(ch.gaps, []);
});

const tsOf = (i: number, c = 0) => `${START + i * 60}.${String(c * 1000 + 100).padStart(6, "0")}`;
const replyTs = (i: number, r: number, c = 0) => `${START + i * 60 + r}.${String(c * 1000 + 200 + r).padStart(6, "0")}`;

test("an incremental run catches edits, deletions and new replies within the lookback, without duplicates", async () => {
  // Continues the archive of the first test (its sync ended at now0).
  const now0 = START + 250 * 60 + 3600;
  const ch = "C0GEN00000";
  const before = await findArchiveStats(db.pool);
  const lookbackSeconds = 7200;
  // Thread 100's parent is older than the window, but it had a reply recently (before the first sync
  // ended? no: added now, dated inside the first sync's span, so only the late-reply rule can find it).
  api.editMessage(ch, tsOf(200), "message 200 edited: rollback api-gw-00", `${now0 + 100}.000000`);
  api.editMessage(ch, tsOf(5), "message 5 edited long ago", `${now0 + 100}.000001`);
  api.deleteMessage(ch, tsOf(210));
  api.deleteMessage(ch, replyTs(220, 2));
  api.addMessage(ch, { type: "message", ts: `${now0 + 200}.000900`, thread_ts: tsOf(240), user: "U0GEN00001", text: "late reply in a recent thread" });
  const clock = fakeClock((now0 + 600) * 1000);
  const s = await runSlackSync({ pool: db.pool, token: TOKEN, apiUrl: api.url, clock, lookbackSeconds, channels: [ch] });
  assert.equal(s.resumed, false);
  const after1 = await findArchiveStats(db.pool);
  assert.equal(after1.messages, before.messages + 1, "one new reply, nothing duplicated");
  assert.equal(after1.deleted, 2, "the deleted message and the deleted reply");
  const row = (ts: string) => db.pool.query("SELECT m.text, m.deleted, (SELECT count(*) FROM message_version v WHERE v.message_id = m.id)::int AS versions FROM message m JOIN channel c ON c.id = m.channel_id WHERE c.external_id = $1 AND m.ts = $2", [ch, ts]).then((r) => r.rows[0]);
  assert.deepEqual(await row(tsOf(200)), { text: "message 200 edited: rollback api-gw-00", deleted: false, versions: 2 });
  assert.equal((await row(tsOf(210))).deleted, true);
  assert.equal((await row(replyTs(220, 2))).deleted, true);
  // Outside the window: not re-read (a --since run does).
  assert.equal((await row(tsOf(5))).text, "message 0 in channel 0: deploy api-gw-00".replace("0 in", "5 in").replace("gw-00", "gw-05"));
  // The history request started at the end of the archived range minus the lookback.
  const hist = api.requests.filter((r) => r.method === "conversations.history" && r.params.channel === ch).at(-1)!;
  assert.equal(hist.params.oldest, (now0 - lookbackSeconds).toFixed(6));
  const s2 = await runSlackSync({ pool: db.pool, token: TOKEN, apiUrl: api.url, clock, lookbackSeconds, channels: [ch], since: `${START}` });
  assert.ok(s2.counts.versions >= 2);
  assert.equal((await row(tsOf(5))).text, "message 5 edited long ago");
  assert.equal((await findArchiveStats(db.pool)).messages, after1.messages);
});

test("replies to an older thread that was active within the lookback are found", async () => {
  const now1 = START + 250 * 60 + 3600 + 600;
  const ch = "C0GEN00001";
  const before = await findArchiveStats(db.pool);
  // The thread's parent (message 0) lies long before any window; its last reply is recent.
  const parent = tsOf(0, 1);
  api.addMessage(ch, { type: "message", ts: `${now1 + 10}.000901`, thread_ts: parent, user: "U0GEN00002", text: "first late reply" });
  let clock = fakeClock((now1 + 20) * 1000);
  await runSlackSync({ pool: db.pool, token: TOKEN, apiUrl: api.url, clock, lookbackSeconds: 7200, channels: [ch], since: `${START}` });
  api.addMessage(ch, { type: "message", ts: `${now1 + 30}.000902`, thread_ts: parent, user: "U0GEN00002", text: "second late reply" });
  clock = fakeClock((now1 + 40) * 1000);
  await runSlackSync({ pool: db.pool, token: TOKEN, apiUrl: api.url, clock, lookbackSeconds: 7200, channels: [ch] });
  const r = await db.pool.query("SELECT count(*)::int AS n FROM message WHERE text = 'second late reply'");
  assert.equal(r.rows[0].n, 1);
  assert.equal((await findArchiveStats(db.pool)).messages, before.messages + 2);
});

test("429 with Retry-After is waited out and retried", async () => {
  const clock = fakeClock((START + 20_000) * 1000);
  api.rateLimit("conversations.history", 1, 1);
  const s = await runSlackSync({ pool: db.pool, token: TOKEN, apiUrl: api.url, clock, channels: ["C0GEN00002"] });
  assert.equal(s.rateLimited, 1);
  const hist = api.requests.filter((r) => r.method === "conversations.history");
  const limited = hist.findIndex((r) => r.status === 429);
  assert.ok(limited >= 0, "the server answered 429");
  const retry = hist[limited + 1]!;
  assert.equal(retry.status, 200);
  assert.deepEqual(retry.params, hist[limited]!.params, "the same request was retried");
  assert.ok(retry.at - hist[limited]!.at >= 1000, `retried after ${retry.at - hist[limited]!.at} ms, Retry-After was 1 s`);
});

test("a channel closed to the token is reported and skipped; a bad or revoked token stops the sync", async () => {
  const clock = fakeClock((START + 21_000) * 1000);
  api.failChannel("C0GEN00002", "not_in_channel");
  await runSlackSync({ pool: db.pool, token: TOKEN, apiUrl: api.url, clock });
  api.failChannel("C0GEN00002", null);
  const report = await findSlackCompleteness(db.pool);
  const ws = report.workspaces.find((w) => w.teamId === "T0GEN00001")!;
  assert.equal(ws.channels.find((c) => c.id === "C0GEN00002")!.lastError, "not_in_channel");
  assert.equal(ws.channels.find((c) => c.id === "C0GEN00000")!.lastError, null);
  await assert.rejects(runSlackSync({ pool: db.pool, token: "xoxb-wrong", apiUrl: api.url, clock }), (e: Error & { code?: string }) => e.code === "unauthenticated" && /invalid_auth/.test(e.message));
  api.tokens.add("xoxp-revoked");
  api.revoked.add("xoxp-revoked");
  await assert.rejects(runSlackSync({ pool: db.pool, token: "xoxp-revoked", apiUrl: api.url, clock }), /token_revoked/);
  await assert.rejects(runSlackSync({ pool: db.pool, token: TOKEN, apiUrl: api.url, clock, channels: ["#no-such-channel"] }), /no-such-channel/);
});

test("the non-Marketplace regime asks for 15 messages a page and one history request a minute", async () => {
  const small = await startSlackApiServer(generateWorkspace({ channels: 1, messagesPerChannel: 40, threadEvery: 20, repliesPerThread: 2, startSec: START, teamId: "T0GEN00002" }));
  small.maxMessageLimit = 15;
  try {
    const clock = fakeClock((START + 10_000) * 1000);
    const s = await runSlackSync({ pool: db.pool, token: TOKEN, apiUrl: small.url, clock, regime: "non-marketplace" });
    const hist = small.requests.filter((r) => r.method === "conversations.history");
    const replies = small.requests.filter((r) => r.method === "conversations.replies");
    assert.equal(hist.length, 3, "40 messages in pages of 15");
    assert.ok([...hist, ...replies].every((r) => r.params.limit === "15"));
    assert.equal(replies.length, 2);
    // Each history request after the first waited for its minute (replies, read in between, share that time).
    assert.ok(s.budgetWaitMs >= (hist.length - 1) * 60_000, `waited ${s.budgetWaitMs} ms`);
    const n = await count("SELECT count(*) AS n FROM message m JOIN channel c ON c.id = m.channel_id JOIN workspace w ON w.id = c.workspace_id WHERE w.external_id = 'T0GEN00002'");
    assert.equal(n, 40 + 2 * 2);
  } finally {
    await small.close();
  }
});

test("a sync killed mid-channel resumes from its last committed page", async () => {
  const ws = await startSlackApiServer(generateWorkspace({ channels: 2, messagesPerChannel: 120, threadEvery: 30, repliesPerThread: 2, startSec: START, teamId: "T0GEN00003" }));
  ws.maxMessageLimit = 50;
  try {
    const clock = fakeClock((START + 10_000) * 1000);
    const q = "SELECT count(*) AS n FROM message m JOIN channel c ON c.id = m.channel_id JOIN workspace w ON w.id = c.workspace_id WHERE w.external_id = 'T0GEN00003'";
    // users, channels, then thread + page batches: stop inside the first channel's history.
    await runSlackSync({ pool: db.pool, token: TOKEN, apiUrl: ws.url, clock, maxBatches: 5 });
    const partial = await count(q);
    assert.ok(partial > 0 && partial < 240, `partial ${partial}`);
    const cp = await db.pool.query("SELECT position FROM ingest_checkpoint WHERE source_key = 'slack-api:T0GEN00003' AND scope = 'channel:C0GEN00000'");
    const next = cp.rows[0].position.pass.next as string;
    const before = ws.requests.length;
    const s = await runSlackSync({ pool: db.pool, token: TOKEN, apiUrl: ws.url, clock });
    assert.equal(s.resumed, true);
    const firstHist = ws.requests.slice(before).find((r) => r.method === "conversations.history" && r.params.channel === "C0GEN00000")!;
    assert.equal(firstHist.params.latest, next, "continued below the committed page");
    assert.equal(await count(q), 240 + 2 * 4 * 2);
    const report = await findSlackCompleteness(db.pool);
    const chs = report.workspaces.find((w) => w.teamId === "T0GEN00003")!.channels;
    assert.ok(chs.every((c) => c.complete && c.gaps.length === 0 && c.inProgress === null && c.threadsUnfetched === 0));
  } finally {
    await ws.close();
  }
});
