import { test } from "node:test";
import assert from "node:assert/strict";
import type { NMessage } from "./adapter";
import { compareTs, mergeBatch, sha256 } from "./merge";

function obs(p: Partial<NMessage> & { ts: string }): NMessage {
  return { channel: "C1", text: "hello", searchText: p.text ?? "hello", raw: {}, rawSha256: "x", ...p };
}

test("compareTs orders Slack timestamps numerically, not as strings", () => {
  assert.ok(compareTs("999999999.000001", "1000000000.000000") < 0);
  assert.ok(compareTs("1700000000.000010", "1700000000.000009") > 0);
  assert.equal(compareTs("1700000000.1", "1700000000.100000"), 0);
});

test("the latest edit wins whatever the order, and every distinct text is a version", () => {
  const original = obs({ ts: "100.000001", text: "v1" });
  const edit1 = obs({ ts: "100.000001", text: "v2", editedTs: "200.000000", editedBy: "U1" });
  const edit2 = obs({ ts: "100.000001", text: "v3", editedTs: "300.000000", editedBy: "U1" });
  for (const order of [[original, edit1, edit2], [edit2, original, edit1], [edit1, edit2, original, edit1]]) {
    const [m] = mergeBatch(order);
    assert.equal(m!.text, "v3");
    assert.equal(m!.editedTs, "300.000000");
    assert.deepEqual([...m!.versions.values()].map((v) => [v.text, v.validFromTs]).sort(), [
      ["v1", "100.000001"],
      ["v2", "200.000000"],
      ["v3", "300.000000"],
    ]);
  }
});

test("a tombstone marks deleted but never replaces known text", () => {
  const [m] = mergeBatch([obs({ ts: "5.000000", text: "secret plan" }), obs({ ts: "5.000000", text: null, deleted: true, subtype: "tombstone" })]);
  assert.equal(m!.text, "secret plan");
  assert.equal(m!.deleted, true);
  assert.equal(m!.versions.size, 1);
  const [t] = mergeBatch([obs({ ts: "6.000000", text: null, deleted: true })]);
  assert.equal(t!.text, null);
  assert.equal(t!.versions.size, 0);
});

test("deletion, thread and reactions accumulate", () => {
  const [m] = mergeBatch([
    obs({ ts: "7.000000", reactions: [{ name: "+1", users: ["U1"], count: 1 }] }),
    obs({ ts: "7.000000", threadTs: "7.000000", reactions: [{ name: "+1", users: ["U2"], count: 1 }], deletedTs: "9.000000" }),
  ]);
  assert.equal(m!.threadTs, "7.000000");
  assert.deepEqual(m!.reactions.get("+1")!.users.sort(), ["U1", "U2"]);
  assert.equal(m!.deleted, true);
  assert.equal(m!.deletedTs, "9.000000");
});

test("equal text times pick the same winner in any order", () => {
  const a = obs({ ts: "1.000000", text: "alpha" });
  const b = obs({ ts: "1.000000", text: "beta" });
  const want = sha256("alpha") > sha256("beta") ? "alpha" : "beta";
  assert.equal(mergeBatch([a, b])[0]!.text, want);
  assert.equal(mergeBatch([b, a])[0]!.text, want);
});
