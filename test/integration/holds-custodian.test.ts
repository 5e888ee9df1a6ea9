import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { writeDemoExport } from "../../lib/demo/demo-workspace";
import { resolveAdapter } from "../../lib/ingest/adapters/registry";
import { runIngest } from "../../lib/ingest/run";
import { runRetention, setRetentionPolicy } from "../../lib/compliance/retention";
import { createLegalHold, listLegalHolds } from "../../lib/compliance/holds";

// A hold on a person (a custodian) keeps what they wrote anywhere and every
// message of the DMs and group DMs they are in, whoever wrote it; channels
// they merely belong to are not theirs. Counted here with plain SQL over the
// demo archive, purged with a one-day policy weeks after its last message.

const NOW = new Date("2026-12-01T00:00:00Z");
const who = { userId: null, actor: "compliance-officer" };

let demoDir: string;
let db: TTestDatabase;

before(async () => {
  demoDir = fs.mkdtempSync(path.join(os.tmpdir(), "holds-custodian-"));
  await writeDemoExport(demoDir);
  db = await createTestDatabase();
  const input = { location: demoDir };
  await runIngest({ adapter: await resolveAdapter(input), input, pool: db.pool });
});
after(async () => {
  await db.drop();
  fs.rmSync(demoDir, { recursive: true, force: true });
});

const count = async (sql: string, params: unknown[] = []) => Number((await db.pool.query<{ n: number }>(sql, params)).rows[0]!.n);

test("a person hold keeps their messages and their direct conversations, and nothing else of the channels they are in", async () => {
  const dana = await count("SELECT id AS n FROM person WHERE external_id = 'U0DEMODANA'");
  // Dana is in the group DM, not in the one-to-one DM.
  const mpim = await count("SELECT id AS n FROM channel WHERE kind = 'mpdm'");
  const dm = await count("SELECT id AS n FROM channel WHERE kind = 'dm'");
  const othersInMpim = await count("SELECT count(*)::int AS n FROM message WHERE channel_id = $1 AND author_id IS DISTINCT FROM $2", [mpim, dana]);
  assert.ok(othersInMpim > 0, "others wrote in Dana's group DM");
  assert.ok((await count("SELECT count(*)::int AS n FROM message WHERE channel_id = $1", [dm])) > 0, "the DM Dana is not in has messages");
  const keptExpected = await count(
    `SELECT count(*)::int AS n FROM message m WHERE m.author_id = $1 OR m.channel_id = $2`,
    [dana, mpim],
  );

  await createLegalHold(db.pool, who, { name: "custodian Dana", reason: "Matter 2026-21", people: ["U0DEMODANA"] });
  assert.equal((await listLegalHolds(db.pool))[0]!.messages, keptExpected);

  // Everything is past a one-day policy: what is not held goes.
  await setRetentionPolicy(db.pool, who, { days: 1 });
  await runRetention(db.pool, who, { dryRun: false, now: NOW });
  assert.equal(await count("SELECT count(*)::int AS n FROM message"), keptExpected, "exactly the held messages remain");
  assert.ok((await count("SELECT count(*)::int AS n FROM message WHERE channel_id = $1 AND author_id IS DISTINCT FROM $2", [mpim, dana])) === othersInMpim, "others' messages in the group DM are kept");
  assert.equal(await count("SELECT count(*)::int AS n FROM message WHERE channel_id = $1", [dm]), 0, "the DM Dana is not in is purged");
});
