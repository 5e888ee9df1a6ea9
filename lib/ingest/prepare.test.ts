import { test } from "node:test";
import assert from "node:assert/strict";
import type { NMessage } from "./adapter";
import { prepareBatch, prepareMessages, STAGE_MESSAGE_COLUMNS } from "./prepare";

function obs(p: Partial<NMessage> & { ts: string }): NMessage {
  return { channel: "C1", user: "U1", text: "hello", searchText: p.text ?? "hello", raw: { ts: p.ts }, rawSha256: "x", ...p };
}

const lines = (chunks: Uint8Array[]) => chunks.map((c) => new TextDecoder().decode(c)).join("").split("\n").slice(0, -1);

test("one COPY row per merged message, every column, delimiters escaped", () => {
  const p = prepareMessages([
    obs({ ts: "1.000001", text: "a\tb\nc\\d", searchText: "a b c api-gw-03" }),
    obs({ ts: "1.000001", text: "edited", editedTs: "2.000000" }),
    obs({ ts: "1.000002", user: "U2", text: null, deleted: true }),
  ]);
  assert.equal(p.count, 2);
  const rows = lines(p.stage).map((l) => l.split("\t"));
  assert.equal(rows.length, 2);
  for (const r of rows) assert.equal(r.length, STAGE_MESSAGE_COLUMNS.length);
  const col = (r: string[], name: (typeof STAGE_MESSAGE_COLUMNS)[number]) => r[STAGE_MESSAGE_COLUMNS.indexOf(name)];
  assert.equal(col(rows[0]!, "text"), "edited", "the latest edit is the current text");
  assert.equal(col(rows[1]!, "text"), "\\N");
  assert.equal(col(rows[1]!, "deleted"), "t");
  // Both texts of the edited message are versions; the first text's delimiters are escaped.
  assert.deepEqual(lines(p.versions).map((l) => l.split("\t")[2]).sort(), ["a\\tb\\nc\\\\d", "edited"]);
  assert.deepEqual(p.authors.sort(), ["U1", "U2"]);
});

test("operations tokens are extracted from the current search text", () => {
  const p = prepareMessages([obs({ ts: "1.000001", text: "x", searchText: "restart api-gw-03 now" })]);
  const row = lines(p.stage)[0]!.split("\t");
  assert.match(row[STAGE_MESSAGE_COLUMNS.indexOf("search_tokens")]!, /api-gw-03/);
});

test("a batch without messages prepares to nothing, and a prepared batch is not prepared twice", () => {
  const empty = prepareBatch({ workspace: { platform: "slack", externalId: "T1", name: "T" } });
  assert.deepEqual(empty.prepared, { count: 0, stage: [], versions: [], reactions: null, files: null, links: null, authors: [], keys: [] });
  const once = prepareBatch({ workspace: { platform: "slack", externalId: "T1", name: "T" }, messages: [obs({ ts: "1.1" })] });
  assert.equal(prepareBatch(once), once);
  assert.equal(once.messages, undefined);
});
