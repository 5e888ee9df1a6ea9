import { test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { createTestDatabase } from "../helpers/db";
import { advanceOutboxCursor, selectOutboxAfter } from "../../lib/search/repository";

// Consumers of the search outbox (the vocabulary, Meilisearch) read it by id
// after their cursor. Two writers side by side (an import's two connections,
// or an import and the Events API) take ids in one order and may commit in
// the other; each entry is given its id again as its transaction commits.

test("outbox entries become visible in id order, so a consumer never passes one that commits late", async () => {
  const db = await createTestDatabase();
  const early = new pg.Client({ connectionString: db.url });
  const late = new pg.Client({ connectionString: db.url });
  await Promise.all([early.connect(), late.connect()]);
  try {
    // `early` takes its id first but commits last.
    await early.query("BEGIN");
    await early.query("INSERT INTO search_outbox (op, message_ids) VALUES ('upsert', '[1]')");
    await late.query("BEGIN");
    await late.query("INSERT INTO search_outbox (op, message_ids) VALUES ('upsert', '[2]')");
    await late.query("COMMIT");
    const first = await selectOutboxAfter(db.pool, "probe", 100);
    assert.deepEqual(first.map((e) => e.messageIds), [[2]]);
    await advanceOutboxCursor(db.pool, "probe", first.at(-1)!.id);
    await early.query("COMMIT");
    const second = await selectOutboxAfter(db.pool, "probe", 100);
    assert.deepEqual(second.map((e) => e.messageIds), [[1]], "the entry committed last is after the cursor");
  } finally {
    await Promise.all([early.end(), late.end()]);
    await db.drop();
  }
});
