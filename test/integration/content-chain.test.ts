import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { runCli } from "../helpers/cli";
import { writeDemoExport, DEMO_TEAM } from "../../lib/demo/demo-workspace";
import { resolveAdapter } from "../../lib/ingest/adapters/registry";
import { runIngest } from "../../lib/ingest/run";
import { applySlackEvents } from "../../lib/sources/events-service";
import { computeMerkleRoot, merkleLeafNode, MerkleBuilder, verifyContentChain, type TContentProblem } from "../../lib/compliance/content-digest";
import { messageCanonicalSql, versionCanonicalSql } from "../../lib/compliance/content-repository";

// The content digest chain: every message and version the archive holds was
// recorded by the batch that wrote it; rows changed, removed or inserted with
// direct SQL (by someone able to switch the guarding triggers off), altered
// leaves and batches, and removed batches are all named by verify.

let demoDir: string;
const dbs: TTestDatabase[] = [];

before(async () => {
  demoDir = fs.mkdtempSync(path.join(os.tmpdir(), "content-chain-"));
  await writeDemoExport(demoDir);
});
after(async () => {
  for (const d of dbs) await d.drop();
  fs.rmSync(demoDir, { recursive: true, force: true });
});

async function importDemo(db: TTestDatabase) {
  // Small batches, so the chain has many links.
  const input = { location: demoDir, options: { batchSize: 100 } };
  const adapter = await resolveAdapter(input);
  return runIngest({ adapter, input, pool: db.pool });
}

async function importedDemo(): Promise<TTestDatabase> {
  const db = await createTestDatabase();
  dbs.push(db);
  await importDemo(db);
  return db;
}

/** Run SQL as a tamperer would: with the append-only triggers switched off. */
async function tamper(db: TTestDatabase, sql: string, params: unknown[] = []) {
  const c = await db.pool.connect();
  try {
    await c.query("BEGIN");
    for (const t of ["content_leaf", "content_batch"]) await c.query(`ALTER TABLE ${t} DISABLE TRIGGER USER`);
    await c.query(sql, params);
    for (const t of ["content_leaf", "content_batch"]) await c.query(`ALTER TABLE ${t} ENABLE TRIGGER USER`);
    await c.query("COMMIT");
  } catch (e) {
    await c.query("ROLLBACK");
    throw e;
  } finally {
    c.release();
  }
}

/** Edit a message the way Slack reports it: a message_changed event through the Events API path. */
async function editThroughEvents(db: TTestDatabase, m: { id: number; channel: string; ts: string }, text: string, editTs: string) {
  const previous = (await db.pool.query<{ text: string }>("SELECT text FROM message WHERE id = $1", [m.id])).rows[0]!.text;
  const c = await db.pool.connect();
  try {
    await c.query("BEGIN");
    await applySlackEvents(c, DEMO_TEAM.id, [
      {
        event: {
          type: "message",
          subtype: "message_changed",
          channel: m.channel,
          ts: editTs,
          message: { type: "message", user: "U0DEMOALICE", text, ts: m.ts, edited: { user: "U0DEMOALICE", ts: editTs } },
          previous_message: { type: "message", user: "U0DEMOALICE", text: previous, ts: m.ts },
        },
        eventTime: Math.floor(Number(editTs)),
      },
    ]);
    await c.query("COMMIT");
  } finally {
    c.release();
  }
}

const kinds = (ps: TContentProblem[]) => ps.map((p) => p.problem).sort();

/** A message with no versions: (id, channel external id, ts). */
async function plainMessage(db: TTestDatabase, offset = 0) {
  const r = await db.pool.query<{ id: number; channel: string; ts: string }>(
    `SELECT m.id, c.external_id AS channel, m.ts FROM message m JOIN channel c ON c.id = m.channel_id
     WHERE NOT EXISTS (SELECT 1 FROM message_version v WHERE v.message_id = m.id) ORDER BY m.id OFFSET $1 LIMIT 1`,
    [offset],
  );
  return r.rows[0]!;
}

