import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readZip } from "../helpers/zip-reader";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { runCli } from "../helpers/cli";
import { writeDemoExport, DEMO_MEMBER_PERSON_ID } from "../../lib/demo/demo-workspace";

// Compliance exports of the demo archive through the CLI, read back from the ZIP.

let db: TTestDatabase;
let tmp: string;


async function exportZip(args: string[]): Promise<{ summary: { zipPath: string; records: number }; files: Map<string, Buffer> }> {
  const r = await runCli(["export", ...args, "--out", path.join(tmp, "out"), "--json"], { DATABASE_URL: db.url });
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  return { summary, files: await readZip(summary.zipPath) };
}

before(async () => {
  db = await createTestDatabase();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bs-export-"));
  await writeDemoExport(path.join(tmp, "demo"));
  const imp = await runCli(["import", path.join(tmp, "demo")], { DATABASE_URL: db.url });
  assert.equal(imp.code, 0, imp.stderr);
  // A message a spreadsheet would run as a formula.
  await db.pool.query(
    `INSERT INTO message (channel_id, ts, text, search_text, posted_at, text_ts, text_sha256, source, raw_sha256)
     SELECT id, '1793836800.000100', '=HYPERLINK("http://evil.example","x")', '', to_timestamp(1793836800.0001), '1793836800.000100', 'x', 'test', 'x'
     FROM channel WHERE name = 'general'`,
  );
  const u = await runCli(["user", "add", "farid@example.com", "--role", "member", "--person", DEMO_MEMBER_PERSON_ID, "--password", "long-enough-pw"], {
    DATABASE_URL: db.url,
  });
  assert.equal(u.code, 0, u.stderr);
});
after(async () => {
  await db.drop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test("JSONL holds every message with versions, deletions and members at the time, and a manifest with SHA-256", async () => {
  const { summary, files } = await exportZip(["--format", "jsonl"]);
  const total = (await db.pool.query("SELECT count(*)::int AS n FROM message")).rows[0].n;
  assert.equal(summary.records, total);
  const lines = files.get("messages.jsonl")!.toString("utf8").trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.length, total);
  const edited = lines.filter((l) => l.edited);
  assert.ok(edited.length > 0 && edited.every((l) => l.versions.length >= 1));
  assert.ok(lines.some((l) => l.deleted), "the tombstoned thread parent is exported, marked deleted");
  assert.ok(lines.filter((l) => l.channel.kind === "public").every((l) => l.membersAtTime.length > 0));
  const manifest = JSON.parse(files.get("manifest.json")!.toString("utf8"));
  assert.equal(manifest.counts.messages, total);
  assert.equal(manifest.files[0].sha256, createHash("sha256").update(files.get("messages.jsonl")!).digest("hex"));
  const audit = await db.pool.query("SELECT count(*)::int AS n FROM audit_event WHERE action = 'export.create'");
  assert.ok(audit.rows[0].n >= 1);
});

test("two exports of the same data are byte-identical apart from the manifest's time", async () => {
  const a = await exportZip(["--format", "csv", "--channel", "inc-2026-11-03-api-gateway-errors"]);
  const b = await exportZip(["--format", "csv", "--channel", "inc-2026-11-03-api-gateway-errors"]);
  assert.ok(a.summary.records > 10);
  assert.deepEqual(a.files.get("messages.csv"), b.files.get("messages.csv"));
  const ma = JSON.parse(a.files.get("manifest.json")!.toString());
  const mb = JSON.parse(b.files.get("manifest.json")!.toString());
  delete ma.generatedAt;
  delete mb.generatedAt;
  assert.deepEqual(ma, mb);
});

test("CSV neutralises spreadsheet formulas", async () => {
  const { files } = await exportZip(["--format", "csv", "--channel", "general"]);
  const csv = files.get("messages.csv")!.toString("utf8");
  assert.ok(csv.includes(`"'=HYPERLINK(""http://evil.example"",""x"")"`), "formula cell is prefixed and quoted");
  assert.ok(!/(^|,)=HYPERLINK/m.test(csv));
});

test("a member's export holds only what they may read; scope filters apply", async () => {
  const { files } = await exportZip(["--format", "jsonl", "--as", "farid@example.com"]);
  const kinds = new Set(files.get("messages.jsonl")!.toString("utf8").trimEnd().split("\n").map((l) => JSON.parse(l).channel.kind));
  assert.deepEqual([...kinds], ["public"]);
  const day = await exportZip(["--format", "jsonl", "--from", "2026-11-04", "--to", "2026-11-04", "--channel", "inc-2026-11-03-api-gateway-errors"]);
  const days = new Set(day.files.get("messages.jsonl")!.toString("utf8").trimEnd().split("\n").map((l) => JSON.parse(l).postedAt.slice(0, 10)));
  assert.deepEqual([...days], ["2026-11-04"]);
});

test("bad scope is a usage error naming the field", async () => {
  const r = await runCli(["export", "--format", "pdf", "--out", tmp], { DATABASE_URL: db.url });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Unknown export format "pdf"/);
  const r2 = await runCli(["export", "--format", "csv", "--out", tmp, "--channel", "no-such-channel"], { DATABASE_URL: db.url });
  assert.equal(r2.code, 2, r2.stderr);
  assert.match(r2.stderr, /No channel matches no-such-channel/);
});
