import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "./seeded-random";
import { formatDay, formatTs, SlackIdAllocator, slackLink, toSlackJson, uniqueMicros } from "./slack-export-format";

test("formatTs writes seconds and exactly six decimals", () => {
  assert.equal(formatTs(1_700_000_000_000_100), "1700000000.000100");
  assert.equal(formatTs(1_700_000_000_999_999), "1700000000.999999");
  assert.equal(formatTs(1_700_000_001_000_000), "1700000001.000000");
  assert.equal(formatDay(1_704_153_599_999_999), "2024-01-01");
  assert.equal(formatDay(1_704_153_600_000_000), "2024-01-02");
});

test("uniqueMicros never repeats within a million consecutive sequence numbers", () => {
  const seen = new Uint8Array(1_000_000);
  for (let i = 500; i < 1_000_500; i++) {
    const m = uniqueMicros(i);
    assert.ok(m >= 0 && m < 1_000_000);
    if (seen[m]) assert.fail(`repeat at ${i}`);
    seen[m] = 1;
  }
});

test("SlackIdAllocator gives unique, well-formed, seed-dependent ids", () => {
  const a = new SlackIdAllocator(7);
  const ids = new Set<string>();
  for (let i = 0; i < 50_000; i++) {
    const id = a.next("U");
    assert.match(id, /^U[A-Z0-9]{8}$/);
    ids.add(id);
  }
  assert.equal(ids.size, 50_000);
  assert.notEqual(new SlackIdAllocator(8).next("U"), new SlackIdAllocator(7).next("U"));
  assert.equal(new SlackIdAllocator(7).next("C"), new SlackIdAllocator(7).next("C"));
});

test("toSlackJson indents by four spaces and escapes slashes as Slack does", () => {
  const text = toSlackJson([{ text: "<https://x.example/a|a/b>" }]);
  assert.equal(text, '[\n    {\n        "text": "<https:\\/\\/x.example\\/a|a\\/b>"\n    }\n]');
  assert.deepEqual(JSON.parse(text), [{ text: "<https://x.example/a|a/b>" }]);
});

test("slackLink escapes & in URLs and labels", () => {
  assert.equal(slackLink("https://g.example/d?a=1&b=2", "A & B"), "<https://g.example/d?a=1&amp;b=2|A &amp; B>");
});

test("SeededRandom is reproducible and stays in range", () => {
  const a = new SeededRandom(123);
  const b = new SeededRandom(123);
  const c = new SeededRandom(124);
  const seqA = Array.from({ length: 20 }, () => a.next());
  assert.deepEqual(Array.from({ length: 20 }, () => b.next()), seqA);
  assert.notDeepEqual(Array.from({ length: 20 }, () => c.next()), seqA);
  const r = new SeededRandom(1);
  for (let i = 0; i < 10_000; i++) {
    const x = r.next();
    assert.ok(x >= 0 && x < 1);
    const k = r.between(3, 5);
    assert.ok(k >= 3 && k <= 5 && Number.isInteger(k));
  }
  assert.match(r.uuid(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});
