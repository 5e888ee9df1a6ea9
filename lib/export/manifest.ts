import { createHash, type Hash } from "node:crypto";
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

/** Size, hash and record count of one file while it is being written. */
export class ManifestFileTally {
  private readonly hash: Hash = createHash("sha256");
  private bytes = 0;
  records = 0;

  constructor(
    readonly name: string,
    private readonly countsRecords: boolean,
  ) {}

  /** Account for a chunk of the file's bytes. */
  add(chunk: Buffer): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
  }

  /** The finished file's manifest entry (call once, after the last chunk). */
  done(): TManifestFile {
    const f: TManifestFile = { name: this.name, bytes: this.bytes, sha256: this.hash.digest("hex") };
    if (this.countsRecords) f.records = this.records;
    return f;
  }
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
