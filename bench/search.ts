import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { readableChannelsSql } from "../lib/access/service";
import type { TViewer } from "../lib/access/types";
import { generateSlackExport } from "../lib/demo/generate-slack-export";
import type { TSearchBackend } from "../lib/search/backend";
import { isPairToken } from "../lib/search/phrase-pairs";
import { searchMessages } from "../lib/search/service";

/**
 * The search part of `npm run bench` (`--only search`): 200 mixed queries
 * (common and rare words, word pairs, phrases, operations tokens, operators
 * with and without words, typos, search-as-you-type prefixes), a quarter of
 * them as a member whose readable scope is about 50 conversations, the rest
 * as an administrator, through `searchMessages` — the service the API, the
 * page and the CLI call. Each query runs under sort=relevance and
 * sort=newest (without facets), then with facets as the search page asks
 * for them. Warm cache: every query runs once before timing; a query's
 * latency is the median of 3 timed runs, percentiles are over the queries.
 *
 * The archive is the import bench's database when `import` ran in the same
 * invocation; otherwise a generated export with 90 conversations (so a
 * member can read about 50) is imported into `bench_search`. The queries are
 * drawn from that archive's own vocabulary with a fixed seed.
 *
 * `indexMb`: the search structures (GIN on message.search_tsv with the month and channel, the
 * (posted_at, id) and lower(username) indexes, the search_word vocabulary);
 * `tableMb`: the message table with its TOAST (which holds the stored
 * search_tsv column too). Every search writes what the service writes
 * (audit rows for administrators' hits in private conversations).
 */

type TRunCli = (args: string[], env: NodeJS.ProcessEnv) => Promise<{ stdout: string; seconds: number }>;

export type TSearchBenchOptions = {
  adminUrl: string;
  scale: number;
  seed: number;
  /** Output folder of the bench (exports are generated under it). */
  outDir: string;
  /** The import bench's database, when it ran in this invocation. */
  importedUrl: string | null;
  runCli: TRunCli;
  freshDatabase: (adminUrl: string, name: string) => Promise<string>;
  log: (s: string) => void;
  /** Search with this backend instead of the configured one (to compare two). */
  backend?: TSearchBackend;
};

type TBenchQuery = { q: string; kind: string; asMember: boolean; prefixLast?: boolean };

const round = (x: number) => Math.round(x * 100) / 100;
/** Timed runs of each query (its latency is their median). */
const REPEATS = 3;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

function summarize(ms: number[]): { p50Ms: number; p95Ms: number; p99Ms: number } {
  const s = [...ms].sort((a, b) => a - b);
  return { p50Ms: round(percentile(s, 50)), p95Ms: round(percentile(s, 95)), p99Ms: round(percentile(s, 99)) };
}

/** A small deterministic generator (mulberry32), so the query set is the same for a seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function messageCount(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  try {
    await c.connect();
    return Number((await c.query("SELECT count(*) AS n FROM message")).rows[0].n);
  } catch {
    return 0;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** The archive to search: the import bench's, or our own generated and imported one (reused when complete). */
async function prepareArchive(o: TSearchBenchOptions): Promise<string> {
  if (o.importedUrl) return o.importedUrl;
  const u = new URL(o.adminUrl);
  u.pathname = "/bench_search";
  const dir = path.join(o.outDir, `export-search-${o.scale}-${o.seed}`);
  const marker = path.join(dir, ".complete");
  const done = path.join(o.outDir, `.bench_search-${o.scale}-${o.seed}`);
  if (fs.existsSync(done) && (await messageCount(u.toString())) > 0) return u.toString();
  if (!fs.existsSync(marker)) {
    fs.rmSync(dir, { recursive: true, force: true });
    o.log(`search: generating a Slack export of ${o.scale.toLocaleString("en-US")} entries in 90 conversations…`);
    await generateSlackExport(dir, { messages: o.scale, seed: o.seed, channels: 90 });
    fs.writeFileSync(marker, "");
  }
  fs.rmSync(done, { force: true });
  const url = await o.freshDatabase(o.adminUrl, "bench_search");
  o.log("search: importing…");
  await o.runCli(["import", dir, "--json"], { ...process.env, DATABASE_URL: url, LOG_LEVEL: "warn" });
  fs.writeFileSync(done, "");
  return url;
}

