import { test } from "node:test";
import assert from "node:assert/strict";
import { AppError } from "../../../errors";
import { parseDayFile } from "./day-file";
import { normalizeConversation, normalizeEntry, normalizePerson, sha256Json, type TNormalizedEntry } from "./normalize";
import { ZSlackConversation, ZSlackUser } from "./schemas";

const CTX = { channel: "C1", pinned: new Set(["1500000000.000300"]) };

function norm(entries: unknown[], file = "general/2017-07-14.json"): TNormalizedEntry[] {
  return parseDayFile(Buffer.from(JSON.stringify(entries)), file).map((e) => normalizeEntry(e.raw, e, CTX));
}

function one(entry: Record<string, unknown>): TNormalizedEntry {
  return norm([entry])[0]!;
}

test("channel event subtypes become events, not messages", () => {
  const cases: Array<[string, string, Record<string, unknown>, string | null]> = [
    ["channel_join", "join", {}, null],
    ["group_join", "join", {}, null],
    ["channel_leave", "leave", {}, null],
    ["group_leave", "leave", {}, null],
    ["channel_topic", "topic", { topic: "Deploys go here" }, "Deploys go here"],
    ["group_topic", "topic", { topic: "t" }, "t"],
    ["channel_purpose", "purpose", { purpose: "Ops" }, "Ops"],
    ["group_purpose", "purpose", { purpose: "p" }, "p"],
    ["channel_name", "rename", { name: "ops-2", old_name: "ops" }, "ops-2"],
    ["group_name", "rename", { name: "g2" }, "g2"],
    ["channel_archive", "archive", {}, null],
    ["group_archive", "archive", {}, null],
    ["channel_unarchive", "unarchive", {}, null],
    ["group_unarchive", "unarchive", {}, null],
    ["pinned_item", "pin", { item: { ts: "1500000000.000100" } }, "1500000000.000100"],
    ["unpinned_item", "unpin", { attachments: [{ ts: "1500000000.000200", text: "x" }] }, "1500000000.000200"],
  ];
  for (const [subtype, kind, extra, value] of cases) {
    const out = one({ type: "message", subtype, user: "U1", text: `<@U1> did ${subtype}`, ts: "1500000001.000001", ...extra });
    assert.equal(out.messages.length, 0, subtype);
    assert.equal(out.events.length, 1, subtype);
    const e = out.events[0]!;
    assert.equal(e.kind, kind, subtype);
    assert.equal(e.subtype, subtype);
    assert.equal(e.channel, "C1");
    assert.equal(e.ts, "1500000001.000001");
    assert.equal(e.actor, "U1");
    assert.equal(e.value, value, subtype);
    assert.equal(e.text, `<@U1> did ${subtype}`);
    assert.equal(e.rawSha256, sha256Json(e.raw));
  }
});

test("a join with an inviter names the inviter as subject", () => {
  const e = one({ type: "message", subtype: "channel_join", user: "U2", inviter: "U1", text: "joined", ts: "1.000001" }).events[0]!;
  assert.equal(e.actor, "U2");
  assert.equal(e.subject, "U1");
});

test("a plain message: text, thread, edit, reactions, files, pins, raw", () => {
  const raw = {
    type: "message",
    user: "U1",
    text: "deploying api-gw-03 <https://ci/1|build>",
    ts: "1500000000.000300",
    thread_ts: "1500000000.000100",
    reply_count: 2,
    edited: { user: "U1", ts: "1500000050.000000" },
    reactions: [
      { name: "+1", users: ["U2", "U3"], count: 3 },
      { name: "eyes", users: ["U4"] },
    ],
    files: [{ id: "F1", name: "log.txt", mimetype: "text/plain", size: 12, created: 1500000000, user: "U1" }, { name: "no id" }],
    file: { id: "F1", name: "dup" },
    client_msg_id: "abc",
    future_field: { kept: true },
  };
  const m = one(raw).messages[0]!;
  assert.equal(m.channel, "C1");
  assert.equal(m.ts, "1500000000.000300");
  assert.equal(m.threadTs, "1500000000.000100");
  assert.equal(m.replyCount, 2);
  assert.equal(m.user, "U1");
  assert.equal(m.text, raw.text);
  assert.equal(m.editedTs, "1500000050.000000");
  assert.equal(m.editedBy, "U1");
  assert.deepEqual(m.reactions, [
    { name: "+1", users: ["U2", "U3"], count: 3 },
    { name: "eyes", users: ["U4"], count: 1 },
  ]);
  assert.equal(m.files!.length, 1, "file without id skipped, legacy duplicate merged");
  assert.equal(m.files![0]!.externalId, "F1");
  assert.equal(m.files![0]!.name, "log.txt");
  assert.equal(m.files![0]!.createdAt, "2017-07-14T02:40:00.000Z");
  assert.equal(m.pinned, true, "listed in the channel's pins");
  assert.equal(m.deleted, undefined);
  assert.deepEqual(m.raw, raw, "unknown fields are kept in raw");
  assert.equal(m.rawSha256, sha256Json(raw));
  assert.equal(typeof m.ts, "string");
});

