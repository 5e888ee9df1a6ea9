import fs from "node:fs/promises";
import { constants as fsConstants } from "node:fs";
import path from "node:path";
import { AppError, badInput } from "../../errors";
import { assertDeclaredSizesWithinLimits, hostile } from "./limits";
import { buildListing, compareCodeUnits } from "./listing";
import { ListedArchive } from "./listed-archive";
import type { TArchive, TArchiveEntry, TArchiveLimits, TOpenArchiveOptions } from "./types";

/** Deeper than any real export; stops pathological nesting from exhausting the stack. */
const MAX_DEPTH = 32;

/**
 * Opens an unpacked folder as an archive. The walk uses lstat and refuses the
 * whole folder when anything inside is a symbolic link or a special file: a
 * link could point anywhere on the machine, and following it would let an
 * uploaded folder read files it does not contain.
 */
export async function openFolderArchive(dir: string, limits: TArchiveLimits, options: TOpenArchiveOptions = {}): Promise<TArchive> {
  const location = path.resolve(dir);
  const label = path.basename(location);
  const files: Array<{ entry: TArchiveEntry; handle: string }> = [];

  async function walk(abs: string, rel: string, depth: number): Promise<void> {
    if (depth > MAX_DEPTH) throw hostile(label, rel, `nests folders more than ${MAX_DEPTH} deep`);
    const names = (await fs.readdir(abs)).sort(compareCodeUnits);
    for (const name of names) {
      const childAbs = path.join(abs, name);
      const childRel = rel === "" ? name : `${rel}/${name}`;
      const st = await fs.lstat(childAbs);
      if (st.isSymbolicLink()) throw hostile(label, childRel, "is a symbolic link");
      // Dotfiles (.DS_Store, .git) are never part of an export; not descending also saves time.
      if (name.startsWith(".")) continue;
      if (st.isDirectory()) await walk(childAbs, childRel, depth + 1);
      else if (st.isFile()) files.push({ entry: { path: childRel, size: st.size, compressedSize: null }, handle: childAbs });
      else throw hostile(label, childRel, "is not a regular file or folder");
    }
  }

  try {
    await walk(location, "", 0);
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError("bad_input", `Cannot read folder ${label}: ${(e as Error).message}`, { file: label }, { cause: e });
  }
  assertDeclaredSizesWithinLimits(label, files.map((f) => f.entry), limits);
  const listing = buildListing(files, options.stripCommonRoot);
  return new FolderArchive(location, label, listing.strippedRoot, listing.entries, listing.handles, limits);
}

class FolderArchive extends ListedArchive<string> {
  readonly kind = "folder" as const;

  async readEntry(p: string): Promise<Buffer> {
    const abs = this.handleOf(p);
    let fh: fs.FileHandle;
    try {
      // O_NOFOLLOW: a file swapped for a symlink after the walk is not followed.
      fh = await fs.open(abs, fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ELOOP") throw hostile(this.label, p, "is a symbolic link");
      throw new AppError("bad_input", `${this.label}: cannot read "${p}": ${(e as Error).message}`, { file: p }, { cause: e });
    }
    try {
      // Files can grow after the walk: read at most one byte past the limit.
      const limit = this.limits.maxEntryBytes;
      const chunks: Buffer[] = [];
      let n = 0;
      for (;;) {
        const buf = Buffer.allocUnsafe(Math.min(1024 * 1024, limit + 1 - n));
        const { bytesRead } = await fh.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        n += bytesRead;
        chunks.push(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead));
        if (n > limit) throw hostile(this.label, p, `is larger than the per-entry limit of ${limit} bytes`);
      }
      return Buffer.concat(chunks, n);
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw badInput(`${this.label}: cannot read "${p}": ${(e as Error).message}`, { file: p });
    } finally {
      await fh.close();
    }
  }

  async close(): Promise<void> {
    // Nothing held open between reads.
  }
}
