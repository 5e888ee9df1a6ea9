import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { runCli } from "../helpers/cli";
import { allCommands } from "../../workers/cli/commands";

const COMMANDS = allCommands();
import { writeZip } from "../helpers/zip-writer";

let db: TTestDatabase;
let tmp: string;
before(async () => {
  db = await createTestDatabase();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bs-cli-"));
});
after(async () => {
  await db.drop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test("every command answers --help with exit 0 and its usage", async () => {
  const results = await Promise.all(COMMANDS.map((c) => runCli([...c.name.split(" "), "--help"])));
  for (const [i, r] of results.entries()) {
    assert.equal(r.code, 0, `${COMMANDS[i]!.name} --help`);
    assert.match(r.stdout, new RegExp(`Usage: backscroll ${COMMANDS[i]!.name}`));
  }
});

test("usage errors exit 2 with a message", async () => {
  const unknown = await runCli(["frobnicate"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
  const missing = await runCli(["import"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /wrong number of arguments/);
  const badRole = await runCli(["user", "add", "x@example.com", "--role", "king"], { DATABASE_URL: db.url });
  assert.equal(badRole.code, 2);
  assert.match(badRole.stderr, /--role must be admin, auditor or member/);
});

test("importing a missing path or a non-archive exits 2 naming it", async () => {
  const r = await runCli(["import", path.join(tmp, "nope.zip")], { DATABASE_URL: db.url });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /nope\.zip/);
  fs.writeFileSync(path.join(tmp, "notes.txt"), "hello");
  const r2 = await runCli(["import", path.join(tmp, "notes.txt")], { DATABASE_URL: db.url });
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /notes\.txt/);
});

test("a hostile archive is refused whole before anything is written", async () => {
  const zip = path.join(tmp, "evil.zip");
  const users = JSON.stringify([{ id: "U1", name: "ana" }]);
  const channels = JSON.stringify([{ id: "C1", name: "general", created: 1700000000, members: ["U1"] }]);
  const day = JSON.stringify([{ type: "message", user: "U1", text: "hi", ts: "1700000000.000100" }]);
  writeZip(zip, [
    { name: "users.json", data: users },
    { name: "channels.json", data: channels },
    { name: "general/2023-11-14.json", data: day },
    { name: "../../escape.txt", data: "pwned" },
  ]);
  const r = await runCli(["import", zip], { DATABASE_URL: db.url });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /escape\.txt/);
  const n = await db.pool.query("SELECT (SELECT count(*) FROM workspace)::int + (SELECT count(*) FROM message)::int AS n");
  assert.equal(n.rows[0].n, 0);
  assert.equal(fs.existsSync(path.join(tmp, "..", "..", "escape.txt")), false);
});

test("a wrong type in a day file exits 2 naming file and field; earlier batches stay, the failing one does not", async () => {
  const dir = path.join(tmp, "bad-export");
  fs.mkdirSync(path.join(dir, "general"), { recursive: true });
  fs.writeFileSync(path.join(dir, "users.json"), JSON.stringify([{ id: "U1", team_id: "T1", name: "ana" }]));
  fs.writeFileSync(path.join(dir, "channels.json"), JSON.stringify([{ id: "C1", name: "general", created: 1700000000, members: ["U1"] }]));
  fs.writeFileSync(path.join(dir, "general", "2023-11-14.json"), JSON.stringify([{ type: "message", user: "U1", text: "ok", ts: "1700000000.000100" }]));
  fs.writeFileSync(
    path.join(dir, "general", "2023-11-15.json"),
    JSON.stringify([{ type: "message", user: "U1", text: "fine", ts: "1700086400.000100" }, { type: "message", user: "U1", text: "bad", ts: 1700086401.5 }], null, 1),
  );
  const r = await runCli(["import", dir, "--batch-size", "1"], { DATABASE_URL: db.url });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /general\/2023-11-15\.json/);
  assert.match(r.stderr, /ts/);
  const texts = await db.pool.query("SELECT text FROM message ORDER BY ts");
  assert.equal(texts.rows[0]?.text, "ok", "the batch before the damage is kept");
  assert.ok(!texts.rows.some((x) => x.text === "bad"));
  const run = await db.pool.query("SELECT status, error FROM ingest_run ORDER BY id DESC LIMIT 1");
  assert.equal(run.rows[0].status, "failed");
});
