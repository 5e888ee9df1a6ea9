import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { contentSnapshot } from "../helpers/snapshot";
import type { IngestAdapter, NormalizedBatch, NMessage } from "../../lib/ingest/adapter";
import { runIngest } from "../../lib/ingest/run";
import { verifyContentChain } from "../../lib/compliance/content-digest";

// Two batches written side by side on two connections (run.ts): the end state
// is the one of writing them one at a time, nothing commits after a batch
// before it failed, and a lock cycle between the two is broken and retried.

const W = { platform: "slack", externalId: "T1", name: "Test" };
const CHANNELS = ["C1", "C2", "C3"];
const msg = (channel: string, ts: string, p: Partial<NMessage> = {}): NMessage => ({
  channel,
  ts,
  user: "U1",
  text: `${channel} at ${ts}`,
  searchText: `${channel} at ${ts}`,
  raw: { ts, channel },
  rawSha256: `sha-${channel}-${ts}-${p.text ?? ""}`,
  ...p,
});

const metadata = (position: number): NormalizedBatch => ({
  workspace: W,
  people: ["U1", "U2", "U3"].map((id) => ({ externalId: id, name: id.toLowerCase(), isBot: false, deleted: false, raw: {}, rawSha256: id })),
  channels: CHANNELS.map((id) => ({ externalId: id, name: id.toLowerCase(), kind: "public" as const, archived: false, members: ["U1"], raw: {}, rawSha256: id })),
  checkpoint: { scope: "test", position },
});

/** Day-like batches: new messages, joins and leaves, and edits of messages of earlier batches. */
function dayBatches(): NormalizedBatch[] {
  const list: NormalizedBatch[] = [metadata(1)];
  for (let d = 0; d < 8; d++) {
    const base = 1_700_000_000 + d * 86_400;
    const messages: NMessage[] = [];
    for (const c of CHANNELS) for (let i = 0; i < 20; i++) messages.push(msg(c, `${base + i * 60}.000100`, { reactions: i % 5 === 0 ? [{ name: "eyes", users: ["U2"], count: 1 }] : undefined }));
    // Every third day edits a message of the day before: that batch must wait for the one before it.
    if (d % 3 === 2) messages.push(msg("C1", `${base - 86_400}.000100`, { text: `edited on day ${d}`, editedTs: `${base}.000000`, editedBy: "U1" }));
    list.push({
      workspace: W,
      messages,
      events: [{ channel: "C2", ts: `${base + 5}.000000`, kind: d % 2 ? "leave" : "join", subtype: d % 2 ? "channel_leave" : "channel_join", actor: "U3", text: "", raw: {}, rawSha256: `e${d}` }],
      finishedChannels: d === 7 ? CHANNELS : undefined,
      checkpoint: { scope: "test", position: d + 2 },
    });
  }
  return list;
}

function adapterOf(list: NormalizedBatch[], key: string): IngestAdapter {
  return {
    name: "test-source",
    detect: async () => true,
    sourceKey: async () => key,
    async *read(_input, checkpoints) {
      const done = Number(checkpoints.get("test") ?? 0);
      for (const b of list) if (Number(b.checkpoint!.position) > done) yield b;
    },
  };
}

let one: TTestDatabase;
let two: TTestDatabase;
before(async () => {
  [one, two] = await Promise.all([createTestDatabase(), createTestDatabase()]);
});
after(async () => {
  await Promise.all([one.drop(), two.drop()]);
});

test("batches written side by side end as batches written one at a time", async () => {
  const serial = await runIngest({ adapter: adapterOf(dayBatches(), "s"), input: { location: "mem" }, pool: one.pool, writers: 1 });
  const sideBySide = await runIngest({ adapter: adapterOf(dayBatches(), "s"), input: { location: "mem" }, pool: two.pool, writers: 2 });
  assert.deepEqual(sideBySide.counts, serial.counts);
  assert.equal(sideBySide.batches, 9);
  assert.deepEqual(await contentSnapshot(two.pool), await contentSnapshot(one.pool));
  assert.equal((await verifyContentChain(two.pool)).ok, true);
  const progress = await two.pool.query("SELECT counts FROM ingest_run WHERE id = $1", [sideBySide.runId]);
  assert.deepEqual(progress.rows[0].counts, serial.counts, "the run's stored counts add up every batch once");
});