test("Merkle root: RFC 6962 shape, order-independent input, sensitive to every leaf", () => {
  const h = (s: string) => Buffer.alloc(32, s);
  const leaves = [1, 2, 3, 4, 5].map((i) => ({ messageId: i, versionId: 0, hash: h(String(i)) }));
  const root = computeMerkleRoot(leaves);
  assert.deepEqual(computeMerkleRoot([...leaves].reverse()), root);
  // Five leaves: ((1 2)(3 4)) 5 — built by hand.
  const node = (a: Buffer, b: Buffer) => createHash("sha256").update(Buffer.from([1])).update(a).update(b).digest();
  const n = leaves.map((l) => merkleLeafNode(l.messageId, l.versionId, l.hash));
  assert.deepEqual(root, node(node(node(n[0]!, n[1]!), node(n[2]!, n[3]!)), n[4]!));
  const changed = leaves.map((l, i) => (i === 3 ? { ...l, hash: h("x") } : l));
  assert.notDeepEqual(computeMerkleRoot(changed), root);
  assert.notDeepEqual(computeMerkleRoot(leaves.slice(0, 4)), root);
  const swapped = leaves.map((l, i) => (i === 0 ? { ...l, messageId: 9 } : l));
  assert.notDeepEqual(computeMerkleRoot(swapped), root);
  assert.equal(new MerkleBuilder().root().length, 32);
});

let db: TTestDatabase;

test("an imported archive verifies; every message and version is recorded once", async () => {
  db = await importedDemo();
  const v = await verifyContentChain(db.pool);
  assert.equal(v.ok, true, JSON.stringify(v.problems.slice(0, 5)));
  const counts = (await db.pool.query<{ m: number; v: number }>("SELECT (SELECT count(*) FROM message)::int AS m, (SELECT count(*) FROM message_version)::int AS v")).rows[0]!;
  assert.ok(counts.m > 100, "the demo archive has messages");
  assert.equal(v.messages, counts.m);
  assert.equal(v.versions, counts.v);
  assert.ok(v.head && v.head.seq === v.batches && /^[0-9a-f]{64}$/.test(v.head.hash));
  const leaves = (await db.pool.query<{ n: number }>("SELECT count(DISTINCT (message_id, version_id))::int AS n FROM content_leaf")).rows[0]!.n;
  assert.equal(leaves, counts.m + counts.v);
  // The migration's SQL functions (used for archives from before it) render the same canonical text.
  const diff = await db.pool.query(
    `SELECT m.id FROM message m WHERE content_message_canonical(m) IS DISTINCT FROM ${messageCanonicalSql("m")}
     UNION ALL SELECT v.id FROM message_version v WHERE content_version_canonical(v) IS DISTINCT FROM ${versionCanonicalSql("v")}`,
  );
  assert.equal(diff.rowCount, 0);
});

test("the application cannot change or remove leaves or batches", async () => {
  await assert.rejects(db.pool.query("UPDATE content_leaf SET hash = '\\x00' WHERE batch_seq = 1"), /append-only/);
  await assert.rejects(db.pool.query("DELETE FROM content_batch WHERE seq = 1"), /append-only/);
});

