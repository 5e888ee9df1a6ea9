import type { TDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { canSeeDeletedContent } from "@/lib/access/policy";
import { authorizeChannelRead, canReadChannel, currentMemberIdsSql, readableChannelsSql } from "@/lib/access/service";
import type { TViewer } from "@/lib/access/types";
import { findActiveRedactions, overlayMessageText } from "@/lib/compliance/message-overlay";
import { hasSecrets } from "@/lib/compliance/secrets";
import { findEmoji } from "./emoji";
import { findDayBounds } from "./format-time";
import { findMentionedChannelIds, findMentionedUserIds, parseSlackText, type TRenderContext } from "./render-text";
import {
  selectChannelDays,
  selectChannelSummaries,
  selectChannelWorkspaceId,
  selectCurrentMemberNames,
  selectFiles,
  selectLatestVersionTexts,
  selectMostReactedMessages,
  selectPersonNames,
  selectPinnedMessages,
  selectReactions,
  selectReadableChannelsByExternalId,
  selectThreadMessages,
  selectTopLevelMessages,
  type TChannelRow,
  type TMessageRow,
} from "./repository";
import type { TChannelDay, TChannelHighlights, TChannelSummary, TFileView, TMessageView, TReactionView, TThreadView } from "./types";

/**
 * Browsing the archive: the channel directory, a channel's days, its
 * messages day by day, and threads. Every reader asks lib/access first and
 * answers "not found" for channels the viewer may not read, so existence is
 * never revealed. Reads of private conversations by auditors and admins who
 * do not belong to them are audited.
 */

/** What members see instead of a deleted message. */
export const DELETED_MESSAGE_TEXT = "This message was deleted.";

/** Most messages one day page shows (a busy day is still one page). */
export const MAX_MESSAGES_PER_DAY = 5000;

/** The app path of a channel (permalinks and channel mentions). */
export function buildChannelPath(channelId: number): string {
  return `/channels/${channelId}`;
}

function notFound(): AppError {
  return new AppError("not_found", "channel not found");
}

function toChannelSummary(r: TChannelRow): TChannelSummary {
  const isDirect = r.kind === "dm" || r.kind === "mpdm";
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    workspaceName: r.workspace_name,
    externalId: r.external_id,
    name: r.name,
    label: isDirect && r.member_names ? r.member_names : r.name,
    kind: r.kind,
    topic: r.topic || null,
    purpose: r.purpose || null,
    archived: r.archived,
    messageCount: r.message_count,
    memberCount: r.member_count,
    lastActivityAt: r.last_activity_at ? r.last_activity_at.toISOString() : null,
  };
}

/**
 * The channels `viewer` may read, with topic, purpose, message count, member
 * count and last activity; ordered by kind (public, private, dm, mpdm), then name.
 */
export async function listChannelsForViewer(db: TDb, viewer: TViewer): Promise<TChannelSummary[]> {
  const rows = await selectChannelSummaries(db, readableChannelsSql(viewer), currentMemberIdsSql("c"));
  return rows.map(toChannelSummary);
}

/** One channel's summary, or null when it does not exist or `viewer` may not read it. */
export async function findChannelForViewer(db: TDb, viewer: TViewer, channelId: number): Promise<TChannelSummary | null> {
  if (!Number.isSafeInteger(channelId) || channelId <= 0) return null;
  const rows = await selectChannelSummaries(db, readableChannelsSql(viewer), currentMemberIdsSql("c"), channelId);
  return rows[0] ? toChannelSummary(rows[0]) : null;
}

/**
 * The UTC days on which a channel has messages (thread replies count toward
 * their thread, not the day), oldest first. Throws AppError not_found when
 * the viewer may not read the channel.
 */
export async function findChannelDays(db: TDb, viewer: TViewer, channelId: number): Promise<TChannelDay[]> {
  if (!(await canReadChannel(db, viewer, channelId))) throw notFound();
  const rows = await selectChannelDays(db, channelId);
  return rows.map((r) => ({ day: r.day, messageCount: r.message_count }));
}

async function buildRenderContext(db: TDb, viewer: TViewer, workspaceId: number, texts: string[]): Promise<TRenderContext> {
  const userIds = [...new Set(texts.flatMap(findMentionedUserIds))];
  const channelIds = [...new Set(texts.flatMap(findMentionedChannelIds))];
  const [people, channels] = await Promise.all([
    selectPersonNames(db, workspaceId, userIds),
    selectReadableChannelsByExternalId(db, readableChannelsSql(viewer), workspaceId, channelIds),
  ]);
  return {
    userName: (id) => people.get(id),
    channelName: (id) => channels.get(id)?.name,
    channelHref: (id) => {
      const c = channels.get(id);
      return c ? buildChannelPath(c.id) : undefined;
    },
  };
}

