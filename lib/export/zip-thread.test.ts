import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import test from "node:test";
import { readZip } from "../../test/helpers/zip-reader";
import { ZipFileOnThread } from "./zip-thread";

const OPTS = { level: 2, mtime: new Date(Date.UTC(2000, 0, 1)), mode: 0o100644 };
const CHUNK = 64 * 1024;
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");


test("ZipFileOnThread: files filled in chunks that move to the thread and come back read back whole, with their digests", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zipthread-"));
  try {
    const file = path.join(dir, "x.zip");
    const zip = new ZipFileOnThread(file, OPTS, CHUNK);
    const lines: string[] = [];
    for (let i = 0; i < 40_000; i++) lines.push(`{"n":${i},"text":"deploy api-gw-${i % 97} ✓"}\n`);
    const data = Buffer.from(lines.join(""));
    zip.open("messages.jsonl");
    const reused = new Set<ArrayBuffer>();
    let given = 0;
    for (let at = 0; at < data.length; at += CHUNK) {
      const c = zip.chunk();
      assert.equal(c.length, CHUNK);
      reused.add(c.buffer as ArrayBuffer);
      const n = data.copy(c, 0, at, at + CHUNK);
      given++;
      await zip.write(c.subarray(0, n), true);
      assert.equal(c.buffer.byteLength, 0, "a given chunk's memory has moved to the thread");
    }
    const digest = await zip.close();
    assert.deepEqual(digest, { bytes: data.length, sha256: sha(data) });
    zip.open("small.csv");
    const small = Buffer.from("a,b\n1,2\n");
    await zip.write(small, false);
    assert.equal(small.toString(), "a,b\n1,2\n", "a copied chunk stays usable");
    assert.deepEqual(await zip.close(), { bytes: small.length, sha256: sha(small) });
    const zipSha = await zip.finish();
    assert.equal(zipSha, sha(fs.readFileSync(file)));
    const read = await readZip(file);
    assert.deepEqual([...read.keys()], ["messages.jsonl", "small.csv"]);
    assert.ok(read.get("messages.jsonl")!.equals(data));
    assert.ok(read.get("small.csv")!.equals(small));
    assert.ok(given > 20);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("ZipFileOnThread: a file that cannot be written fails the writes instead of hanging", async () => {
  const zip = new ZipFileOnThread(path.join(os.tmpdir(), "no-such-dir-zipthread", "x.zip"), OPTS, CHUNK);
  zip.open("a");
  await assert.rejects(
    (async () => {
      for (let i = 0; i < 100; i++) await zip.write(Buffer.alloc(CHUNK, i), false);
      await zip.close();
      await zip.finish();
    })(),
    /ENOENT/,
  );
  await zip.abort();
});

test("ZipFileOnThread: abort stops the thread and leaves the file to remove", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zipthread-"));
  try {
    const file = path.join(dir, "x.zip.partial");
    const zip = new ZipFileOnThread(file, OPTS, CHUNK);
    zip.open("a");
    await zip.write(Buffer.alloc(3 * CHUNK, 7), false);
    await zip.abort();
    fs.rmSync(file, { force: true });
    assert.deepEqual(fs.readdirSync(dir), []);
    await assert.rejects(zip.close());
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