/** The member whose readable scope (public + their conversations) is closest to 50 channels. */
async function pickMember(db: pg.Pool): Promise<{ personId: number; channels: number }> {
  const r = await db.query<{ id: number; n: number }>(
    `WITH pub AS (SELECT count(*)::int AS n FROM channel WHERE kind = 'public')
     SELECT p.id, (SELECT n FROM pub) + count(DISTINCT c.id) FILTER (WHERE c.kind <> 'public')::int AS n
     FROM person p JOIN membership ms ON ms.person_id = p.id AND ms.left_at IS NULL JOIN channel c ON c.id = ms.channel_id
     WHERE NOT p.is_bot AND NOT p.placeholder
     GROUP BY p.id ORDER BY abs((SELECT n FROM pub) + count(DISTINCT c.id) FILTER (WHERE c.kind <> 'public') - 50), p.id LIMIT 1`,
  );
  const row = r.rows[0];
  if (!row) throw new Error("search bench: no person with memberships in the archive");
  // Report the scope as lib/access computes it.
  const scope = readableChannelsSql({ userId: 0, role: "member", personId: row.id }, 1);
  const n = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${scope.sql}) s`, scope.params);
  return { personId: row.id, channels: n.rows[0]!.n };
}

/** 200 queries drawn from the archive's own words, tokens, channels, people and months. */
async function buildQueries(db: pg.Pool, seed: number): Promise<TBenchQuery[]> {
  const rand = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const words = (
    await db.query<{ word: string; ndoc: number }>(
      "SELECT word, ndoc FROM search_word WHERE length(word) BETWEEN 4 AND 14 ORDER BY ndoc DESC, word",
    )
  ).rows;
  if (words.length < 50) throw new Error("search bench: the vocabulary is empty (reindex did not run?)");
  // Common: the 300 most frequent words; rare: seen in 2–50 messages.
  const common = words.slice(0, 300).map((w) => w.word);
  const rareAll = words.filter((w) => w.ndoc >= 2 && w.ndoc <= 50).map((w) => w.word);
  const rare = rareAll.length >= 20 ? rareAll : words.slice(-200).map((w) => w.word);
  const sample = await db.query<{ search_text: string; search_tokens: string | null }>(
    `SELECT search_text, search_tokens FROM message WHERE NOT deleted AND length(search_text) BETWEEN 20 AND 400
     ORDER BY md5(id::text || $1::text) LIMIT 3000`,
    [String(seed)],
  );
  const tokens = [...new Set(sample.rows.flatMap((r) => (r.search_tokens ?? "").split(" ")).filter((t) => t && t !== "has:link" && !isPairToken(t) && t.length <= 40))];
  const phrases: string[] = [];
  for (const r of sample.rows) {
    const ws = r.search_text.split(/\s+/).filter((w) => /^[a-z]{3,}$/i.test(w));
    if (ws.length >= 3) {
      const i = Math.floor(rand() * (ws.length - 2));
      phrases.push(ws.slice(i, i + (rand() < 0.5 ? 2 : 3)).join(" "));
    }
    if (phrases.length >= 200) break;
  }
  const channels = (await db.query<{ name: string }>("SELECT name FROM channel WHERE kind IN ('public','private') AND name <> '' ORDER BY name")).rows.map((r) => r.name);
  const people = (await db.query<{ name: string }>("SELECT name FROM person WHERE NOT placeholder AND NOT is_bot ORDER BY name")).rows.map((r) => r.name);
  const months = (
    await db.query<{ m: string }>("SELECT DISTINCT to_char(posted_at AT TIME ZONE 'UTC', 'YYYY-MM') AS m FROM message ORDER BY 1")
  ).rows.map((r) => r.m);
  const typo = (w: string) => {
    const i = 1 + Math.floor(rand() * (w.length - 2));
    return w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2);
  };

  const q: Omit<TBenchQuery, "asMember">[] = [];
  const add = (kind: string, n: number, make: () => string, prefixLast = false) => {
    for (let i = 0; i < n; i++) q.push({ kind, q: make(), prefixLast });
  };
  add("common word", 30, () => pick(common));
  add("rare word", 25, () => pick(rare));
  add("two words", 20, () => `${pick(common)} ${pick(rand() < 0.5 ? common : rare)}`);
  add("phrase", 25, () => `"${pick(phrases)}"`);
  add("ops token", 30, () => (tokens.length ? pick(tokens) : pick(rare)));
  add("word + in:", 10, () => `in:#${pick(channels)} ${pick(common)}`);
  add("word + from:", 8, () => `from:@${pick(people)} ${pick(common)}`);
  add("word + during:", 8, () => `${pick(common)} during:${pick(months)}`);
  add("word + has:/is:", 8, () => `${pick(common)} ${pick(["has:link", "is:thread", "has:reaction", "is:bot"])}`);
  add("exclusion / OR", 6, () => (rand() < 0.5 ? `${pick(common)} -${pick(common)}` : `${pick(rare)} OR ${pick(rare)}`));
  add("filters only", 10, () =>
    pick([`in:#${pick(channels)}`, `from:@${pick(people)}`, `during:${pick(months)}`, "has:link", "is:thread", "has:reaction", "command:deploy status:failed", `in:#${pick(channels)} after:${pick(months)}`]),
  );
  add("typo", 10, () => typo(pick(common.filter((w) => w.length >= 6))));
  add("prefix", 10, () => pick(common).slice(0, 4), true);
  return q.map((x, i) => ({ ...x, asMember: i % 4 === 3 }));
}

