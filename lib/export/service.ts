import fs from "node:fs";
import path from "node:path";
import type pg from "pg";
import { recordAuditEvent } from "../access/service";
import type { TViewer } from "../access/types";
import { AppError } from "../errors";
import { assembleExportPages, resolveExportScope, withChannelEvents } from "./assemble";
import { findExportFormat } from "./formats/registry";
import { buildManifest, type TManifestFile } from "./manifest";
import { findChannelsByExternalIds, findPeopleByExternalIds } from "./repository";
import type { TExportDirectory, TExportScope } from "./types";
import { ZipFileOnThread } from "./zip-thread";

/**
 * Runs an export: the format's files and a manifest, streamed into one ZIP
 * in constant memory. Each file is its own ZIP entry, written as its records
 * arrive, with backpressure (a full entry waits for the ZIP to drain it).
 * Entries carry a fixed timestamp, so two exports of the same data are
 * byte-identical apart from the manifest's `generatedAt`. The export is
 * written to the audit log.
 */

const FIXED_MTIME = new Date(Date.UTC(2000, 0, 1));
/**
 * Deflate level 2: on export text it is 2–3 times faster than the default 6
 * for a ZIP about a third larger (and about an eighth faster than level 3
 * for a ZIP 0.3% larger). Hashing, deflating and writing run on the ZIP's
 * own thread beside the making of records (zip-thread.ts).
 */
const ZIP = { level: 2, mtime: FIXED_MTIME, mode: 0o100644 } as const;
/** Bytes gathered before they are handed to the ZIP. */
const CHUNK = 512 * 1024;

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
  /** Every file of the ZIP but the manifest, as the manifest lists them. */
  files: TManifestFile[];
  zipSha256: string;
}

/** People and channels looked up by external id, for the files formats make at the end. */
export function createExportDirectory(db: pg.Pool): TExportDirectory {
  return {
    async findPeople(workspaceId, ids) {
      if (ids.length === 0) return [];
      return (await findPeopleByExternalIds(db, workspaceId, ids)).map((p) => ({
        id: p.id, name: p.name, realName: p.real_name, displayName: p.display_name, email: p.email, title: p.title,
        tz: p.tz, isBot: p.is_bot, botId: p.bot_id, deleted: p.deleted,
      }));
    },
    async findChannels(workspaceId, ids) {
      if (ids.length === 0) return [];
      return (await findChannelsByExternalIds(db, workspaceId, ids)).map((c) => ({
        id: c.id, name: c.name, kind: c.kind, topic: c.topic, purpose: c.purpose, archived: c.archived,
        createdAt: c.created_at ? c.created_at.toISOString() : null, creator: c.creator,
        members: Array.isArray(c.members) ? c.members.filter((m): m is string => typeof m === "string") : null,
        pins: c.pins,
      }));
    },
  };
}

