import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { TESTDATA } from "../helpers/corpus";
import { seedArchive, type TSeed } from "../helpers/seed";
import { extractOpsTokens, searchTokens } from "../../lib/search/ops-tokens";
import { PAIRS_UNKNOWN, phrasePairs } from "../../lib/search/phrase-pairs";
import { TOTAL_CAP } from "../../lib/search/backend";
import { postgresSearchBackend } from "../../lib/search/backends/postgres";
import { refreshSearchTokens, searchMessages } from "../../lib/search/service";

// Phrase pairs are a filter in front of PostgreSQL's phrase check: they must
// never hide a message PostgreSQL would match. Checked here against
// PostgreSQL's own parse, on the real chats, logs and postmortems in
// ../shared/testdata and on generated text full of what its parser treats
// specially; then end to end, through the search backend.

let t: TTestDatabase;
let seed: TSeed;
const admin = { userId: 0, role: "admin" as const, personId: null };

/** Texts from the test data: every string of the JSON files, every line of the others. */
function corpusTexts(): string[] {
  const out: string[] = [];
  const grab = (v: unknown): void => {
    if (typeof v === "string") {
      if (v.trim()) out.push(v);
    } else if (Array.isArray(v)) v.forEach(grab);
    else if (v && typeof v === "object") Object.values(v).forEach(grab);
  };
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(json|md|txt|jsonl|edn)$/.test(e.name)) {
        const text = fs.readFileSync(p, "utf8");
        if (e.name.endsWith(".json")) {
          try {
            grab(JSON.parse(text));
            continue;
          } catch {
            // Not JSON after all: its lines.
          }
        }
        for (const line of text.split("\n")) if (line.trim()) out.push(line);
      }
    }
  };
  walk(TESTDATA);
  return out.map((x) => x.replaceAll("\u0000", ""));
}

/** Text made of the pieces PostgreSQL's parser treats specially (a fixed seed: the same every run). */
function generatedTexts(n: number): string[] {
  const pieces = ["a", "b", "e", "x", "E", "1", "2", "0", "9", " ", " ", " ", ".", "-", "+", ":", "/", "<", ">", "&", ";", "#", '"', "'", "\\", "!", "?",
    "=", "_", "~", "@", "%", "é", "—", "\u200b", "\n", "http", "://", "<b>", "</b>", "&amp;", "<!--", "-->", '<a href="', "1e5", "0x", "v2.", "www.", "foo", "bar",
    "68943e25-", "now-6h", ".com:80", "1.5", "-22f5", "a.bc", "api-gateway-5xx", "-a"];
  let s = 12345;
  const rnd = () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  return Array.from({ length: n }, () => {
    let text = "";
    for (let k = 3 + Math.floor(rnd() * 40); k > 0; k--) text += pieces[Math.floor(rnd() * pieces.length)];
    return text;
  });
}

/** The pairs of ASCII words PostgreSQL's 'simple' parse puts at adjacent positions, per text. */
async function truePairs(texts: string[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  for (let o = 0; o < texts.length; o += 5000) {
    const r = await t.pool.query<{ i: string; pairs: string[] }>(
      `WITH w AS (SELECT x.i, u.lexeme AS l, p FROM unnest($1::text[]) WITH ORDINALITY x(t, i), unnest(to_tsvector('simple', left(x.t, 100000))) u, unnest(u.positions) p
                  WHERE u.lexeme ~ '^[a-z0-9]+$')
       SELECT a.i, array_agg(DISTINCT a.l || '^' || b.l) AS pairs FROM w a JOIN w b ON b.i = a.i AND b.p = a.p + 1 GROUP BY a.i`,
      [texts.slice(o, o + 5000)],
    );
    for (const row of r.rows) out.set(o + Number(row.i) - 1, row.pairs);
  }
  return out;
}

before(async () => {
  t = await createTestDatabase();
  seed = await seedArchive(t.pool);
});
after(async () => {
  await t?.drop();
});

for (const [name, texts, knownShare] of [
  ["the test data's chats, logs and postmortems", () => corpusTexts(), 0.9],
  ["generated text full of tags, entities, URLs and numbers", () => generatedTexts(40_000), 0.3],
] as const) {
  it(`holds every pair of adjacent words PostgreSQL's parse gives, in ${name}`, async () => {
    const all = texts();
    const truth = await truePairs(all);
    let checked = 0;
    let unknown = 0;
    const missed: string[] = [];
    all.forEach((text, i) => {
      const pairs = phrasePairs(text);
      if (pairs[0] === PAIRS_UNKNOWN) return void unknown++;
      checked++;
      const have = new Set(pairs);
      for (const p of truth.get(i) ?? []) if (!have.has(p)) missed.push(`${p} in ${JSON.stringify(text.slice(0, 200))}`);
    });
    assert.deepEqual(missed.slice(0, 10), []);
    // The pairs must be known for most real texts, or they filter nothing.
    assert.ok(checked > knownShare * all.length, `pairs known for ${checked} of ${all.length} (${unknown} unknown)`);
  });
}

/** Write these texts as messages in #general (tokens as the loader computes them), one a minute. */
async function writeMessages(texts: string[], from: number): Promise<void> {
  await t.pool.query(
    `INSERT INTO message (channel_id, ts, author_id, text, search_text, posted_at, source, raw_sha256, search_tokens)
     SELECT $1, ($5::bigint + i * 60)::text || '.000100', $2, x.t, x.t, to_timestamp($5::bigint + i * 60), 'seed', 'seed', x.k
     FROM unnest($3::text[], $4::text[]) WITH ORDINALITY x(t, k, i)`,
    [seed.channels.general, seed.people.bob, texts, texts.map(searchTokens), from],
  );
}

/** Phrases of 2–3 adjacent words from the texts, and their words reversed (mostly no match). */
function phrasesOf(texts: string[], n: number): string[] {
  const out = new Set<string>();
  for (let i = 0; out.size < n && i < texts.length * 4; i++) {
    const words = texts[(i * 7919) % texts.length]!.match(/[A-Za-z]+/g) ?? [];
    if (words.length < 3) continue;
    const at = (i * 31) % (words.length - 2);
    const len = 2 + (i % 2);
    const phrase = words.slice(at, at + len);
    out.add(phrase.join(" "));
    if (i % 5 === 0) out.add([...phrase].reverse().join(" "));
  }
  return [...out];
}

/** What PostgreSQL's phrase check alone finds: the words in order, as written. */
async function exactCount(phrase: string): Promise<number> {
  const r = await t.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM message m WHERE NOT m.deleted AND m.search_tsv @@ to_tsquery('simple', $1)",
    [phrase.split(" ").map((w) => `${w}:D`).join(" <-> ")],
  );
  return r.rows[0]!.n;
}

