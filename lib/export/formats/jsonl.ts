import { singleFileFormat, type TExportFormat, type TExportRecord } from "../types";

/**
 * JSON Lines: one record per line, full fidelity (versions, deletions,
 * members at the time). The members list is the same array while a channel's
 * membership does not change, so its JSON is made once per change, not once
 * per message (it is most of a record's bytes).
 */

let lastMembers: readonly string[] | null = null;
let lastMembersJson = "[]";

const MEMBERS_SLOT = '"membersAtTime":0';

/**
 * One record as a JSON line in pieces that join to `JSON.stringify(record) +
 * "\n"`: before the members, the members (the cached string itself), the rest.
 */
export function writeJsonLinePieces(r: TExportRecord): [string, string, string] {
  if (r.membersAtTime !== lastMembers) {
    lastMembers = r.membersAtTime;
    lastMembersJson = JSON.stringify(lastMembers);
  }
  // The members are swapped out of the record for the moment of stringifying (no copy of the
  // record): the key keeps its place, and its last occurrence is the record's own (attachments come earlier).
  const members = r.membersAtTime;
  (r as { membersAtTime: unknown }).membersAtTime = 0;
  let s: string;
  try {
    s = JSON.stringify(r);
  } finally {
    r.membersAtTime = members;
  }
  const at = s.lastIndexOf(MEMBERS_SLOT) + MEMBERS_SLOT.length - 1;
  // Slices of `s` share its characters; joining them here would copy the whole line.
  return [s.slice(0, at), lastMembersJson, s.slice(at + 1) + "\n"];
}

/** One record as a JSON line, byte for byte `JSON.stringify(record) + "\n"`. */
export function writeJsonLine(r: TExportRecord): string {
  return writeJsonLinePieces(r).join("");
}

/** JSON Lines: `messages.jsonl`, one record per line. */
export const jsonlFormat: TExportFormat = singleFileFormat({
  name: "jsonl",
  fileName: "messages.jsonl",
  write: writeJsonLinePieces,
});
