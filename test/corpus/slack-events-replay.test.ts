import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { corpusSkip, TESTDATA } from "../helpers/corpus";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import type { NChannel, NWorkspace } from "../../lib/ingest/adapter";
import { applyBatch } from "../../lib/ingest/load";
import { applySlackEvents, EVENTS_PER_BATCH } from "../../lib/sources/events-service";
import { sha256Json } from "../../lib/ingest/adapters/slack-export/normalize";
import { findArchiveStats } from "../../lib/archive/stats";

/**
 * Replays the real Clojurians event stream (9 days of RTM events, the same
 * inner events the Events API delivers) through the receiver's processing
 * path (events normaliser + loader), and checks the archive against figures computed here by a
 * plain walk over the JSON: each message's final text after the changes in
 * stream order, the deleted messages, and the distinct texts per message.
 */

const SUB = "slack-clojurians-rtm";
const skip = corpusSkip(SUB);
const DIR = path.join(TESTDATA, SUB);
const TEAM = "T03RZGPFR";
const CHANNEL_EVENT_SUBTYPES = new Set(["channel_join", "channel_leave", "channel_topic", "channel_purpose", "channel_name", "channel_archive", "channel_unarchive", "pinned_item", "unpinned_item", "group_join", "group_leave"]);

type TEv = Record<string, unknown> & { type: string; subtype?: string; channel: string; ts: string };
type TInner = { ts: string; text?: string; subtype?: string };

function readEvents(): TEv[] {
  const out: TEv[] = [];
  for (const f of fs.readdirSync(path.join(DIR, "logs")).sort()) {
    for (const line of fs.readFileSync(path.join(DIR, "logs", f), "utf8").split("\n")) if (line.trim()) out.push(JSON.parse(line) as TEv);
  }
  return out;
}

interface TExpected {
  final: Map<string, string | null>;
  texts: Map<string, Set<string>>;
  deleted: Set<string>;
  events: number;
}

/** The independent walk: no code shared with the normaliser or the loader. */
function expectedFigures(events: TEv[]): TExpected {
  const final = new Map<string, string | null>();
  const texts = new Map<string, Set<string>>();
  const deleted = new Set<string>();
  let channelEvents = 0;
  const seenEventKeys = new Set<string>();
  const see = (ch: string, m: TInner | undefined, current: boolean) => {
    if (!m) return;
    const key = `${ch} ${m.ts}`;
    if (!texts.has(key)) texts.set(key, new Set());
    if (m.subtype === "tombstone") {
      deleted.add(key);
      if (!final.has(key)) final.set(key, null);
      return;
    }
    texts.get(key)!.add(m.text ?? "");
    if (current) final.set(key, m.text ?? "");
    else if (!final.has(key)) final.set(key, m.text ?? "");
  };
  for (const e of events) {
    if (e.type !== "message") continue;
    const sub = e.subtype;
    if (sub && CHANNEL_EVENT_SUBTYPES.has(sub)) {
      const k = `${e.channel} ${e.ts}`;
      if (!seenEventKeys.has(k)) channelEvents++;
      seenEventKeys.add(k);
      continue;
    }
    if (sub === "message_changed") {
      see(e.channel, e.previous_message as TInner | undefined, false);
      see(e.channel, e.message as TInner, true);
    } else if (sub === "message_replied") {
      see(e.channel, e.message as TInner, true);
    } else if (sub === "message_deleted") {
      const key = `${e.channel} ${String(e.deleted_ts)}`;
      deleted.add(key);
      if (e.previous_message) see(e.channel, e.previous_message as TInner, false);
      else if (!texts.has(key)) texts.set(key, new Set());
    } else see(e.channel, e as unknown as TInner, true);
  }
  return { final, texts, deleted, events: channelEvents };
}

