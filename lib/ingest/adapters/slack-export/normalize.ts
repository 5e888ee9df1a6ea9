import type { NChannel, NChannelEvent, NFile, NMessage, NPerson, NReaction, TChannelEventKind, TChannelKind } from "../../adapter";
import { sha256Json } from "../../merge";
import { buildSearchText } from "./search-text";
import type { TSlackConversation, TSlackEventEntry, TSlackFile, TSlackInnerMessage, TSlackMessage, TSlackUser } from "./schemas";

/**
 * Mapping validated Slack export records to the normalised observations of
 * lib/ingest/adapter.ts. Pure functions: no I/O, no state.
 *
 * `raw` is always the JSON object the observation was read from, as parsed
 * (not the schema's output, whose key order differs), so `rawSha256` is the
 * same for the same input on every run.
 */

/** Subtypes that are channel events, not messages. */
export const EVENT_SUBTYPES: ReadonlyMap<string, TChannelEventKind> = new Map([
  ["channel_join", "join"],
  ["group_join", "join"],
  ["channel_leave", "leave"],
  ["group_leave", "leave"],
  ["channel_topic", "topic"],
  ["group_topic", "topic"],
  ["channel_purpose", "purpose"],
  ["group_purpose", "purpose"],
  ["channel_name", "rename"],
  ["group_name", "rename"],
  ["channel_archive", "archive"],
  ["group_archive", "archive"],
  ["channel_unarchive", "unarchive"],
  ["group_unarchive", "unarchive"],
  ["pinned_item", "pin"],
  ["unpinned_item", "unpin"],
]);

/** Slack's "deleted message" placeholder text on hidden tombstones. */
export const TOMBSTONE_TEXT = "This message was deleted.";

/** Slackbot: listed with `is_bot: false` in users.json (when listed at all), yet a bot. */
export const SLACKBOT_ID = "USLACKBOT";

/** What the normaliser needs to know about the conversation of a day file. */
export interface TConversationContext {
  /** External id of the conversation (NMessage.channel). */
  channel: string;
  /** Message ts pinned according to the conversation's `pins` list. */
  pinned: ReadonlySet<string>;
}

export interface TNormalizedEntry {
  messages: NMessage[];
  events: NChannelEvent[];
}

export { sha256Json };

