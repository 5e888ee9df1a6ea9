import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createTestDatabase, type TTestDatabase } from "../../helpers/db";
import { signSlackRequest } from "../../../lib/ingest/adapters/slack-events/signature";
import { resetEnvCache } from "../../../lib/env";
import { closePool } from "../../../lib/db";
import { processSlackEventReceipt } from "../../../lib/sources/events-service";

/**
 * POST /api/slack/events, called as Next.js calls it (the exported handler
 * with a Request): signatures, the five-minute window, url_verification,
 * retries and replays, and the job that archives each event once.
 */

const SECRET = "test-signing-secret-0123456789";
const TEAM = "T0EVENTS01";
let t: TTestDatabase;
let POST: (r: Request) => Promise<Response>;

before(async () => {
  t = await createTestDatabase();
  process.env.DATABASE_URL = t.url;
  process.env.SLACK_SIGNING_SECRET = SECRET;
  resetEnvCache();
  ({ POST } = await import("../../../app/api/slack/events/route"));
});
after(async () => {
  await closePool();
  await t.drop();
});

function request(body: string, opts: { ts?: number; secret?: string; signature?: string | null; retry?: string } = {}): Request {
  const ts = opts.ts ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = { "content-type": "application/json", "x-slack-request-timestamp": String(ts) };
  const sig = opts.signature === undefined ? signSlackRequest(opts.secret ?? SECRET, ts, body) : opts.signature;
  if (sig !== null) headers["x-slack-signature"] = sig;
  if (opts.retry) {
    headers["x-slack-retry-num"] = opts.retry;
    headers["x-slack-retry-reason"] = "http_timeout";
  }
  return new Request("http://127.0.0.1/api/slack/events", { method: "POST", headers, body });
}

let seq = 0;
function callback(event: Record<string, unknown>, eventId = `Ev${String(++seq).padStart(8, "0")}`): string {
  return JSON.stringify({ token: "legacy", team_id: TEAM, api_app_id: "A0APP", type: "event_callback", event_id: eventId, event_time: 1_790_000_000 + seq, event });
}

const jobs = async () => (await t.pool.query("SELECT id, payload FROM job WHERE name = 'sources.process-slack-event' ORDER BY id")).rows as { id: number; payload: { receiptId: number } }[];

async function drain(): Promise<void> {
  for (const j of await jobs()) await processSlackEventReceipt(t.pool, j.payload.receiptId);
}

