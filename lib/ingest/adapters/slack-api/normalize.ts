import type { NChannel, NChannelEvent, NMessage, NPerson, TChannelKind } from "../../adapter";
import { AppError } from "../../../errors";
import { EVENT_SUBTYPES, normalizeConversation, normalizeEntry, normalizePerson } from "../slack-export/normalize";
import { ZSlackConversation, ZSlackEventEntry, ZSlackMessage, ZSlackUser } from "../slack-export/schemas";

/**
 * Web API objects → normalised observations. conversations.history and
 * replies return the same message objects as export day files, so the
 * export's validated normaliser does the work; this file only adds what the
 * API says differently (conversation kinds from `is_*` flags, where a bad
 * record came from).
 */

function fail(where: string, path: PropertyKey[], message: string): AppError {
  const field = path.map(String).join(".");
  return new AppError("bad_input", `${where}: ${field ? `field ${field}: ` : ""}${message}`, { file: where, field });
}

/** A users.list member. */
export function normalizeApiUser(raw: unknown, where = "users.list"): NPerson {
  const r = ZSlackUser.safeParse(raw);
  if (!r.success) throw fail(where, r.error.issues[0]!.path, r.error.issues[0]!.message);
  return normalizePerson(raw, r.data);
}

/** The archive's kind of a conversations.list object. */
export function conversationKind(c: Record<string, unknown>): TChannelKind {
  if (c.is_im) return "dm";
  if (c.is_mpim) return "mpdm";
  if (c.is_private || c.is_group) return "private";
  return "public";
}

/** A conversations.list object with its members (conversations.members). */
export function normalizeApiConversation(raw: unknown, members: string[] | null): NChannel {
  const r = ZSlackConversation.safeParse(raw);
  if (!r.success) throw fail("conversations.list", r.error.issues[0]!.path, r.error.issues[0]!.message);
  const kind = conversationKind(raw as Record<string, unknown>);
  // An IM has no name; the export names it by its members, and so do we.
  return normalizeConversation(raw, { ...r.data, members: members ?? r.data.members ?? null }, kind);
}

/** A conversations.history / replies message: message states or a channel event. */
export function normalizeApiMessage(raw: unknown, channel: string, where: string): { messages: NMessage[]; events: NChannelEvent[] } {
  const subtype = typeof raw === "object" && raw !== null ? (raw as { subtype?: unknown }).subtype : undefined;
  const ctx = { channel, pinned: new Set<string>() };
  const eventKind = typeof subtype === "string" ? EVENT_SUBTYPES.get(subtype) : undefined;
  if (eventKind !== undefined) {
    const e = ZSlackEventEntry.safeParse(raw);
    if (!e.success) throw fail(where, e.error.issues[0]!.path, e.error.issues[0]!.message);
    return normalizeEntry(raw, { kind: "event", e: e.data, eventKind }, ctx);
  }
  const m = ZSlackMessage.safeParse(raw);
  if (!m.success) throw fail(where, m.error.issues[0]!.path, m.error.issues[0]!.message);
  return normalizeEntry(raw, { kind: "message", m: m.data }, ctx);
}
