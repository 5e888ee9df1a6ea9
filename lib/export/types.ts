import { z } from "zod";

/** What an export covers. Channels and people may be named by id or name. */
export const ZExportScope = z.object({
  from: z.string().datetime({ offset: true }).or(z.string().date()).optional(),
  to: z.string().datetime({ offset: true }).or(z.string().date()).optional(),
  channels: z.array(z.string().min(1)).optional(),
  users: z.array(z.string().min(1)).optional(),
  kinds: z.array(z.enum(["public", "private", "dm", "mpdm"])).optional(),
});
export type TExportScope = z.infer<typeof ZExportScope>;

/** One archived message with everything a compliance format needs. */
export interface TExportRecord {
  workspace: { id: string; name: string };
  channel: { id: string; name: string; kind: string };
  ts: string;
  postedAt: string;
  threadTs: string | null;
  author: { id: string; name: string; displayName: string | null; isBot: boolean } | null;
  botId: string | null;
  username: string | null;
  subtype: string | null;
  text: string;
  attachments: unknown;
  blocks: unknown;
  edited: { ts: string; by: string | null } | null;
  deleted: { at: string | null } | null;
  /** Every known text, oldest first (one entry for a message never edited). */
  versions: { text: string; validFromTs: string; editedBy: string | null }[];
  reactions: { name: string; users: string[] }[];
  files: { id: string; name: string | null; title: string | null; mimetype: string | null; size: number | null }[];
  /** Who could have seen it: the channel's members at the moment it was posted. */
  membersAtTime: string[];
  provenance: { source: string; rawSha256: string };
  /**
   * Set on a channel event (a join, leave, topic, rename, pin…), as the Slack
   * export format writes it (`entry`, secrets masked). Only formats that ask
   * for them (TExportFormat.channelEvents) get these records; their
   * versions, reactions, files and members are empty.
   */
  event?: { subtype: string; entry: Record<string, unknown> };
}

/** A file a format makes once every record has been written (directories, indexes). */
export interface TExportExtraFile {
  name: string;
  content: string;
}

/** A person as the directory files of a format describe them (users.json, …). */
export interface TExportPerson {
  id: string;
  name: string;
  realName: string | null;
  displayName: string | null;
  email: string | null;
  title: string | null;
  tz: string | null;
  isBot: boolean;
  botId: string | null;
  deleted: boolean;
}

/** A conversation as the directory files of a format describe it (channels.json, …). */
export interface TExportChannel {
  id: string;
  name: string;
  kind: string;
  topic: string | null;
  purpose: string | null;
  archived: boolean;
  createdAt: string | null;
  creator: string | null;
  /** Members as the source last listed them (null: unknown). */
  members: string[] | null;
  /** ts of the messages the source marked pinned (pin and unpin events are records of their own). */
  pins: string[];
}

/**
 * Details that records only name by id, for the files a format makes at the
 * end. Ids are external ids within one workspace (its external id); unknown
 * ids are left out.
 */
export interface TExportDirectory {
  findPeople(workspaceId: string, ids: readonly string[]): Promise<TExportPerson[]>;
  findChannels(workspaceId: string, ids: readonly string[]): Promise<TExportChannel[]>;
}

/**
 * One run of a format over the ordered record stream. Records arrive in
 * (channel, ts) order; each goes into the file `fileFor` names. A file opens
 * (`header`) with its first record and closes (`footer`) when the next record
 * names another file, so per-channel or per-channel-day files are written one
 * after the other and never reopened. `finish` adds files made at the end.
 * Everything must be a pure function of the records (and the directory):
 * exports are deterministic.
 */
export interface TExportWriter {
  /** Written even when no record comes (single-file formats): its header and footer only. */
  defaultFile?: string;
  /**
   * Path inside the ZIP of the file this record belongs in; null for a
   * channel event the format has no place for (it is left out).
   */
  fileFor(record: TExportRecord): string | null;
  /** Start of a file; `record` is its first record (null for an empty `defaultFile`). */
  header?(file: string, record: TExportRecord | null): string;
  /**
   * Text of one record in `file`: a string, or pieces written one after the
   * other, so that a long piece the writer keeps (a members list) is not
   * copied into a new string for every record.
   */
  write(record: TExportRecord, file: string): string | readonly string[];
  /** End of a file. */
  footer?(file: string): string;
  /** Files made after every record, written after the data files. Memory: bounded by channels and people, not messages. */
  finish?(directory: TExportDirectory): Promise<TExportExtraFile[]> | TExportExtraFile[];
}

/** An export format: a name and a fresh writer per export (writers may keep per-run state). */
export interface TExportFormat {
  name: string;
  /** The record stream also carries the channels' events, in (channel, ts) order with the messages (TExportRecord.event). */
  channelEvents?: boolean;
  open(): TExportWriter;
}

/** A format writing one file: a header, one text per record, a footer. */
export interface TSingleFileFormat {
  name: string;
  /** Name of the data file inside the export ZIP. */
  fileName: string;
  header?(): string;
  /** As TExportWriter.write. */
  write(record: TExportRecord): string | readonly string[];
  footer?(): string;
}

/** Wraps a one-file format as a TExportFormat. */
export function singleFileFormat(f: TSingleFileFormat): TExportFormat {
  return {
    name: f.name,
    open: () => ({
      defaultFile: f.fileName,
      fileFor: () => f.fileName,
      header: f.header ? () => f.header!() : undefined,
      write: (r) => f.write(r),
      footer: f.footer ? () => f.footer!() : undefined,
    }),
  };
}
