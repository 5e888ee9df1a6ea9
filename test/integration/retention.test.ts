import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { runCli } from "../helpers/cli";
import { writeDemoExport } from "../../lib/demo/demo-workspace";
import { resolveAdapter } from "../../lib/ingest/adapters/registry";
import { runIngest } from "../../lib/ingest/run";
import { verifyContentChain } from "../../lib/compliance/content-digest";
import { runRetention, setRetentionPolicy, listRetentionPolicies } from "../../lib/compliance/retention";
import { createLegalHold, listLegalHolds, releaseLegalHold } from "../../lib/compliance/holds";
import { purgeExpiredJob } from "../../lib/jobs/definitions/compliance.purge-expired";
import { JOBS } from "../../workers/registry";

// Retention policies (workspace default, channel overrides, pinned kept),
// legal holds that override them, dry runs, purges recorded in the content
// chain, and the audit trail of all of it — against the demo archive
// (messages from 2026-10-26 to 2026-11-05), measured as of 2026-11-06.

const NOW = new Date("2026-11-06T00:00:00Z");
const DAY = 86_400_000;
const who = { userId: null, actor: "compliance-officer" };

let demoDir: string;
let db: TTestDatabase;

before(async () => {
  demoDir = fs.mkdtempSync(path.join(os.tmpdir(), "retention-"));
  await writeDemoExport(demoDir);
  db = await createTestDatabase();
  const input = { location: demoDir };
  await runIngest({ adapter: await resolveAdapter(input), input, pool: db.pool });
});
after(async () => {
  await db.drop();
  fs.rmSync(demoDir, { recursive: true, force: true });
});

const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await db.pool.query(sql, params)).rows as T[];
const count = async (sql: string, params: unknown[] = []) => Number((await q<{ n: number }>(sql, params))[0]!.n);
const channelId = async (ext: string) => count("SELECT id AS n FROM channel WHERE external_id = $1", [ext]);

/** Independent of the implementation: messages of a channel posted before a cutoff. */
async function before_(ext: string, cutoff: Date, extra = "true") {
  return count(`SELECT count(*)::int AS n FROM message m WHERE m.channel_id = $1 AND m.posted_at < $2 AND ${extra}`, [await channelId(ext), cutoff]);
}

let boris: number;
const HOLD_FROM = new Date("2026-10-26T00:00:00Z");
const HOLD_TO = new Date("2026-10-30T00:00:00Z");
let expected: Record<string, { expired: number; held: number }>;

test("policies: a workspace default, channel overrides (forever; short with pinned kept)", async () => {
  await setRetentionPolicy(db.pool, who, { days: 5 });
  await setRetentionPolicy(db.pool, who, { channel: "random", forever: true });
  await setRetentionPolicy(db.pool, who, { channel: "C0DEMODPLYS", days: 2, keepPinned: true });
  // Setting again replaces.
  await setRetentionPolicy(db.pool, who, { days: 5 });
  const list = await listRetentionPolicies(db.pool);
  assert.deepEqual(
    list.map((p) => [p.channel, p.keepDays, p.keepPinned]),
    [
      [null, 5, false],
      ["C0DEMODPLYS", 2, true],
      ["C0DEMORANDM", null, false],
    ],
  );
  await assert.rejects(setRetentionPolicy(db.pool, who, { channel: "nope", days: 3 }), /No channel nope/);
  await assert.rejects(setRetentionPolicy(db.pool, who, { days: 3, forever: true }), /either days or forever/);
});

