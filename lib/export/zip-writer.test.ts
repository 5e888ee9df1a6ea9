import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import test from "node:test";
import zlib from "node:zlib";
import { readZip } from "../../test/helpers/zip-reader";
import { ZipWriter, type TZipWriterOptions } from "./zip-writer";

const OPTS: TZipWriterOptions = { level: 2, mtime: new Date(Date.UTC(2000, 0, 1)), mode: 0o100644 };

/** Text that compresses like an export (repetitive, with varying parts), `bytes` long. */
function exportLikeText(bytes: number, seed: number): Buffer {
  const parts: string[] = [];
  let n = 0;
  let x = seed;
  while (n < bytes) {
    x = (x * 1103515245 + 12345) >>> 0;
    const line = `{"ts":"17040${x % 100000}.${x % 999983}","text":"deploy api-gw-${x % 97} to prod — ✓ ${x.toString(36)}"}\n`;
    parts.push(line);
    n += Buffer.byteLength(line);
  }
  return Buffer.from(parts.join("")).subarray(0, bytes);
}

/** Write entries through ZipWriter in the given chunking; returns the ZIP's bytes. */
async function writeZip(entries: { name: string; chunks: Buffer[] }[], opts: TZipWriterOptions = OPTS): Promise<Buffer> {
  const out: Buffer[] = [];
  const zip = new ZipWriter(async (b) => {
    out.push(Buffer.from(b));
  }, opts);
  for (const e of entries) {
    const w = await zip.openEntry(e.name);
    for (const c of e.chunks) await w.write(c);
    const info = await w.close();
    const all = Buffer.concat(e.chunks);
    assert.equal(info.size, all.length);
    assert.equal(info.crc32, zlib.crc32(all));
  }
  await zip.finish();
  return Buffer.concat(out);
}


const chunked = (b: Buffer, size: number): Buffer[] => {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
  return out;
};

const hasUnzip = spawnSync("unzip", ["-v"]).status === 0;

for (const forceZip64 of [false, true]) {
  test(`ZipWriter: entries of every size read back byte for byte${forceZip64 ? " (ZIP64 records)" : ""}`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zipw-"));
    try {
      const big = exportLikeText(3 * 1024 * 1024 + 12_345, 7); // several deflate blocks
      const entries = [
        { name: "messages.jsonl", chunks: chunked(big, 128 * 1024) },
        { name: "empty.txt", chunks: [] },
        { name: "small/ünïcode — name.csv", chunks: [Buffer.from("a,b\n1,2\n")] },
        { name: "odd-chunks.txt", chunks: chunked(exportLikeText(1_500_000, 3), 77_777) },
      ];
      const bytes = await writeZip(entries, { ...OPTS, forceZip64 });
      assert.ok(bytes.length < big.length / 3, "the data is deflated");
      const file = path.join(dir, "x.zip");
      fs.writeFileSync(file, bytes);
      const read = await readZip(file);
      assert.deepEqual([...read.keys()], entries.map((e) => e.name));
      for (const e of entries) assert.ok(read.get(e.name)!.equals(Buffer.concat(e.chunks)), e.name);
      if (hasUnzip) {
        const t = spawnSync("unzip", ["-t", file], { encoding: "utf8" });
        assert.equal(t.status, 0, t.stdout + t.stderr);
        assert.match(t.stdout, /No errors detected/);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("ZipWriter: the same bytes in the same chunks make the same ZIP", async () => {
  const data = exportLikeText(2_500_000, 11);
  const a = await writeZip([{ name: "a.jsonl", chunks: chunked(data, 128 * 1024) }, { name: "manifest.json", chunks: [Buffer.from("{}")] }]);
  const b = await writeZip([{ name: "a.jsonl", chunks: chunked(data, 128 * 1024) }, { name: "manifest.json", chunks: [Buffer.from("{}")] }]);
  assert.ok(a.equals(b));
});

test("ZipWriter: refuses misuse instead of writing a broken ZIP", async () => {
  const zip = new ZipWriter(async () => undefined, OPTS);
  const e = await zip.openEntry("a");
  await assert.rejects(zip.openEntry("b"), /still open/);
  await assert.rejects(zip.finish(), /still open/);
  await e.close();
  await assert.rejects(e.write(Buffer.from("x")), /closed/);
  await zip.finish();
  await assert.rejects(zip.openEntry("c"), /finished/);
  assert.throws(() => new ZipWriter(async () => undefined, { ...OPTS, level: 0 }), /level/);
});

test("ZipWriter: a sink that fails stops the writer with its error", async () => {
  let taken = 0;
  const zip = new ZipWriter(async (b) => {
    taken += b.length;
    if (taken > 100_000) throw new Error("disk full");
  }, OPTS);
  const e = await zip.openEntry("big.jsonl");
  // Incompressible bytes, so the deflated output passes the sink's limit.
  const noise = randomBytes(4 * 1024 * 1024);
  await assert.rejects(
    (async () => {
      for (const c of chunked(noise, 128 * 1024)) await e.write(c);
      await e.close();
    })(),
    /disk full/,
  );
});
