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

const NEEDS_QUOTES = /[",\r\n]/;

/** Neutralise spreadsheet formulas, then quote as RFC 4180 wants. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  let s = typeof value === "string" ? value : String(value);
  // A formula starts with =, +, -, @, a tab or a carriage return (the first character of "" is NaN).
  const c = s.charCodeAt(0);
  if (c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13) s = "'" + s;
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
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

// The first four cells (workspace and channel) are the same for every message of a channel.
let lastWorkspace: TExportRecord["workspace"] | null = null;
let lastChannel: TExportRecord["channel"] | null = null;
let lastChannelCells = "";

function channelCells(r: TExportRecord): string {
  if (r.workspace !== lastWorkspace || r.channel !== lastChannel) {
    lastWorkspace = r.workspace;
    lastChannel = r.channel;
    lastChannelCells = `${csvCell(r.workspace.id)},${csvCell(r.channel.id)},${csvCell(r.channel.name)},${csvCell(r.channel.kind)}`;
  }
  return lastChannelCells;
}

/** One row, up to and including the comma before the members cell (the columns of COLUMNS, in order). */
function rowBeforeMembers(r: TExportRecord): string {
  const reactions = r.reactions.length ? csvCell(r.reactions.map((x) => `${x.name}:${x.users.length}`).join(" ")) : "";
  const files = r.files.length ? csvCell(r.files.map((f) => f.name ?? f.id).join(" ")) : "";
  return (
    `${channelCells(r)},${csvCell(r.ts)},${csvCell(r.postedAt)},${csvCell(r.threadTs)},${csvCell(r.author?.id ?? null)},` +
    `${csvCell(r.author?.name ?? r.username)},${csvCell(r.subtype)},${csvCell(r.text)},${csvCell(r.edited?.ts ?? null)},` +
    `${csvCell(r.deleted ? (r.deleted.at ?? "deleted") : null)},${csvCell(r.versions.length)},${reactions},${files},`
  );
}

/** CSV: `messages.csv`, one row per message. */
export const csvFormat: TExportFormat = singleFileFormat({
  name: "csv",
  fileName: "messages.csv",
  header: () => COLUMNS.join(",") + "\r\n",
  // The members cell is handed over as its own piece, not copied into every row's string.
  write: (r) => [rowBeforeMembers(r), membersCell(r.membersAtTime), "\r\n"],
});
