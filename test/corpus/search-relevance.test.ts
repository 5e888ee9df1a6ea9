import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { corpusSkip, TESTDATA } from "../helpers/corpus";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { RELEVANCE_QUERIES } from "./search-relevance-queries";
import { loadRelevanceCorpus, measureRelevance, RELEVANCE_SETS, resolveExpectedHits } from "./search-relevance-loader";

/**
 * Search relevance on real data: the houstondatavis export, the Slack Q&A
 * chats and the Miraheze Server Admin Log (about 99,000 messages), and the
 * queries of search-relevance-queries.ts with the hits a reader would want,
 * chosen by reading the data. Prints recall@10 and MRR (also
 * `npm run bench -- --only relevance`); the floors sit a little below the
 * measured values, so a ranking or tokenizing regression fails here.
 */

// Measured (72 queries, PostgreSQL backend): recall@10 0.993, MRR 0.948.
const RECALL_FLOOR = 0.94;
const MRR_FLOOR = 0.9;

const skip = RELEVANCE_SETS.map(corpusSkip).find(Boolean) ?? false;

let t: TTestDatabase;
before(async () => {
  if (skip) return;
  t = await createTestDatabase();
  await loadRelevanceCorpus(t.pool, TESTDATA);
});
after(async () => {
  await t?.drop();
});

test("the relevance set has at least 40 queries, each with expected hits that exist", { skip }, async () => {
  assert.ok(RELEVANCE_QUERIES.length >= 40, `${RELEVANCE_QUERIES.length} queries`);
  for (const kind of ["words", "stemming", "phrase", "ops", "operators", "typo", "prefix"]) {
    assert.ok(RELEVANCE_QUERIES.some((q) => q.kind === kind), `a ${kind} query`);
  }
  assert.equal(new Set(RELEVANCE_QUERIES.map((q) => q.q)).size, RELEVANCE_QUERIES.length, "no query twice");
  const ids = await resolveExpectedHits(t.pool);
  assert.ok(ids.size >= 80, `${ids.size} distinct expected hits`);
});

test("recall@10 and MRR over the real-data queries stay above their floors", { skip }, async () => {
  const report = await measureRelevance(t.pool);
  const misses = report.outcomes.filter((o) => o.found < Math.min(o.expected, 10));
  console.log(`search relevance: ${report.queries} queries, recall@10 ${report.recallAt10}, MRR ${report.mrr}`);
  for (const [kind, s] of Object.entries(report.byKind)) console.log(`  ${kind.padEnd(10)} ${s.queries} queries, recall@10 ${s.recallAt10}, MRR ${s.mrr}`);
  for (const o of report.outcomes.filter((x) => x.firstRank !== null && x.firstRank > 1)) console.log(`  first expected hit at ${o.firstRank}: ${JSON.stringify(o.q)}`);
  for (const o of misses) console.log(`  partial: ${JSON.stringify(o.q)} found ${o.found}/${o.expected}, first at ${o.firstRank ?? "-"}, missed ${o.missed.join(" ")}`);
  assert.ok(report.recallAt10 >= RECALL_FLOOR, `recall@10 ${report.recallAt10} < ${RECALL_FLOOR}`);
  assert.ok(report.mrr >= MRR_FLOOR, `MRR ${report.mrr} < ${MRR_FLOOR}`);
});
