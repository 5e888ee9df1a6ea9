import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import type { NormalizedBatch } from "../../adapter";
import { classifySystemPost, mattermostAdapter } from "./adapter";

async function readAll(location: string): Promise<NormalizedBatch[]> {
  const out: NormalizedBatch[] = [];
  for await (const b of mattermostAdapter.read({ location, options: { onWarning: () => undefined } }, new Map())) out.push(b);
  return out;
}

function write(lines: unknown[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bs-mm-"));
  const file = path.join(dir, "export.jsonl");
  fs.writeFileSync(file, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  return file;
}

test("one team, direct messages, replies, reactions, edits and system posts", async () => {
  const file = write([
    { type: "version", version: 1 },
    { type: "team", team: { name: "eng", display_name: "Engineering", type: "O" } },
    { type: "channel", channel: { team: "eng", name: "town-square", display_name: "Town Square", type: "O", header: "hi" } },
    { type: "user", user: { username: "ana", email: "ana@x", first_name: "Ana", last_name: "B", teams: [{ name: "eng", channels: [{ name: "town-square" }] }] } },
    { type: "post", post: { team: "eng", channel: "town-square", user: "ana", message: "first", create_at: 1600000000123, edit_at: 1600000005000, reactions: [{ user: "bo", emoji_name: "+1", create_at: 1 }], replies: [{ user: "bo", message: "reply", create_at: 1600000001000 }] } },
    { type: "post", post: { team: "eng", channel: "town-square", user: "ana", message: "same ms", create_at: 1600000000123 } },
    { type: "post", post: { team: "eng", channel: "town-square", user: "bo", message: "bo joined the channel.", create_at: 1600000002000, type: "system_join_channel" } },
    { type: "direct_channel", direct_channel: { members: ["bo", "ana"] } },
    { type: "direct_post", direct_post: { channel_members: ["ana", "bo"], user: "bo", message: "psst", create_at: 1600000003000 } },
  ]);
  assert.equal(await mattermostAdapter.detect({ location: file }), true);
  const batches = await readAll(file);
  assert.deepEqual(batches[0]!.workspace, { platform: "mattermost", externalId: "eng", name: "Engineering" });
  const channels = batches.flatMap((b) => b.channels ?? []);
  assert.deepEqual(channels.map((c) => [c.externalId, c.name, c.kind]), [
    ["eng/town-square", "town-square", "public"],
    ["dm:ana,bo", "dm:ana,bo", "dm"],
  ]);
  const messages = batches.flatMap((b) => b.messages ?? []);
  assert.deepEqual(messages.map((m) => [m.channel, m.ts, m.threadTs ?? null, m.text]), [
    ["eng/town-square", "1600000000.123000", null, "first"],
    ["eng/town-square", "1600000001.000000", "1600000000.123000", "reply"],
    ["eng/town-square", "1600000000.123001", null, "same ms"],
    ["dm:ana,bo", "1600000003.000000", null, "psst"],
  ]);
  assert.deepEqual(messages[0]!.reactions, [{ name: "+1", users: ["bo"], count: 1 }]);
  assert.equal(messages[0]!.editedTs, "1600000005.000000");
  const events = batches.flatMap((b) => b.events ?? []);
  assert.deepEqual(events.map((e) => [e.kind, e.actor]), [["join", "bo"]]);
});

test("bad lines name file, line and field", async () => {
  const file = write([{ type: "version", version: 1 }, { type: "post", post: { team: "t", channel: "c", user: "u", message: "x", create_at: "yesterday" } }]);
  await assert.rejects(readAll(file), /export\.jsonl: line 2: field post\.create_at/);
});

test("older exports' join texts are events only when they speak of their own author", () => {
  assert.equal(classifySystemPost(null, "harry", "harry joined the channel.")?.kind, "join");
  assert.equal(classifySystemPost(null, "ron", "harry joined the channel."), null);
  assert.deepEqual(classifySystemPost(null, "harry", "ron added to the channel by harry."), { kind: "join", subtype: "system_add_to_channel", actor: "ron", subject: "harry" });
});
