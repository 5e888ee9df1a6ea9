import { z } from "zod";
import type { NChannel, NChannelEvent, NMessage, NormalizedBatch, NReactionChange, NWorkspace, TChannelKind } from "../../adapter";
import { AppError } from "../../../errors";
import { normalizeApiMessage, normalizeApiUser } from "../slack-api/normalize";
import { normalizeMessageState, sha256Json } from "../slack-export/normalize";
import { ZSlackInnerMessage, ZSlackTs } from "../slack-export/schemas";

/**
 * Slack Events API (and RTM, which sends the same inner events) → one
 * NormalizedBatch per event. Pure: what it needs to know about stored
 * channels (to rename or archive one without losing its other fields) comes
 * in the context.
 *
 * Messages reuse the export normaliser: the event's message objects are the
 * ones export day files hold. One rule is added for `message_changed`: a
 * change whose text differs but which carries no `edited` stamp (Slack sends
 * those for unfurls and some app edits) is dated by the change event itself,
 * so the latest change wins as it did in Slack, not the hash tie-break.
 */

/** The outer `event_callback` envelope. */
export const ZEventCallback = z.looseObject({
  type: z.literal("event_callback"),
  team_id: z.string().min(1),
  event_id: z.string().min(1),
  event_time: z.number().nullish(),
  event: z.looseObject({ type: z.string().min(1) }),
});
export type TEventCallback = z.output<typeof ZEventCallback>;

/** Any envelope Slack posts to the Request URL. */
export const ZEventEnvelope = z.union([
  z.looseObject({ type: z.literal("url_verification"), challenge: z.string().max(500) }),
  ZEventCallback,
  z.looseObject({ type: z.literal("app_rate_limited") }),
]);

/** What a stored channel looks like to the normaliser. */
export interface TKnownChannel {
  externalId: string;
  name: string;
  kind: string;
  topic: string | null;
  purpose: string | null;
  archived: boolean;
  createdAt: string | null;
  creator: string | null;
  raw: unknown;
}

export interface TEventContext {
  workspace: NWorkspace;
  /** Stored channels the event may name. */
  channels: ReadonlyMap<string, TKnownChannel>;
  /** Current stored text of messages a `message_changed` names, by "channel ts". */
  texts?: ReadonlyMap<string, string>;
}

const ZMessageEvent = z.looseObject({
  type: z.literal("message"),
  subtype: z.string().nullish(),
  channel: z.string().min(1),
  channel_type: z.string().nullish(),
  ts: ZSlackTs,
  event_ts: ZSlackTs.nullish(),
  message: ZSlackInnerMessage.nullish(),
  previous_message: ZSlackInnerMessage.nullish(),
});

const ZItemEvent = z.looseObject({
  user: z.string().nullish(),
  reaction: z.string().nullish(),
  event_ts: ZSlackTs.nullish(),
  channel_id: z.string().nullish(),
  item: z.looseObject({ type: z.string().nullish(), channel: z.string().nullish(), ts: ZSlackTs.nullish(), message: ZSlackInnerMessage.nullish() }),
});

const ZMemberEvent = z.looseObject({
  user: z.string().min(1),
  channel: z.string().min(1),
  channel_type: z.string().nullish(),
  inviter: z.string().nullish(),
  event_ts: ZSlackTs.nullish(),
});

const ZChannelObject = z.looseObject({ id: z.string().min(1), name: z.string().nullish(), created: z.number().nullish(), creator: z.string().nullish() });
const ZChannelEvent = z.looseObject({ channel: z.union([z.string().min(1), ZChannelObject]), user: z.string().nullish(), event_ts: ZSlackTs.nullish() });

function parse<T extends z.ZodType>(schema: T, v: unknown, where: string): z.output<T> {
  const r = schema.safeParse(v);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = issue.path.map(String).join(".");
    throw new AppError("bad_input", `${where}: ${field ? `field ${field}: ` : ""}${issue.message}`, { file: where, field });
  }
  return r.data;
}

/** The archive's channel kind from an event's `channel_type` (or the id's prefix). */
export function kindOfChannelType(type: string | null | undefined, id: string): TChannelKind {
  if (type === "im" || id.startsWith("D")) return "dm";
  if (type === "mpim") return "mpdm";
  if (type === "group" || id.startsWith("G")) return "private";
  return "public";
}

