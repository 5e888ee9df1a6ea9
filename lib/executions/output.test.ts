import assert from "node:assert/strict";
import { test } from "node:test";
import { boundOutput } from "./output";

test("output within the bound is kept whole", () => {
  assert.deepEqual(boundOutput("hello", 1024), { output: "hello", truncated: false, bytes: 5 });
});

test("longer output keeps head and tail within the bound, never splitting a character", () => {
  const text = "é".repeat(3000) + "END";
  const r = boundOutput(text, 1000);
  assert.equal(r.truncated, true);
  assert.equal(r.bytes, Buffer.byteLength(text));
  assert.ok(Buffer.byteLength(r.output) <= 1000);
  assert.ok(r.output.startsWith("éé"));
  assert.ok(r.output.endsWith("éEND"));
  assert.match(r.output, /\[6003 bytes; output truncated\]/);
  assert.equal(r.output.includes("\uFFFD"), false);
});
