import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { runCli } from "../helpers/cli";
import { verifyAuditChain } from "../../lib/compliance/audit";

// The audit log is append-only for the application and hash-chained for
// everyone else: rows altered, removed or slipped in with direct SQL (by
// someone able to switch the guarding triggers off) are reported.

let db: TTestDatabase;
before(async () => {
  db = await createTestDatabase();
  for (let i = 0; i < 5; i++) {
    await db.pool.query("INSERT INTO audit_event (actor, action, target, details) VALUES ($1, $2, $3, $4)", [
      `user${i}@example.com`,
      "auth.sign_in",
      null,
      JSON.stringify({ n: i, note: "ünïcode ✓" }),
    ]);
  }
});
after(async () => {
  await db.drop();
});

test("an untouched chain verifies, in this process, against the hashes the database wrote", async () => {
  const v = await verifyAuditChain(db.pool);
  assert.equal(v.ok, true, JSON.stringify(v.problems));
  assert.equal(v.rows, 5);
  assert.equal(v.head?.chainSeq, 5);
  const r = await runCli(["verify", "--json"], { DATABASE_URL: db.url });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).auditLog.ok, true);
});

test("the application cannot update or delete audit rows", async () => {
  await assert.rejects(db.pool.query("UPDATE audit_event SET action = 'x' WHERE id = 1"), /append-only/);
  await assert.rejects(db.pool.query("DELETE FROM audit_event WHERE id = 1"), /append-only/);
});

test("verify names rows changed, removed or inserted behind the application's back, and exits 1", async () => {
  const tamper = await createTestDatabase();
  try {
    for (let i = 0; i < 6; i++) await tamper.pool.query("INSERT INTO audit_event (actor, action) VALUES ($1, 'export.create')", [`a${i}`]);
    await tamper.pool.query("ALTER TABLE audit_event DISABLE TRIGGER USER");
    await tamper.pool.query("UPDATE audit_event SET actor = 'someone-else' WHERE chain_seq = 2");
    await tamper.pool.query("DELETE FROM audit_event WHERE chain_seq = 4");
    await tamper.pool.query("INSERT INTO audit_event (actor, action) VALUES ('ghost', 'export.download')");
    await tamper.pool.query("ALTER TABLE audit_event ENABLE TRIGGER USER");
    const v = await verifyAuditChain(tamper.pool);
    assert.equal(v.ok, false);
    const by = (p: string) => v.problems.filter((x) => x.problem === p).map((x) => x.chainSeq);
    assert.deepEqual(by("content_changed"), [2]);
    assert.deepEqual(by("missing_before"), [5]);
    assert.deepEqual(by("unchained"), [null]);
    const r = await runCli(["verify"], { DATABASE_URL: tamper.url });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /content_changed/);
    assert.match(r.stdout, /1 row\(s\) removed/);
  } finally {
    await tamper.drop();
  }
});

test("concurrent writers extend one gap-free chain", async () => {
  const c = await createTestDatabase();
  try {
    await Promise.all(Array.from({ length: 20 }, (_, i) => c.pool.query("INSERT INTO audit_event (actor, action) VALUES ($1, 'search.private')", [`p${i}`])));
    const v = await verifyAuditChain(c.pool);
    assert.equal(v.ok, true, JSON.stringify(v.problems));
    assert.equal(v.head?.chainSeq, 20);
  } finally {
    await c.drop();
  }
});
