import type { TExportRecord } from "../types";

/**
 * File names inside an export ZIP for per-channel and per-day formats:
 * readable (the channel's name), safe (no separators, no dot segments) and
 * unique per export (a second channel with the same name gets its id added).
 */

/** A name reduced to characters safe in a ZIP path segment. */
export function safeSegment(name: string): string {
  const s = name.replace(/[^\p{L}\p{N}._-]+/gu, "_").replace(/^\.+/, "_").slice(0, 80);
  return s === "" ? "_" : s;
}

/** The record's UTC day, YYYY-MM-DD. */
export function dayOf(record: TExportRecord): string {
  return record.postedAt.slice(0, 10);
}

/** Folder names per channel for one export run: the channel's name, or name and id when taken. */
export class ChannelFolders {
  private readonly byChannel = new Map<string, string>();
  private readonly taken = new Set<string>();

  /** Folder of the record's channel; `preferred` overrides the name (e.g. the id for DMs). */
  folderFor(record: TExportRecord, preferred?: string): string {
    const key = `${record.workspace.id}\u0000${record.channel.id}`;
    let folder = this.byChannel.get(key);
    if (folder === undefined) {
      folder = safeSegment(preferred ?? record.channel.name);
      if (this.taken.has(folder)) folder = safeSegment(`${folder}-${record.channel.id}`);
      this.taken.add(folder);
      this.byChannel.set(key, folder);
    }
    return folder;
  }
}
