import type { TChannelKind } from "@/lib/access/types";
import type { TSlackNode } from "./render-text";

/**
 * What the archive's browsing readers return: plain, serialisable objects
 * (no Prisma or pg types), safe to hand to client components.
 */

/** One channel in the directory. */
export type TChannelSummary = {
  id: number;
  workspaceId: number;
  workspaceName: string;
  externalId: string;
  /** The source's name (for DMs often an id). */
  name: string;
  /** What to show: the name, or the members' names for DMs and group DMs. */
  label: string;
  kind: TChannelKind;
  topic: string | null;
  purpose: string | null;
  archived: boolean;
  messageCount: number;
  memberCount: number;
  /** ISO-8601 time of the latest message, or null when there is none. */
  lastActivityAt: string | null;
};

/** A day (UTC) with top-level messages. */
export type TChannelDay = {
  /** YYYY-MM-DD */
  day: string;
  messageCount: number;
};

/** One emoji's reactions on a message. */
export type TReactionView = {
  name: string;
  /** The emoji character when known, else null (show `:name:`). */
  char: string | null;
  count: number;
  /** Display names (or ids) of who reacted. */
  users: string[];
};

/** A file attached to a message (metadata only; contents are not archived). */
export type TFileView = {
  id: number;
  name: string;
  title: string | null;
  mimetype: string | null;
  size: number | null;
  /** An http(s) permalink to the file at the source, if any. */
  url: string | null;
  /** The source no longer has it (deleted or hidden). */
  isRemoved: boolean;
};

/** A message as browsing shows it. */
export type TMessageView = {
  id: number;
  ts: string;
  threadTs: string | null;
  /** ISO-8601 */
  postedAt: string;
  author: { name: string; externalId: string | null; isBot: boolean };
  subtype: string | null;
  /** The rendered text; empty when the content is hidden. */
  body: TSlackNode[];
  isDeleted: boolean;
  /** Deleted and this viewer may not see what it said. */
  isContentHidden: boolean;
  /** The text holds secrets, shown masked (auditors and admins may ask for the raw text). */
  hasMaskedSecrets: boolean;
  /** An admin redacted it: the body shows `[redacted: reason]`. */
  redaction: { reason: string } | null;
  isEdited: boolean;
  /** ISO-8601 */
  editedAt: string | null;
  isPinned: boolean;
  /** A thread reply also sent to the channel. */
  isBroadcast: boolean;
  /** Archived replies (0 when not a thread root). */
  replyCount: number;
  /** ISO-8601 of the latest archived reply. */
  lastReplyAt: string | null;
  reactions: TReactionView[];
  files: TFileView[];
};

/** A thread: its root (null if the root was never archived) and replies. */
export type TThreadView = {
  threadTs: string;
  root: TMessageView | null;
  replies: TMessageView[];
};

/** A channel's highlights for newcomers: pinned now, most reacted, members, activity by month. */
export type TChannelHighlights = {
  pinned: TMessageView[];
  mostReacted: TMessageView[];
  memberNames: string[];
  activityByMonth: { month: string; messageCount: number }[];
};
