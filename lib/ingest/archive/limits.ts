import { AppError } from "../../errors";
import { getEnv } from "../../env";
import type { TArchiveEntry, TArchiveLimits } from "./types";

/** Entries smaller than this are not ratio-checked: a 10 KB file of spaces is not a bomb. */
export const DEFAULT_RATIO_MIN_BYTES = 1024 * 1024;

/**
 * The effective limits: environment (`IMPORT_MAX_*`) overridden by the caller.
 * The environment is only consulted for values the caller did not supply, so
 * tests with full overrides do not depend on `process.env`.
 */
export function resolveArchiveLimits(overrides?: Partial<TArchiveLimits>): TArchiveLimits {
  const o = overrides ?? {};
  const needEnv = o.maxTotalBytes === undefined || o.maxEntryBytes === undefined || o.maxRatio === undefined;
  const env = needEnv ? getEnv() : undefined;
  return {
    maxTotalBytes: o.maxTotalBytes ?? env!.IMPORT_MAX_TOTAL_BYTES,
    maxEntryBytes: o.maxEntryBytes ?? env!.IMPORT_MAX_ENTRY_BYTES,
    maxRatio: o.maxRatio ?? env!.IMPORT_MAX_RATIO,
    ratioMinBytes: o.ratioMinBytes ?? DEFAULT_RATIO_MIN_BYTES,
  };
}

/** Refusal of the whole archive; `entry` is named in the message and in `where.file`. */
export function hostile(label: string, entry: string | null, reason: string): AppError {
  // JSON quoting makes control characters and odd whitespace in names visible.
  const what = entry === null ? "" : ` entry ${JSON.stringify(entry)}`;
  return new AppError("hostile_archive", `Refusing archive ${label}:${what} ${reason}`, entry === null ? undefined : { file: entry });
}

/**
 * Checks declared sizes (and, for ZIPs, compression ratios) of every entry
 * before anything is read. `entries` includes ignored entries: a bomb hidden
 * in `__MACOSX/` still marks the archive as hostile.
 */
export function assertDeclaredSizesWithinLimits(
  label: string,
  entries: ReadonlyArray<Pick<TArchiveEntry, "path" | "size" | "compressedSize">>,
  limits: TArchiveLimits,
): void {
  let total = 0;
  let totalCompressed = 0;
  for (const e of entries) {
    if (e.size > limits.maxEntryBytes) {
      throw hostile(label, e.path, `declares ${e.size} bytes, more than the per-entry limit of ${limits.maxEntryBytes} (IMPORT_MAX_ENTRY_BYTES)`);
    }
    if (e.compressedSize !== null && e.size > limits.ratioMinBytes) {
      const ratio = e.compressedSize === 0 ? Infinity : e.size / e.compressedSize;
      if (ratio > limits.maxRatio) {
        throw hostile(label, e.path, `has a compression ratio of ${formatRatio(ratio)}, more than the limit of ${limits.maxRatio} (IMPORT_MAX_RATIO): a zip bomb?`);
      }
    }
    total += e.size;
    totalCompressed += e.compressedSize ?? e.size;
    if (total > limits.maxTotalBytes) {
      throw hostile(label, null, `the entries declare more than ${limits.maxTotalBytes} bytes in total (IMPORT_MAX_TOTAL_BYTES)`);
    }
  }
  const hasCompressed = entries.some((e) => e.compressedSize !== null);
  if (hasCompressed && total > limits.ratioMinBytes) {
    const ratio = totalCompressed === 0 ? Infinity : total / totalCompressed;
    if (ratio > limits.maxRatio) {
      throw hostile(label, null, `has an overall compression ratio of ${formatRatio(ratio)}, more than the limit of ${limits.maxRatio} (IMPORT_MAX_RATIO): a zip bomb?`);
    }
  }
}

function formatRatio(r: number): string {
  return Number.isFinite(r) ? r.toFixed(1) : "infinity";
}