/** Unix seconds (number or numeric string) → ISO-8601; null for absent or 0. */
export function unixToIso(v: number | string | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  const secs = typeof v === "number" ? v : Number(v);
  if (!Number.isFinite(secs) || secs <= 0) return null;
  const d = new Date(Math.round(secs * 1000));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

function nonEmpty(v: string | null | undefined): string | null {
  return v === null || v === undefined || v === "" ? null : v;
}

function asRecord(v: unknown): Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** A person from users.json / org_users.json. */
export function normalizePerson(raw: unknown, u: TSlackUser): NPerson {
  const p = u.profile ?? {};
  return {
    externalId: u.id,
    name: nonEmpty(u.name) ?? nonEmpty(p.display_name) ?? nonEmpty(u.real_name) ?? nonEmpty(p.real_name) ?? u.id,
    realName: nonEmpty(u.real_name) ?? nonEmpty(p.real_name),
    displayName: nonEmpty(p.display_name),
    email: nonEmpty(p.email),
    title: nonEmpty(p.title),
    tz: nonEmpty(u.tz),
    isBot: Boolean(u.is_bot) || u.id === SLACKBOT_ID,
    botId: nonEmpty(p.bot_id),
    deleted: Boolean(u.deleted),
    raw,
    rawSha256: sha256Json(raw),
  };
}

/** A conversation from channels/groups/dms/mpims.json. */
export function normalizeConversation(raw: unknown, c: TSlackConversation, kind: TChannelKind): NChannel {
  const members = c.members ?? null;
  const name = nonEmpty(c.name) ?? (members && members.length > 0 ? members.join("--") : c.id);
  return {
    externalId: c.id,
    name,
    kind,
    topic: c.topic?.value ?? null,
    purpose: c.purpose?.value ?? null,
    archived: Boolean(c.is_archived),
    createdAt: unixToIso(c.created),
    creator: nonEmpty(c.creator),
    members,
    raw,
    rawSha256: sha256Json(raw),
  };
}

/** A conversation known only from its folder of day files. */
export function folderConversation(externalId: string, folder: string): NChannel {
  const raw = { folder, inferred: true };
  return { externalId, name: folder, kind: "public", archived: false, members: null, raw, rawSha256: sha256Json(raw) };
}

function normalizeFile(raw: unknown, f: TSlackFile, id: string): NFile {
  return {
    externalId: id,
    name: f.name ?? null,
    title: f.title ?? null,
    mimetype: f.mimetype ?? null,
    filetype: f.filetype ?? null,
    size: f.size ?? null,
    user: f.user ?? null,
    createdAt: unixToIso(f.created),
    urlPrivate: f.url_private ?? null,
    permalink: f.permalink ?? null,
    mode: f.mode ?? null,
    raw,
  };
}

/** Files from `files[]` and the legacy `file`, once each; files without an id are skipped. */
function normalizeFiles(raw: Record<string, unknown>, m: TSlackInnerMessage): NFile[] {
  const out: NFile[] = [];
  const seen = new Set<string>();
  const rawFiles = Array.isArray(raw.files) ? raw.files : [];
  (m.files ?? []).forEach((f, i) => {
    if (!f.id || seen.has(f.id)) return;
    seen.add(f.id);
    out.push(normalizeFile(rawFiles[i], f, f.id));
  });
  if (m.file?.id && !seen.has(m.file.id)) out.push(normalizeFile(raw.file, m.file, m.file.id));
  return out;
}

function normalizeReactions(m: TSlackInnerMessage): NReaction[] {
  return (m.reactions ?? []).map((r) => {
    const users = r.users ?? [];
    return { name: r.name, users, count: r.count ?? users.length };
  });
}

function isTombstone(m: TSlackInnerMessage): boolean {
  return m.subtype === "tombstone" || (m.hidden === true && m.text === TOMBSTONE_TEXT);
}

/**
 * One observed state of a message. A tombstone says the message is deleted
 * and nothing about its text; its `USLACKBOT` author is Slack's, not the
 * message's, so it is not reported as the author.
 */
export function normalizeMessageState(raw: unknown, m: TSlackInnerMessage, ctx: TConversationContext): NMessage {
  const r = asRecord(raw);
  const pinned = ctx.pinned.has(m.ts) || (m.pinned_to ?? []).includes(ctx.channel);
  const common = {
    channel: ctx.channel,
    ts: m.ts,
    threadTs: m.thread_ts ?? null,
    botId: m.bot_id ?? null,
    username: m.username ?? m.bot_profile?.name ?? null,
    subtype: m.subtype ?? null,
    files: normalizeFiles(r, m),
    reactions: normalizeReactions(m),
    replyCount: m.reply_count ?? null,
    pinned,
    raw,
    rawSha256: sha256Json(raw),
  };
  if (isTombstone(m)) {
    return {
      ...common,
      user: m.user === SLACKBOT_ID ? null : (m.user ?? null),
      text: null,
      searchText: "",
      attachments: null,
      blocks: null,
      deleted: true,
    };
  }
  const text = m.text ?? "";
  const commentUser = typeof m.comment === "object" && m.comment !== null ? m.comment.user : null;
  return {
    ...common,
    user: m.user ?? commentUser ?? null,
    text,
    searchText: buildSearchText(text, m.attachments, m.blocks),
    attachments: m.attachments ?? null,
    blocks: m.blocks ?? null,
    editedTs: m.edited?.ts ?? null,
    editedBy: m.edited?.user ?? null,
  };
}

/** A channel event entry (join, leave, topic, purpose, rename, archive, pin, …). */
export function normalizeEvent(raw: unknown, e: TSlackEventEntry, kind: TChannelEventKind, ctx: TConversationContext): NChannelEvent {
  let value: string | null = null;
  if (kind === "topic") value = e.topic ?? null;
  else if (kind === "purpose") value = e.purpose ?? null;
  else if (kind === "rename") value = e.name ?? null;
  else if (kind === "pin" || kind === "unpin") value = e.item?.ts ?? e.item?.message?.ts ?? pinnedAttachmentTs(e.attachments);
  return {
    channel: ctx.channel,
    ts: e.ts,
    kind,
    subtype: e.subtype,
    actor: e.user ?? null,
    subject: kind === "join" ? (e.inviter ?? null) : null,
    value,
    text: e.text ?? "",
    raw,
    rawSha256: sha256Json(raw),
  };
}

/** Old exports describe the pinned message as an unfurl attachment carrying its ts. */
function pinnedAttachmentTs(attachments: unknown[] | null | undefined): string | null {
  const first = asRecord(attachments?.[0]);
  return typeof first.ts === "string" && /^\d+(\.\d+)?$/.test(first.ts) ? first.ts : null;
}

/**
 * Every observation in one day-file entry:
 * - channel event subtypes → one NChannelEvent;
 * - `message_changed` → the previous state (when given) and the new state;
 * - `message_deleted` → the previous state marked deleted at the entry's ts,
 *   or a bare deletion of `deleted_ts`;
 * - `message_replied` → the parent's new state;
 * - anything else, unknown subtypes included → one NMessage.
 * The caller has validated the entry (day-file.ts), including the nested
 * fields these cases require.
 */
export function normalizeEntry(
  raw: unknown,
  entry: { kind: "event"; e: TSlackEventEntry; eventKind: TChannelEventKind } | { kind: "message"; m: TSlackMessage },
  ctx: TConversationContext,
): TNormalizedEntry {
  if (entry.kind === "event") return { messages: [], events: [normalizeEvent(raw, entry.e, entry.eventKind, ctx)] };
  const m = entry.m;
  const r = asRecord(raw);
  switch (m.subtype) {
    case "message_changed": {
      const out: NMessage[] = [];
      if (m.previous_message) out.push(normalizeMessageState(r.previous_message, m.previous_message, ctx));
      if (m.message) out.push(normalizeMessageState(r.message, m.message, ctx));
      return { messages: out, events: [] };
    }
    case "message_deleted": {
      if (m.previous_message) {
        const prev = normalizeMessageState(r.previous_message, m.previous_message, ctx);
        // The deletion's evidence is the whole entry, not just the old state.
        return { messages: [{ ...prev, deleted: true, deletedTs: m.ts, raw, rawSha256: sha256Json(raw) }], events: [] };
      }
      const bare: NMessage = {
        channel: ctx.channel,
        ts: m.deleted_ts!,
        threadTs: m.thread_ts ?? null,
        text: null,
        searchText: "",
        files: [],
        reactions: null,
        deleted: true,
        deletedTs: m.ts,
        raw,
        rawSha256: sha256Json(raw),
      };
      return { messages: [bare], events: [] };
    }
    case "message_replied":
      if (m.message) return { messages: [normalizeMessageState(r.message, m.message, ctx)], events: [] };
      break;
  }
  return { messages: [normalizeMessageState(raw, m, ctx)], events: [] };
}