test("re-importing the same export records nothing new and still verifies", async () => {
  const before = (await db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM content_leaf")).rows[0]!.n;
  const batchesBefore = (await verifyContentChain(db.pool)).batches;
  await importDemo(db);
  const afterN = (await db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM content_leaf")).rows[0]!.n;
  assert.equal(afterN, before);
  const v = await verifyContentChain(db.pool);
  assert.equal(v.ok, true, JSON.stringify(v.problems.slice(0, 5)));
  assert.equal(v.batches, batchesBefore);
});

test("reindexing search (which refreshes operations tokens) leaves the archived content verifiable", async () => {
  await db.pool.query("UPDATE message SET search_tokens = NULL");
  const r = await runCli(["reindex", "--json"], { DATABASE_URL: db.url, MEILI_HOST: undefined });
  assert.equal(r.code, 0, r.stderr);
  assert.ok((JSON.parse(r.stdout) as { tokensUpdated: number }).tokensUpdated > 0);
  const v = await verifyContentChain(db.pool);
  assert.equal(v.ok, true, JSON.stringify(v.problems.slice(0, 5)));
});

test("an edit through ingest (message_changed) is recorded; the old head stays anchored", async () => {
  const old = (await verifyContentChain(db.pool)).head!;
  const m = await plainMessage(db, 3);
  await editThroughEvents(db, m, "edited through the Events API", "1900000000.000100");
  const text = (await db.pool.query<{ text: string }>("SELECT text FROM message WHERE id = $1", [m.id])).rows[0]!.text;
  assert.equal(text, "edited through the Events API");
  const v = await verifyContentChain(db.pool, { expectHead: old.hash });
  assert.equal(v.ok, true, JSON.stringify(v.problems.slice(0, 5)));
  assert.equal(v.head!.seq, old.seq + 1);
  assert.equal(v.expectedHeadFound, true);
  // The edit made versions: both texts are recorded too.
  const leaves = await db.pool.query("SELECT message_id, version_id FROM content_leaf WHERE batch_seq = $1", [v.head!.seq]);
  assert.ok(leaves.rows.every((l) => l.message_id === m.id), JSON.stringify(leaves.rows));
  assert.equal(leaves.rowCount, 3, "the message and its two versions");
  const missing = await verifyContentChain(db.pool, { expectHead: "ab".repeat(32) });
  assert.deepEqual(kinds(missing.problems), ["head_not_found"]);
});

test("a message text changed with SQL is named (channel + ts), exit 1", async () => {
  const t = await importedDemo();
  const m = await plainMessage(t, 5);
  await t.pool.query("UPDATE message SET text = 'we never said that' WHERE id = $1", [m.id]);
  const v = await verifyContentChain(t.pool);
  assert.equal(v.ok, false);
  assert.deepEqual(kinds(v.problems), ["message_changed"]);
  assert.equal(v.problems[0]!.channel, m.channel);
  assert.equal(v.problems[0]!.ts, m.ts);
  const r = await runCli(["verify"], { DATABASE_URL: t.url });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, new RegExp(`message_changed: message ${m.channel}/${m.ts.replace(".", "\\.")}`));
});

test("a deleted message is named as removed; an inserted one as unrecorded; a changed version as changed", async () => {
  const t = await importedDemo();
  await editThroughEvents(t, await plainMessage(t, 7), "a second text", "1900000000.000200");
  assert.equal((await verifyContentChain(t.pool)).ok, true);
  const gone = await plainMessage(t, 2);
  await t.pool.query("DELETE FROM message WHERE id = $1", [gone.id]);
  const ins = await t.pool.query<{ id: number }>(
    `INSERT INTO message (channel_id, ts, text, search_text, posted_at, source, raw_sha256)
     SELECT channel_id, '1800000000.000001', 'slipped in', 'slipped in', now(), 'slack-export', 'x' FROM message WHERE id = (SELECT min(id) FROM message)
     RETURNING id`,
  );
  const ver = await t.pool.query<{ id: number }>("UPDATE message_version SET text = 'rewritten history' WHERE id = (SELECT min(id) FROM message_version) RETURNING id");
  const v = await verifyContentChain(t.pool);
  assert.deepEqual(kinds(v.problems), ["message_removed", "message_unrecorded", "version_changed"]);
  const by = (k: string) => v.problems.find((p) => p.problem === k)!;
  assert.equal(by("message_removed").channel, gone.channel);
  assert.equal(by("message_removed").ts, gone.ts);
  assert.equal(by("message_unrecorded").messageId, ins.rows[0]!.id);
  assert.equal(by("message_unrecorded").ts, "1800000000.000001");
  assert.equal(by("version_changed").versionId, ver.rows[0]!.id);
  const r = await runCli(["verify", "--json"], { DATABASE_URL: t.url });
  assert.equal(r.code, 1, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.ok, false);
  assert.equal(j.auditLog.ok, true);
  assert.equal(j.content.problemCount, 3);
});

test("a tampered leaf names its batch; a tampered root or a removed batch breaks the chain there", async () => {
  const t = await importedDemo();
  const last = (await verifyContentChain(t.pool)).head!.seq;
  assert.ok(last >= 3, "the demo import spans several batches");
  const leaf = (await t.pool.query<{ message_id: number; batch_seq: number }>("SELECT message_id, batch_seq FROM content_leaf WHERE batch_seq = 2 AND version_id = 0 LIMIT 1")).rows[0]!;
  await tamper(t, "UPDATE content_leaf SET hash = sha256('forged') WHERE batch_seq = 2 AND message_id = $1 AND version_id = 0", [leaf.message_id]);
  let v = await verifyContentChain(t.pool);
  assert.deepEqual(
    v.problems.map((p) => [p.problem, p.batchSeq ?? null, p.messageId ?? null]),
    [["leaves_changed", 2, null], ["message_changed", null, leaf.message_id]],
  );

  const t2 = await importedDemo();
  await tamper(t2, "UPDATE content_batch SET root = sha256('other root') WHERE seq = 2");
  v = await verifyContentChain(t2.pool);
  assert.deepEqual(v.problems.map((p) => [p.problem, p.batchSeq]), [["leaves_changed", 2], ["batch_changed", 2]]);
  // Recomputing its hash as well moves the break to the next batch's link.
  await tamper(t2, "UPDATE content_batch SET hash = sha256('other hash') WHERE seq = 2");
  v = await verifyContentChain(t2.pool);
  assert.deepEqual(v.problems.map((p) => [p.problem, p.batchSeq]), [["leaves_changed", 2], ["batch_changed", 2], ["chain_broken", 3]]);

  const t3 = await importedDemo();
  await tamper(t3, "DELETE FROM content_batch WHERE seq = 2");
  v = await verifyContentChain(t3.pool);
  const p = v.problems.map((x) => [x.problem, x.batchSeq ?? null]);
  assert.deepEqual(p.slice(0, 3), [["batch_missing", 3], ["chain_broken", 3], ["leaves_without_batch", 2]]);
  assert.ok(v.problems.slice(3).every((x) => x.problem === "leaves_without_batch" && x.batchSeq === 2));
});

test("rows archived before the chain existed are recorded by the migration's function with the same root and chained hash", async () => {
  const t = await importedDemo();
  const head = (await verifyContentChain(t.pool)).head!;
  // Five rows written without the loader: as if archived before the content_digest migration.
  const ins = await t.pool.query<{ id: number }>(
    `INSERT INTO message (channel_id, ts, text, search_text, posted_at, source, raw_sha256)
     SELECT channel_id, '1700000000.00000' || g, 'old ' || g, 'old ' || g, now(), 'slack-export', 'x'
     FROM message, generate_series(1, 5) AS g WHERE id = (SELECT min(id) FROM message) RETURNING id`,
  );
  await t.pool.query("INSERT INTO message_version (message_id, text_sha256, text, valid_from_ts, source) VALUES ($1, 'a', 'older text', '1700000000.000001', 'slack-export')", [ins.rows[0]!.id]);
  assert.deepEqual(kinds((await verifyContentChain(t.pool)).problems), [...Array(5).fill("message_unrecorded"), "version_unrecorded"]);
  const seq = (await t.pool.query<{ seq: number }>("SELECT content_record_unrecorded('genesis') AS seq")).rows[0]!.seq;
  assert.equal(seq, head.seq + 1);
  const v = await verifyContentChain(t.pool, { expectHead: head.hash });
  assert.equal(v.ok, true, JSON.stringify(v.problems.slice(0, 5)));
  assert.equal(v.head!.seq, seq);
  assert.equal((await t.pool.query("SELECT 1 FROM content_leaf WHERE batch_seq = $1", [seq])).rowCount, 6);
  // Nothing left to record: no empty batch.
  assert.equal((await t.pool.query("SELECT content_record_unrecorded('genesis') AS seq")).rows[0].seq, null);
});