test("holds: scope by channel, person and time range", async () => {
  boris = await count("SELECT id AS n FROM person WHERE external_id = 'U0DEMOBORIS'");
  await createLegalHold(db.pool, who, {
    name: "Boris in #general, last week of October",
    reason: "Matter 2026-17",
    channels: ["general"],
    people: ["U0DEMOBORIS"],
    from: "2026-10-26",
    to: "2026-10-29",
  });
  await createLegalHold(db.pool, who, { name: "all of #engineering", reason: "Matter 2026-18", channels: ["#engineering"] });
  await assert.rejects(createLegalHold(db.pool, who, { name: "x", reason: "y", channels: ["nope"] }), /No channel nope/);
  await assert.rejects(createLegalHold(db.pool, who, { name: "x", reason: "y", from: "2026-11-02", to: "2026-11-01" }), /after from/);

  const cutoff5 = new Date(NOW.getTime() - 5 * DAY);
  const cutoff2 = new Date(NOW.getTime() - 2 * DAY);
  const notPinned = "NOT m.pinned";
  const heldGeneral = await before_("C0DEMOGENRL", cutoff5, `m.author_id = ${boris} AND m.posted_at >= '${HOLD_FROM.toISOString()}' AND m.posted_at < '${HOLD_TO.toISOString()}'`);
  expected = {
    C0DEMOGENRL: { expired: await before_("C0DEMOGENRL", cutoff5), held: heldGeneral },
    C0DEMOENGNR: { expired: await before_("C0DEMOENGNR", cutoff5), held: await before_("C0DEMOENGNR", cutoff5) },
    C0DEMODPLYS: { expired: await before_("C0DEMODPLYS", cutoff2, notPinned), held: 0 },
    C0DEMOHELPO: { expired: await before_("C0DEMOHELPO", cutoff5), held: 0 },
    C0DEMOLEGCY: { expired: await before_("C0DEMOLEGCY", cutoff5), held: 0 },
    G0DEMOSRE01: { expired: await before_("G0DEMOSRE01", cutoff5), held: 0 },
    D0DEMODM001: { expired: await before_("D0DEMODM001", cutoff5), held: 0 },
  };
  for (const k of Object.keys(expected)) if (expected[k]!.expired === 0) delete expected[k];
  // The scenario exercises what it claims to.
  assert.ok(heldGeneral > 0 && heldGeneral < expected.C0DEMOGENRL!.expired, "the general hold keeps some, not all");
  assert.ok((await before_("C0DEMODPLYS", cutoff2, "m.pinned")) === 1, "a pinned message in #deploys is past its retention");
  assert.ok((await before_("C0DEMORANDM", cutoff5)) > 0, "#random has old messages its forever policy keeps");
  const holds = await listLegalHolds(db.pool);
  assert.deepEqual(holds.map((h) => h.active), [true, true]);
  assert.equal(holds.find((h) => h.name.startsWith("Boris"))!.messages, await count(
    `SELECT count(*)::int AS n FROM message m WHERE m.channel_id = $1 AND m.author_id = $2 AND m.posted_at >= $3 AND m.posted_at < $4`,
    [await channelId("C0DEMOGENRL"), boris, HOLD_FROM, HOLD_TO],
  ));
});

test("a dry run reports expired and held-back counts per channel and per hold, and deletes nothing", async () => {
  const messages = await count("SELECT count(*)::int AS n FROM message");
  const r = await runRetention(db.pool, who, { dryRun: true, now: NOW });
  assert.equal(await count("SELECT count(*)::int AS n FROM message"), messages);
  const got = Object.fromEntries(r.channels.map((c) => [c.channel, { expired: c.expired, held: c.heldBack }]));
  assert.deepEqual(got, expected);
  assert.deepEqual(
    r.holds.map((h) => [h.name, h.heldBack]),
    [
      ["Boris in #general, last week of October", expected.C0DEMOGENRL!.held],
      ["all of #engineering", expected.C0DEMOENGNR!.held],
    ],
  );
  assert.equal(r.totals.purged, 0);
  assert.deepEqual(r.contentBatches, []);
  const run = await q<{ dry_run: boolean; status: string }>("SELECT dry_run, status FROM retention_run WHERE id = $1", [r.runId]);
  assert.deepEqual(run[0], { dry_run: true, status: "completed" });
});

let purgedIds: number[];

