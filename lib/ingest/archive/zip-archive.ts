import path from "node:path";
import zlib from "node:zlib";
import type { Readable } from "node:stream";
import yauzl from "yauzl";
import { AppError, badInput, isAppError } from "../../errors";
import { checkEntryName } from "./entry-name";
import { assertDeclaredSizesWithinLimits, hostile } from "./limits";
import { buildListing } from "./listing";
import { ListedArchive } from "./listed-archive";
import type { TArchive, TArchiveEntry, TArchiveLimits, TOpenArchiveOptions } from "./types";

interface TZipHandle {
  entry: yauzl.Entry;
  /** Declared uncompressed size. */
  size: number;
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

// Code page 437, bytes 0x80–0xFF: the ZIP default when the UTF-8 flag is unset.
const CP437_HIGH =
  "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0";

/**
 * The name of a central-directory entry as text. We decode it ourselves
 * (yauzl `decodeStrings: false`) because yauzl's own validation would fail
 * the read with a generic error; we want to name the entry and classify the
 * refusal as hostile.
 */
export function decodeZipEntryName(entry: yauzl.Entry): string {
  const raw = entry.fileNameRaw ?? (entry.fileName as unknown as Buffer);
  for (const field of entry.extraFields ?? []) {
    // Info-ZIP Unicode Path (0x7075): valid only if it matches the CRC of the plain name.
    if (field.id === 0x7075 && field.data.length >= 6 && field.data.readUInt8(0) === 1) {
      if (zlib.crc32(raw) === field.data.readUInt32LE(1)) return field.data.subarray(5).toString("utf8");
    }
  }
  if ((entry.generalPurposeBitFlag & 0x800) !== 0) return raw.toString("utf8");
  let s = "";
  for (const b of raw) s += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80];
  return s;
}

function openYauzl(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(
      file,
      { lazyEntries: true, autoClose: false, validateEntrySizes: true, decodeStrings: false },
      (err, zip) => (err || !zip ? reject(err ?? new Error("no zip file")) : resolve(zip)),
    );
  });
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Opens a ZIP archive and vets its whole central directory before returning:
 * traversal and absolute names, symlinks and special files, encrypted
 * entries, unsupported compression, duplicate names, declared sizes and
 * compression ratios. Nothing is extracted to disk.
 */
export async function openZipArchive(file: string, limits: TArchiveLimits, options: TOpenArchiveOptions = {}): Promise<TArchive> {
  const location = path.resolve(file);
  const label = path.basename(location);
  let zip: yauzl.ZipFile;
  try {
    zip = await openYauzl(location);
  } catch (e) {
    throw new AppError("bad_input", `${label} is not a readable ZIP archive (truncated or corrupt?): ${messageOf(e)}`, { file: label }, { cause: e });
  }
  try {
    const files: Array<{ entry: TArchiveEntry; handle: TZipHandle }> = [];
    const all: Array<Pick<TArchiveEntry, "path" | "size" | "compressedSize">> = [];
    const seen = new Set<string>();
    try {
      for await (const entry of zip.eachEntry()) {
        const rawName = decodeZipEntryName(entry);
        const check = checkEntryName(rawName);
        if (!check.ok) throw hostile(label, rawName, check.reason);
        const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
        if (mode === S_IFLNK) throw hostile(label, rawName, "is a symbolic link");
        if (mode !== 0 && mode !== S_IFREG && mode !== S_IFDIR) {
          throw hostile(label, rawName, `is a special file (mode 0o${mode.toString(8)})`);
        }
        if (entry.isEncrypted()) throw hostile(label, rawName, "is encrypted");
        if (check.isDirectory || mode === S_IFDIR) {
          if (entry.uncompressedSize > 0) throw hostile(label, rawName, "is a directory with content");
          continue;
        }
        if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
          throw badInput(`${label}: entry "${rawName}" uses unsupported compression method ${entry.compressionMethod} (only stored and deflate are supported)`, { file: rawName });
        }
        if (seen.has(check.path)) throw hostile(label, rawName, "appears more than once");
        seen.add(check.path);
        const size = entry.uncompressedSize;
        all.push({ path: rawName, size, compressedSize: entry.compressedSize });
        files.push({ entry: { path: check.path, size, compressedSize: entry.compressedSize }, handle: { entry, size } });
      }
    } catch (e) {
      if (isAppError(e)) throw e;
      const msg = messageOf(e);
      if (/encryption/i.test(msg)) throw hostile(label, null, `uses encryption (${msg})`);
      throw new AppError("bad_input", `${label}: corrupt ZIP central directory: ${msg}`, { file: label }, { cause: e });
    }
    assertDeclaredSizesWithinLimits(label, all, limits);
    const listing = buildListing(files, options.stripCommonRoot);
    return new ZipArchive(zip, location, label, listing.strippedRoot, listing.entries, listing.handles, limits);
  } catch (e) {
    zip.close();
    throw e;
  }
}

class ZipArchive extends ListedArchive<TZipHandle> {
  readonly kind = "zip" as const;
  private closed = false;

  constructor(
    private readonly zip: yauzl.ZipFile,
    ...listed: ConstructorParameters<typeof ListedArchive<TZipHandle>>
  ) {
    super(...listed);
  }

  async readEntry(p: string): Promise<Buffer> {
    const h = this.handleOf(p);
    if (this.closed) throw new AppError("internal", `${this.label} is closed`);
    let stream: Readable;
    try {
      stream = await this.zip.openReadStreamPromise(h.entry);
    } catch (e) {
      throw new AppError("bad_input", `${this.label}: entry "${p}" cannot be read (corrupt ZIP?): ${messageOf(e)}`, { file: p }, { cause: e });
    }
    const chunks: Buffer[] = [];
    let n = 0;
    let crc = 0;
    try {
      // Count what inflate actually produces: headers can lie.
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        n += chunk.length;
        if (n > h.size) throw hostile(this.label, p, `inflates to more than its declared ${h.size} bytes`);
        if (n > this.limits.maxEntryBytes) throw hostile(this.label, p, `inflates to more than the per-entry limit of ${this.limits.maxEntryBytes} bytes`);
        crc = zlib.crc32(chunk, crc);
        chunks.push(chunk);
      }
    } catch (e) {
      stream.destroy();
      if (isAppError(e)) throw e;
      const msg = messageOf(e);
      if (/too many bytes/.test(msg)) throw hostile(this.label, p, `inflates to more than its declared ${h.size} bytes`);
      throw new AppError("bad_input", `${this.label}: entry "${p}" is corrupt or truncated: ${msg}`, { file: p }, { cause: e });
    }
    if (n !== h.size) {
      throw badInput(`${this.label}: entry "${p}" is truncated: ${n} of ${h.size} bytes`, { file: p });
    }
    if (crc !== h.entry.crc32) {
      throw badInput(`${this.label}: entry "${p}" is corrupt: CRC-32 mismatch`, { file: p });
    }
    return Buffer.concat(chunks, n);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.zip.close();
  }
}
