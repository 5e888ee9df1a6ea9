import { test } from "node:test";
import assert from "node:assert/strict";
import { AppError } from "../../../errors";
import { findInvalidUtf8, findJsonSyntaxError, lineColumnAt, locateArrayElement, parseJsonFile } from "./json-file";

function failure(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof AppError, String(e));
    return e;
  }
  assert.fail("expected an AppError");
}

test("strips a UTF-8 BOM and parses Slack's escaped slashes", () => {
  const buf = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[{"text":"see https:\\/\\/example.com\\/x"}]')]);
  assert.deepEqual(parseJsonFile(buf, "general/2016-01-02.json").value, [{ text: "see https://example.com/x" }]);
});

test("invalid UTF-8 names the file, byte offset and line", () => {
  const good = Buffer.from('[\n  {"text": "ok"},\n  {"text": "', "utf8");
  const buf = Buffer.concat([good, Buffer.from([0xc3, 0x28]), Buffer.from('"}\n]')]);
  const e = failure(() => parseJsonFile(buf, "general/2016-01-02.json"));
  assert.equal(e.code, "bad_input");
  assert.equal(e.where?.file, "general/2016-01-02.json");
  assert.equal(e.where?.position, good.length);
  assert.equal(e.where?.line, 3);
  assert.match(e.message, new RegExp(`general/2016-01-02\\.json is not valid UTF-8: .* at byte ${good.length} \\(line 3\\)`));
});

test("finds the first invalid UTF-8 sequence", () => {
  assert.equal(findInvalidUtf8(Buffer.from("héllo wörld ✓ 😀", "utf8")), -1);
  assert.equal(findInvalidUtf8(Buffer.from([0x61, 0xff])), 1);
  assert.equal(findInvalidUtf8(Buffer.from([0x61, 0xc0, 0x80])), 1, "overlong");
  assert.equal(findInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80])), 0, "surrogate");
  assert.equal(findInvalidUtf8(Buffer.from([0x61, 0x62, 0xe2, 0x82])), 2, "truncated at end");
  assert.equal(findInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80])), 0, "above U+10FFFF");
});

test("invalid JSON names the file, line and column", () => {
  const text = '[\n  {"ts": "1.1", "text": "a"},\n  {"ts": "1.2" "text": "b"}\n]';
  const e = failure(() => parseJsonFile(Buffer.from(text), "ops/2020-02-02.json"));
  assert.equal(e.code, "bad_input");
  assert.deepEqual(e.where, { file: "ops/2020-02-02.json", line: 3, column: 16, position: text.indexOf('"text": "b"') });
  assert.match(e.message, /ops\/2020-02-02\.json is not valid JSON: expected ',' or '}'.* at line 3, column 16/);
  assert.equal(e.describe(), e.message, "a message that names its file is not prefixed again");

  const cut = failure(() => parseJsonFile(Buffer.from('[{"ts": "1.1", "text": "unterminated'), "x.json"));
  assert.match(cut.message, /unterminated string at line 1, column 37/);
  const trailing = failure(() => parseJsonFile(Buffer.from("[1, 2,]\n"), "x.json"));
  assert.match(trailing.message, /expected a value, unexpected character "]" at line 1, column 7/);
});

test("the syntax checker agrees with JSON.parse", () => {
  const samples = [
    "[]", "{}", " [1, -0.5e+3, true, false, null, \"a\\u00e9\\n\"] ", '{"a":{"b":[[],{}]}}', "0", '""',
    "[1,]", "{,}", '{"a"}', '{"a":}', "[01]", "[1.]", "[.5]", "tru", "[\"\\x\"]", '["a\tb"]', "[1]]", "{\"a\":1,}", "", " ", "[\"\\u12\"]", "nul", "[-]", "1 2",
  ];
  for (const s of samples) {
    let ok = true;
    try {
      JSON.parse(s);
    } catch {
      ok = false;
    }
    assert.equal(findJsonSyntaxError(s) === null, ok, JSON.stringify(s));
  }
  // Deep nesting is checked iteratively.
  assert.equal(findJsonSyntaxError("[".repeat(100_000) + "]".repeat(100_000)), null);
});

test("locates top-level array elements and lines", () => {
  const text = '[\n {"a": "[x, y]"},\n  2,\n  {"b": {"c": [1, 2]}}, "q\\"]"\n , null]';
  const value = JSON.parse(text) as unknown[];
  for (let i = 0; i < value.length; i++) {
    const at = locateArrayElement(text, i);
    assert.ok(at !== undefined);
    assert.deepEqual(JSON.parse(text.slice(at).match(/^("(?:[^"\\]|\\.)*"|\{"a": "\[x, y\]"\}|\{"b": \{"c": \[1, 2\]\}\}|\d+|null)/)![0]), value[i]);
  }
  assert.equal(locateArrayElement(text, value.length), undefined);
  assert.deepEqual(lineColumnAt(text, locateArrayElement(text, 2)!), { line: 4, column: 3 });
});
