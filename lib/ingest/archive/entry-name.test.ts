import { test } from "node:test";
import assert from "node:assert/strict";
import { checkEntryName, findCommonRoot, isIgnoredPath } from "./entry-name";

test("normalises harmless names", () => {
  assert.deepEqual(checkEntryName("general/2016-01-02.json"), { ok: true, path: "general/2016-01-02.json", isDirectory: false });
  assert.deepEqual(checkEntryName("./general//x.json"), { ok: true, path: "general/x.json", isDirectory: false });
  assert.deepEqual(checkEntryName("general\\x.json"), { ok: true, path: "general/x.json", isDirectory: false });
  assert.deepEqual(checkEntryName("general/"), { ok: true, path: "general", isDirectory: true });
  assert.deepEqual(checkEntryName("a..b/c"), { ok: true, path: "a..b/c", isDirectory: false });
});

test("refuses names that leave the archive", () => {
  for (const name of ["../x", "a/../../x", "a/..", "..\\..\\x", "a\\..\\..\\x", "/etc/passwd", "\\x", "C:\\x", "c:x", "//host/share", "", ".", "a\u0000b"]) {
    const r = checkEntryName(name);
    assert.equal(r.ok, false, `expected ${JSON.stringify(name)} to be refused`);
  }
});

test("ignores dotfiles and __MACOSX", () => {
  assert.equal(isIgnoredPath(".DS_Store"), true);
  assert.equal(isIgnoredPath("general/._2016-01-02.json"), true);
  assert.equal(isIgnoredPath("__MACOSX/general/x.json"), true);
  assert.equal(isIgnoredPath("general/2016-01-02.json"), false);
});

test("finds a single common root folder", () => {
  assert.equal(findCommonRoot(["exp/users.json", "exp/general/a.json"]), "exp");
  assert.equal(findCommonRoot(["users.json", "exp/general/a.json"]), null);
  assert.equal(findCommonRoot(["a/x.json", "b/x.json"]), null);
  assert.equal(findCommonRoot([]), null);
});
