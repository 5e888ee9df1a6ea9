import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { after, before, test } from "node:test";
import { corpusSkip, TESTDATA } from "../helpers/corpus";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { rowVersions } from "../helpers/snapshot";
import { salAdapter } from "../../lib/ingest/adapters/server-admin-log/adapter";
import { runIngest } from "../../lib/ingest/run";

/**
 * The Miraheze Server Admin Log 2015–2024 (../shared/testdata/miraheze-sal-and-incidents):
 * every entry a message, every START/END and deploy pair an execution.
 * Counts come from the raw lines with the test's own expressions.
 */

const SUB = "miraheze-sal-and-incidents";
const skip = corpusSkip(SUB);
const DIR = path.join(TESTDATA, SUB, "server_admin_log");

function expected() {
  let entries = 0;
  let starts = 0;
  let ends = 0;
  let exit0 = 0;
  let exitNonZero = 0;
  let deployStarts = 0;
  let deploySuccess = 0;
  let deployFail = 0;
  let deployEnds = 0;
  for (const f of fs.readdirSync(DIR).sort()) {
    const buf = fs.readFileSync(path.join(DIR, f));
    const text = (f.endsWith(".gz") ? zlib.gunzipSync(buf) : buf).toString("utf8");
    let inDay = false;
    for (const line of text.split("\n")) {
      if (/^## \d{4}-\d\d-\d\d\s*$/.test(line)) inDay = true;
      if (!inDay) continue;
      const m = /^\* ~?(\d{1,2}):(\d\d)/.exec(line);
      if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) continue;
      entries++;
      const body = line.replace(/^\* \S+ [^:]{1,40}?: ?/, "");
      if (/^\[[^\]\s@]*@\S+\] .+ \(START\)\s*$/.test(body)) starts++;
      const end = /^\[[^\]\s@]*@\S+\] .+ \(END(?: - exit=(-?\d+))?\)\s*$/.exec(body);
      if (end) {
        ends++;
        if (end[1] === "0") exit0++;
        else if (end[1] !== undefined) exitNonZero++;
      }
      if (/^\[[^\]\s@]*@\S+\] starting deploy of /.test(body)) deployStarts++;
      if (/^\[[^\]\s@]*@\S+\] finished deploy of /.test(body)) {
        deployEnds++;
        if (/ - SUCCESS\b/.test(body)) deploySuccess++;
        if (/ - FAIL\b/.test(body)) deployFail++;
      }
    }
  }
  return { entries, starts, ends, exit0, exitNonZero, deployStarts, deployEnds, deploySuccess, deployFail };
}

let t: TTestDatabase;
before(async () => {
  if (!skip) t = await createTestDatabase();
});
after(async () => {
  await t?.drop();
});

test("a Server Admin Log becomes messages and paired executions; importing again changes nothing", { skip }, async () => {
  const want = expected();
  assert.ok(want.entries > 40000 && want.starts > 1000 && want.deploySuccess > 1000);
  assert.equal(await salAdapter.detect({ location: DIR }), true);
  await runIngest({ adapter: salAdapter, input: { location: DIR }, pool: t.pool });
  const q = async (sql: string) => (await t.pool.query(sql)).rows[0].n as number;
  assert.equal(await q("SELECT count(*)::int AS n FROM message"), want.entries);
  const run = "e.source = 'sal' AND e.command <> 'deploy'";
  assert.equal(await q(`SELECT count(*)::int AS n FROM execution e WHERE ${run} AND exit_code = 0`), want.exit0);
  assert.equal(await q(`SELECT count(*)::int AS n FROM execution e WHERE ${run} AND exit_code <> 0`), want.exitNonZero);
  assert.equal(await q("SELECT count(*)::int AS n FROM execution WHERE command = 'deploy' AND status = 'succeeded'"), want.deploySuccess);
  assert.equal(await q("SELECT count(*)::int AS n FROM execution WHERE command = 'deploy' AND status = 'failed'"), want.deployFail);
  // Every START and every END is in exactly one execution: runs = starts + ends - pairs.
  const trig = `JOIN message m ON m.channel_id = e.channel_id AND m.ts = e.message_ts`;
  const startRuns = await q(`SELECT count(*)::int AS n FROM execution e ${trig} WHERE ${run} AND m.text LIKE '%(START)'`);
  const pairs = await q(`SELECT count(*)::int AS n FROM execution e ${trig} WHERE ${run} AND m.text LIKE '%(START)' AND e.finished_at IS NOT NULL`);
  assert.equal(startRuns, want.starts);
  assert.equal(await q(`SELECT count(*)::int AS n FROM execution e WHERE ${run}`), want.starts + want.ends - pairs);
  const deployStartRuns = await q(`SELECT count(*)::int AS n FROM execution e ${trig} WHERE e.command = 'deploy' AND m.text LIKE '%starting deploy of%'`);
  const deployPairs = await q(`SELECT count(*)::int AS n FROM execution e ${trig} WHERE e.command = 'deploy' AND m.text LIKE '%starting deploy of%' AND e.finished_at IS NOT NULL`);
  assert.equal(deployStartRuns, want.deployStarts);
  assert.equal(await q("SELECT count(*)::int AS n FROM execution WHERE command = 'deploy'"), want.deployStarts + want.deployEnds - deployPairs);
  assert.ok(pairs > want.starts * 0.9, `most runs are paired (${pairs} of ${want.starts})`);
  assert.equal(await q("SELECT count(*)::int AS n FROM execution WHERE finished_at < started_at"), 0);
  assert.equal(await q("SELECT count(*)::int AS n FROM execution e WHERE NOT EXISTS (SELECT 1 FROM message m WHERE m.channel_id = e.channel_id AND m.ts = e.message_ts)"), 0);

  const versions = await rowVersions(t.pool);
  await runIngest({ adapter: salAdapter, input: { location: DIR }, pool: t.pool });
  assert.deepEqual(await rowVersions(t.pool), versions);
});
