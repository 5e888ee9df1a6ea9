import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readZip } from "../helpers/zip-reader";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { runCli } from "../helpers/cli";
import { writeDemoExport } from "../../lib/demo/demo-workspace";
import { runExport } from "../../lib/export/service";

// The eml, actiance, html and slack export formats on the demo archive, read back from the ZIP.

let db: TTestDatabase;
let tmp: string;

const ODD_TS = "1793836900.000100";
const ODD_TEXT = "From the top: <script>alert(1)</script> & \u0001 \"quotes\" ünïcode ☃\nFrom here\n>From there";
const EDIT_OLD = "restart the gateway first (typo: gatway)";


async function exportZip(url: string, args: string[]) {
  const r = await runCli(["export", ...args, "--out", path.join(tmp, "out"), "--json"], { DATABASE_URL: url });
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as { zipPath: string; records: number; files: { name: string; bytes: number; sha256: string; records?: number }[] };
  return { summary, files: await readZip(summary.zipPath) };
}

/** Every data file of two runs is byte-identical, and the manifest lists each with its SHA-256 and record count. */
async function assertDeterministicWithManifest(format: string): Promise<Map<string, Buffer>> {
  const a = await exportZip(db.url, ["--format", format]);
  const b = await exportZip(db.url, ["--format", format]);
  const names = [...a.files.keys()].filter((n) => n !== "manifest.json");
  assert.deepEqual(names, [...b.files.keys()].filter((n) => n !== "manifest.json"));
  for (const n of names) assert.ok(a.files.get(n)!.equals(b.files.get(n)!), `${format}: ${n} differs between runs`);
  const manifest = JSON.parse(a.files.get("manifest.json")!.toString("utf8"));
  assert.deepEqual(manifest.files.map((f: { name: string }) => f.name).sort(), [...names].sort());
  for (const f of manifest.files) {
    const bytes = a.files.get(f.name)!;
    assert.equal(f.bytes, bytes.length, f.name);
    assert.equal(f.sha256, createHash("sha256").update(bytes).digest("hex"), f.name);
  }
  const total = (await db.pool.query("SELECT count(*)::int AS n FROM message")).rows[0].n;
  assert.equal(manifest.counts.messages, total);
  assert.equal(a.summary.records, total);
  assert.equal(manifest.files.reduce((s: number, f: { records?: number }) => s + (f.records ?? 0), 0), total);
  return a.files;
}

