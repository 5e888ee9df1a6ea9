import { singleFileFormat, type TExportFormat, type TExportRecord } from "../types";

/**
 * CSV (RFC 4180) for spreadsheets and review tools. A cell that a
 * spreadsheet would run as a formula (=, +, -, @, tab, carriage return at
 * the start) is prefixed with an apostrophe.
 */

const COLUMNS = [
  "workspace", "channel_id", "channel_name", "channel_kind", "ts", "posted_at", "thread_ts", "author_id", "author_name",
  "subtype", "text", "edited_ts", "deleted_at", "versions", "reactions", "files", "members_at_time",
] as const;

/** Neutralise spreadsheet formulas, then quote as RFC 4180 wants. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

// The members cell is the same while a channel's membership does not change: made once per change.
let lastMembers: readonly string[] | null = null;
let lastMembersCell = "";

function membersCell(members: readonly string[]): string {
  if (members !== lastMembers) {
    lastMembers = members;
    lastMembersCell = csvCell(members.join(" "));
  }
  return lastMembersCell;
}

function row(r: TExportRecord): (string | number | null)[] {
  return [
    r.workspace.id,
    r.channel.id,
    r.channel.name,
    r.channel.kind,
    r.ts,
    r.postedAt,
    r.threadTs,
    r.author?.id ?? null,
    r.author?.name ?? r.username,
    r.subtype,
    r.text,
    r.edited?.ts ?? null,
    r.deleted ? (r.deleted.at ?? "deleted") : null,
    r.versions.length,
    r.reactions.map((x) => `${x.name}:${x.users.length}`).join(" "),
    r.files.map((f) => f.name ?? f.id).join(" "),
  ];
}

/** CSV: `messages.csv`, one row per message. */
export const csvFormat: TExportFormat = singleFileFormat({
  name: "csv",
  fileName: "messages.csv",
  header: () => COLUMNS.join(",") + "\r\n",
  write: (r) => row(r).map(csvCell).join(",") + "," + membersCell(r.membersAtTime) + "\r\n",
});
