import assert from "node:assert/strict";
import { test } from "node:test";
import { parseSalEntry, parseSalRun } from "./parse";

test("entries with nick, without nick, with odd time forms", () => {
  assert.deepEqual(parseSalEntry("* 23:33 MirahezeLSBot: [@mw11] finished deploy", 4), { line: 4, minute: 23 * 60 + 33, nick: "MirahezeLSBot", text: "[@mw11] finished deploy" });
  assert.equal(parseSalEntry("* 20:32 Universal Omega: sudo -u www-data x: y", 1)?.nick, "Universal Omega");
  assert.equal(parseSalEntry("* 19:40 paladox:", 1)?.text, "");
  assert.equal(parseSalEntry("* ~19:45 Southparkfan: ran x", 1)?.minute, 19 * 60 + 45);
  assert.equal(parseSalEntry("## 2021-12-31", 1), null);
});

test("START/END pairs and deploys", () => {
  const s = parseSalRun("[reception@mwtask1] sudo -u www-data php rebuildall.php --wiki=x (START)");
  const e = parseSalRun("[reception@mwtask1] sudo -u www-data php rebuildall.php --wiki=x (END - exit=256)");
  assert.ok(s?.kind === "start" && e?.kind === "end");
  assert.equal(s.key, e.key);
  assert.equal(e.kind === "end" && e.exitCode, 256);
  assert.equal(e.kind === "end" && e.status, "failed");
  const ds = parseSalRun("[@mw11] starting deploy of {'config': True} to ovlon");
  const de = parseSalRun("[@mw11] finished deploy of {'config': True} to ovlon - SUCCESS in 42s");
  assert.ok(ds?.kind === "start" && de?.kind === "end" && ds.key === de.key && de.durationS === 42 && de.exitCode === 0);
  const fail = parseSalRun("[rhinos@test3] finished deploy of {'world': True} to skip - FAIL: [2, 2] in 50s");
  assert.ok(fail?.kind === "end" && fail.status === "failed" && fail.exitCode === 2);
  assert.equal(parseSalRun("restarted php-fpm on mw1"), null);
});
