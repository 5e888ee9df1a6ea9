import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { seedArchive, type TSeed } from "../helpers/seed";
import { isAppError } from "../../lib/errors";
import type { TViewer } from "../../lib/access/types";
import { findAuditLogPage, streamAuditLogCsv } from "../../lib/compliance/audit-log";

// The audit page's service: filters, pages, chain verification, CSV, and the
// auditing of looking at the audit log.

let t: TTestDatabase;
let s: TSeed;
let auditor: TViewer;
let member: TViewer;

async function insertEvent(action: string, target: string | null, at: string, actorId: number | null = null): Promise<void> {
  await t.pool.query(
    `INSERT INTO audit_event (actor_id, actor, action, target, details, at) VALUES ($1, (SELECT email FROM app_user WHERE id = $1), $2, $3, '{}', $4)`,
    [actorId, action, target, at],
  );
}

before(async () => {
  t = await createTestDatabase();
  s = await seedArchive(t.pool);
  auditor = { userId: s.users.auditor.id, role: "auditor", personId: null };
  member = { userId: s.users.alice.id, role: "member", personId: s.people.alice };
  for (let i = 0; i < 60; i++) await insertEvent("test.bulk", `item-${i}`, `2025-01-${String((i % 28) + 1).padStart(2, "0")}T12:00:00Z`);
  await insertEvent("export.request", "export:1", "2025-02-01T10:00:00Z", s.users.admin.id);
  await insertEvent("export.download", '=HYPERLINK("http://evil.example","x")', "2025-02-02T10:00:00Z", s.users.admin.id);
});

after(async () => {
  await t?.drop();
});

async function collect(gen: AsyncGenerator<string>): Promise<string> {
  let out = "";
  for await (const chunk of gen) out += chunk;
  return out;
}

describe("audit log page", () => {
  it("filters by action wildcard, actor and date range, newest first, and audits the viewing", async () => {
    const page = await findAuditLogPage(t.pool, auditor, { action: "export.*", actor: s.users.admin.email.toUpperCase(), from: "2025-02-01", to: "2025-02-02" }, { ip: "10.1.1.1" });
    assert.deepEqual(
      page.entries.map((e) => e.action),
      ["export.download", "export.request"],
    );
    assert.equal(page.nextBefore, null);
    assert.equal(page.verification.ok, true);
    const viewed = await t.pool.query<{ actor: string; details: { query: Record<string, string> }; ip: string }>(
      "SELECT actor, details, ip FROM audit_event WHERE action = 'audit.view' ORDER BY id DESC LIMIT 1",
    );
    assert.equal(viewed.rows[0]!.actor, s.users.auditor.email);
    assert.equal(viewed.rows[0]!.details.query.action, "export.*");
    assert.equal(viewed.rows[0]!.ip, "10.1.1.1");
  });

  it("pages by id, newest first, without repeats", async () => {
    const first = await findAuditLogPage(t.pool, auditor, { action: "test.bulk" });
    assert.equal(first.entries.length, 50);
    assert.ok(first.nextBefore);
    const second = await findAuditLogPage(t.pool, auditor, { action: "test.bulk", before: String(first.nextBefore) });
    assert.equal(second.entries.length, 10);
    assert.equal(second.nextBefore, null);
    const ids = [...first.entries, ...second.entries].map((e) => e.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
    assert.equal(new Set(ids).size, 60);
  });

  it("shows a broken chain", async () => {
    const db = await createTestDatabase();
    try {
      await db.pool.query("INSERT INTO audit_event (action, target, details) VALUES ('a', 'x', '{}'), ('b', 'y', '{}')");
      // The table refuses updates; whoever tampers disables the guard first.
      await db.pool.query("ALTER TABLE audit_event DISABLE TRIGGER USER");
      await db.pool.query("UPDATE audit_event SET target = 'changed' WHERE action = 'a'");
      await db.pool.query("ALTER TABLE audit_event ENABLE TRIGGER USER");
      const page = await findAuditLogPage(db.pool, auditor, {});
      assert.equal(page.verification.ok, false);
      assert.ok(page.verification.problems.some((p) => p.problem === "content_changed"));
    } finally {
      await db.drop();
    }
  });

  it("streams the filtered rows as CSV with formulas neutralised, and audits the download", async () => {
    const csv = await collect(await streamAuditLogCsv(t.pool, auditor, { action: "export.download" }, { ip: "10.1.1.2" }));
    const lines = csv.trim().split("\r\n");
    assert.equal(lines[0], "id,chain_seq,at,actor,action,target,details,ip,hash");
    assert.equal(lines.length, 2);
    assert.match(lines[1]!, /,"'=HYPERLINK\(""http:\/\/evil\.example"",""x""\)",/);
    const downloaded = await t.pool.query("SELECT 1 FROM audit_event WHERE action = 'audit.download' AND actor = $1", [s.users.auditor.email]);
    assert.equal(downloaded.rowCount, 1);
    const all = await collect(await streamAuditLogCsv(t.pool, auditor, {}));
    assert.ok(all.trim().split("\r\n").length > 60);
  });

  it("refuses members and bad filters", async () => {
    await assert.rejects(findAuditLogPage(t.pool, member, {}), (e: unknown) => isAppError(e) && e.code === "forbidden");
    await assert.rejects(streamAuditLogCsv(t.pool, member, {}), (e: unknown) => isAppError(e) && e.code === "forbidden");
    await assert.rejects(findAuditLogPage(t.pool, auditor, { from: "last week" }), (e: unknown) => isAppError(e) && e.code === "bad_input");
    await assert.rejects(findAuditLogPage(t.pool, auditor, { from: "2025-03-01", to: "2025-02-01" }), (e: unknown) => isAppError(e) && e.code === "bad_input");
    const views = await t.pool.query("SELECT 1 FROM audit_event WHERE actor = $1 AND action LIKE 'audit.%'", [s.users.alice.email]);
    assert.equal(views.rowCount, 0);
  });
});