function stubChannel(id: string, kind: TChannelKind): NChannel {
  const raw = { id, inferred: true, source: "slack-events" };
  return { externalId: id, name: id, kind, archived: false, members: null, raw, rawSha256: sha256Json(raw) };
}

/** A stored channel with some fields changed, as a full observation. */
function changedChannel(known: TKnownChannel | undefined, id: string, kind: TChannelKind, change: { name?: string; archived?: boolean }, raw: unknown): NChannel {
  const base = known
    ? { name: known.name, kind: known.kind as TChannelKind, topic: known.topic, purpose: known.purpose, archived: known.archived, createdAt: known.createdAt, creator: known.creator, raw: known.raw }
    : { name: id, kind, topic: null, purpose: null, archived: false, createdAt: null, creator: null, raw: { id } };
  const merged = { ...(typeof base.raw === "object" && base.raw !== null ? base.raw : {}), ...change, event: raw };
  return { externalId: id, ...base, ...change, members: null, raw: merged, rawSha256: sha256Json(merged) };
}

function eventTs(e: { event_ts?: string | null }, envelopeTime: number | null | undefined): string {
  if (e.event_ts) return e.event_ts;
  if (envelopeTime) return envelopeTime.toFixed(6);
  throw new AppError("bad_input", "event has neither event_ts nor event_time", { field: "event_ts" });
}

function messageEvent(raw: Record<string, unknown>, where: string, texts: ReadonlyMap<string, string> | undefined): { messages: NMessage[]; events: NChannelEvent[]; channel: string; channelType: string | null } {
  const e = parse(ZMessageEvent, raw, where);
  const channel = e.channel;
  if (e.subtype === "message_changed" && e.message) {
    const ctx = { channel, pinned: new Set<string>() };
    const out: NMessage[] = [];
    const prev = e.previous_message ? normalizeMessageState(raw.previous_message, e.previous_message, ctx) : null;
    const next = normalizeMessageState(raw.message, e.message, ctx);
    if (prev) out.push(prev);
    // No edit stamp, yet the text differs from what was current: the change
    // itself dates the new text. (Unfurls change attachments only, and stay undated.)
    const current = texts?.get(`${channel} ${next.ts}`);
    const differs = (prev?.text != null && prev.text !== next.text) || (current !== undefined && current !== next.text);
    if (!next.editedTs && next.text !== null && differs) {
      next.editedTs = e.ts;
      next.editedBy = next.user ?? null;
    }
    out.push(next);
    return { messages: out, events: [], channel, channelType: e.channel_type ?? null };
  }
  const r = normalizeApiMessage(raw, channel, where);
  return { ...r, channel, channelType: e.channel_type ?? null };
}

/** Why an event left no trace, for the receipt. */
export interface TNormalizedEvent {
  batch: NormalizedBatch;
  /** Event types Backscroll does not archive are acknowledged and ignored. */
  ignored: boolean;
}