before(async () => {
  db = await createTestDatabase();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bs-export-formats-"));
  await writeDemoExport(path.join(tmp, "demo"));
  const imp = await runCli(["import", path.join(tmp, "demo")], { DATABASE_URL: db.url });
  assert.equal(imp.code, 0, imp.stderr);
  // A message with markup, a control character, non-ASCII text and mbox "From " lines.
  await db.pool.query(
    `INSERT INTO message (channel_id, ts, text, search_text, posted_at, text_ts, text_sha256, source, raw_sha256, author_id)
     SELECT c.id, $1, $2, '', to_timestamp(1793836900.0001), $1, 'x', 'test', 'x', p.id
     FROM channel c, person p WHERE c.name = 'general' AND p.external_id = 'U0DEMOALICE'`,
    [ODD_TS, ODD_TEXT],
  );
  // An edited message with its earlier text known, and a deletion with its time.
  const edited = await db.pool.query(
    `SELECT m.id, m.ts, m.text, m.edited_ts, m.edited_by FROM message m JOIN channel c ON c.id = m.channel_id
     WHERE m.edited_ts IS NOT NULL AND NOT m.deleted ORDER BY c.name, m.ts LIMIT 1`,
  );
  const e = edited.rows[0];
  await db.pool.query(
    `INSERT INTO message_version (message_id, text_sha256, text, valid_from_ts, edited_by, source) VALUES
     ($1, 'old', $2, $3, NULL, 'test'), ($1, 'new', $4, $5, $6, 'test')`,
    [e.id, EDIT_OLD, e.ts, e.text, e.edited_ts, e.edited_by],
  );
  await db.pool.query(
    `UPDATE message SET deleted = true, deleted_at = '2026-11-20T10:00:00.123Z'
     WHERE id = (SELECT m.id FROM message m JOIN channel c ON c.id = m.channel_id WHERE c.name = 'random' AND NOT m.deleted ORDER BY m.ts LIMIT 1)`,
  );
});
after(async () => {
  await db.drop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test("eml: one mbox per channel, one RFC 5322 mail per message, deterministic", async () => {
  const files = await assertDeterministicWithManifest("eml");
  const channels = (await db.pool.query("SELECT count(DISTINCT channel_id)::int AS n FROM message")).rows[0].n;
  const mboxes = [...files.keys()].filter((n) => n.startsWith("mbox/"));
  assert.equal(mboxes.length, channels);
  assert.ok(mboxes.includes("mbox/general.mbox"));
  const general = files.get("mbox/general.mbox")!.toString("utf8");
  const mails = general.split(/^(?=From \S+ \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$)/m);
  const count = (await db.pool.query("SELECT count(*)::int AS n FROM message m JOIN channel c ON c.id = m.channel_id WHERE c.name = 'general'")).rows[0].n;
  assert.equal(mails.length, count, "each mail starts with its own From_ line");
  const odd = mails.find((m) => m.includes(`X-Backscroll-Ts: ${ODD_TS}`))!;
  assert.ok(odd.startsWith("From U0DEMOALICE@t0demo0001.slack.invalid Thu Nov  5 00:01:40 2026\n"), odd.slice(0, 80));
  assert.match(odd, /^From: "alice\.nguyen" <U0DEMOALICE@t0demo0001\.slack\.invalid>$/m);
  assert.match(odd, /^Date: Thu, 05 Nov 2026 00:01:40 \+0000$/m);
  assert.match(odd, /^Message-ID: <1793836900\.000100\.C0DEMOGENRL@t0demo0001\.slack\.invalid>$/m);
  assert.match(odd, /^Subject: \[#general\] From the top: <script>alert\(1\)<\/script> &\n {3}=\?UTF-8\?Q\?=22quotes=22=E2=80=A6\?=\n/m);
  assert.ok(odd.includes("\n\n>From the top: <script>alert(1)</script> & =01 \"quotes\" =C3=BCn=C3=AFcode =\n=E2=98=83\n"), "quoted-printable body");
  assert.match(odd, /^To: <U0DEMOALICE@t0demo0001\.slack\.invalid>,$/m);
  assert.match(odd, /^Content-Transfer-Encoding: quoted-printable$/m);
  assert.match(odd, /^X-Backscroll-Deleted: no$/m);
  // mboxrd: body lines that read as From_ lines get one more ">".
  assert.match(odd, /^>From the top:/m);
  assert.match(odd, /^>From here$/m);
  assert.match(odd, /^>>From there$/m);
  assert.ok(!odd.slice(0, odd.indexOf("\n\n")).includes("\u0001"), "no control character in headers");
  // A thread reply points at its parent.
  const reply = (await db.pool.query(
    `SELECT m.ts, m.thread_ts, c.name, c.external_id FROM message m JOIN channel c ON c.id = m.channel_id
     WHERE m.thread_ts IS NOT NULL AND m.thread_ts <> m.ts ORDER BY c.name, m.ts LIMIT 1`,
  )).rows[0];
  const box = files.get(`mbox/${reply.name}.mbox`)!.toString("utf8");
  const mail = box.split(/^(?=From \S+ \w{3} \w{3} )/m).find((m) => m.includes(`X-Backscroll-Ts: ${reply.ts}\n`))!;
  const parentId = `<${reply.thread_ts}.${reply.external_id}@t0demo0001.slack.invalid>`;
  assert.ok(mail.includes(`In-Reply-To: ${parentId}\nReferences: ${parentId}\n`), mail);
  // Versions and deletions are in the body and headers.
  const all = mboxes.map((n) => files.get(n)!.toString("utf8")).join("");
  assert.ok(all.includes("X-Backscroll-Versions: 2\n") && all.includes(`] ${EDIT_OLD}\n`));
  assert.ok(all.includes("X-Backscroll-Deleted: yes 2026-11-20T10:00:00.123Z\n") && all.includes("Deleted: 2026-11-20T10:00:00.123Z"));
  assert.match(all, /^Reaction :\w+: U0DEMO/m);
});

test("actiance: a FileDump per channel, one Conversation per channel and day, escaped", async () => {
  const files = await assertDeterministicWithManifest("actiance");
  const xml = files.get("actiance/general.xml")!.toString("utf8");
  assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<FileDump xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'));
  assert.ok(xml.endsWith("</FileDump>\n"));
  const days = (await db.pool.query(
    `SELECT count(DISTINCT to_char(m.posted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'))::int AS n FROM message m JOIN channel c ON c.id = m.channel_id WHERE c.name = 'general'`,
  )).rows[0].n;
  assert.equal(xml.match(/<Conversation Perspective="#general">/g)!.length, days);
  assert.equal(xml.match(/<\/Conversation>/g)!.length, days);
  assert.ok(xml.includes("<RoomID>public - general - C0DEMOGENRL</RoomID>"));
  assert.equal(xml.match(/<ParticipantEntered>/g)!.length, xml.match(/<ParticipantLeft>/g)!.length, "everyone who enters leaves by the end");
  // A join during the day's conversation enters its member at the join itself, once (the demo's Dana joins the incident at 22:45:10).
  const incident = files.get("actiance/inc-2026-11-03-api-gateway-errors.xml")!.toString("utf8");
  const danaEntered = [...incident.matchAll(/<ParticipantEntered>\s*<LoginName>U0DEMODANA<\/LoginName>\s*<DateTimeUTC>(\d+)<\/DateTimeUTC>/g)].map((m) => Number(m[1]));
  assert.equal(danaEntered[0], Date.UTC(2026, 10, 3, 22, 45, 10) / 1000);
  // …and at the start of each later day's conversation, once per conversation.
  assert.equal(danaEntered.length, incident.match(/<Conversation /g)!.length);
  assert.equal(incident.match(/<ParticipantEntered>/g)!.length, incident.match(/<ParticipantLeft>/g)!.length);
  assert.ok(xml.includes("<Content>From the top: &lt;script&gt;alert(1)&lt;/script&gt; &amp;  &quot;quotes&quot; ünïcode ☃\nFrom here\n&gt;From there</Content>"));
  assert.ok(!xml.includes("\u0001"));
  const all = [...files].filter(([n]) => n.endsWith(".xml")).map(([, b]) => b.toString("utf8")).join("");
  assert.ok(all.includes(`<Content>${EDIT_OLD}</Content>`) && all.includes("<Content>(edited) "));
  assert.ok(all.includes("<Content>(deleted) "));
  const fileMsgs = (await db.pool.query("SELECT count(*)::int AS n FROM message_file")).rows[0].n;
  assert.equal((all.match(/<FileTransferStarted>/g) ?? []).length, fileMsgs);
  assert.equal((all.match(/<Status>Completed<\/Status>/g) ?? []).length, fileMsgs);
});

test("actiance: a channel with events and no message has no file, even when its event is the first record", async () => {
  // Channels are exported in id order: id 0 comes first.
  await db.pool.query(
    `INSERT INTO channel (id, workspace_id, external_id, name, kind, archived, raw_sha256, source)
     SELECT 0, workspace_id, 'C0QUIET', 'aaa-quiet', 'public', false, 'x', 'test' FROM channel LIMIT 1`,
  );
  try {
    await db.pool.query(
      `INSERT INTO channel_event (channel_id, ts, kind, subtype, actor, text, occurred_at, raw, source, raw_sha256)
       SELECT 0, '1793836000.000100', 'join', 'channel_join', external_id, 'joined', to_timestamp(1793836000), '{}', 'test', 'x' FROM person LIMIT 1`,
    );
    const files = await exportZip(db.url, ["--format", "actiance"]);
    assert.ok(files.files.has("actiance/general.xml"));
    assert.ok(![...files.files.keys()].some((n) => n.includes("quiet")), "no file for the quiet channel");
  } finally {
    await db.pool.query("DELETE FROM channel WHERE id = 0");
  }
});

test("html: a page per channel and day, an index, escaped, no scripts", async () => {
  const files = await assertDeterministicWithManifest("html");
  const pages = (await db.pool.query(
    `SELECT c.name, to_char(m.posted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::int AS n FROM message m JOIN channel c ON c.id = m.channel_id GROUP BY 1, 2 ORDER BY 1, 2`,
  )).rows;
  const htmlPages = [...files.keys()].filter((n) => n.startsWith("html/") && n !== "html/index.html");
  assert.equal(htmlPages.length, pages.length);
  const index = files.get("html/index.html")!.toString("utf8");
  for (const p of pages) assert.ok(index.includes(`<a href="${encodeURI(`${p.name}/${p.day}.html`)}">${p.day}</a></td><td class="note">${p.n} messages</td>`), `${p.name} ${p.day}`);
  const day = files.get("html/general/2026-11-05.html")!.toString("utf8");
  assert.ok(day.includes("From the top: &lt;script&gt;alert(1)&lt;/script&gt; &amp;  &quot;quotes&quot; ünïcode ☃"));
  for (const [n, b] of files) if (n.endsWith(".html")) assert.ok(!/<script|<link|<img|<iframe|\ssrc=/i.test(b.toString("utf8")), `${n} has a script or a remote resource`);
  const all = htmlPages.map((n) => files.get(n)!.toString("utf8")).join("");
  assert.match(all, /class="m reply"/);
  assert.match(all, /↳ reply in thread/);
  assert.match(all, /<summary>edited — 2 versions<\/summary>/);
  assert.match(all, /class="del">deleted 2026-11-20T10:00:00\.123Z/);
});

test("slack: the export imports back into an empty archive with the same content", async () => {
  const files = await assertDeterministicWithManifest("slack");
  for (const f of ["users.json", "channels.json", "groups.json", "dms.json", "mpims.json"]) assert.ok(files.has(f), f);
  const general = JSON.parse(files.get("general/2026-11-05.json")!.toString("utf8"));
  assert.deepEqual(general.find((m: { ts: string }) => m.ts === ODD_TS), { type: "message", ts: ODD_TS, user: "U0DEMOALICE", text: ODD_TEXT, team: "T0DEMO0001" });
  const zip = (await exportZip(db.url, ["--format", "slack"])).summary.zipPath;
  const target = await createTestDatabase();
  try {
    const imp = await runCli(["import", zip], { DATABASE_URL: target.url });
    assert.equal(imp.code, 0, imp.stderr);
    const counts = `SELECT (SELECT count(*) FROM channel)::int AS channels, (SELECT count(*) FROM person)::int AS people,
      (SELECT count(*) FROM message)::int AS messages, (SELECT count(*) FROM message_version)::int AS versions,
      (SELECT count(*) FROM message WHERE deleted)::int AS deleted, (SELECT count(*) FROM message WHERE deleted_at IS NOT NULL)::int AS deleted_at,
      (SELECT count(*) FROM reaction)::int AS reactions, (SELECT count(*) FROM message_file)::int AS files,
      (SELECT count(*) FROM (SELECT DISTINCT channel_id, person_id FROM membership WHERE left_at IS NULL) x)::int AS members,
      (SELECT count(*) FROM channel_event)::int AS channel_events`;
    const [a, b] = [(await db.pool.query(counts)).rows[0], (await target.pool.query(counts)).rows[0]];
    assert.deepEqual(b, a);
    const content = `SELECT c.external_id, c.name, c.kind::text, m.ts, m.thread_ts, m.subtype, m.text, m.deleted, m.deleted_at, m.edited_ts, m.edited_by,
        p.external_id AS author, m.bot_id,
        (SELECT string_agg(v.text || '@' || v.valid_from_ts, '|' ORDER BY v.valid_from_ts) FROM message_version v WHERE v.message_id = m.id) AS versions,
        (SELECT string_agg(r.name || ':' || r.user_external, ' ' ORDER BY r.name, r.user_external) FROM reaction r WHERE r.message_id = m.id) AS reactions,
        (SELECT string_agg(f.external_id || ':' || coalesce(f.name, ''), ' ' ORDER BY f.external_id) FROM message_file mf JOIN file f ON f.id = mf.file_id WHERE mf.message_id = m.id) AS files
      FROM message m JOIN channel c ON c.id = m.channel_id LEFT JOIN person p ON p.id = m.author_id ORDER BY c.external_id, m.ts`;
    const [ra, rb] = [(await db.pool.query(content)).rows, (await target.pool.query(content)).rows];
    assert.equal(rb.length, ra.length);
    for (let i = 0; i < ra.length; i++) assert.deepEqual(rb[i], ra[i], `${ra[i].external_id} ${ra[i].ts}`);
    const events = `SELECT c.external_id, e.ts, e.kind, e.subtype, e.actor, e.subject, e.value, e.text FROM channel_event e JOIN channel c ON c.id = e.channel_id ORDER BY c.external_id, e.ts`;
    const [ea, eb] = [(await db.pool.query(events)).rows, (await target.pool.query(events)).rows];
    assert.ok(ea.length > 0, "the demo archive has channel events");
    assert.deepEqual(eb, ea);
    const pinned = `SELECT c.external_id, m.ts FROM message m JOIN channel c ON c.id = m.channel_id WHERE message_pinned_now(m.channel_id, m.ts, m.pinned) ORDER BY 1, 2`;
    assert.deepEqual((await target.pool.query(pinned)).rows, (await db.pool.query(pinned)).rows, "what is pinned now is the same");
    const people = `SELECT external_id, name, real_name, display_name, email, is_bot FROM person ORDER BY external_id`;
    assert.deepEqual((await target.pool.query(people)).rows, (await db.pool.query(people)).rows);
  } finally {
    await target.drop();
  }
});

test("slack: channels.json pins what is pinned now, pin and unpin events included", async () => {
  const two = (
    await db.pool.query<{ id: string; ts: string; channel_id: number }>(
      `SELECT m.id, m.ts, m.channel_id FROM message m JOIN channel c ON c.id = m.channel_id
       WHERE c.name = 'general' AND NOT m.deleted AND NOT m.pinned ORDER BY m.ts LIMIT 2`,
    )
  ).rows;
  const [unpinned, pinnedByEvent] = two as [(typeof two)[number], (typeof two)[number]];
  const event = (ts: string, kind: string, value: string) =>
    db.pool.query(
      `INSERT INTO channel_event (channel_id, ts, kind, subtype, value, text, occurred_at, source, raw_sha256)
       VALUES ($1, $2::text, $3, $4, $5, '', to_timestamp($2::text::numeric), 'test', 'x')`,
      [unpinned.channel_id, ts, kind, kind === "pin" ? "pinned_item" : "unpinned_item", value],
    );
  // Flagged pinned by its source, then unpinned; and pinned by an event alone.
  await db.pool.query("UPDATE message SET pinned = true WHERE id = $1", [unpinned.id]);
  await event("1793836901.000100", "unpin", unpinned.ts);
  await event("1793836902.000100", "pin", pinnedByEvent.ts);
  try {
    const { files } = await exportZip(db.url, ["--format", "slack", "--channel", "#general"]);
    const channels = JSON.parse(files.get("channels.json")!.toString("utf8")) as { name: string; pins?: { id: string }[] }[];
    const pins = (channels.find((c) => c.name === "general")!.pins ?? []).map((p) => p.id);
    assert.ok(pins.includes(pinnedByEvent.ts), "a message pinned by an event is listed");
    assert.ok(!pins.includes(unpinned.ts), "a message unpinned since is not");
    const now = await db.pool.query<{ ts: string }>(
      "SELECT ts FROM message WHERE channel_id = $1 AND message_pinned_now(channel_id, ts, pinned) ORDER BY ts",
      [unpinned.channel_id],
    );
    assert.deepEqual(pins, now.rows.map((r) => r.ts));
  } finally {
    await db.pool.query("DELETE FROM channel_event WHERE source = 'test' AND kind IN ('pin', 'unpin')");
    await db.pool.query("UPDATE message SET pinned = false WHERE id = $1", [unpinned.id]);
  }
});

test("an export stopped midway leaves nothing behind; an empty one still has its files", async () => {
  const out = path.join(tmp, "stopped");
  let calls = 0;
  // Stops after 100 records, in the middle of a day file.
  const signal = { throwIfAborted: () => { if (++calls > 100) throw new Error("stopped by test"); } } as unknown as AbortSignal;
  const admin = { userId: 0, role: "admin" as const, personId: null };
  await assert.rejects(
    runExport(db.pool, admin, { format: "slack", scope: {}, outDir: out, requester: { userId: null, email: "test" }, signal }),
    /stopped by test/,
  );
  assert.deepEqual(fs.readdirSync(out), []);
  const empty = await exportZip(db.url, ["--format", "jsonl", "--from", "2030-01-01"]);
  assert.equal(empty.summary.records, 0);
  assert.deepEqual([...empty.files.keys()], ["messages.jsonl", "manifest.json"]);
  assert.equal(empty.files.get("messages.jsonl")!.length, 0);
  const slack = await exportZip(db.url, ["--format", "slack", "--from", "2030-01-01"]);
  assert.deepEqual([...slack.files.keys()].sort(), ["channels.json", "dms.json", "groups.json", "manifest.json", "mpims.json", "users.json"]);
});