test("a batch whose write fails keeps every later batch from committing", async () => {
  const db = await createTestDatabase();
  try {
    const list = dayBatches().slice(0, 5);
    // Batch 3 cannot be written (a ts PostgreSQL cannot read as a time); batch 4 shares no key with it.
    list[3] = { ...list[3]!, messages: [msg("C3", "not-a-time")] };
    await assert.rejects(runIngest({ adapter: adapterOf(list, "f"), input: { location: "mem" }, pool: db.pool, writers: 2 }), /numeric/);
    const cp = await db.pool.query("SELECT position FROM ingest_checkpoint WHERE source_key = 'f'");
    assert.deepEqual(cp.rows, [{ position: 3 }], "the checkpoint is the last batch before the failure");
    const days = await db.pool.query("SELECT count(*)::int AS n FROM message");
    assert.equal(days.rows[0].n, 120, "two days of three channels: nothing of batch 4 either");
  } finally {
    await db.drop();
  }
});

test("a lock cycle between two batches is broken by PostgreSQL and both are written again, in order", async () => {
  const db = await createTestDatabase();
  const blocker = new pg.Client({ connectionString: db.url });
  await blocker.connect();
  try {
    await runIngest({ adapter: adapterOf([metadata(1)], "meta"), input: { location: "mem" }, pool: db.pool });
    // Batch A names unknown people X, Y, Z in that order; batch B names Z, then X.
    // While another session holds an uncommitted Y, A creates X and waits; B
    // creates Z and waits for A's X. Once Y is released, A waits for B's Z: a cycle.
    // (A run's first batch is written alone, so the two come second and third.)
    const first: NormalizedBatch = { workspace: W, messages: [msg("C3", "1700000000.000100")], checkpoint: { scope: "test", position: 1 } };
    const a: NormalizedBatch = { workspace: W, messages: ["X", "Y", "Z"].map((u, i) => msg("C1", `1700000${i}00.000100`, { user: u })), checkpoint: { scope: "test", position: 2 } };
    const b: NormalizedBatch = { workspace: W, messages: ["Z", "X"].map((u, i) => msg("C2", `1700000${i}00.000100`, { user: u })), checkpoint: { scope: "test", position: 3 } };
    const wid = (await db.pool.query("SELECT id FROM workspace")).rows[0].id;
    await blocker.query("BEGIN");
    await blocker.query("INSERT INTO person (workspace_id, external_id, name, placeholder, source) VALUES ($1, 'Y', 'Y', true, 'test')", [wid]);
    const run = runIngest({ adapter: adapterOf([first, a, b], "cycle"), input: { location: "mem" }, pool: db.pool, writers: 2 });
    run.catch(() => undefined);
    const waiting = async () => (await db.pool.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")).rows[0].n;
    for (let i = 0; (await waiting()) < 2; i++) {
      assert.ok(i < 200, "both batches wait for a lock");
      await new Promise((r) => setTimeout(r, 25));
    }
    await blocker.query("ROLLBACK");
    const s = await run;
    assert.equal(s.batches, 3);
    const people = await db.pool.query("SELECT external_id FROM person WHERE placeholder ORDER BY 1");
    assert.deepEqual(people.rows.map((r) => r.external_id), ["X", "Y", "Z"]);
    const authors = await db.pool.query("SELECT count(*)::int AS n FROM message m JOIN person p ON p.id = m.author_id");
    assert.equal(authors.rows[0].n, 6, "every message has its author");
    assert.equal((await verifyContentChain(db.pool)).ok, true);
  } finally {
    await blocker.end();
    await db.drop();
  }
});
