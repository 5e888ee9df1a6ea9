import { test } from "node:test";
import assert from "node:assert/strict";
import type { TExportRecord } from "../types";
import { writeJsonLine, writeJsonLinePieces } from "./jsonl";

function record(over: Partial<TExportRecord> = {}): TExportRecord {
  return {
    workspace: { id: "T1", name: "acme" },
    channel: { id: "C1", name: "general", kind: "public" },
    ts: "1700000000.000100",
    postedAt: "2023-11-14T22:13:20.000Z",
    threadTs: null,
    author: { id: "U1", name: "alice", displayName: null, isBot: false },
    botId: null,
    username: null,
    subtype: null,
    text: 'say "membersAtTime":0 here',
    // A nested key of the same name, before the record's own.
    attachments: [{ membersAtTime: 0, text: "x" }],
    blocks: null,
    edited: null,
    deleted: null,
    versions: [{ text: "t", validFromTs: "1700000000.000100", editedBy: null }],
    reactions: [],
    files: [],
    membersAtTime: ["U1", "U2"],
    provenance: { source: "slack-export", rawSha256: "ab" },
    ...over,
  };
}

test("a JSON line is exactly JSON.stringify of the record, whatever the members cache holds", () => {
  const members = ["U1", "U2", "U3"];
  for (const r of [record(), record({ membersAtTime: members }), record({ membersAtTime: members, text: "again" }), record({ membersAtTime: [] })]) {
    assert.equal(writeJsonLine(r), JSON.stringify(r) + "\n");
  }
  // The same array changed in place would be a bug in the producer; a new array is always re-serialised.
  assert.equal(writeJsonLine(record({ membersAtTime: ["U9"] })), JSON.stringify(record({ membersAtTime: ["U9"] })) + "\n");
});

test("the pieces of a JSON line join to JSON.stringify of the record; the members piece is the cached string", () => {
  const members = ["U1", "U2", "U3"];
  const first = writeJsonLinePieces(record({ membersAtTime: members }));
  const second = writeJsonLinePieces(record({ membersAtTime: members, text: 'again "membersAtTime":0' }));
  assert.equal(first.join(""), JSON.stringify(record({ membersAtTime: members })) + "\n");
  assert.equal(second.join(""), JSON.stringify(record({ membersAtTime: members, text: 'again "membersAtTime":0' })) + "\n");
  assert.equal(first[1], JSON.stringify(members));
  assert.equal(second[1], first[1]);
  assert.ok(first[0].endsWith('"membersAtTime":') && first[2].startsWith(',"provenance":'));
});