/** One inner event (the `event` of an event_callback, or an RTM line) → a batch. */
export function normalizeSlackEvent(event: Record<string, unknown>, ctx: TEventContext, envelopeTime?: number | null): TNormalizedEvent {
  const type = String(event.type ?? "");
  const where = `event ${type}${event.subtype ? `/${String(event.subtype)}` : ""}`;
  const batch: NormalizedBatch = { workspace: ctx.workspace };
  const channels = new Map<string, NChannel>();
  const ensure = (id: string, kind: TChannelKind) => {
    if (!ctx.channels.has(id) && !channels.has(id)) channels.set(id, stubChannel(id, kind));
  };
  const channelEvent = (channel: string, ts: string, kind: NChannelEvent["kind"], subtype: string, actor: string | null, value: string | null, subject: string | null = null): NChannelEvent => ({
    channel,
    ts,
    kind,
    subtype,
    actor,
    subject,
    value,
    text: "",
    raw: event,
    rawSha256: sha256Json(event),
  });
  let ignored = false;
  switch (type) {
    case "message": {
      const r = messageEvent(event, where, ctx.texts);
      ensure(r.channel, kindOfChannelType(r.channelType, r.channel));
      batch.messages = r.messages;
      batch.events = r.events;
      break;
    }
    case "reaction_added":
    case "reaction_removed": {
      const e = parse(ZItemEvent, event, where);
      if (e.item.type !== "message" || !e.item.channel || !e.item.ts || !e.user || !e.reaction) {
        ignored = true;
        break;
      }
      const change: NReactionChange = { channel: e.item.channel, ts: e.item.ts, name: e.reaction, user: e.user, op: type === "reaction_added" ? "add" : "remove" };
      batch.reactionChanges = [change];
      break;
    }
    case "pin_added":
    case "pin_removed": {
      const e = parse(ZItemEvent, event, where);
      const channel = e.channel_id ?? e.item.channel;
      const itemTs = e.item.message?.ts ?? e.item.ts ?? null;
      if (!channel || e.item.type !== "message" || !itemTs) {
        ignored = true;
        break;
      }
      ensure(channel, kindOfChannelType(null, channel));
      batch.events = [channelEvent(channel, eventTs(e, envelopeTime), type === "pin_added" ? "pin" : "unpin", type, e.user ?? null, itemTs)];
      if (type === "pin_added" && e.item.message) {
        const raw = (event.item as Record<string, unknown>).message;
        batch.messages = [normalizeMessageState(raw, e.item.message, { channel, pinned: new Set([itemTs]) })];
      }
      break;
    }
    case "member_joined_channel":
    case "member_left_channel": {
      const e = parse(ZMemberEvent, event, where);
      ensure(e.channel, kindOfChannelType(e.channel_type, e.channel));
      const kind = type === "member_joined_channel" ? "join" : "leave";
      batch.events = [channelEvent(e.channel, eventTs(e, envelopeTime), kind, type, e.user, null, e.inviter ?? null)];
      break;
    }
    case "channel_created":
    case "group_created": {
      const e = parse(ZChannelEvent, event, where);
      if (typeof e.channel === "string") {
        ignored = true;
        break;
      }
      const kind: TChannelKind = type === "group_created" ? "private" : "public";
      const raw = e.channel;
      channels.set(raw.id, {
        externalId: raw.id,
        name: raw.name ?? raw.id,
        kind,
        archived: false,
        createdAt: raw.created ? new Date(raw.created * 1000).toISOString() : null,
        creator: raw.creator ?? null,
        members: null,
        raw,
        rawSha256: sha256Json(raw),
      });
      break;
    }
    case "channel_rename":
    case "group_rename": {
      const e = parse(ZChannelEvent, event, where);
      if (typeof e.channel === "string" || !e.channel.name) {
        ignored = true;
        break;
      }
      const id = e.channel.id;
      const kind = kindOfChannelType(type === "group_rename" ? "group" : "channel", id);
      channels.set(id, changedChannel(ctx.channels.get(id), id, kind, { name: e.channel.name }, event));
      batch.events = [channelEvent(id, eventTs(e, envelopeTime), "rename", type, e.user ?? null, e.channel.name)];
      break;
    }
    case "channel_archive":
    case "channel_unarchive":
    case "group_archive":
    case "group_unarchive": {
      const e = parse(ZChannelEvent, event, where);
      const id = typeof e.channel === "string" ? e.channel : e.channel.id;
      const archived = type.endsWith("_archive");
      const kind = kindOfChannelType(type.startsWith("group") ? "group" : "channel", id);
      channels.set(id, changedChannel(ctx.channels.get(id), id, kind, { archived }, event));
      batch.events = [channelEvent(id, eventTs(e, envelopeTime), archived ? "archive" : "unarchive", type, e.user ?? null, null)];
      break;
    }
    case "user_change":
    case "team_join": {
      batch.people = [normalizeApiUser(event.user, `${where} user`)];
      break;
    }
    default:
      ignored = true;
  }
  if (channels.size) batch.channels = [...channels.values()];
  return { batch, ignored };
}

/** Messages (channel, ts) whose stored text a `message_changed` should be compared with. */
export function changedMessageOfEvent(event: Record<string, unknown>): { channel: string; ts: string } | null {
  if (event.type !== "message" || event.subtype !== "message_changed" || typeof event.channel !== "string") return null;
  const m = event.message as { ts?: unknown } | undefined;
  return typeof m?.ts === "string" ? { channel: event.channel, ts: m.ts } : null;
}

/** Channel ids an event may name (to look up stored channels first). */
export function channelIdsOfEvent(event: Record<string, unknown>): string[] {
  const ids = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v === "string" && v) ids.add(v);
  };
  add(event.channel_id);
  if (typeof event.channel === "string") add(event.channel);
  else if (typeof event.channel === "object" && event.channel !== null) add((event.channel as { id?: unknown }).id);
  if (typeof event.item === "object" && event.item !== null) add((event.item as { channel?: unknown }).channel);
  return [...ids];
}
