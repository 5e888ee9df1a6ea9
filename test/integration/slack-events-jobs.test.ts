import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { signSlackRequest } from "../../lib/ingest/adapters/slack-events/signature";
import { processSlackEventReceipt, receiveSlackEvent } from "../../lib/sources/events-service";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";

/**
 * One job archives every waiting receipt (up to a batch); the jobs of the
 * receipts it took along are completed in the same transaction, so the
 * worker does not claim hundreds of jobs with nothing left to do.
 */

const SECRET = "jobs-test-signing-secret";
const TEAM = "T0EVJOBS01";
let t: TTestDatabase;

before(async () => {
  t = await createTestDatabase();
});
after(async () => {
  await t?.drop();
});

async function deliver(n: number, from: number): Promise<void> {
  for (let i = from; i < from + n; i++) {
    const body = JSON.stringify({
      type: "event_callback",
      team_id: TEAM,
      event_id: `EvJOB${String(i).padStart(6, "0")}`,
      event_time: 1_790_000_000 + i,
      event: { type: "message", channel: "C0EVJOBS01", user: "U0EVJOBS01", text: `message ${i}`, ts: `${1_790_000_000 + i}.000100` },
    });
    const now = Math.floor(Date.now() / 1000);
    const a = await receiveSlackEvent(t.pool, { body, timestamp: String(now), signature: signSlackRequest(SECRET, now, body), retryNum: null }, { secret: SECRET, nowSeconds: now });
    assert.equal(a.status, 200);
  }
}

const jobs = async () =>
  (await t.pool.query<{ id: number; status: string; receipt: number }>("SELECT id, status::text AS status, (payload->>'receiptId')::int AS receipt FROM job WHERE name = 'sources.process-slack-event' ORDER BY id")).rows;

describe("archiving Slack events in batches", () => {
  it("completes the queued jobs of the receipts a job archived, and leaves claimed ones to their worker", async () => {
    await deliver(6, 0);
    const before = await jobs();
    assert.equal(before.length, 6);
    // Another worker has claimed the third job meanwhile.
    await t.pool.query("UPDATE job SET status = 'running' WHERE id = $1", [before[2]!.id]);
    const r = await processSlackEventReceipt(t.pool, before[0]!.receipt);
    assert.equal(r.processed, 6);
    const after = await jobs();
    assert.deepEqual(
      after.map((j) => j.status),
      ["queued", "completed", "running", "completed", "completed", "completed"],
      "the job that ran is completed by its worker; the claimed one by its own",
    );
    const n = await t.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM message m JOIN channel c ON c.id = m.channel_id WHERE c.external_id = 'C0EVJOBS01'");
    assert.equal(n.rows[0]!.n, 6);
    // The claimed job finds its receipt archived and does nothing.
    assert.equal((await processSlackEventReceipt(t.pool, before[2]!.receipt)).processed, 0);
  });

  it("acknowledges without NOTIFY (it would serialise every receipt's commit); the worker's poll finds the job", async () => {
    const listener = await t.pool.connect();
    const heard: string[] = [];
    try {
      await listener.query("LISTEN backscroll_jobs");
      listener.on("notification", (n) => heard.push(n.payload ?? ""));
      await deliver(3, 50);
      await listener.query("SELECT 1"); // notifications arrive before the next query's answer
      assert.deepEqual(heard, []);
      assert.equal((await jobs()).filter((j) => j.status === "queued").length, 1 + 3);
    } finally {
      await listener.query("UNLISTEN *");
      listener.release();
    }
  });

  it("never completes the jobs of receipts it did not archive", async () => {
    // Start from an archived queue.
    await t.pool.query("UPDATE job SET status = 'completed' WHERE status = 'queued'");
    await t.pool.query("UPDATE slack_event_receipt SET processed_at = now() WHERE processed_at IS NULL");
    await deliver(2, 100);
    const mine = (await jobs()).slice(-2);
    assert.deepEqual(mine.map((j) => j.status), ["queued", "queued"]);
    const r = await processSlackEventReceipt(t.pool, mine[1]!.receipt);
    assert.equal(r.processed, 2);
    assert.deepEqual((await jobs()).slice(-2).map((j) => j.status), ["completed", "queued"]);
  });
});
