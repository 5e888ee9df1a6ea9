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
}

/** An export format: turns the one ordered record stream into file content. */
export interface TExportFormat {
  name: string;
  /** Name of the data file inside the export ZIP. */
  fileName: string;
  header?(): string;
  write(record: TExportRecord): string;
  footer?(): string;
}