function readChannels(): NChannel[] {
  const edn = fs.readFileSync(path.join(DIR, "channels.edn"), "utf8");
  const out: NChannel[] = [];
  for (const m of edn.matchAll(/:slack-id "([^"]+)",\s*:name "([^"]+)"/g)) {
    const raw = { id: m[1]!, name: m[2]! };
    out.push({ externalId: raw.id, name: raw.name, kind: "public", archived: false, members: null, raw, rawSha256: sha256Json(raw) });
  }
  return out;
}

let db: TTestDatabase;
before(async () => {
  if (!skip) db = await createTestDatabase();
});
after(async () => {
  await db?.drop();
});

test("replaying the Clojurians event stream leaves final texts, versions and deletions exactly right", { skip }, async () => {
  const events = readEvents();
  assert.equal(events.length, 11_281);
  const want = expectedFigures(events);
  const workspace: NWorkspace = { platform: "slack", externalId: TEAM, name: "clojurians", domain: "clojurians" };
  const channels = readChannels();
  assert.equal(channels.length, 82, "channels.edn lists 82 of the stream's channels; the rest arrive as stubs");
  const ctx = { source: "slack-events", ingestRunId: null, workspaceIds: new Map<string, number>() };
  const client = await db.pool.connect();
  try {
    await client.query("BEGIN");
    await applyBatch(client, { workspace, channels }, ctx);
    await client.query("COMMIT");
    // Through the receiver's processing path: batches of events in delivery order, one transaction each, as the job commits them.
    for (let i = 0; i < events.length; i += EVENTS_PER_BATCH) {
      await client.query("BEGIN");
      await applySlackEvents(client, TEAM, events.slice(i, i + EVENTS_PER_BATCH).map((event) => ({ event, eventTime: null })), ctx);
      await client.query("COMMIT");
    }
  } finally {
    client.release();
  }

  const rows = (
    await db.pool.query<{ key: string; text: string; deleted: boolean; versions: string[] | null }>(
      `SELECT c.external_id || ' ' || m.ts AS key, m.text, m.deleted,
              (SELECT array_agg(v.text) FROM message_version v WHERE v.message_id = m.id) AS versions
       FROM message m JOIN channel c ON c.id = m.channel_id`,
    )
  ).rows;
  const got = new Map(rows.map((r) => [r.key, r]));
  assert.equal(got.size, want.texts.size, "one archived message per message the stream names");
  const wrongFinal: string[] = [];
  const wrongVersions: string[] = [];
  for (const [key, texts] of want.texts) {
    const r = got.get(key);
    assert.ok(r, `missing ${key}`);
    const expected = want.final.get(key);
    if (!want.deleted.has(key)) {
      if (r.text !== (expected ?? "")) wrongFinal.push(key);
    } else if (texts.size > 0 && !texts.has(r.text)) wrongFinal.push(key);
    const stored = new Set(r.versions ?? (texts.size ? [r.text] : []));
    if (stored.size !== texts.size || [...texts].some((t) => !stored.has(t))) wrongVersions.push(key);
  }
  assert.deepEqual(wrongFinal, [], "final texts");
  assert.deepEqual(wrongVersions, [], "distinct texts kept as versions");
  const deletedGot = new Set(rows.filter((r) => r.deleted).map((r) => r.key));
  assert.deepEqual([...deletedGot].sort(), [...want.deleted].sort());

  const stats = await findArchiveStats(db.pool);
  let versions = 0;
  for (const t of want.texts.values()) versions += t.size;
  assert.equal(stats.versions, versions);
  assert.equal(stats.deleted, want.deleted.size);
  assert.equal(stats.channelEvents, want.events);
  // Published figures of the corpus (SOURCES.md): 1,220 changes and 103 deletions in the stream.
  assert.equal(events.filter((e) => e.subtype === "message_changed").length, 1220);
  assert.equal(events.filter((e) => e.subtype === "message_deleted").length, 103);
  console.log(JSON.stringify({ messages: stats.messages, versions: stats.versions, deleted: stats.deleted, edited: [...want.texts.values()].filter((t) => t.size > 1).length }));
});
