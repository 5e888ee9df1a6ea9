import { findCommonRoot, isIgnoredPath } from "./entry-name";
import type { TArchiveEntry, TOpenArchiveOptions } from "./types";

export interface TListing<T> {
  entries: TArchiveEntry[];
  strippedRoot: string | null;
  /** Listed path → the reader's handle for it (ZIP entry, absolute file path). */
  handles: Map<string, T>;
}

/** Code-unit order: deterministic and locale-independent. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The listing an archive exposes: ignored entries dropped, a common root
 * folder stripped (when the caller agrees), sorted by path.
 */
export function buildListing<T>(
  files: ReadonlyArray<{ entry: TArchiveEntry; handle: T }>,
  stripCommonRoot: TOpenArchiveOptions["stripCommonRoot"],
): TListing<T> {
  const kept = files.filter((f) => !isIgnoredPath(f.entry.path));
  let strippedRoot: string | null = null;
  const root = stripCommonRoot === false ? null : findCommonRoot(kept.map((f) => f.entry.path));
  if (root !== null) {
    const stripped = kept.map((f) => f.entry.path.slice(root.length + 1));
    const agree = typeof stripCommonRoot === "function" ? stripCommonRoot(stripped) : true;
    if (agree) strippedRoot = root;
  }
  const entries: TArchiveEntry[] = [];
  const handles = new Map<string, T>();
  for (const f of kept) {
    const path = strippedRoot === null ? f.entry.path : f.entry.path.slice(strippedRoot.length + 1);
    entries.push({ ...f.entry, path });
    handles.set(path, f.handle);
  }
  entries.sort((a, b) => compareCodeUnits(a.path, b.path));
  return { entries, strippedRoot, handles };
}
