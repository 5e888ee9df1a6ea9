import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { AppError } from "../../errors";
import { openArchive } from "./open-archive";
import type { TArchiveLimits } from "./types";

const LIMITS: TArchiveLimits = { maxTotalBytes: 10_000, maxEntryBytes: 1000, maxRatio: 100, ratioMinBytes: 1024 * 1024 };
let dir: string;
let n = 0;

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "backscroll-folder-"));
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function folder(files: Record<string, string>): Promise<string> {
  const root = path.join(dir, `f${n++}`);
  for (const [rel, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fs.writeFile(path.join(root, rel), content);
  }
  await fs.mkdir(root, { recursive: true });
  return root;
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "resolved";
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    return `${e.code}: ${e.message}`;
  }
}

test("lists a folder sorted, ignores dotfiles, reads entries", async () => {
  const root = await folder({ "users.json": "[]", "general/2016-01-02.json": "[1]", ".DS_Store": "x", "general/.hidden": "x", ".git/config": "x" });
  const a = await openArchive(root, { limits: LIMITS });
  assert.equal(a.kind, "folder");
  assert.deepEqual(a.list().map((e) => [e.path, e.size, e.compressedSize]), [
    ["general/2016-01-02.json", 3, null],
    ["users.json", 2, null],
  ]);
  assert.equal((await a.readEntry("general/2016-01-02.json")).toString(), "[1]");
  assert.match(await code(a.readEntry("../f0/users.json")), /^not_found/);
  await a.close();
});

test("strips a single common root folder", async () => {
  const root = await folder({ "export/users.json": "[]", "export/general/2016-01-02.json": "[]" });
  const a = await openArchive(root, { limits: LIMITS });
  assert.equal(a.strippedRoot, "export");
  assert.deepEqual(a.list().map((e) => e.path), ["general/2016-01-02.json", "users.json"]);
  assert.equal((await a.readEntry("users.json")).toString(), "[]");
});

test("refuses a folder with a symlink anywhere inside, even a harmless one", async () => {
  const root = await folder({ "users.json": "[]", "general/2016-01-02.json": "[]" });
  await fs.symlink("/etc/passwd", path.join(root, "general", "2016-01-03.json"));
  assert.match(await code(openArchive(root, { limits: LIMITS })), /^hostile_archive: .*"general\/2016-01-03\.json" is a symbolic link/);
  const root2 = await folder({ "users.json": "[]" });
  await fs.symlink(path.join(root2, "users.json"), path.join(root2, "channels.json"));
  assert.match(await code(openArchive(root2, { limits: LIMITS })), /^hostile_archive: .*"channels\.json" is a symbolic link/);
  const root3 = await folder({ "users.json": "[]" });
  await fs.symlink("/tmp", path.join(root3, ".cache"));
  assert.match(await code(openArchive(root3, { limits: LIMITS })), /^hostile_archive: .*symbolic link/);
});

test("applies the size limits to files", async () => {
  const big = await folder({ "users.json": "x".repeat(1001) });
  assert.match(await code(openArchive(big, { limits: LIMITS })), /^hostile_archive: .*"users\.json" declares 1001 bytes/);
  const many: Record<string, string> = {};
  for (let i = 0; i < 11; i++) many[`c/${1000 + i}.json`] = "x".repeat(1000);
  many["users.json"] = "[]";
  assert.match(await code(openArchive(await folder(many), { limits: LIMITS })), /^hostile_archive: .*IMPORT_MAX_TOTAL_BYTES/);
});

test("a file that grows after the walk is refused while reading", async () => {
  const root = await folder({ "users.json": "[]" });
  const a = await openArchive(root, { limits: LIMITS });
  await fs.writeFile(path.join(root, "users.json"), "x".repeat(5000));
  assert.match(await code(a.readEntry("users.json")), /^hostile_archive: .*per-entry limit/);
});

test("a missing path is bad input", async () => {
  assert.match(await code(openArchive(path.join(dir, "nope"), { limits: LIMITS })), /^bad_input: Cannot open/);
});