const search = (q: string) => searchMessages(t.pool, admin, { q, sort: "newest", limit: 5 }, { backend: postgresSearchBackend });

it("finds with pairs exactly what the phrase check alone finds, for messages written now and messages the migration backfilled", async () => {
  const lines = corpusTexts().filter((x) => x.length < 2000 && /[A-Za-z]{3,} [A-Za-z]{3,}/.test(x));
  const texts = Array.from({ length: 1500 }, (_, i) => lines[(i * 104729) % lines.length]!);
  // Phrases split by what PostgreSQL drops, a message too long to pair, and one written without tokens.
  texts.push("please roll <b>back</b> the canary", "salt &amp; pepper", `${"filler ".repeat(1200)}quiet harbor`, "silent lagoon");
  await writeMessages(texts, 1_700_000_000);
  await t.pool.query("UPDATE message SET search_tokens = NULL WHERE search_text = 'silent lagoon'");
  const phrases = [...phrasesOf(texts, 150), "roll back the canary", "salt pepper", "quiet harbor", "silent lagoon"];
  const check = async (when: string) => {
    let found = 0;
    for (const phrase of phrases) {
      const want = await exactCount(phrase);
      const got = await search(`"${phrase}"`);
      assert.equal(got.total, Math.min(want, TOTAL_CAP), `${when}: "${phrase}"`);
      if (want > 0) found++;
    }
    assert.ok(found > 50, `${when}: only ${found} phrases match anything`);
  };
  await check("written with pairs");
  assert.equal((await search('"roll back the canary"')).total, 1, "a phrase across a tag");
  assert.equal((await search('"quiet harbor"')).total, 1, "a message whose pairs are not known");
  assert.equal((await search('"silent lagoon"')).total, 1, "a message without tokens");

  // As an archive written before pairs: operations tokens only. The migration gives them pairs.
  const rows = await t.pool.query<{ id: string; search_text: string }>("SELECT id, search_text FROM message");
  await t.pool.query("UPDATE message m SET search_tokens = x.k FROM unnest($1::bigint[], $2::text[]) x(id, k) WHERE m.id = x.id", [
    rows.rows.map((r) => r.id),
    rows.rows.map((r) => extractOpsTokens(r.search_text).join(" ")),
  ]);
  assert.equal((await search('"roll back the canary"')).total, 0, "without pairs the filter hides the match: the migration must add them");
  const outbox = async () => (await t.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM search_outbox")).rows[0]!.n;
  const before = await outbox();
  const migration = fs.readFileSync(path.resolve(import.meta.dirname, "../../prisma/migrations/20261129000100_phrase_pairs/migration.sql"), "utf8");
  await t.pool.query(migration);
  await check("backfilled by the migration");
  assert.equal(await outbox(), before, "the backfill does not send every message through the search outbox again");
  // `backscroll reindex` keeps the migration's pairs (exact) and rewrites only what the loader now knows better.
  const refreshed = await refreshSearchTokens(t.pool);
  assert.ok(refreshed < rows.rows.length / 10, `reindex rewrote ${refreshed} of ${rows.rows.length} messages`);
  await check("after reindex");
});

it("matches a phrase's words as written, not their stems", async () => {
  await writeMessages(["we are rolling back the release"], 1_710_000_000);
  assert.equal((await search('"rolling back the release"')).total, 1);
  assert.equal((await search('"roll back the release"')).total, 0);
});