test("reactions default to [] so an absent field means no reactions; pinned_to marks pins", () => {
  const m = one({ type: "message", user: "U1", text: "x", ts: "2.000001", pinned_to: ["C1"] }).messages[0]!;
  assert.deepEqual(m.reactions, []);
  assert.equal(m.pinned, true);
  const n = one({ type: "message", user: "U1", text: "x", ts: "2.000002", pinned_to: ["C9"] }).messages[0]!;
  assert.equal(n.pinned, false);
});

test("bot messages, file comments, me messages, broadcasts and unknown subtypes stay messages", () => {
  const bot = one({ type: "message", subtype: "bot_message", bot_id: "B1", username: "jenkins", text: "", ts: "3.000001", attachments: [{ fallback: "Build #12 failed" }] }).messages[0]!;
  assert.equal(bot.botId, "B1");
  assert.equal(bot.username, "jenkins");
  assert.equal(bot.user, null);
  assert.equal(bot.subtype, "bot_message");
  assert.equal(bot.searchText, "Build #12 failed");

  const app = one({ type: "message", subtype: "bot_message", bot_id: "B2", text: "hi", ts: "3.000002", bot_profile: { name: "PagerDuty" } }).messages[0]!;
  assert.equal(app.username, "PagerDuty");

  const fc = one({ type: "message", subtype: "file_comment", text: "nice", ts: "3.000003", comment: { user: "U7", comment: "nice" }, file: { id: "F9" } }).messages[0]!;
  assert.equal(fc.user, "U7");
  assert.deepEqual(fc.files!.map((f) => f.externalId), ["F9"]);

  for (const subtype of ["me_message", "thread_broadcast", "file_share", "bot_add", "huddle_thread", "some_future_subtype"]) {
    const out = one({ type: "message", subtype, user: "U1", text: subtype, ts: "3.000010", thread_ts: "3.000001" });
    assert.equal(out.events.length, 0, subtype);
    assert.equal(out.messages.length, 1, subtype);
    assert.equal(out.messages[0]!.subtype, subtype);
    assert.equal(out.messages[0]!.text, subtype);
    assert.equal(out.messages[0]!.threadTs, "3.000001");
  }
});

test("message_changed: the previous state and the new state, keyed by the message ts", () => {
  const out = one({
    type: "message",
    subtype: "message_changed",
    hidden: true,
    ts: "4.000009",
    message: { type: "message", user: "U1", text: "rollback done", ts: "4.000001", edited: { user: "U1", ts: "4.000009" } },
    previous_message: { type: "message", user: "U1", text: "rolback done", ts: "4.000001" },
  });
  assert.equal(out.messages.length, 2);
  const [prev, cur] = out.messages as [NonNullable<(typeof out.messages)[0]>, NonNullable<(typeof out.messages)[0]>];
  assert.equal(prev.ts, "4.000001");
  assert.equal(prev.text, "rolback done");
  assert.equal(prev.editedTs, null);
  assert.equal(cur.ts, "4.000001");
  assert.equal(cur.text, "rollback done");
  assert.equal(cur.editedTs, "4.000009");
  assert.equal(cur.editedBy, "U1");
  assert.equal(cur.channel, "C1");
  assert.notEqual(prev.rawSha256, cur.rawSha256);

  const only = one({ type: "message", subtype: "message_changed", ts: "4.1", message: { text: "x", ts: "4.05", edited: { user: "U2", ts: "4.1" } } });
  assert.equal(only.messages.length, 1);
  assert.equal(only.messages[0]!.editedBy, "U2");
});

test("message_deleted: the previous state marked deleted, or a bare deletion", () => {
  const withPrev = one({
    type: "message",
    subtype: "message_deleted",
    hidden: true,
    ts: "5.000009",
    deleted_ts: "5.000001",
    previous_message: { type: "message", user: "U1", text: "my password is hunter2", ts: "5.000001" },
  }).messages;
  assert.equal(withPrev.length, 1);
  assert.equal(withPrev[0]!.ts, "5.000001");
  assert.equal(withPrev[0]!.text, "my password is hunter2");
  assert.equal(withPrev[0]!.deleted, true);
  assert.equal(withPrev[0]!.deletedTs, "5.000009");

  const bare = one({ type: "message", subtype: "message_deleted", hidden: true, ts: "5.000019", deleted_ts: "5.000011" }).messages;
  assert.equal(bare.length, 1);
  assert.equal(bare[0]!.ts, "5.000011");
  assert.equal(bare[0]!.text, null);
  assert.equal(bare[0]!.deleted, true);
  assert.equal(bare[0]!.deletedTs, "5.000019");
});

