/**
 * Read-only view of an import archive (a ZIP file or an unpacked folder).
 *
 * Adapters read archives through this interface only, so every adapter gets
 * the same hostile-input defences: nothing is ever extracted to disk, entry
 * names are normalised and checked before anything is returned, and entry
 * contents are read into memory one at a time within size limits.
 */

/** One file in the archive (directories are not listed). */
export interface TArchiveEntry {
  /** Normalised relative path: `/`-separated, no `.`/`..`/empty segments. */
  readonly path: string;
  /** Declared (ZIP) or stat'ed (folder) size in bytes. */
  readonly size: number;
  /** Compressed size for ZIP entries, null for folders. */
  readonly compressedSize: number | null;
}

/** Zip-bomb and size limits; see `IMPORT_MAX_*` in lib/env.ts. */
export interface TArchiveLimits {
  /** Sum of all entries' (declared and actual) uncompressed sizes. */
  maxTotalBytes: number;
  /** Any single entry's uncompressed size. */
  maxEntryBytes: number;
  /** Uncompressed / compressed, for entries (and the whole) above `ratioMinBytes`. */
  maxRatio: number;
  /** Below this uncompressed size the ratio is not checked (tiny files compress absurdly well). */
  ratioMinBytes: number;
}

export type TArchiveKind = "zip" | "folder";

export interface TArchive {
  readonly kind: TArchiveKind;
  /** Absolute path of the ZIP file or folder. */
  readonly location: string;
  /** Base name of the location, used in messages. */
  readonly label: string;
  /** The single top-level folder that was stripped from every path, if any. */
  readonly strippedRoot: string | null;
  /** Files, sorted by path (code-unit order), ignored entries (dotfiles, __MACOSX) excluded. */
  list(): readonly TArchiveEntry[];
  /** The entry at a normalised path, if listed. */
  get(path: string): TArchiveEntry | undefined;
  /**
   * The full contents of one listed entry. Counts the bytes actually produced
   * and fails with `hostile_archive` when they exceed the declared size or the
   * limits, with `bad_input` when the data is corrupt or truncated.
   */
  readEntry(path: string): Promise<Buffer>;
  /** Release the file descriptor; idempotent. */
  close(): Promise<void>;
}

export interface TOpenArchiveOptions {
  /** Overrides for the limits read from the environment (tests use small ones). */
  limits?: Partial<TArchiveLimits>;
  /**
   * Whether to strip a single top-level folder shared by every file (Slack
   * ZIPs are sometimes made by zipping the export folder itself). A function
   * receives the paths as they would be after stripping and decides. Default true.
   */
  stripCommonRoot?: boolean | ((strippedPaths: readonly string[]) => boolean);
}