function isBotRow(r: TMessageRow): boolean {
  return r.bot_id !== null || r.subtype === "bot_message" || r.author_is_bot === true;
}

/** The text a message shows (before markup): bot messages without text show their attachments' text. */
function displayText(r: TMessageRow, versions: Map<number, string>): string {
  let text = r.text;
  if (!text.trim() && isBotRow(r)) text = r.search_text;
  if (!text.trim() && r.deleted) text = versions.get(r.id) ?? "";
  return text;
}

function isSafeHttpUrl(url: string | null): url is string {
  return !!url && /^https?:\/\/[^\s<>"]+$/i.test(url);
}

/** Turn rows into views: names, markup, reactions, files, deleted handling. */
async function buildMessageViews(db: TDb, viewer: TViewer, workspaceId: number, rows: TMessageRow[]): Promise<TMessageView[]> {
  const seeDeleted = canSeeDeletedContent(viewer.role);
  const visible = rows.filter((r) => !r.deleted || seeDeleted);
  const ids = visible.map((r) => r.id);
  const [versions, reactions, files, redactions] = await Promise.all([
    seeDeleted ? selectLatestVersionTexts(db, visible.filter((r) => r.deleted).map((r) => r.id)) : Promise.resolve(new Map<number, string>()),
    selectReactions(db, workspaceId, ids),
    selectFiles(db, ids),
    findActiveRedactions(db, ids),
  ]);
  // Secrets are masked and redactions shown before anything is rendered.
  const rawTexts = new Map(visible.map((r) => [r.id, displayText(r, versions)]));
  const texts = new Map([...rawTexts].map(([id, t]) => [id, overlayMessageText(t, redactions.get(Number(id)))]));
  const ctx = await buildRenderContext(db, viewer, workspaceId, [...texts.values()]);

  const reactionsBy = new Map<number, TReactionView[]>();
  for (const x of reactions) {
    const list = reactionsBy.get(x.message_id) ?? [];
    list.push({ name: x.name, char: findEmoji(x.name), count: x.count, users: x.users });
    reactionsBy.set(x.message_id, list);
  }
  const filesBy = new Map<number, TFileView[]>();
  for (const f of files) {
    const list = filesBy.get(f.message_id) ?? [];
    list.push({
      id: f.id,
      name: f.name || f.title || "file",
      title: f.title,
      mimetype: f.mimetype,
      size: f.size === null ? null : Number(f.size),
      url: isSafeHttpUrl(f.permalink) ? f.permalink : null,
      isRemoved: f.mode === "tombstone" || f.mode === "hidden_by_limit",
    });
    filesBy.set(f.message_id, list);
  }

  return rows.map((r) => {
    const hidden = r.deleted && !seeDeleted;
    const redaction = redactions.get(Number(r.id));
    const isBot = isBotRow(r);
    const name = (r.subtype === "bot_message" && r.username) || r.author_name || r.username || r.bot_id || "unknown";
    return {
      id: r.id,
      ts: r.ts,
      threadTs: r.thread_ts,
      postedAt: r.posted_at.toISOString(),
      author: { name, externalId: r.author_external_id, isBot },
      subtype: r.subtype,
      body: hidden ? [] : parseSlackText(texts.get(r.id) ?? "", ctx),
      isDeleted: r.deleted,
      isContentHidden: hidden,
      hasMaskedSecrets: !hidden && !redaction && hasSecrets(rawTexts.get(r.id) ?? ""),
      redaction: hidden || !redaction ? null : { reason: redaction.reason },
      isEdited: r.edited_ts !== null,
      editedAt: r.edited_at ? r.edited_at.toISOString() : null,
      isPinned: r.pinned,
      isBroadcast: r.subtype === "thread_broadcast",
      replyCount: r.reply_count,
      lastReplyAt: r.last_reply_at ? r.last_reply_at.toISOString() : null,
      reactions: hidden ? [] : (reactionsBy.get(r.id) ?? []),
      files: hidden || redaction ? [] : (filesBy.get(r.id) ?? []),
    };
  });
}

async function authorize(db: TDb, viewer: TViewer, channelId: number, what: Record<string, unknown>): Promise<number> {
  if (!Number.isSafeInteger(channelId) || channelId <= 0) throw notFound();
  if (!(await authorizeChannelRead(db, viewer, channelId, what))) throw notFound();
  const workspaceId = await selectChannelWorkspaceId(db, channelId);
  if (workspaceId === null) throw notFound();
  return workspaceId;
}

/**
 * The top-level messages of a channel on one UTC day (YYYY-MM-DD), oldest
 * first, with author names, rendered text, reply counts, reactions, files and
 * edited/deleted flags. Throws AppError not_found (no access or no channel)
 * or bad_input (malformed day).
 */
export async function findMessagesOnDay(db: TDb, viewer: TViewer, channelId: number, day: string): Promise<TMessageView[]> {
  let bounds: { start: Date; end: Date };
  try {
    bounds = findDayBounds(day);
  } catch {
    throw new AppError("bad_input", `invalid day ${JSON.stringify(day)}: expected YYYY-MM-DD`, { field: "day" });
  }
  const workspaceId = await authorize(db, viewer, channelId, { day });
  const rows = await selectTopLevelMessages(db, channelId, bounds.start, bounds.end, MAX_MESSAGES_PER_DAY);
  return buildMessageViews(db, viewer, workspaceId, rows);
}

/**
 * A thread of a channel by its root's ts: root (if archived) and replies in
 * order. Throws AppError not_found when the channel is not readable or the
 * thread has no archived messages.
 */
export async function findThread(db: TDb, viewer: TViewer, channelId: number, threadTs: string): Promise<TThreadView> {
  if (!/^[0-9A-Za-z._:-]{1,64}$/.test(threadTs)) throw new AppError("not_found", "thread not found");
  const workspaceId = await authorize(db, viewer, channelId, { threadTs });
  const rows = await selectThreadMessages(db, channelId, threadTs);
  if (rows.length === 0) throw new AppError("not_found", "thread not found");
  const views = await buildMessageViews(db, viewer, workspaceId, rows);
  const root = views[0]?.ts === threadTs ? views[0] : null;
  return { threadTs, root, replies: root ? views.slice(1) : views };
}

/** How many pinned, most-reacted messages and member names a channel page shows. */
export const HIGHLIGHT_LIMITS = { pinned: 20, mostReacted: 5, members: 200 } as const;

/**
 * What a newcomer looks at first in a channel: what is pinned now, the
 * messages with the most reactions, who is in it, and its activity month by
 * month (from the channel's days, which the caller has read already with
 * findChannelDays). Throws AppError not_found when the viewer may not read
 * the channel.
 */
export async function findChannelHighlights(db: TDb, viewer: TViewer, channelId: number, days: readonly TChannelDay[]): Promise<TChannelHighlights> {
  const workspaceId = await authorize(db, viewer, channelId, { highlights: true });
  const [pinned, mostReacted, members] = await Promise.all([
    selectPinnedMessages(db, channelId, HIGHLIGHT_LIMITS.pinned),
    selectMostReactedMessages(db, channelId, HIGHLIGHT_LIMITS.mostReacted),
    selectCurrentMemberNames(db, channelId, currentMemberIdsSql("c"), HIGHLIGHT_LIMITS.members),
  ]);
  const [pinnedViews, reactedViews] = await Promise.all([
    buildMessageViews(db, viewer, workspaceId, pinned),
    buildMessageViews(db, viewer, workspaceId, mostReacted),
  ]);
  const months = new Map<string, number>();
  for (const d of days) months.set(d.day.slice(0, 7), (months.get(d.day.slice(0, 7)) ?? 0) + d.messageCount);
  return {
    pinned: pinnedViews,
    mostReacted: reactedViews,
    memberNames: members,
    activityByMonth: fillMonths([...months].map(([month, messageCount]) => ({ month, messageCount }))),
  };
}

/** Months from the first to the last, with the empty ones in between as zero. */
function fillMonths(list: { month: string; messageCount: number }[]): { month: string; messageCount: number }[] {
  if (list.length === 0) return [];
  const have = new Map(list.map((x) => [x.month, x.messageCount]));
  const sorted = [...have.keys()].sort();
  const out: { month: string; messageCount: number }[] = [];
  let [y, m] = sorted[0]!.split("-").map(Number) as [number, number];
  const last = sorted.at(-1)!;
  for (let guard = 0; guard < 1200; guard++) {
    const key = `${y}-${String(m).padStart(2, "0")}`;
    out.push({ month: key, messageCount: have.get(key) ?? 0 });
    if (key === last) break;
    m++;
    if (m > 12) [y, m] = [y + 1, 1];
  }
  return out;
}