describe("signatures", () => {
  it("answers url_verification with the challenge when signed", async () => {
    const res = await POST(request(JSON.stringify({ token: "x", challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", type: "url_verification" })));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" });
  });

  it("refuses unsigned, wrongly signed, altered and stale requests with 401, writing nothing", async () => {
    const body = callback({ type: "message", channel: "C0EV000001", user: "U1", text: "hi", ts: "1790000000.000100" });
    assert.equal((await POST(request(body, { signature: null }))).status, 401);
    assert.equal((await POST(request(body, { secret: "wrong" }))).status, 401);
    const ts = Math.floor(Date.now() / 1000);
    const altered = new Request("http://127.0.0.1/api/slack/events", {
      method: "POST",
      headers: { "x-slack-request-timestamp": String(ts), "x-slack-signature": signSlackRequest(SECRET, ts, body) },
      body: body.replace("hi", "ho"),
    });
    assert.equal((await POST(altered)).status, 401);
    const stale = await POST(request(body, { ts: Math.floor(Date.now() / 1000) - 6 * 60 }));
    assert.equal(stale.status, 401);
    assert.match(((await stale.json()) as { message: string }).message, /five-minute/);
    const n = await t.pool.query("SELECT count(*)::int AS n FROM slack_event_receipt");
    assert.equal(n.rows[0].n, 0);
    assert.equal((await jobs()).length, 0);
  });

  it("refuses everything when no signing secret is configured", async () => {
    delete process.env.SLACK_SIGNING_SECRET;
    resetEnvCache();
    try {
      const res = await POST(request(JSON.stringify({ type: "url_verification", challenge: "x" })));
      assert.equal(res.status, 503);
    } finally {
      process.env.SLACK_SIGNING_SECRET = SECRET;
      resetEnvCache();
    }
  });
});

describe("delivery", () => {
  it("records an event once: Slack's retries are acknowledged and dropped, a replay is refused", async () => {
    const body = callback({ type: "message", channel: "C0EV000001", channel_type: "channel", user: "U0EVUSER1", text: "deploy api-gw-03 started", ts: "1790000000.000200", event_ts: "1790000000.000200" }, "Ev0RETRY01");
    const first = await POST(request(body));
    assert.equal(first.status, 200);
    const retry = await POST(request(body, { retry: "1" }));
    assert.equal(retry.status, 200);
    assert.equal(((await retry.json()) as { duplicate?: boolean }).duplicate, true);
    const replay = await POST(request(body));
    assert.equal(replay.status, 401);
    const r = await t.pool.query("SELECT count(*)::int AS n, max(retries_seen)::int AS retries, max(retry_num)::int AS num FROM slack_event_receipt WHERE event_id = 'Ev0RETRY01'");
    assert.deepEqual(r.rows[0], { n: 1, retries: 2, num: 1 });
    assert.equal((await jobs()).length, 1, "one job for the event");
    await drain();
    await drain(); // a job run twice changes nothing
    const m = await t.pool.query("SELECT text FROM message WHERE ts = '1790000000.000200'");
    assert.deepEqual(m.rows, [{ text: "deploy api-gw-03 started" }]);
  });

  it("archives edits as versions, deletions, reactions, pins, joins, channel and user changes", async () => {
    const C = "C0EV000001";
    const send = async (event: Record<string, unknown>) => assert.equal((await POST(request(callback(event)))).status, 200);
    await send({ type: "message", channel: C, channel_type: "channel", user: "U0EVUSER1", text: "restarting api", ts: "1790000100.000100", event_ts: "1790000100.000100" });
    await send({
      type: "message", subtype: "message_changed", channel: C, hidden: true, ts: "1790000160.000001", event_ts: "1790000160.000001",
      message: { type: "message", user: "U0EVUSER1", text: "restarting api-gw-03", ts: "1790000100.000100", edited: { user: "U0EVUSER1", ts: "1790000160.000000" } },
      previous_message: { type: "message", user: "U0EVUSER1", text: "restarting api", ts: "1790000100.000100" },
    });
    await send({ type: "message", channel: C, user: "U0EVUSER2", text: "oops", ts: "1790000200.000100", event_ts: "1790000200.000100" });
    await send({ type: "message", subtype: "message_deleted", channel: C, hidden: true, deleted_ts: "1790000200.000100", ts: "1790000210.000001", event_ts: "1790000210.000001", previous_message: { type: "message", user: "U0EVUSER2", text: "oops", ts: "1790000200.000100" } });
    await send({ type: "message", subtype: "thread_broadcast", channel: C, user: "U0EVUSER2", text: "also in channel", ts: "1790000220.000100", thread_ts: "1790000100.000100", root: { ts: "1790000100.000100" } });
    await send({ type: "reaction_added", user: "U0EVUSER2", reaction: "eyes", item: { type: "message", channel: C, ts: "1790000100.000100" }, event_ts: "1790000230.000100" });
    await send({ type: "reaction_added", user: "U0EVUSER1", reaction: "tada", item: { type: "message", channel: C, ts: "1790000100.000100" }, event_ts: "1790000231.000100" });
    await send({ type: "reaction_removed", user: "U0EVUSER1", reaction: "tada", item: { type: "message", channel: C, ts: "1790000100.000100" }, event_ts: "1790000232.000100" });
    await send({ type: "pin_added", user: "U0EVUSER1", channel_id: C, item: { type: "message", channel: C, message: { type: "message", user: "U0EVUSER1", text: "restarting api-gw-03", ts: "1790000100.000100", edited: { user: "U0EVUSER1", ts: "1790000160.000000" } } }, event_ts: "1790000240.000100" });
    await send({ type: "member_joined_channel", user: "U0EVUSER3", channel: C, channel_type: "C", team: TEAM, inviter: "U0EVUSER1", event_ts: "1790000250.000100" });
    await send({ type: "member_left_channel", user: "U0EVUSER3", channel: C, channel_type: "C", team: TEAM, event_ts: "1790000260.000100" });
    await send({ type: "channel_created", channel: { id: "C0EV000002", name: "inc-2026-api", created: 1790000270, creator: "U0EVUSER1" } });
    await send({ type: "channel_rename", channel: { id: "C0EV000002", name: "inc-2026-api-gateway", created: 1790000270 }, event_ts: "1790000280.000100" });
    await send({ type: "channel_archive", channel: "C0EV000002", user: "U0EVUSER1", event_ts: "1790000290.000100" });
    await send({ type: "user_change", user: { id: "U0EVUSER1", team_id: TEAM, name: "alice", real_name: "Alice N", profile: { display_name: "alice", real_name: "Alice N", title: "SRE" } }, event_ts: "1790000300.000100" });
    await send({ type: "app_mention", user: "U0EVUSER1", text: "<@U0BOT> hi", ts: "1790000310.000100", channel: C, event_ts: "1790000310.000100" });
    await drain();

    const q = (sql: string, p: unknown[] = []) => t.pool.query(sql, p).then((r) => r.rows);
    const msg = await q("SELECT m.text, m.deleted, m.pinned, m.edited_ts FROM message m WHERE m.ts = '1790000100.000100'");
    assert.deepEqual(msg, [{ text: "restarting api-gw-03", deleted: false, pinned: true, edited_ts: "1790000160.000000" }]);
    const versions = await q("SELECT v.text FROM message_version v JOIN message m ON m.id = v.message_id WHERE m.ts = '1790000100.000100' ORDER BY v.valid_from_ts::numeric");
    assert.deepEqual(versions.map((v) => v.text), ["restarting api", "restarting api-gw-03"]);
    assert.deepEqual(await q("SELECT deleted, text FROM message WHERE ts = '1790000200.000100'"), [{ deleted: true, text: "oops" }]);
    assert.deepEqual(await q("SELECT thread_ts, subtype FROM message WHERE ts = '1790000220.000100'"), [{ thread_ts: "1790000100.000100", subtype: "thread_broadcast" }]);
    assert.deepEqual(await q("SELECT r.name, r.user_external FROM reaction r JOIN message m ON m.id = r.message_id WHERE m.ts = '1790000100.000100'"), [{ name: "eyes", user_external: "U0EVUSER2" }]);
    const evs = await q("SELECT c.external_id AS ch, e.kind, e.actor, e.value FROM channel_event e JOIN channel c ON c.id = e.channel_id ORDER BY e.ts::numeric");
    assert.deepEqual(evs, [
      { ch: C, kind: "pin", actor: "U0EVUSER1", value: "1790000100.000100" },
      { ch: C, kind: "join", actor: "U0EVUSER3", value: null },
      { ch: C, kind: "leave", actor: "U0EVUSER3", value: null },
      { ch: "C0EV000002", kind: "rename", actor: null, value: "inc-2026-api-gateway" },
      { ch: "C0EV000002", kind: "archive", actor: "U0EVUSER1", value: null },
    ]);
    assert.deepEqual(await q("SELECT name, archived, creator FROM channel WHERE external_id = 'C0EV000002'"), [{ name: "inc-2026-api-gateway", archived: true, creator: "U0EVUSER1" }]);
    const membership = await q("SELECT m.left_at IS NOT NULL AS left FROM membership m JOIN person p ON p.id = m.person_id WHERE p.external_id = 'U0EVUSER3'");
    assert.deepEqual(membership, [{ left: true }]);
    assert.deepEqual(await q("SELECT name, real_name, title FROM person WHERE external_id = 'U0EVUSER1'"), [{ name: "alice", real_name: "Alice N", title: "SRE" }]);
    const receipts = await q("SELECT count(*)::int AS n, count(processed_at)::int AS done FROM slack_event_receipt");
    assert.equal(receipts[0].n, receipts[0].done);
  });

  it("a malformed event is marked failed without holding back the events around it", async () => {
    const bad = callback({ type: "message", channel: "C0EV000001", user: "U0EVUSER1", text: "bad ts", ts: "yesterday" }, "Ev0BAD0001");
    const good = callback({ type: "message", channel: "C0EV000001", user: "U0EVUSER1", text: "after the bad one", ts: "1790000400.000100" }, "Ev0GOOD001");
    assert.equal((await POST(request(bad))).status, 200);
    assert.equal((await POST(request(good))).status, 200);
    await drain();
    const r = await t.pool.query("SELECT event_id, processed_at IS NOT NULL AS done, error FROM slack_event_receipt WHERE event_id IN ('Ev0BAD0001', 'Ev0GOOD001') ORDER BY event_id");
    assert.equal(r.rows[0].event_id, "Ev0BAD0001");
    assert.equal(r.rows[0].done, true);
    assert.match(r.rows[0].error, /ts/);
    assert.deepEqual(r.rows[1], { event_id: "Ev0GOOD001", done: true, error: null });
    assert.equal((await t.pool.query("SELECT count(*)::int AS n FROM message WHERE text = 'after the bad one'")).rows[0].n, 1);
  });

  it("refuses a signed body that is not an event envelope with 400", async () => {
    const res = await POST(request(JSON.stringify({ type: "event_callback", team_id: TEAM })));
    assert.equal(res.status, 400);
    assert.equal((await POST(request("not json"))).status, 400);
  });
});
