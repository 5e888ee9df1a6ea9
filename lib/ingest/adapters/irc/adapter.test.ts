import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import type { NormalizedBatch } from "../../adapter";
import { ircAdapter } from "./adapter";

async function readAll(location: string): Promise<NormalizedBatch[]> {
  const out: NormalizedBatch[] = [];
  for await (const b of ircAdapter.read({ location }, new Map())) out.push(b);
  return out;
}

test("dates from a header, day changes and midnight; channel from the file name", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bs-irc-"));
  const file = path.join(dir, "#ops.log");
  fs.writeFileSync(
    file,
    [
      "--- Log opened Sun Dec 25 23:00:00 2004",
      "[23:58] <alice> deploying",
      "[23:59] * alice waves",
      "[00:01] <bob> late",
      "--- Day changed Tue Dec 27 2004",
      "[08:00] -!- carol [~c@h] has joined #ops",
      "[08:01] -!- carol is now known as Carol2",
      "",
    ].join("\n"),
  );
  assert.equal(await ircAdapter.detect({ location: file }), true);
  const batches = await readAll(file);
  const messages = batches.flatMap((b) => b.messages ?? []);
  const events = batches.flatMap((b) => b.events ?? []);
  assert.deepEqual(
    messages.map((m) => [new Date(Number(m.ts.split(".")[0]) * 1000).toISOString(), m.user, m.subtype ?? null, m.text]),
    [
      ["2004-12-25T23:58:00.000Z", "alice", null, "deploying"],
      ["2004-12-25T23:59:00.000Z", "alice", "me_message", "waves"],
      ["2004-12-26T00:01:00.000Z", "bob", null, "late"],
    ],
  );
  assert.deepEqual(events.map((e) => [e.kind, e.subtype, e.actor, e.value ?? null]), [
    ["join", "join", "carol", null],
    ["other", "nick", "carol", "Carol2"],
  ]);
  assert.deepEqual(batches.flatMap((b) => b.channels ?? []).map((c) => c.externalId), ["#ops"]);
  assert.deepEqual(batches.flatMap((b) => b.people ?? []).map((p) => p.externalId).sort(), ["alice", "bob", "carol", "carol2"]);
});

test("a log whose date is nowhere is refused naming file, line and field", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bs-irc-"));
  const file = path.join(dir, "chat.log");
  fs.writeFileSync(file, "[10:00] <a> hi\n");
  await assert.rejects(readAll(file), (e: Error & { where?: { file?: string; line?: number; field?: string } }) => {
    assert.match(e.message, /chat\.log: line 1: no date/);
    assert.deepEqual(e.where, { file: "chat.log", line: 1, field: "date" });
    return true;
  });
});
