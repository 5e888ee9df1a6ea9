import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { corpusSkip, TESTDATA } from "../helpers/corpus";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { contentSnapshot, rowVersions } from "../helpers/snapshot";
import { findArchiveStats } from "../../lib/archive/stats";
import { mattermostAdapter } from "../../lib/ingest/adapters/mattermost/adapter";
import { runIngest } from "../../lib/ingest/run";

/**
 * The Mattermost bulk export sample (../shared/testdata/mattermost-bulk-export-samples):
 * counts computed here from the raw lines, independently of the adapter.
 */

const SUB = "mattermost-bulk-export-samples";
const skip = corpusSkip(SUB);
const FILE = path.join(TESTDATA, SUB, "zulip_mattermost_fixtures_export.jsonl");

type TPost = { team: string; channel: string; user: string; message: string; create_at: number; reactions?: { user: string; emoji_name: string }[] | null; replies?: TPost[] | null };

function expected() {
  const lines = fs
    .readFileSync(FILE, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { type: string; [k: string]: unknown });
  const channels = new Set<string>();
  const people = new Set<string>();
  let messages = 0;
  let events = 0;
  let reactions = 0;
  for (const l of lines) {
    if (l.type === "channel") {
      const c = l.channel as { team: string; name: string };
      channels.add(`${c.team}/${c.name}`);
    }
    if (l.type === "user") people.add((l.user as { username: string }).username);
  }
  for (const l of lines) {
    if (l.type !== "post") continue;
    const p = l.post as TPost;
    channels.add(`${p.team}/${p.channel}`);
    people.add(p.user);
    // System texts of older exports: "x joined the channel/team.", "y added to the channel by x."
    const added = /^(\S+) added to the channel by (\S+)\.$/.exec(p.message);
    if (new RegExp(`^${p.user} joined the (channel|team)\\.$`).test(p.message) || (added && added[2] === p.user)) {
      events++;
      if (added) people.add(added[1]!);
    } else {
      messages++;
      reactions += new Set((p.reactions ?? []).map((r) => `${r.emoji_name}/${r.user}`)).size;
    }
    for (const r of p.replies ?? []) {
      messages++;
      people.add(r.user);
      reactions += new Set((r.reactions ?? []).map((x) => `${x.emoji_name}/${x.user}`)).size;
    }
  }
  return { channels: channels.size, people: people.size, messages, events, reactions };
}

let t: TTestDatabase;
before(async () => {
  if (!skip) t = await createTestDatabase();
});
after(async () => {
  await t?.drop();
});

test("a Mattermost bulk export lands with exact counts; importing it again changes nothing", { skip }, async () => {
  const want = expected();
  const warnings: string[] = [];
  const input = { location: FILE, options: { onWarning: (m: string) => warnings.push(m) } };
  assert.equal(await mattermostAdapter.detect(input), true);
  await runIngest({ adapter: mattermostAdapter, input, pool: t.pool });
  const s = await findArchiveStats(t.pool);
  assert.equal(s.workspaces, 1);
  assert.equal(s.channels, want.channels);
  assert.equal(s.people, want.people);
  assert.equal(s.messages, want.messages);
  assert.equal(s.channelEvents, want.events);
  assert.equal(s.reactions, want.reactions);
  // The one post in a channel its team does not list is kept, with a warning.
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /line \d+: post in channel "slytherin-quidditch-team" of team "gryffindor"/);

  const reply = (await t.pool.query("SELECT m.thread_ts, m.text FROM message m WHERE m.thread_ts IS NOT NULL")).rows;
  assert.deepEqual(reply.map((r) => r.text), ["The weather is so hot!"]);
  const privateCh = (await t.pool.query("SELECT kind, members FROM channel WHERE external_id = 'gryffindor/dumbledores-army'")).rows[0];
  assert.equal(privateCh.kind, "private");
  assert.deepEqual(privateCh.members, ["harry", "ron"]);

  const snap = await contentSnapshot(t.pool);
  const versions = await rowVersions(t.pool);
  const again = await runIngest({ adapter: mattermostAdapter, input, pool: t.pool });
  assert.equal(again.counts.messagesInserted + again.counts.messagesUpdated + again.counts.events + again.counts.people + again.counts.channels, 0);
  assert.deepEqual(await contentSnapshot(t.pool), snap);
  assert.deepEqual(await rowVersions(t.pool), versions);
});
