import type { TExportScope } from "./types";

/**
 * The manifest of an export: what was asked for, by whom, when, and every
 * file of the ZIP with its size, SHA-256 and the number of records it holds.
 */

/** One file of an export as the manifest lists it. */
export interface TManifestFile {
  name: string;
  bytes: number;
  sha256: string;
  /** Messages written into this file (absent for files made at the end, such as indexes). */
  records?: number;
}

export interface TBuildManifest {
  format: string;
  generatedAt: Date;
  requester: string;
  scope: TExportScope;
  records: number;
  files: readonly TManifestFile[];
}

/** The manifest.json text: deterministic apart from `generatedAt`. */
export function buildManifest(m: TBuildManifest): string {
  const manifest = {
    generator: "backscroll",
    format: m.format,
    generatedAt: m.generatedAt.toISOString(),
    requester: m.requester,
    scope: m.scope,
    counts: { messages: m.records, files: m.files.length },
    files: m.files,
  };
  return JSON.stringify(manifest, null, 2) + "\n";
}
