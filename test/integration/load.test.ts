import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { contentSnapshot, rowVersions } from "../helpers/snapshot";
import type { IngestAdapter, NormalizedBatch, NMessage } from "../../lib/ingest/adapter";
import { runIngest } from "../../lib/ingest/run";
import { prepareBatch } from "../../lib/ingest/prepare";
import { findArchiveStats } from "../../lib/archive/stats";

// The loader against a real PostgreSQL, fed synthetic batches through a
// minimal in-test adapter (the Slack export adapter has its own tests).

const W = { platform: "slack", externalId: "T1", name: "Test" };
const msg = (p: Partial<NMessage> & { ts: string }): NMessage => ({
  channel: "C1",
  user: "U1",
  text: `text ${p.ts}`,
  searchText: p.text ?? `text ${p.ts}`,
  raw: { ts: p.ts, text: p.text },
  rawSha256: `sha-${p.ts}-${p.text ?? ""}`,
  ...p,
});

function batches(): NormalizedBatch[] {
  return [
    {
      workspace: W,
      people: [
        { externalId: "U1", name: "ana", isBot: false, deleted: false, raw: {}, rawSha256: "p1" },
        { externalId: "U2", name: "bo", isBot: false, deleted: false, raw: {}, rawSha256: "p2" },
      ],
      channels: [
        { externalId: "C1", name: "general", kind: "public", archived: false, members: ["U1", "U2"], raw: {}, rawSha256: "c1" },
        { externalId: "G1", name: "secret", kind: "private", archived: false, members: ["U1"], raw: {}, rawSha256: "g1" },
      ],
      checkpoint: { scope: "test", position: 1 },
    },
    {
      workspace: W,
      messages: [
        msg({ ts: "1700000000.000100", reactions: [{ name: "eyes", users: ["U2"], count: 1 }] }),
        msg({ ts: "1700000001.000100", threadTs: "1700000001.000100", replyCount: 1 }),
        msg({ ts: "1700000002.000100", threadTs: "1700000001.000100", user: "U9" }),
        msg({ ts: "1700000003.000100", text: "first", files: [{ externalId: "F1", name: "log.txt", raw: {} }] }),
      ],
      events: [
        { channel: "C1", ts: "1700000000.000050", kind: "join", subtype: "channel_join", actor: "U2", text: "<@U2> has joined", raw: {}, rawSha256: "e1" },
        { channel: "C1", ts: "1700000005.000000", kind: "leave", subtype: "channel_leave", actor: "U2", text: "<@U2> has left", raw: {}, rawSha256: "e2" },
      ],
      checkpoint: { scope: "test", position: 2 },
    },
    {
      workspace: W,
      messages: [
        msg({ ts: "1700000003.000100", text: "second", editedTs: "1700000010.000000", editedBy: "U1" }),
        msg({ ts: "1700000003.000100", text: "first" }),
        msg({ ts: "1700000000.000100", text: null, deletedTs: "1700000020.000000" }),
      ],
      finishedChannels: ["C1", "G1"],
      checkpoint: { scope: "test", position: 3 },
    },
  ];
}

function adapterOf(list: NormalizedBatch[], opts: { failAt?: number; key?: string } = {}): IngestAdapter {
  return {
    name: "test-source",
    detect: async () => true,
    sourceKey: async () => opts.key ?? "test:1",
    async *read(_input, checkpoints) {
      const done = Number(checkpoints.get("test") ?? 0);
      for (const [i, b] of list.entries()) {
        if (i === opts.failAt) throw new Error("boom: damaged input");
        if (Number((b.checkpoint?.position as number) ?? 0) <= done) continue;
        yield b;
      }
    },
  };
}

let db: TTestDatabase;
let other: TTestDatabase;
before(async () => {
  [db, other] = await Promise.all([createTestDatabase(), createTestDatabase()]);
});
after(async () => {
  await Promise.all([db.drop(), other.drop()]);
});

