import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { test } from "node:test";
import { findSecrets, maskSecrets } from "../../lib/compliance/secrets";
import { corpusSkip, TESTDATA } from "../helpers/corpus";

/**
 * False positives of the secret masker on real operations and chat text
 * (../shared/testdata, whose tokens were redacted at the source): a Server
 * Admin Log of 45,000 entries full of host names, paths, commands and
 * versions, and real Slack exports. Masking ordinary text would hide what
 * operators need to read, so (almost) nothing may be masked.
 */

/** At most this share of lines may be flagged (each flag is printed, to judge by eye). */
const MAX_FLAGGED_SHARE = 0.0005;

function checkLines(lines: string[], what: string): void {
  const flagged = lines.filter((l) => findSecrets(l).length > 0);
  for (const l of flagged.slice(0, 20)) process.stdout.write(`# flagged in ${what}: ${maskSecrets(l).slice(0, 200)}\n`);
  assert.ok(lines.length > 1000, `${what}: read ${lines.length} lines`);
  assert.ok(flagged.length <= lines.length * MAX_FLAGGED_SHARE, `${what}: ${flagged.length} of ${lines.length} lines flagged`);
  for (const l of lines.slice(0, 2000)) assert.equal(maskSecrets(maskSecrets(l)), maskSecrets(l), "idempotent");
}

const SAL = "miraheze-sal-and-incidents";
test("the Server Admin Log is not masked", { skip: corpusSkip(SAL) }, () => {
  const dir = path.join(TESTDATA, SAL, "server_admin_log");
  const lines: string[] = [];
  for (const f of fs.readdirSync(dir).sort()) {
    const buf = fs.readFileSync(path.join(dir, f));
    const text = (f.endsWith(".gz") ? zlib.gunzipSync(buf) : buf).toString("utf8");
    lines.push(...text.split("\n").filter((l) => l.startsWith("* ")));
  }
  checkLines(lines, SAL);
});

const SLACK = "slack-houstondatavis";
test("real Slack messages are not masked", { skip: corpusSkip(SLACK) }, () => {
  const texts: string[] = [];
  const walk = (d: string) => {
    for (const f of fs.readdirSync(d)) {
      const p = path.join(d, f);
      if (fs.statSync(p).isDirectory()) walk(p);
      else if (/\d{4}-\d{2}-\d{2}\.json$/.test(f)) {
        for (const m of JSON.parse(fs.readFileSync(p, "utf8")) as { text?: unknown }[]) if (typeof m.text === "string" && m.text) texts.push(m.text);
      }
    }
  };
  walk(path.join(TESTDATA, SLACK));
  checkLines(texts, SLACK);
});
