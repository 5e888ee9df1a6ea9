import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { after, before, test } from "node:test";
import { corpusSkip, TESTDATA } from "../helpers/corpus";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { rowVersions } from "../helpers/snapshot";
import { findArchiveStats } from "../../lib/archive/stats";
import { ircAdapter } from "../../lib/ingest/adapters/irc/adapter";
import { runIngest } from "../../lib/ingest/run";

/**
 * IRC logs from ../shared/testdata/irc-ubuntu-disentanglement: the
 * new-domains samples (`chan YYYY-MM-DD [HH:MM:SS] <nick> text`) and day
 * slices of #ubuntu (`[HH:MM] <nick> text`, date in the file name, `===`
 * join/part/nick lines without a time). Counts are computed here from the
 * raw lines with regular expressions of the test's own.
 */

const SUB = "irc-ubuntu-disentanglement";
const skip = corpusSkip(SUB);
const TRAIN_FILES = 12;

/** The regular files of a .tar.gz (ustar), in archive order. */
function untar(file: string): { name: string; data: Buffer }[] {
  const buf = zlib.gunzipSync(fs.readFileSync(file));
  const out: { name: string; data: Buffer }[] = [];
  for (let off = 0; off + 512 <= buf.length; ) {
    const header = buf.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const name = header.subarray(0, 100).toString("utf8").replace(/\0.*$/s, "");
    const size = parseInt(header.subarray(124, 136).toString("utf8").replace(/\0.*$/s, "").trim() || "0", 8);
    const type = String.fromCharCode(header[156]!);
    if (type === "0" || type === "\0") out.push({ name: path.basename(name), data: buf.subarray(off + 512, off + 512 + size) });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

const EVENT = /^(?:\S+ \d{4}-\d{2}-\d{2} )?(?:\[[\d:]+\] )?=== (?:(\S+)(?: +\[[^\]]*\])? +has (?:joined|left|quit)|(\S+) is now known as (\S+)|mode\/\S+ \[[^\]]*\] +by (\S+))/;
const PREFIX = /^(?:\S+ \d{4}-\d{2}-\d{2} )?(?:\[[\d:]+\]\s+)?/;

function expectedCounts(files: string[]) {
  let messages = 0;
  let events = 0;
  const people = new Set<string>();
  for (const f of files) {
    for (const line of fs.readFileSync(f, "utf8").split("\n")) {
      if (!line.trim()) continue;
      const e = EVENT.exec(line);
      if (e) {
        events++;
        for (const nick of [e[1], e[2], e[3], e[4]]) if (nick) people.add(nick.toLowerCase());
        continue;
      }
      messages++;
      const body = line.replace(PREFIX, "");
      const nick = /^<[@+]?(.+?)\s*>/.exec(body)?.[1] ?? /^\* ?(\S+)/.exec(body)?.[1] ?? /^-(\S+?)-\s/.exec(body)?.[1] ?? /^=== (\S+)/.exec(body)?.[1];
      if (nick) people.add(nick.toLowerCase());
    }
  }
  return { messages, events, people: people.size };
}

let t: TTestDatabase;
let tmp: string;
before(async () => {
  if (skip) return;
  t = await createTestDatabase();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bs-irc-"));
});
after(async () => {
  await t?.drop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test("IRC logs in two formats land with exact counts; importing again changes nothing", { skip }, async () => {
  const nd = path.join(tmp, "new-domains");
  fs.mkdirSync(nd);
  const src = path.join(TESTDATA, SUB, "new-domains");
  for (const f of fs.readdirSync(src).filter((n) => n.endsWith(".ascii.txt"))) fs.copyFileSync(path.join(src, f), path.join(nd, f));
  const ubuntu = path.join(tmp, "ubuntu");
  fs.mkdirSync(ubuntu);
  const raws = untar(path.join(TESTDATA, SUB, "train-raw-and-annotations.tar.gz")).filter((e) => e.name.endsWith(".raw.txt"));
  for (const e of raws.slice(0, TRAIN_FILES)) fs.writeFileSync(path.join(ubuntu, e.name), e.data);

  const ndFiles = fs.readdirSync(nd).map((n) => path.join(nd, n));
  const ubFiles = fs.readdirSync(ubuntu).map((n) => path.join(ubuntu, n));
  const a = expectedCounts(ndFiles);
  const b = expectedCounts(ubFiles);

  for (const dir of [nd, ubuntu]) {
    assert.equal(await ircAdapter.detect({ location: dir }), true, dir);
    await runIngest({ adapter: ircAdapter, input: { location: dir }, pool: t.pool });
  }
  const s = await findArchiveStats(t.pool);
  assert.equal(s.workspaces, 1);
  assert.deepEqual((await t.pool.query("SELECT name FROM channel ORDER BY 1")).rows.map((r) => r.name), ["mediawiki", "rust", "stripe", "ubuntu", "ubuntu-meeting"]);
  assert.equal(s.messages, a.messages + b.messages);
  assert.equal(s.channelEvents, a.events + b.events);
  // Nicks are case-insensitive; the two sets of logs may share some.
  const people = (await t.pool.query("SELECT count(*)::int AS n FROM person")).rows[0].n;
  assert.ok(people <= a.people + b.people && people >= Math.max(a.people, b.people));
  const ndPeople = (
    await t.pool.query(
      `SELECT count(DISTINCT p.id)::int AS n FROM person p WHERE EXISTS (SELECT 1 FROM message m JOIN channel c ON c.id = m.channel_id WHERE m.author_id = p.id AND c.name <> 'ubuntu')
         OR EXISTS (SELECT 1 FROM channel_event e JOIN channel c ON c.id = e.channel_id WHERE c.name <> 'ubuntu' AND (e.actor = p.external_id OR e.value = p.name))`,
    )
  ).rows[0].n;
  assert.equal(ndPeople, a.people);

  // Actions, joins and nick changes are what they say.
  const kinds = (await t.pool.query("SELECT subtype, count(*)::int AS n FROM channel_event GROUP BY 1 ORDER BY 1")).rows;
  assert.ok(kinds.some((k) => k.subtype === "join" && k.n > 100));
  assert.ok(kinds.some((k) => k.subtype === "nick" && k.n > 10));
  const action = (await t.pool.query("SELECT count(*)::int AS n FROM message WHERE subtype = 'me_message'")).rows[0].n;
  assert.ok(action > 10);
  const first = (await t.pool.query("SELECT m.ts, m.text, p.name FROM message m JOIN person p ON p.id = m.author_id JOIN channel c ON c.id = m.channel_id WHERE c.name = 'rust' ORDER BY m.ts::numeric LIMIT 1")).rows[0];
  assert.equal(first.name, "talchas");
  assert.equal(first.text, "but I don't know that I'd bother");
  assert.equal(first.ts, `${Date.parse("2018-05-29T21:20:37Z") / 1000}.000001`);

  const versions = await rowVersions(t.pool);
  for (const dir of [nd, ubuntu]) await runIngest({ adapter: ircAdapter, input: { location: dir }, pool: t.pool });
  assert.deepEqual(await rowVersions(t.pool), versions);
});