test("import writes people, channels, messages, versions, reactions, files, events and memberships", async () => {
  await runIngest({ adapter: adapterOf(batches()), input: { location: "mem" }, pool: db.pool });
  const s = await findArchiveStats(db.pool);
  assert.equal(s.messages, 4);
  assert.equal(s.channelEvents, 2);
  assert.equal(s.people, 3, "U9 referenced but undescribed becomes a placeholder");
  assert.equal(s.versions, 5, "4 original texts + 1 edit");
  assert.equal(s.deleted, 1);
  assert.equal(s.reactions, 1);
  assert.equal(s.files, 1);
  const edited = await db.pool.query("SELECT text, edited_ts FROM message WHERE ts = '1700000003.000100'");
  assert.deepEqual(edited.rows[0], { text: "second", edited_ts: "1700000010.000000" }, "older observation after the edit does not revert it");
  const mem = await db.pool.query(
    `SELECT c.external_id AS c, p.external_id AS p, m.joined_at IS NOT NULL AS joined, m.left_at IS NOT NULL AS left
     FROM membership m JOIN channel c ON c.id = m.channel_id JOIN person p ON p.id = m.person_id ORDER BY 1, 2, 3`,
  );
  assert.deepEqual(mem.rows, [
    { c: "C1", p: "U1", joined: false, left: false },
    { c: "C1", p: "U2", joined: false, left: false },
    { c: "C1", p: "U2", joined: true, left: true },
    { c: "G1", p: "U1", joined: false, left: false },
  ]);
});

test("importing the same data again rewrites no row", async () => {
  const before = await rowVersions(db.pool);
  const s = await runIngest({ adapter: adapterOf(batches()), input: { location: "mem" }, pool: db.pool });
  assert.equal(s.counts.messagesInserted + s.counts.messagesUpdated + s.counts.versions + s.counts.events, 0);
  assert.deepEqual(await rowVersions(db.pool), before);
});

test("a failing batch leaves the archive as it was, and the run resumes to the same end state", async () => {
  const list = batches();
  await assert.rejects(runIngest({ adapter: adapterOf(list, { failAt: 2, key: "k2" }), input: { location: "mem" }, pool: other.pool }), /boom/);
  const mid = await findArchiveStats(other.pool);
  assert.equal(mid.messages, 4, "batches before the failure are committed");
  assert.equal(mid.deleted, 0, "nothing of the failing batch is written");
  const cp = await other.pool.query("SELECT position FROM ingest_checkpoint WHERE source_key = 'k2'");
  assert.deepEqual(cp.rows, [{ position: 2 }]);
  const resumed = await runIngest({ adapter: adapterOf(list, { key: "k2" }), input: { location: "mem" }, pool: other.pool });
  assert.equal(resumed.resumed, true);
  assert.equal(resumed.batches, 1, "only the batch after the last checkpoint is read again");
  assert.deepEqual(await contentSnapshot(other.pool), await contentSnapshot(db.pool));
  const runs = await other.pool.query("SELECT status FROM ingest_run ORDER BY id");
  assert.deepEqual(runs.rows.map((r) => r.status), ["failed", "completed"]);
});

test("batches applied in reverse order give the same archive", async () => {
  const third = await createTestDatabase();
  try {
    const list = batches();
    // Metadata first (messages need their channel), then the rest reversed.
    const reordered = [list[0]!, ...list.slice(1).reverse()].map((b, i) => ({ ...b, checkpoint: { scope: "test", position: i + 1 } }));
    await runIngest({ adapter: adapterOf(reordered, { key: "rev" }), input: { location: "mem" }, pool: third.pool });
    assert.deepEqual(await contentSnapshot(third.pool), await contentSnapshot(db.pool));
  } finally {
    await third.drop();
  }
});

test("batches prepared on another thread, as an import's reader prepares them, give the same archive", async () => {
  const fourth = await createTestDatabase();
  try {
    // What the reader thread posts: prepared, the COPY buffers transferred.
    const posted = batches().map((b) => {
      const p = prepareBatch(b);
      return structuredClone(p, { transfer: [...p.prepared.stage, ...p.prepared.versions].map((u) => u.buffer as ArrayBuffer) });
    });
    assert.ok(posted.every((b) => b.messages === undefined));
    await runIngest({ adapter: adapterOf(posted as unknown as NormalizedBatch[], { key: "prep" }), input: { location: "mem" }, pool: fourth.pool });
    assert.deepEqual(await contentSnapshot(fourth.pool), await contentSnapshot(db.pool));
    assert.equal((await findArchiveStats(fourth.pool)).people, 3, "authors of prepared messages still get placeholders");
  } finally {
    await fourth.drop();
  }
});