test("tombstones: text unknown, deleted, thread fields kept, Slackbot not the author", () => {
  for (const entry of [
    { type: "message", subtype: "tombstone", hidden: true, user: "USLACKBOT", text: "This message was deleted.", ts: "6.000001", thread_ts: "6.000001", reply_count: 3 },
    { type: "message", hidden: true, user: "USLACKBOT", text: "This message was deleted.", ts: "6.000001", thread_ts: "6.000001", reply_count: 3 },
  ]) {
    const m = one(entry).messages[0]!;
    assert.equal(m.text, null);
    assert.equal(m.searchText, "");
    assert.equal(m.deleted, true);
    assert.equal(m.threadTs, "6.000001");
    assert.equal(m.replyCount, 3);
    assert.equal(m.user, null);
  }
  const visible = one({ type: "message", user: "U1", text: "This message was deleted.", ts: "6.000002" }).messages[0]!;
  assert.equal(visible.text, "This message was deleted.", "only hidden ones are tombstones");
});

test("a numeric ts is a wrong type, named by file, entry and field", () => {
  assert.throws(
    () => norm([{ type: "message", text: "ok", ts: "1.1" }, { type: "message", text: "bad", ts: 1500000000.0001 }]),
    (e: unknown) => {
      assert.ok(e instanceof AppError);
      assert.equal(e.code, "bad_input");
      assert.equal(e.where?.file, "general/2017-07-14.json");
      assert.equal(e.where?.field, "[1].ts");
      assert.match(e.message, /general\/2017-07-14\.json: entry 1 \(line 1\), field \[1\]\.ts: .*expected string/);
      return true;
    },
  );
  assert.throws(() => norm([{ type: "message", text: "bad", ts: "1.1", thread_ts: "yesterday" }]), /field \[0\]\.thread_ts: expected a Slack timestamp/);
  assert.throws(() => norm([{ type: "message", ts: "1.1", reactions: [{ name: "x", users: "U1" }] }]), /field \[0\]\.reactions\[0\]\.users/);
  assert.throws(() => norm([{ type: "message", subtype: "channel_topic", ts: "1.1", topic: { value: "x" } }]), /field \[0\]\.topic/);
  assert.throws(() => norm([{ type: "message", subtype: "message_changed", ts: "1.1" }]), /field \[0\]\.message: message_changed without/);
  assert.throws(() => norm([{ type: "message", subtype: "message_deleted", ts: "1.1" }]), /field \[0\]\.deleted_ts/);
  assert.throws(() => norm([{ type: "message", text: "no ts" }]), /field \[0\]\.ts/);
  assert.throws(() => norm(["just a string"] as unknown[]), /entry 0 \(line 1\), field \[0\]/);
});

test("people and conversations", () => {
  const uRaw = { id: "U1", team_id: "T1", name: "ana", real_name: "Ana Lima", deleted: false, tz: "Europe/Lisbon", profile: { display_name: "", email: "ana@example.com", title: "" } };
  const p = normalizePerson(uRaw, ZSlackUser.parse(uRaw));
  assert.deepEqual(
    { ...p, raw: undefined, rawSha256: undefined },
    { externalId: "U1", name: "ana", realName: "Ana Lima", displayName: null, email: "ana@example.com", title: null, tz: "Europe/Lisbon", isBot: false, botId: null, deleted: false, raw: undefined, rawSha256: undefined },
  );
  const sb = { id: "USLACKBOT", name: "slackbot", is_bot: false, deleted: false };
  assert.equal(normalizePerson(sb, ZSlackUser.parse(sb)).isBot, true);

  const cRaw = { id: "C1", name: "ops", created: "1433558319", creator: "U1", is_archived: true, members: ["U1", "U2"], topic: { value: "t", creator: "", last_set: "0" }, purpose: { value: "" } };
  const c = normalizeConversation(cRaw, ZSlackConversation.parse(cRaw), "public");
  assert.equal(c.createdAt, "2015-06-06T02:38:39.000Z");
  assert.equal(c.archived, true);
  assert.equal(c.topic, "t");
  assert.equal(c.purpose, "");
  assert.deepEqual(c.members, ["U1", "U2"]);
  const dRaw = { id: "D1", created: 1555493778, members: ["U1", "U2"] };
  const d = normalizeConversation(dRaw, ZSlackConversation.parse(dRaw), "dm");
  assert.equal(d.name, "U1--U2");
  assert.equal(d.kind, "dm");
  const lone = normalizeConversation({ id: "D2" }, ZSlackConversation.parse({ id: "D2" }), "dm");
  assert.equal(lone.name, "D2");
  assert.equal(lone.members, null);
});
