import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { seedArchive, type TSeed } from "../helpers/seed";
import { drainSearchOutbox } from "../../lib/search/service";

// Every read of a GIN index reads its whole pending list: after writes, the
// search outbox job moves the pending entries into the index proper.

let t: TTestDatabase;
let seed: TSeed;

before(async () => {
  t = await createTestDatabase();
  seed = await seedArchive(t.pool);
  await t.pool.query("CREATE EXTENSION IF NOT EXISTS pgstattuple");
});
after(async () => {
  await t?.drop();
});

const pending = async () =>
  (await t.pool.query<{ n: number }>("SELECT pending_tuples::int AS n FROM pgstatginindex('message_search_idx')")).rows[0]!.n;

it("empties the text index's pending list when the outbox is drained", async () => {
  await drainSearchOutbox(t.pool);
  await t.pool.query(
    `INSERT INTO message (channel_id, ts, author_id, text, search_text, posted_at, source, raw_sha256, search_tokens)
     SELECT $1, (1700000000 + i)::text || '.000100', $2, 'pending note ' || i, 'pending note ' || i, to_timestamp(1700000000 + i), 'seed', 'seed', 'pending^note'
     FROM generate_series(1, 200) AS i`,
    [seed.channels.general, seed.people.bob],
  );
  assert.ok((await pending()) > 0, "new rows' entries wait in the pending list");
  assert.ok((await drainSearchOutbox(t.pool)) > 0);
  assert.equal(await pending(), 0);
});