test("a run purges exactly the expired, unheld messages with their versions, reactions and files; verify stays OK", async () => {
  const purgeable = await q<{ id: number }>(
    `SELECT m.id FROM message m JOIN channel c ON c.id = m.channel_id
     WHERE (c.external_id NOT IN ('C0DEMORANDM', 'C0DEMODPLYS', 'C0DEMOENGNR') AND m.posted_at < $1)
        OR (c.external_id = 'C0DEMODPLYS' AND m.posted_at < $2 AND NOT m.pinned)
     ORDER BY m.id`,
    [new Date(NOW.getTime() - 5 * DAY), new Date(NOW.getTime() - 2 * DAY)],
  );
  const held = await q<{ id: number }>(
    `SELECT m.id FROM message m WHERE m.channel_id = $1 AND m.author_id = $2 AND m.posted_at >= $3 AND m.posted_at < $4`,
    [await channelId("C0DEMOGENRL"), boris, HOLD_FROM, HOLD_TO],
  );
  const heldIds = new Set(held.map((h) => h.id));
  purgedIds = purgeable.map((p) => p.id).filter((id) => !heldIds.has(id));
  const before = await count("SELECT count(*)::int AS n FROM message");
  const reactionsOfPurged = await count("SELECT count(*)::int AS n FROM reaction WHERE message_id = ANY($1::bigint[])", [purgedIds]);

  const r = await runRetention(db.pool, who, { dryRun: false, now: NOW, batchSize: 25 });
  assert.equal(r.totals.purged, purgedIds.length);
  assert.ok(r.contentBatches.length >= 2, "purged in several batches");
  assert.equal(await count("SELECT count(*)::int AS n FROM message"), before - purgedIds.length);
  assert.equal(await count("SELECT count(*)::int AS n FROM message WHERE id = ANY($1::bigint[])", [purgedIds]), 0);
  for (const id of heldIds) assert.equal(await count("SELECT count(*)::int AS n FROM message WHERE id = $1", [id]), 1, "held message kept");
  assert.equal(await count("SELECT count(*)::int AS n FROM message m JOIN channel c ON c.id = m.channel_id WHERE c.external_id = 'C0DEMODPLYS' AND m.pinned"), 1, "pinned kept");
  assert.equal(r.totals.reactions, reactionsOfPurged);
  assert.equal(await count("SELECT count(*)::int AS n FROM reaction WHERE message_id = ANY($1::bigint[])", [purgedIds]), 0);
  assert.equal(await count("SELECT count(*)::int AS n FROM message_file mf WHERE NOT EXISTS (SELECT 1 FROM message m WHERE m.id = mf.message_id)"), 0);
  assert.equal(await count("SELECT count(*)::int AS n FROM file f WHERE NOT EXISTS (SELECT 1 FROM message_file mf WHERE mf.file_id = f.id)"), 0);
  // Search learns of the deletions through the outbox.
  const outboxDeleted = await q<{ ids: number[] }>("SELECT message_ids AS ids FROM search_outbox WHERE op = 'delete'");
  assert.deepEqual(outboxDeleted.flatMap((o) => o.ids).sort((a, b) => a - b), purgedIds);
  const perChannel = Object.fromEntries(r.channels.map((c) => [c.channel, c.purged]));
  for (const [ch, e] of Object.entries(expected)) assert.equal(perChannel[ch], e.expired - e.held, ch);

  const v = await verifyContentChain(db.pool);
  assert.equal(v.ok, true, JSON.stringify(v.problems.slice(0, 5)));
  assert.equal(v.purged, purgedIds.length);

  // Running again finds nothing more to purge.
  const again = await runRetention(db.pool, who, { dryRun: false, now: NOW });
  assert.equal(again.totals.purged, 0);
  assert.equal(again.totals.heldBack, r.totals.heldBack);
});

test("a deletion outside the purge is still named; releasing a hold lets the next run purge what it kept", async () => {
  const victim = await q<{ id: number; ts: string }>("SELECT m.id, m.ts FROM message m JOIN channel c ON c.id = m.channel_id WHERE c.external_id = 'C0DEMORANDM' ORDER BY m.id LIMIT 1");
  await db.pool.query("DELETE FROM message WHERE id = $1", [victim[0]!.id]);
  const v = await verifyContentChain(db.pool);
  assert.deepEqual(v.problems.map((p) => [p.problem, p.channel, p.ts]), [["message_removed", "C0DEMORANDM", victim[0]!.ts]]);

  const eng = (await listLegalHolds(db.pool)).find((h) => h.name === "all of #engineering")!;
  await releaseLegalHold(db.pool, who, eng.id, "matter closed");
  await assert.rejects(releaseLegalHold(db.pool, who, eng.id, "again"), /already released/);
  const r = await runRetention(db.pool, who, { dryRun: false, now: NOW });
  assert.equal(r.totals.purged, expected.C0DEMOENGNR!.expired);
  assert.equal(r.holds.length, 1, "only active holds are reported");
});

