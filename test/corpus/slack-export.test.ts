import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { TESTDATA, corpusSkip } from "../helpers/corpus";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { REPO, runCli } from "../helpers/cli";
import { contentSnapshot, rowVersions } from "../helpers/snapshot";
import { expectedCounts } from "./slack-export-counts";

// Real exports written by other people, imported through the CLI exactly as a
// user would, checked against figures from an independent walk of the JSON.

const SETS = [
  { name: "slack-export-viewer-testarchive (zip)", input: "slack-export-viewer-testarchive/testarchive.zip", truth: "slack-export-viewer-testarchive/extracted" },
  { name: "slack-houstondatavis (folder)", input: "slack-houstondatavis", truth: "slack-houstondatavis" },
  { name: "slackdump-fixtures (standard layout with DM/MPIM lists)", input: "slackdump-fixtures/export_dir_standard", truth: "slackdump-fixtures/export_dir_standard" },
];

for (const set of SETS) {
  describe(set.name, { skip: corpusSkip(set.input) }, () => {
    let db: TTestDatabase;
    before(async () => {
      db = await createTestDatabase();
    });
    after(async () => {
      await db?.drop();
    });

    test("import gives exactly the independently computed counts, and a second import changes nothing", async () => {
      const expected = expectedCounts(path.join(TESTDATA, set.truth));
      const first = await runCli(["import", path.join(TESTDATA, set.input), "--json"], { DATABASE_URL: db.url });
      assert.equal(first.code, 0, first.stderr);
      const stats = await runCli(["stats", "--json"], { DATABASE_URL: db.url });
      const got = JSON.parse(stats.stdout);
      const { memberships: _m, ...counts } = got;
      assert.deepEqual(counts, expected);
      const rows = await rowVersions(db.pool);
      const second = await runCli(["import", path.join(TESTDATA, set.input), "--json"], { DATABASE_URL: db.url });
      assert.equal(second.code, 0, second.stderr);
      assert.deepEqual(JSON.parse(second.stdout).archive, got);
      assert.deepEqual(await rowVersions(db.pool), rows, "no row was rewritten by the second import");
    });

    test("in batches of 7, written two at a time where they share no key, the archive is the same", async () => {
      const small = await createTestDatabase();
      try {
        const r = await runCli(["import", path.join(TESTDATA, set.input), "--json", "--batch-size", "7"], { DATABASE_URL: small.url });
        assert.equal(r.code, 0, r.stderr);
        assert.ok(JSON.parse(r.stdout).batches > 2);
        assert.deepEqual(await contentSnapshot(small.pool), await contentSnapshot(db.pool));
      } finally {
        await small.drop();
      }
    });
  });
}

describe("kill -9 in the middle of an import, then resume", { skip: corpusSkip("slack-houstondatavis") }, () => {
  let killed: TTestDatabase;
  let clean: TTestDatabase;
  before(async () => {
    [killed, clean] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  });
  after(async () => {
    await Promise.all([killed?.drop(), clean?.drop()]);
  });

  test("ends in exactly the state of an uninterrupted import", async () => {
    const input = path.join(TESTDATA, "slack-houstondatavis");
    const child = spawn(process.execPath, [path.join(REPO, "bin", "backscroll.mjs"), "import", input, "--batch-size", "5"], {
      env: { ...process.env, DATABASE_URL: killed.url, LOG_LEVEL: "warn" },
      stdio: "ignore",
    });
    // Kill it once a few batches are committed, mid-run.
    for (;;) {
      const r = await killed.pool.query("SELECT position FROM ingest_checkpoint").catch(() => ({ rows: [] as unknown[] }));
      if (r.rows.length > 0) break;
      if (child.exitCode !== null) assert.fail("import finished before it could be interrupted");
      await new Promise((res) => setTimeout(res, 20));
    }
    child.kill("SIGKILL");
    await new Promise((res) => child.once("close", res));
    const mid = await killed.pool.query("SELECT count(*)::int AS n FROM message");
    const resumed = await runCli(["import", input, "--json", "--batch-size", "5"], { DATABASE_URL: killed.url });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(JSON.parse(resumed.stdout).resumed, true, `resumed after ${mid.rows[0].n} messages`);
    const whole = await runCli(["import", input, "--json"], { DATABASE_URL: clean.url });
    assert.equal(whole.code, 0, whole.stderr);
    assert.deepEqual(await contentSnapshot(killed.pool), await contentSnapshot(clean.pool));
  });
});
