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

/** One record as a JSON line, byte for byte `JSON.stringify(record) + "\n"`. */
export function writeJsonLine(r: TExportRecord): string {
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
  const at = s.lastIndexOf(MEMBERS_SLOT);
  return s.slice(0, at) + '"membersAtTime":' + lastMembersJson + s.slice(at + MEMBERS_SLOT.length) + "\n";
}

/** JSON Lines: `messages.jsonl`, one record per line. */
export const jsonlFormat: TExportFormat = singleFileFormat({
  name: "jsonl",
  fileName: "messages.jsonl",
  write: writeJsonLine,
});
