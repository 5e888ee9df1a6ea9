import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import yazl from "yazl";
import type { TViewer } from "../access/types";
import { assembleExport, resolveExportScope } from "./assemble";
import { findExportFormat } from "./formats/registry";
import type { TExportScope } from "./types";

/**
 * Runs an export: the format's output and a manifest, streamed into one ZIP
 * in constant memory. Entries carry a fixed timestamp, so two exports of the
 * same data are byte-identical apart from the manifest's `generatedAt`.
 * The export is written to the audit log.
 */

const FIXED_MTIME = new Date(Date.UTC(2000, 0, 1));

export interface TExportRequest {
  format: string;
  scope: TExportScope;
  outDir: string;
  requester: { userId: number | null; email: string };
  now?: Date;
  onProgress?: (records: number) => void;
  /** Aborting stops the export between records; nothing is left in `outDir`. */
  signal?: AbortSignal;
}

export interface TExportResult {
  zipPath: string;
  records: number;
  files: { name: string; bytes: number; sha256: string }[];
  zipSha256: string;
}

export async function runExport(db: pg.Pool, viewer: TViewer, req: TExportRequest): Promise<TExportResult> {
  const format = findExportFormat(req.format);
  const resolved = await resolveExportScope(db, viewer, req.scope);
  const now = req.now ?? new Date();
  fs.mkdirSync(req.outDir, { recursive: true });
  const stamp = now.toISOString().replace(/[:.]/g, "-");
  const zipPath = path.join(req.outDir, `backscroll-export-${format.name}-${stamp}.zip`);
  const zip = new yazl.ZipFile();
  const hash = createHash("sha256");
  let bytes = 0;
  let records = 0;

  async function* content(): AsyncGenerator<Buffer> {
    const emit = (s: string) => {
      const b = Buffer.from(s, "utf8");
      hash.update(b);
      bytes += b.length;
      return b;
    };
    if (format.header) yield emit(format.header());
    let chunk = "";
    for await (const rec of assembleExport(db, resolved, { includeDeleted: true })) {
      req.signal?.throwIfAborted();
      chunk += format.write(rec);
      records++;
      if (chunk.length > 256 * 1024) {
        yield emit(chunk);
        chunk = "";
        req.onProgress?.(records);
      }
    }
    if (format.footer) chunk += format.footer();
    if (chunk) yield emit(chunk);
  }

  const files: TExportResult["files"] = [];
  const tap = new PassThrough();
  const data = Readable.from(content());
  // A failure while reading the archive fails the whole export.
  data.on("error", (e) => tap.destroy(e));
  zip.addReadStream(data, format.fileName, { mtime: FIXED_MTIME, mode: 0o100644 });
  // The manifest is made only once the data file has been written whole.
  zip.addReadStreamLazy("manifest.json", { mtime: FIXED_MTIME, mode: 0o100644 }, (cb) => {
    files.push({ name: format.fileName, bytes, sha256: hash.digest("hex") });
    const manifest = {
      generator: "backscroll",
      format: format.name,
      generatedAt: now.toISOString(),
      requester: req.requester.email,
      scope: req.scope,
      counts: { messages: records },
      files,
    };
    const s = new PassThrough();
    s.end(JSON.stringify(manifest, null, 2) + "\n");
    cb(null, s);
  });
  zip.end();
  const zipHash = createHash("sha256");
  tap.on("data", (d: Buffer) => zipHash.update(d));
  const partial = `${zipPath}.partial`;
  try {
    await pipeline(zip.outputStream, tap, fs.createWriteStream(partial));
    fs.renameSync(partial, zipPath);
  } catch (e) {
    fs.rmSync(partial, { force: true });
    throw e;
  }
  const result = { zipPath, records, files, zipSha256: zipHash.digest("hex") };
  await db.query("INSERT INTO audit_event (actor_id, actor, action, target, details) VALUES ($1, $2, 'export.create', $3, $4)", [
    req.requester.userId,
    req.requester.email,
    path.basename(zipPath),
    JSON.stringify({ format: format.name, scope: req.scope, records, sha256: result.zipSha256 }),
  ]);
  return result;
}