test("every policy change, hold and run is in the audit log", async () => {
  const rows = await q<{ action: string; target: string; details: Record<string, unknown> }>(
    "SELECT action, target, details FROM audit_event WHERE action LIKE 'retention.%' OR action LIKE 'legal_hold.%' ORDER BY id",
  );
  assert.deepEqual(
    rows.map((r) => r.action),
    [
      "retention.policy_set",
      "retention.policy_set",
      "retention.policy_set",
      "retention.policy_set",
      "legal_hold.create",
      "legal_hold.create",
      "retention.dry_run",
      "retention.run",
      "retention.run",
      "legal_hold.release",
      "retention.run",
    ],
  );
  assert.ok(rows.every((r) => r.details.by === "compliance-officer"));
  const run = rows.find((r) => r.action === "retention.run")!;
  assert.equal((run.details.totals as { purged: number }).purged, purgedIds.length);
});

test("the CLI: retention set/list/run, hold add/list/release", async () => {
  const t = await createTestDatabase();
  try {
    const input = { location: demoDir };
    await runIngest({ adapter: await resolveAdapter(input), input, pool: t.pool });
    const env = { DATABASE_URL: t.url };
    let r = await runCli(["retention", "set", "--days", "3650"], env);
    assert.equal(r.code, 0, r.stderr);
    r = await runCli(["retention", "set", "--forever", "--channel", "general", "--keep-pinned"], env);
    assert.equal(r.code, 0, r.stderr);
    r = await runCli(["retention", "set", "--channel", "general"], env);
    assert.equal(r.code, 2);
    r = await runCli(["retention", "list", "--json"], env);
    assert.deepEqual(
      JSON.parse(r.stdout).map((p: { channel: string | null; keepDays: number | null }) => [p.channel, p.keepDays]),
      [
        [null, 3650],
        ["C0DEMOGENRL", null],
      ],
    );
    r = await runCli(["hold", "add", "--name", "Matter 7", "--reason", "subpoena", "--channel", "general", "--user", "U0DEMOBORIS", "--from", "2026-10-01"], env);
    assert.equal(r.code, 0, r.stderr);
    r = await runCli(["hold", "list", "--json"], env);
    const holds = JSON.parse(r.stdout);
    assert.equal(holds.length, 1);
    assert.ok(holds[0].messages > 0);
    r = await runCli(["retention", "run", "--dry-run", "--json"], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).totals.expired, 0);
    r = await runCli(["hold", "release", String(holds[0].id), "--reason", "settled"], env);
    assert.equal(r.code, 0, r.stderr);
    r = await runCli(["hold", "release", String(holds[0].id), "--reason", "settled"], env);
    assert.notEqual(r.code, 0);
    const actions = (await t.pool.query("SELECT action FROM audit_event ORDER BY id")).rows.map((x) => x.action);
    assert.deepEqual(actions, ["retention.policy_set", "retention.policy_set", "legal_hold.create", "retention.dry_run", "legal_hold.release"]);

    // The worker's job runs the same retention, registered under its name.
    const registered = JOBS.get("compliance.purge-expired");
    assert.ok(registered);
    const progress: unknown[] = [];
    await registered.handler(purgeExpiredJob.schema.parse({ dryRun: true }), { pool: t.pool, jobId: 1, progress: async (p) => void progress.push(p) });
    const run = (await t.pool.query("SELECT dry_run, requested_by, status FROM retention_run ORDER BY id DESC LIMIT 1")).rows[0];
    assert.deepEqual(run, { dry_run: true, requested_by: "retention-job", status: "completed" });
    assert.equal(progress.length, 1);
    assert.equal((await t.pool.query("SELECT actor, details->>'by' AS by FROM audit_event WHERE action = 'retention.dry_run' ORDER BY id DESC LIMIT 1")).rows[0].by, "retention-job");
  } finally {
    await t.drop();
  }
});
