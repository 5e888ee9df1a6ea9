import { createHash, type Hash } from "node:crypto";
import { once } from "node:events";
import fs from "node:fs";
import { finished } from "node:stream/promises";
import { parentPort, workerData } from "node:worker_threads";
import type { TZipThreadData, TZipThreadReply, TZipThreadRequest } from "./zip-thread";
import { ZipWriter, type TZipEntry } from "./zip-writer";

/**
 * The export ZIP thread (see zip-thread.ts): takes each file's bytes in
 * order, hashes them for the manifest, deflates them into the ZIP and writes
 * the ZIP to its file, hashing that too. Requests are handled one after
 * another; an abort is handled at once.
 */

const { file, options } = workerData as TZipThreadData;
const port = parentPort!;
const reply = (r: TZipThreadReply) => port.postMessage(r);

const out = fs.createWriteStream(file);
const zipHash = createHash("sha256");
let failed = false;
// A write error is reported by the next request that waits on the file.
out.on("error", () => undefined);

// The deflater's pieces (up to its 256 KB output buffer) go to the file as they come.
const zip = new ZipWriter(async (b) => {
  if (out.errored) throw out.errored;
  zipHash.update(b);
  if (!out.write(b)) await once(out, "drain");
}, options);

let entry: { zip: TZipEntry; hash: Hash; bytes: number } | null = null;

async function handle(m: TZipThreadRequest): Promise<void> {
  switch (m.type) {
    case "open":
      entry = { zip: await zip.openEntry(m.name), hash: createHash("sha256"), bytes: 0 };
      return;
    case "data": {
      const b = Buffer.from(m.chunk.buffer, m.chunk.byteOffset, m.chunk.byteLength);
      entry!.hash.update(b);
      entry!.bytes += b.length;
      await entry!.zip.write(b);
      // Deflated: its memory goes back to be filled again.
      port.postMessage({ type: "ack", chunk: m.chunk } satisfies TZipThreadReply, [m.chunk.buffer as ArrayBuffer]);
      return;
    }
    case "close": {
      const done = entry!;
      entry = null;
      await done.zip.close();
      reply({ type: "closed", bytes: done.bytes, sha256: done.hash.digest("hex") });
      return;
    }
    case "finish":
      await zip.finish();
      out.end();
      await finished(out);
      reply({ type: "finished", sha256: zipHash.digest("hex") });
      return;
  }
}

let chain = Promise.resolve();
port.on("message", (m: TZipThreadRequest | { type: "abort" }) => {
  if (m.type === "abort") {
    failed = true;
    out.destroy();
    reply({ type: "aborted" });
    return;
  }
  chain = chain.then(async () => {
    if (failed) return;
    try {
      await handle(m);
    } catch (e) {
      failed = true;
      out.destroy();
      const err = e as Error;
      reply({ type: "error", message: err.message, stack: err.stack });
    }
  });
});