/** Run the search bench and return its JSON section. */
export async function benchSearch(o: TSearchBenchOptions): Promise<Record<string, unknown>> {
  const url = await prepareArchive(o);
  const env = { ...process.env, DATABASE_URL: url, LOG_LEVEL: "warn" };
  o.log("search: reindex (vocabulary for typo tolerance)…");
  await o.runCli(["reindex"], env);
  // The service reads the environment (backend choice); point it at this archive.
  process.env.DATABASE_URL = url;
  const db = new pg.Pool({ connectionString: url, max: 4 });
  try {
    await db.query("ANALYZE");
    const messages = Number((await db.query("SELECT count(*) AS n FROM message")).rows[0].n);
    const member = await pickMember(db);
    const queries = await buildQueries(db, o.seed);
    const admin: TViewer = { userId: 0, role: "admin", personId: null };
    const asMember: TViewer = { userId: 0, role: "member", personId: member.personId };
    const run = async (x: TBenchQuery, sort: "relevance" | "newest", facets: boolean) => {
      const t0 = process.hrtime.bigint();
      const r = await searchMessages(db, x.asMember ? asMember : admin, { q: x.q, sort, limit: 20, facets, prefixLast: x.prefixLast ?? false }, { backend: o.backend });
      return { ms: Number(process.hrtime.bigint() - t0) / 1e6, total: r.total };
    };
    o.log(`search: ${queries.length} queries on ${messages.toLocaleString("en-US")} messages (member scope ${member.channels} channels), warm-up…`);
    for (const x of queries) {
      await run(x, "relevance", true);
      await run(x, "newest", false);
    }
    const times: Record<"relevance" | "newest" | "facets", number[]> = { relevance: [], newest: [], facets: [] };
    const slow: { q: string; kind: string; sort: string; ms: number; total: number }[] = [];
    let empty = 0;
    // Each query's latency is the median of REPEATS runs, so that a burst of other work on the
    // machine does not become a query's figure; percentiles are over the 200 queries.
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    for (const sort of ["relevance", "newest"] as const) {
      for (const x of queries) {
        const rs = [];
        for (let i = 0; i < REPEATS; i++) rs.push(await run(x, sort, false));
        const ms = median(rs.map((r) => r.ms));
        times[sort].push(ms);
        if (sort === "relevance" && rs[0]!.total === 0) empty++;
        slow.push({ q: x.q, kind: x.kind, sort, ms: round(ms), total: rs[0]!.total });
      }
    }
    for (const x of queries) {
      const rs = [];
      for (let i = 0; i < REPEATS; i++) rs.push((await run(x, "relevance", true)).ms);
      times.facets.push(median(rs));
    }
    const size = async (sql: string) => Number((await db.query(sql)).rows[0].b) / 1024 ** 2;
    const indexMb = await size(
      `SELECT (pg_relation_size('message_search_idx') + pg_relation_size('message_posted_at_id_idx')
              + coalesce(pg_relation_size(to_regclass('message_username_lower_idx')), 0)
              + pg_total_relation_size('search_word'))::bigint AS b`,
    );
    const tableMb = await size("SELECT pg_table_size('message')::bigint AS b");
    // Median latency of each kind of query under sort=relevance, slowest first: where the time goes.
    const kinds = [...new Set(queries.map((x) => x.kind))];
    const relevanceByKind = Object.fromEntries(
      kinds
        .map((k) => [k, summarize(slow.filter((x) => x.kind === k && x.sort === "relevance").map((x) => x.ms)).p50Ms] as const)
        .sort((a, b) => b[1] - a[1]),
    );
    slow.sort((a, b) => b.ms - a.ms);
    return {
      messages,
      queries: queries.length,
      memberQueries: queries.filter((x) => x.asMember).length,
      memberChannels: member.channels,
      emptyResults: empty,
      relevance: summarize(times.relevance),
      newest: summarize(times.newest),
      facetsP95Ms: summarize(times.facets).p95Ms,
      indexMb: Math.round(indexMb),
      tableMb: Math.round(tableMb),
      relevanceP50ByKind: relevanceByKind,
      slowest: slow.slice(0, 8),
      data: o.importedUrl ? "the import bench's generated archive" : `generated Slack export (seed ${o.seed}, 90 conversations): synthetic`,
    };
  } finally {
    await db.end();
  }
}

