import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { classifyTable, TABLE_CLASSIFICATION } from "../../lib/compliance/classification";

// Every table of the migrated database is classified for export, retention
// and legal hold (lib/compliance/classification.ts): a new table without a
// classification fails here, before it can escape retention unnoticed.

let db: TTestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  await db.drop();
});

async function tables(): Promise<string[]> {
  const r = await db.pool.query<{ t: string }>(
    `SELECT table_name AS t FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations' ORDER BY 1`,
  );
  return r.rows.map((x) => x.t);
}

test("every table is classified for export, retention and legal hold", async () => {
  const all = await tables();
  assert.ok(all.includes("message") && all.includes("content_leaf"), "the migrated database has its tables");
  const missing = all.filter((t) => !classifyTable(t));
  assert.deepEqual(missing, [], `tables without a classification in lib/compliance/classification.ts: ${missing.join(", ")}`);
});

test("the classification names no table that does not exist", async () => {
  const all = new Set(await tables());
  assert.deepEqual(Object.keys(TABLE_CLASSIFICATION).filter((t) => !all.has(t)), []);
});

test("a new table makes the completeness check fail", async () => {
  await db.pool.query("CREATE TABLE unclassified_notes (id int)");
  try {
    assert.deepEqual((await tables()).filter((t) => !classifyTable(t)), ["unclassified_notes"]);
  } finally {
    await db.pool.query("DROP TABLE unclassified_notes");
  }
});

test("message content is purged and held; evidence is never purged", () => {
  for (const [t, c] of Object.entries(TABLE_CLASSIFICATION)) {
    if (c.class === "message content") {
      assert.match(c.retention, /^purged/, t);
      assert.match(c.legalHold, /^held/, t);
    }
    if (c.class === "evidence") assert.equal(c.retention, "kept", t);
  }
});
