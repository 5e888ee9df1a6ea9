import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { AppError } from "../../errors";
import { buildZip, type TZipEntrySpec } from "../../../test/helpers/zip-writer";
import { openArchive } from "./open-archive";
import type { TArchiveLimits } from "./types";

const LIMITS: TArchiveLimits = { maxTotalBytes: 64 * 1024 * 1024, maxEntryBytes: 16 * 1024 * 1024, maxRatio: 100, ratioMinBytes: 1024 * 1024 };
let dir: string;
let n = 0;

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "backscroll-zip-"));
});
after(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function zipFile(entries: TZipEntrySpec[], truncateAt?: number): Promise<string> {
  const file = path.join(dir, `t${n++}.zip`);
  await fs.writeFile(file, buildZip(entries, { truncateAt }));
  return file;
}

async function refusal(p: Promise<unknown>, code: string, pattern: RegExp): Promise<AppError> {
  try {
    const a = await p;
    assert.fail(`expected ${code}, got ${JSON.stringify(a && typeof a === "object" && "list" in a ? (a as { list(): unknown }).list() : a)}`);
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    assert.equal(e.code, code, e.message);
    assert.match(e.message, pattern);
    return e;
  }
}

test("lists and reads a normal zip; skips directories, dotfiles, __MACOSX", async () => {
  const file = await zipFile([
    { name: "users.json", data: "[]" },
    { name: "general/", unixMode: 0o040755 },
    { name: "general/2016-01-02.json", data: '[{"ts":"1.2"}]', unixMode: 0o100644 },
    { name: "random\\2016-01-03.json", data: "[]", method: "store" },
    { name: ".DS_Store", data: "junk" },
    { name: "__MACOSX/general/._2016-01-02.json", data: "junk" },
  ]);
  const a = await openArchive(file, { limits: LIMITS });
  try {
    assert.equal(a.kind, "zip");
    assert.equal(a.strippedRoot, null);
    assert.deepEqual(a.list().map((e) => [e.path, e.size]), [
      ["general/2016-01-02.json", 14],
      ["random/2016-01-03.json", 2],
      ["users.json", 2],
    ]);
    assert.equal((await a.readEntry("general/2016-01-02.json")).toString(), '[{"ts":"1.2"}]');
    assert.equal((await a.readEntry("random/2016-01-03.json")).toString(), "[]");
    await refusal(a.readEntry("../users.json"), "not_found", /no entry/);
  } finally {
    await a.close();
  }
});

test("strips a single common root folder", async () => {
  const file = await zipFile([
    { name: "my-export/users.json", data: "[]" },
    { name: "my-export/general/2016-01-02.json", data: "[]" },
  ]);
  const a = await openArchive(file, { limits: LIMITS });
  assert.equal(a.strippedRoot, "my-export");
  assert.deepEqual(a.list().map((e) => e.path), ["general/2016-01-02.json", "users.json"]);
  assert.equal((await a.readEntry("users.json")).toString(), "[]");
  await a.close();
  const b = await openArchive(file, { limits: LIMITS, stripCommonRoot: (paths) => paths.includes("channels.json") });
  assert.equal(b.strippedRoot, null);
  await b.close();
});

for (const [label, name] of [
  ["traversal", "../../etc/cron.d/evil"],
  ["nested traversal", "general/../../evil.json"],
  ["backslash traversal", "..\\..\\evil.json"],
  ["absolute", "/etc/passwd"],
  ["drive letter", "C:\\Windows\\evil.json"],
  ["leading backslash", "\\evil.json"],
] as const) {
  test(`refuses a zip with a ${label} entry, naming it`, async () => {
    const file = await zipFile([{ name: "users.json", data: "[]" }, { name, data: "x" }]);
    const e = await refusal(openArchive(file, { limits: LIMITS }), "hostile_archive", /path/);
    assert.ok(e.message.includes(JSON.stringify(name)), e.message);
    assert.equal(e.where?.file, name);
  });
}

test("refuses symlink entries", async () => {
  const file = await zipFile([{ name: "users.json", data: "/etc/passwd", unixMode: 0o120777 }]);
  await refusal(openArchive(file, { limits: LIMITS }), "hostile_archive", /"users\.json" is a symbolic link/);
});

test("refuses encrypted entries", async () => {
  const file = await zipFile([{ name: "users.json", data: "[]", encrypted: true, method: "deflate" }]);
  await refusal(openArchive(file, { limits: LIMITS }), "hostile_archive", /"users\.json" is encrypted/);
});

test("refuses duplicate entry names", async () => {
  const file = await zipFile([{ name: "users.json", data: "[]" }, { name: "./users.json", data: "[1]" }]);
  await refusal(openArchive(file, { limits: LIMITS }), "hostile_archive", /more than once/);
});

test("refuses a zip bomb by compression ratio, before reading", async () => {
  const file = await zipFile([{ name: "users.json", data: "[]" }, { name: "general/2016-01-02.json", data: Buffer.alloc(4 * 1024 * 1024, 0x20) }]);
  await refusal(openArchive(file, { limits: LIMITS }), "hostile_archive", /"general\/2016-01-02\.json" has a compression ratio of \d+/);
});

test("refuses a bomb hidden in an ignored folder", async () => {
  const file = await zipFile([{ name: "users.json", data: "[]" }, { name: "__MACOSX/bomb", data: Buffer.alloc(4 * 1024 * 1024) }]);
  await refusal(openArchive(file, { limits: LIMITS }), "hostile_archive", /compression ratio/);
});

test("refuses entries and totals above the size limits", async () => {
  const file = await zipFile([{ name: "a.json", data: "x".repeat(600) }, { name: "b.json", data: "y".repeat(600) }]);
  await refusal(openArchive(file, { limits: { ...LIMITS, maxEntryBytes: 500 } }), "hostile_archive", /"a\.json" declares 600 bytes.*IMPORT_MAX_ENTRY_BYTES/);
  await refusal(openArchive(file, { limits: { ...LIMITS, maxTotalBytes: 1000 } }), "hostile_archive", /IMPORT_MAX_TOTAL_BYTES/);
  const ok = await openArchive(file, { limits: { ...LIMITS, maxTotalBytes: 1200, maxEntryBytes: 600 } });
  await ok.close();
});

test("counts inflated bytes: an entry that lies about its size is refused while reading", async () => {
  const file = await zipFile([{ name: "users.json", data: "x".repeat(100_000), declaredSize: 1000 }]);
  const a = await openArchive(file, { limits: LIMITS });
  await refusal(a.readEntry("users.json"), "hostile_archive", /"users\.json" inflates to more than its declared 1000 bytes/);
  await a.close();
});

test("a truncated zip is bad input naming the file", async () => {
  const full = buildZip([{ name: "users.json", data: "[]" }, { name: "general/2016-01-02.json", data: "[]".repeat(1000) }]);
  const file = await zipFile([{ name: "users.json", data: "[]" }, { name: "general/2016-01-02.json", data: "[]".repeat(1000) }], full.length - 30);
  const e = await refusal(openArchive(file, { limits: LIMITS }), "bad_input", /t\d+\.zip is not a readable ZIP archive/);
  assert.equal(e.where?.file, path.basename(file));
});

test("a short or corrupt entry body is bad input naming the entry", async () => {
  const file = await zipFile([
    { name: "short.json", data: "[1,2,3]", declaredSize: 5000 },
    { name: "garbage.json", data: "[]", body: Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x01]) },
    { name: "crc.json", data: "[]", crc32: 12345 },
  ]);
  const a = await openArchive(file, { limits: LIMITS });
  await refusal(a.readEntry("short.json"), "bad_input", /"short\.json" is (truncated|corrupt)/);
  await refusal(a.readEntry("garbage.json"), "bad_input", /"garbage\.json" is corrupt/);
  await refusal(a.readEntry("crc.json"), "bad_input", /"crc\.json" is corrupt: CRC-32 mismatch/);
  await a.close();
});

test("a file that is not a zip is bad input", async () => {
  const file = path.join(dir, "not.zip");
  await fs.writeFile(file, "hello, world");
  await refusal(openArchive(file, { limits: LIMITS }), "bad_input", /not\.zip is not a readable ZIP/);
});

test("decodes names without the UTF-8 flag as CP437", async () => {
  const file = await zipFile([{ name: Buffer.from([0x63, 0x61, 0x66, 0x82, 0x2e, 0x6a, 0x73, 0x6f, 0x6e]), data: "[]" }]);
  const a = await openArchive(file, { limits: LIMITS });
  assert.deepEqual(a.list().map((e) => e.path), ["café.json"]);
  await a.close();
});