/**
 * `--only relevance`: the search relevance check's figures (recall@10, MRR)
 * on the real data of ../shared/testdata, in a database of its own. The same
 * queries and scoring as test/corpus/search-relevance.test.ts.
 */
export async function benchRelevance(o: Pick<TSearchBenchOptions, "adminUrl" | "freshDatabase" | "log">): Promise<Record<string, unknown>> {
  const { TESTDATA, corpusSkip } = await import("../test/helpers/corpus");
  const { loadRelevanceCorpus, measureRelevance, RELEVANCE_SETS } = await import("../test/corpus/search-relevance-loader");
  const missing = RELEVANCE_SETS.map(corpusSkip).find(Boolean);
  if (missing) return { skipped: missing };
  const url = await o.freshDatabase(o.adminUrl, "bench_relevance");
  process.env.DATABASE_URL = url;
  const db = new pg.Pool({ connectionString: url, max: 4 });
  try {
    o.log("relevance: importing houstondatavis, the Slack Q&A chats and the Miraheze admin log…");
    await loadRelevanceCorpus(db, TESTDATA);
    const messages = Number((await db.query("SELECT count(*) AS n FROM message")).rows[0].n);
    const r = await measureRelevance(db);
    return {
      messages,
      queries: r.queries,
      recallAt10: r.recallAt10,
      mrr: r.mrr,
      byKind: r.byKind,
      partial: r.outcomes.filter((x) => x.found < Math.min(x.expected, 10)).map((x) => ({ q: x.q, found: `${x.found}/${x.expected}`, firstRank: x.firstRank })),
    };
  } finally {
    await db.end();
  }
}
