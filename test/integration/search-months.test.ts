import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { seedArchive, type TSeed } from "../helpers/seed";
import { TOTAL_CAP } from "../../lib/search/backend";
import { postgresSearchBackend, PREFIX_CAP, RELEVANCE_CANDIDATES } from "../../lib/search/backends/postgres";
import { searchMessages } from "../../lib/search/service";

// A text search reads its matches month by month, or counts them through the
// whole index first, depending on how they lie in time. Every way must give
// the same pages, totals and relevance candidates as a plain sort of all
// matches: these words are laid out so that each way is taken.

let t: TTestDatabase;
let seed: TSeed;
const admin = { userId: 0, role: "admin" as const, personId: null };
const DAY = 86_400;
/** 2023-01-01 00:00 UTC: two years of months before the seed archive's own days and after them. */
const START = 1_672_531_200;

/** `count` messages saying `word`, one every `step` seconds from `from`. */
async function say(word: string, count: number, from: number, step: number): Promise<void> {
  await t.pool.query(
    `INSERT INTO message (channel_id, ts, author_id, text, search_text, posted_at, source, raw_sha256)
     SELECT $1, ($3::bigint + i * $4::bigint)::text || '.' || lpad(($5::int)::text, 6, '0'), $2, $6 || ' note ' || i, $6 || ' note ' || i,
            to_timestamp($3::bigint + i * $4::bigint), 'seed', 'seed'
     FROM generate_series(0, $7::int - 1) AS i`,
    [seed.channels.general, seed.people.bob, from, step, word.length * 1000 + count, word, count],
  );
}

before(async () => {
  t = await createTestDatabase();
  seed = await seedArchive(t.pool);
  const end = START + 730 * DAY;
  // Filled by the newest months alone.
  await say("pulse", 1_100, end - 40 * DAY, 3_000);
  // Evenly over two years: the newest months are dense enough to read on through older ones.
  await say("beacon", 1_440, START, 730 * DAY / 1_440);
  // Few lately, many long ago: counted through the whole index, then read in older months.
  await say("ember", 12, end - 30 * DAY, 2 * DAY);
  await say("ember", 1_200, START, 600);
  // Rare: counted and sorted.
  await say("quill", 30, START, 24 * DAY);
  await t.pool.query("ANALYZE message");
});
after(async () => {
  await t?.drop();
});

const search = (q: string, sort: "relevance" | "newest" | "oldest", cursor?: string, prefixLast = false, limit = 20) =>
  searchMessages(t.pool, admin, { q, sort, limit, cursor, prefixLast }, { backend: postgresSearchBackend });

/** The matches of `word`, sorted as a sort would show them. */
async function truth(word: string, dir: "DESC" | "ASC"): Promise<number[]> {
  const r = await t.pool.query<{ id: string }>(
    `SELECT id FROM message WHERE text LIKE $1 || ' note %' AND NOT deleted ORDER BY posted_at ${dir}, id ${dir}`,
    [word],
  );
  return r.rows.map((x) => Number(x.id));
}

it("pages, totals and relevance candidates agree with a plain sort, whichever way the matches are read", async () => {
  for (const word of ["pulse", "beacon", "ember", "quill"]) {
    for (const sort of ["newest", "oldest"] as const) {
      const all = await truth(word, sort === "newest" ? "DESC" : "ASC");
      const first = await search(word, sort);
      assert.deepEqual([first.total, first.isTotalExact], [Math.min(all.length, TOTAL_CAP), all.length <= TOTAL_CAP], `${word} ${sort}`);
      assert.deepEqual(
        first.hits.map((h) => h.id),
        all.slice(0, 20),
        `${word} ${sort}: first page`,
      );
      const second = await search(word, sort, first.nextCursor!);
      assert.deepEqual(
        second.hits.map((h) => h.id),
        all.slice(20, 40),
        `${word} ${sort}: second page`,
      );
    }
    const newest = await truth(word, "DESC");
    const allowed = new Set(newest.slice(0, newest.length <= TOTAL_CAP ? newest.length : RELEVANCE_CANDIDATES));
    const ranked = await search(word, "relevance");
    assert.equal(ranked.hits.length, 20, word);
    for (const h of ranked.hits) assert.ok(allowed.has(h.id), `${word}: ${h.text} is not among its candidates`);
    assert.deepEqual([ranked.total, ranked.isTotalExact], [Math.min(newest.length, TOTAL_CAP), newest.length <= TOTAL_CAP], word);
  }
});

it("page after page crosses months without skipping or repeating a match", async () => {
  for (const word of ["pulse", "beacon", "ember"]) {
    for (const sort of ["newest", "oldest"] as const) {
      const all = await truth(word, sort === "newest" ? "DESC" : "ASC");
      const seen: number[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 5; i++) {
        const r = await search(word, sort, cursor, false, 100);
        seen.push(...r.hits.map((h) => h.id));
        cursor = r.nextCursor ?? undefined;
      }
      assert.deepEqual(seen, all.slice(0, 500), `${word} ${sort}`);
    }
  }
});

it("a search as you type counts and ranks only the newest few hundred matches", async () => {
  const newest = await truth("beacon", "DESC");
  const r = await search("beac", "relevance", undefined, true);
  assert.deepEqual([r.total, r.isTotalExact], [PREFIX_CAP, false]);
  const allowed = new Set(newest.slice(0, PREFIX_CAP));
  for (const h of r.hits) assert.ok(allowed.has(h.id), `${h.text} is not among the newest ${PREFIX_CAP}`);
  const page = await search("beac", "newest", undefined, true);
  assert.deepEqual(
    page.hits.map((h) => h.id),
    newest.slice(0, 20),
  );
});
