import type { TChannelKind } from "../../adapter";
import type { TArchiveEntry } from "../../archive/types";
import { compareCodeUnits } from "../../archive/listing";

/**
 * Where things are in a Slack export. Standard and Enterprise Grid exports
 * share this layout: metadata files at the top, one folder per conversation
 * (named by the conversation's name, or by its id for DMs and in some
 * exporters) holding one `YYYY-MM-DD.json` file per day. Everything else
 * (integration_logs.json, canvases, huddle transcripts, file folders) is not
 * chat history and is ignored.
 */

/** Conversation lists and the kind of conversation each describes, in precedence order. */
export const CONVERSATION_FILES: ReadonlyArray<readonly [file: string, kind: TChannelKind]> = [
  ["channels.json", "public"],
  ["groups.json", "private"],
  ["dms.json", "dm"],
  ["mpims.json", "mpdm"],
];

/** User lists; Enterprise Grid exports add (or only have) org_users.json. */
export const USER_FILES: readonly string[] = ["users.json", "org_users.json"];

const METADATA = new Set([...USER_FILES, ...CONVERSATION_FILES.map(([f]) => f)]);

export const DAY_FILE_NAME = /^\d{4}-\d{2}-\d{2}\.json$/;

/** True when any of the paths is a top-level Slack metadata file. */
export function hasSlackMetadata(paths: Iterable<string>): boolean {
  for (const p of paths) if (METADATA.has(p)) return true;
  return false;
}

export interface TDayFileRef {
  path: string;
  /** The conversation folder (first path segment). */
  folder: string;
  size: number;
}

/**
 * Day files (`<folder>/YYYY-MM-DD.json`, exactly one level deep), ordered by
 * folder then file name — the order of checkpoints, so it must never change
 * for the same listing.
 */
export function listDayFiles(entries: readonly TArchiveEntry[]): TDayFileRef[] {
  const out: Array<TDayFileRef & { name: string }> = [];
  for (const e of entries) {
    const parts = e.path.split("/");
    if (parts.length !== 2) continue;
    const [folder, name] = parts as [string, string];
    if (!DAY_FILE_NAME.test(name)) continue;
    out.push({ path: e.path, folder, name, size: e.size });
  }
  out.sort((a, b) => compareCodeUnits(a.folder, b.folder) || compareCodeUnits(a.name, b.name));
  return out.map(({ path, folder, size }) => ({ path, folder, size }));
}
