import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { seedArchive, type TSeed } from "../helpers/seed";
import { TOTAL_CAP } from "../../lib/search/backend";
import { postgresSearchBackend, RELEVANCE_CANDIDATES, RELEVANCE_PROBE } from "../../lib/search/backends/postgres";
import { searchMessages } from "../../lib/search/service";

// Totals of searches with more matches than a first page probes: a floor
// ("more than N"), never a made-up exact number; pages stay in order.

let t: TTestDatabase;
let seed: TSeed;
const admin = { userId: 0, role: "admin" as const, personId: null };

before(async () => {
  t = await createTestDatabase();
  seed = await seedArchive(t.pool);
  // 2,500 heartbeats, one a minute; every fifth also says "flapping".
  await t.pool.query(
    `INSERT INTO message (channel_id, ts, author_id, text, search_text, posted_at, source, raw_sha256)
     SELECT $1, (1714521600 + i * 60)::text || '.000100', $2, 'heartbeat ' || i || CASE WHEN i % 5 = 0 THEN ' flapping' ELSE '' END,
            'heartbeat ' || i || CASE WHEN i % 5 = 0 THEN ' flapping' ELSE '' END, to_timestamp(1714521600 + i * 60), 'seed', 'seed'
     FROM generate_series(1, 2500) AS i`,
    [seed.channels.general, seed.people.bob],
  );
});
after(async () => {
  await t?.drop();
});

const search = (q: string, sort: "relevance" | "newest" | "oldest", cursor?: string) =>
  searchMessages(t.pool, admin, { q, sort, limit: 20, cursor }, { backend: postgresSearchBackend });

it("reports a floor past the probe, for every sort, and an exact count below it", async () => {
  for (const sort of ["relevance", "newest", "oldest"] as const) {
    const many = await search("heartbeat", sort);
    assert.equal(many.isTotalExact, false, sort);
    assert.equal(many.total, RELEVANCE_PROBE, sort);
    assert.equal(many.hits.length, 20);
    const few = await search("heartbeat flapping", sort);
    assert.deepEqual([few.total, few.isTotalExact], [500, true], sort);
  }
  const newest = await search("heartbeat", "newest");
  assert.deepEqual(newest.hits.slice(0, 2).map((h) => h.text), ["heartbeat 2500 flapping", "heartbeat 2499"]);
  const oldest = await search("heartbeat", "oldest");
  assert.deepEqual(oldest.hits.slice(0, 2).map((h) => h.text), ["heartbeat 1", "heartbeat 2"]);
});

it("reports the same floor for a search by filters alone and on later pages", async () => {
  assert.equal(TOTAL_CAP, RELEVANCE_PROBE);
  const filters = await search(`in:#general from:@bob`, "newest");
  assert.deepEqual([filters.total, filters.isTotalExact], [TOTAL_CAP, false]);
  for (const sort of ["relevance", "newest"] as const) {
    const first = await search("heartbeat", sort);
    assert.ok(first.nextCursor, sort);
    const second = await search("heartbeat", sort, first.nextCursor!);
    assert.deepEqual([second.total, second.isTotalExact], [first.total, first.isTotalExact], sort);
    const firstIds = new Set(first.hits.map((h) => h.id));
    assert.ok(second.hits.length === 20 && second.hits.every((h) => !firstIds.has(h.id)), sort);
  }
});

it("ranks a common word among its newest matches, whichever way they are found", async () => {
  const newest = await t.pool.query<{ id: string }>(
    `SELECT id FROM message WHERE text LIKE 'heartbeat %' ORDER BY posted_at DESC, id DESC LIMIT ${RELEVANCE_CANDIDATES}`,
  );
  const allowed = new Set(newest.rows.map((r) => Number(r.id)));
  // Without statistics the planner guesses; with them, a word of 2,500 matches is found through the text index.
  for (const analyzed of [false, true]) {
    if (analyzed) await t.pool.query("ANALYZE message");
    const r = await search("heartbeat", "relevance");
    assert.equal(r.hits.length, 20);
    for (const h of r.hits) assert.ok(allowed.has(Number(h.id)), `hit ${h.text} is not among the newest ${RELEVANCE_CANDIDATES}`);
  }
});
