import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import zlib from "node:zlib";
import yazl from "yazl";
import yauzl from "yauzl";
import { useNativeZipCrc32 } from "./zip-crc32";

test("yazl's CRC-32 goes native and its ZIPs still verify", async () => {
  const req = createRequire(createRequire(import.meta.url).resolve("yazl"));
  const mod = req("buffer-crc32") as { unsigned: (b: Buffer, p?: number) => number };
  const data = Buffer.from("From a\n".repeat(10_000) + "ünïcode ☃");
  const before = mod.unsigned(data);
  assert.equal(useNativeZipCrc32(), true);
  assert.equal(mod.unsigned(data), before);
  assert.equal(mod.unsigned(data.subarray(100), mod.unsigned(data.subarray(0, 100))), before);
  const zip = new yazl.ZipFile();
  zip.addBuffer(data, "a.txt");
  zip.end();
  const parts: Buffer[] = [];
  for await (const c of zip.outputStream) parts.push(c as Buffer);
  const back = await new Promise<{ crc: number; data: Buffer }>((resolve, reject) =>
    yauzl.fromBuffer(Buffer.concat(parts), { lazyEntries: true }, (err, z) => {
      if (err || !z) return reject(err);
      z.on("entry", (e: yauzl.Entry) =>
        z.openReadStream(e, (err2, s) => {
          if (err2 || !s) return reject(err2);
          const out: Buffer[] = [];
          s.on("data", (d: Buffer) => out.push(d));
          s.on("error", reject);
          s.on("end", () => resolve({ crc: e.crc32, data: Buffer.concat(out) }));
        }),
      );
      z.readEntry();
    }),
  );
  assert.ok(back.data.equals(data));
  // The CRC-32 the ZIP records (yauzl reads it, does not check it) is the right one.
  assert.equal(back.crc, zlib.crc32(data));
  assert.equal(back.crc, before);
});
