import fs from "node:fs/promises";
import zlib from "node:zlib";

/**
 * A tiny ZIP writer for tests. Unlike a real archiver it will happily write
 * what no archiver should: traversal and absolute names, symlink entries,
 * encrypted flags without encryption, sizes that lie, truncated files. Tests
 * use it to craft hostile archives without shipping binary fixtures.
 */
export interface TZipEntrySpec {
  /** Written as given (string → UTF-8 with the UTF-8 flag set; Buffer → raw, flag unset). */
  name: string | Buffer;
  data?: string | Buffer;
  /** Default "deflate". */
  method?: "deflate" | "store";
  /** Unix mode for the external attributes, e.g. 0o100644, 0o120777 (symlink), 0o040755. */
  unixMode?: number;
  /** Sets general-purpose bit 0 without encrypting anything. */
  encrypted?: boolean;
  /** Lie about the uncompressed size in both headers. */
  declaredSize?: number;
  /** Lie about the CRC-32 in both headers. */
  crc32?: number;
  /** Write these bytes as the (compressed) body instead of compressing `data`. */
  body?: Buffer;
}

export interface TZipOptions {
  /** Cut the finished archive to this many bytes. */
  truncateAt?: number;
}

const DOS_TIME = (12 << 11) | (0 << 5) | 0; // 12:00:00
const DOS_DATE = ((2016 - 1980) << 9) | (1 << 5) | 2; // 2016-01-02

/** The bytes of a ZIP archive holding `entries`, in order. */
export function buildZip(entries: readonly TZipEntrySpec[], options: TZipOptions = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const spec of entries) {
    const name = typeof spec.name === "string" ? Buffer.from(spec.name, "utf8") : spec.name;
    const data = typeof spec.data === "string" ? Buffer.from(spec.data, "utf8") : (spec.data ?? Buffer.alloc(0));
    const method = spec.method === "store" ? 0 : 8;
    const body = spec.body ?? (method === 8 ? zlib.deflateRawSync(data) : data);
    const crc = spec.crc32 ?? zlib.crc32(data);
    const usize = spec.declaredSize ?? data.length;
    let flags = typeof spec.name === "string" ? 0x800 : 0;
    if (spec.encrypted) flags |= 0x1;

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(usize, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, body);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(spec.unixMode !== undefined ? (3 << 8) | 20 : 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(usize, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(0, 30);
    central.writeUInt16LE(0, 32);
    central.writeUInt16LE(0, 34);
    central.writeUInt16LE(0, 36);
    central.writeUInt32LE(spec.unixMode !== undefined ? (spec.unixMode << 16) >>> 0 : 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);

    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(0, 4);
  eocd.writeUInt16LE(0, 6);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  eocd.writeUInt16LE(0, 20);
  const all = Buffer.concat([...locals, cd, eocd]);
  return options.truncateAt === undefined ? all : all.subarray(0, options.truncateAt);
}

/** Writes `buildZip(entries, options)` to `file`. */
export async function writeZip(file: string, entries: readonly TZipEntrySpec[], options: TZipOptions = {}): Promise<void> {
  await fs.writeFile(file, buildZip(entries, options));
}