/** Export the records the viewer may read within the scope, in the requested format, into a ZIP under `outDir`. */
export async function runExport(db: pg.Pool, viewer: TViewer, req: TExportRequest): Promise<TExportResult> {
  const format = findExportFormat(req.format);
  const resolved = await resolveExportScope(db, viewer, req.scope);
  const now = req.now ?? new Date();
  fs.mkdirSync(req.outDir, { recursive: true });
  const stamp = now.toISOString().replace(/[:.]/g, "-");
  const zipPath = path.join(req.outDir, `backscroll-export-${format.name}-${stamp}.zip`);
  const partial = `${zipPath}.partial`;
  const zip = new ZipFileOnThread(partial, ZIP, CHUNK);
  let zipSha256 = "";

  const files: TManifestFile[] = [];
  const seen = new Set<string>();
  let records = 0;
  let cur: { name: string; records: number | null } | null = null;
  // Each piece of text is encoded into the chunk as it comes: encoding one
  // long string made of many pieces is far slower whenever a single piece has
  // a character beyond Latin-1 (the whole string becomes two-byte). The
  // chunks' memory moves to the ZIP's thread and comes back.
  let chunk = zip.chunk();
  let used = 0;

  const flush = async (): Promise<void> => {
    if (!cur || used === 0) return;
    const b = chunk.subarray(0, used);
    chunk = zip.chunk();
    used = 0;
    await zip.write(b, true);
  };
  const appendAfterFlush = async (text: string): Promise<void> => {
    await flush();
    if (text.length * 3 > CHUNK) await zip.write(Buffer.from(text, "utf8"), false);
    else used += chunk.write(text, used, "utf8");
  };
  /** Append text to the current file; a promise (to await) only when the chunk had to be handed over first. */
  const append = (text: string): Promise<void> | undefined => {
    // At most 3 UTF-8 bytes per UTF-16 code unit.
    if (text.length * 3 > CHUNK - used) return appendAfterFlush(text);
    used += chunk.write(text, used, "utf8");
    return undefined;
  };
  const openFile = (name: string, countsRecords: boolean): void => {
    if (seen.has(name)) throw new AppError("internal", `Export format ${format.name} reopened ${name}: files must follow the record order`);
    seen.add(name);
    zip.open(name);
    cur = { name, records: countsRecords ? 0 : null };
  };
  const closeFile = async (): Promise<void> => {
    if (!cur) return;
    await flush();
    const done = cur;
    cur = null;
    const { bytes, sha256 } = await zip.close();
    files.push(done.records === null ? { name: done.name, bytes, sha256 } : { name: done.name, bytes, sha256, records: done.records });
  };

  try {
    const writer = format.open();
    let file: string | null = null;
    let progressAt = 0;
    const messagePages = assembleExportPages(db, resolved, { includeDeleted: true });
    for await (const page of format.channelEvents ? withChannelEvents(db, resolved, messagePages) : messagePages) for (const rec of page) {
      req.signal?.throwIfAborted();
      const name = writer.fileFor(rec);
      if (name === null) continue;
      if (name !== file) {
        if (file !== null && writer.footer) await append(writer.footer(file));
        await closeFile();
        openFile(name, true);
        file = name;
        if (writer.header) await append(writer.header(name, rec));
      }
      const text = writer.write(rec, name);
      if (typeof text === "string") {
        const full = append(text);
        if (full) await full;
      } else {
        for (const piece of text) {
          const full = append(piece);
          if (full) await full;
        }
      }
      // Channel events (formats with channelEvents) are entries of the files, not message records.
      if (rec.event) continue;
      cur!.records!++;
      records++;
      if (records - progressAt >= 1000) {
        progressAt = records;
        req.onProgress?.(records);
      }
    }
    if (file === null && writer.defaultFile) {
      openFile(writer.defaultFile, true);
      if (writer.header) await append(writer.header(writer.defaultFile, null));
      file = writer.defaultFile;
    }
    if (file !== null && writer.footer) await append(writer.footer(file));
    await closeFile();
    req.signal?.throwIfAborted();
    for (const extra of (await writer.finish?.(createExportDirectory(db))) ?? []) {
      openFile(extra.name, false);
      await append(extra.content);
      await closeFile();
    }
    zip.open("manifest.json");
    await zip.write(
      Buffer.from(buildManifest({ format: format.name, generatedAt: now, requester: req.requester.email, scope: req.scope, records, files }), "utf8"),
      false,
    );
    await zip.close();
    zipSha256 = await zip.finish();
    fs.renameSync(partial, zipPath);
  } catch (e) {
    await zip.abort();
    fs.rmSync(partial, { force: true });
    throw e;
  }
  req.onProgress?.(records);
  const result = { zipPath, records, files, zipSha256 };
  await recordAuditEvent(db, {
    actorId: req.requester.userId,
    actor: req.requester.email,
    action: "export.create",
    target: path.basename(zipPath),
    details: { format: format.name, scope: req.scope, records, sha256: result.zipSha256 },
  });
  return result;
}
