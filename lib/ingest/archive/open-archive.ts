import fs from "node:fs/promises";
import path from "node:path";
import { AppError } from "../../errors";
import { resolveArchiveLimits } from "./limits";
import type { TArchive, TOpenArchiveOptions } from "./types";
import { openFolderArchive } from "./folder-archive";
import { openZipArchive } from "./zip-archive";

/**
 * Opens a ZIP file or a folder for import. All hostile-entry checks run over
 * the whole archive before this resolves, so a caller that got an archive
 * back knows the listing is safe to act on. Throws `bad_input` for a missing
 * path or an unreadable ZIP, `hostile_archive` for a refused one.
 */
export async function openArchive(location: string, options: TOpenArchiveOptions = {}): Promise<TArchive> {
  const limits = resolveArchiveLimits(options.limits);
  let st;
  try {
    st = await fs.stat(location);
  } catch (e) {
    throw new AppError("bad_input", `Cannot open ${location}: ${(e as Error).message}`, { file: path.basename(location) }, { cause: e });
  }
  if (st.isDirectory()) return openFolderArchive(location, limits, options);
  if (st.isFile()) return openZipArchive(location, limits, options);
  throw new AppError("bad_input", `${location} is neither a file nor a folder`, { file: path.basename(location) });
}

/** True when the file starts with a ZIP signature (cheap; reads 4 bytes). */
export async function looksLikeZip(file: string): Promise<boolean> {
  let fh;
  try {
    fh = await fs.open(file, "r");
    const buf = Buffer.alloc(4);
    const { bytesRead } = await fh.read(buf, 0, 4, 0);
    // Local file header, or the end-of-central-directory record of an empty archive.
    return bytesRead === 4 && (buf.readUInt32LE(0) === 0x04034b50 || buf.readUInt32LE(0) === 0x06054b50);
  } catch {
    return false;
  } finally {
    await fh?.close();
  }
}
