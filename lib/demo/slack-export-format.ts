/**
 * The shapes of a standard Slack workspace export, as Slack writes them, and
 * the small helpers both generators (the curated demo and the load-test
 * generator) use to produce them: timestamps, ids, JSON text, users and
 * conversation listings.
 *
 * These are *output* shapes for generated data, deliberately loose (extra
 * fields allowed): the ingest adapter owns the zod schemas that validate real
 * exports.
 */

/** Counts describing a written export; every number can be re-derived by reading the files. */
export interface TGeneratedExportSummary {
  /** Every entry written to a day file: messages, bot posts, tombstones and channel events. */
  messages: number;
  /** Conversations: public + private channels + DMs + MPIMs. */
  channels: number;
  /** Entries in users.json (people, bots, deleted users, Slackbot). */
  users: number;
  /** Number of `YYYY-MM-DD.json` files. */
  dayFiles: number;
  /** Thread parents (entries with `thread_ts === ts` and replies), tombstoned parents included. */
  threads: number;
  /** Thread replies (entries with `thread_ts !== ts`). */
  replies: number;
  /** Entries carrying an `edited` field. */
  edits: number;
  /** User–reaction pairs: the sum of `reactions[].users.length`. */
  reactions: number;
  /** File metadata objects in `files` arrays. */
  files: number;
  /** Channel events: joins, leaves, topic/purpose/name changes, archive. */
  events: number;
  /** Entries with `subtype: "bot_message"`. */
  botMessages: number;
  /** Bytes of every file written, metadata files included. */
  bytes: number;
}

/** A summary with every count at zero, to be filled while writing or reading. */
export function emptyExportSummary(): TGeneratedExportSummary {
  return { messages: 0, channels: 0, users: 0, dayFiles: 0, threads: 0, replies: 0, edits: 0, reactions: 0, files: 0, events: 0, botMessages: 0, bytes: 0 };
}

/** Message subtypes counted as channel events (not conversation content). */
export const EVENT_SUBTYPES: ReadonlySet<string> = new Set([
  "channel_join",
  "channel_leave",
  "channel_topic",
  "channel_purpose",
  "channel_name",
  "channel_archive",
  "channel_unarchive",
  "group_join",
  "group_leave",
  "group_topic",
  "group_purpose",
]);

/** One reaction on a message: who reacted with which emoji. */
export interface TSlackReaction {
  name: string;
  users: string[];
  count: number;
}

/** File metadata as exports carry it (the content itself is never exported). */
export interface TSlackFile {
  id: string;
  created: number;
  timestamp: number;
  name: string;
  title: string;
  mimetype: string;
  filetype: string;
  pretty_type: string;
  user: string;
  size: number;
  mode: string;
  is_external: boolean;
  is_public: boolean;
  url_private: string;
  url_private_download: string;
  permalink: string;
}

/** A field of a legacy message attachment. */
export interface TSlackAttachmentField {
  title: string;
  value: string;
  short: boolean;
}

/** A legacy message attachment, as alerting and chatops bots post them. */
export interface TSlackAttachment {
  id?: number;
  color: string;
  fallback: string;
  title: string;
  title_link?: string;
  text: string;
  fields?: TSlackAttachmentField[];
  footer?: string;
  ts?: number;
  mrkdwn_in?: string[];
}

/** One entry of a day file. Only `type` and `ts` are always present. */
export interface TSlackMessage {
  client_msg_id?: string;
  type: "message";
  subtype?: string;
  text: string;
  user?: string;
  bot_id?: string;
  username?: string;
  ts: string;
  team?: string;
  hidden?: boolean;
  thread_ts?: string;
  reply_count?: number;
  reply_users_count?: number;
  latest_reply?: string;
  reply_users?: string[];
  replies?: { user: string; ts: string }[];
  parent_user_id?: string;
  edited?: { user: string; ts: string };
  topic?: string;
  purpose?: string;
  inviter?: string;
  attachments?: TSlackAttachment[];
  blocks?: unknown[];
  files?: TSlackFile[];
  upload?: boolean;
  reactions?: TSlackReaction[];
  pinned_to?: string[];
}

/** An entry of users.json. */
export interface TSlackUser {
  id: string;
  team_id: string;
  name: string;
  deleted: boolean;
  color: string;
  real_name: string;
  tz: string;
  tz_label: string;
  tz_offset: number;
  profile: Record<string, unknown>;
  is_admin: boolean;
  is_owner: boolean;
  is_primary_owner: boolean;
  is_restricted: boolean;
  is_ultra_restricted: boolean;
  is_bot: boolean;
  is_app_user: boolean;
  updated: number;
}

interface TSlackTextValue {
  value: string;
  creator: string;
  last_set: number;
}

/** An entry of channels.json, groups.json or mpims.json. */
export interface TSlackChannel {
  id: string;
  name: string;
  created: number;
  creator: string;
  is_archived: boolean;
  is_general: boolean;
  members: string[];
  pins?: { id: string; type: "C" | "G"; user: string; owner: string; created: number }[];
  topic: TSlackTextValue;
  purpose: TSlackTextValue;
}

/** An entry of dms.json. */
export interface TSlackDm {
  id: string;
  created: number;
  members: string[];
}

/** Slackbot's fixed id; Slack attributes tombstones ("This message was deleted.") to it. */
export const SLACKBOT_ID = "USLACKBOT";

/**
 * Formats a time in integer microseconds since the epoch as a Slack `ts`
 * ("1700000000.000100": seconds, a dot, exactly six digits).
 */
export function formatTs(micros: number): string {
  const seconds = Math.floor(micros / 1_000_000);
  const fraction = micros - seconds * 1_000_000;
  return `${seconds}.${String(fraction).padStart(6, "0")}`;
}

/** `YYYY-MM-DD` (UTC) of a time in microseconds: the name of its day file. */
export function formatDay(micros: number): string {
  return new Date(Math.floor(micros / 1000)).toISOString().slice(0, 10);
}

/**
 * A microsecond fraction that is distinct for any 1,000,000 consecutive
 * sequence numbers yet looks random (multiplication by a number coprime with
 * 10^6 is a bijection mod 10^6). Two entries of one channel in the same second
 * therefore never share a `ts`, without keeping a set of used values.
 */
export function uniqueMicros(sequence: number): number {
  return (sequence * 737_293 + 12_345) % 1_000_000;
}

const SLASH = /\//g;

/**
 * JSON text as Slack's exporter writes it: four-space indentation and
 * forward slashes escaped as `\/`. Both are valid JSON; reproducing them
 * keeps the importer honest about real files.
 */
export function toSlackJson(value: unknown): string {
  return JSON.stringify(value, null, 4).replace(SLASH, "\\/");
}

const BASE36_WIDTH = 8;
const BASE36_SPACE = 36n ** BigInt(BASE36_WIDTH);
// About 0.618 × 36^8 (golden-ratio spacing, so consecutive ids look unrelated);
// odd and not a multiple of 3, hence coprime with 36^8.
const ID_MULTIPLIER = 1_743_541_808_669n;

/**
 * Allocates unique, random-looking Slack ids (`U…`, `C…`, `G…`, `D…`, `B…`,
 * `F…`, `T…`): a prefix and eight uppercase base-36 characters. The n-th id of
 * a prefix is an affine bijection of n modulo 36^8, so ids never collide and no
 * set of used ids is kept, however many are drawn.
 */
export class SlackIdAllocator {
  private readonly counters = new Map<string, number>();

  /** @param salt varies ids between seeds; any non-negative integer. */
  constructor(private readonly salt: number) {}

  /** The next id for `prefix`. */
  next(prefix: string): string {
    const n = this.counters.get(prefix) ?? 0;
    this.counters.set(prefix, n + 1);
    const offset = BigInt(this.salt) * 2_147_483_629n + BigInt(prefix.charCodeAt(0)) * 7_919n;
    const value = (BigInt(n) * ID_MULTIPLIER + offset) % BASE36_SPACE;
    return prefix + value.toString(36).toUpperCase().padStart(BASE36_WIDTH, "0");
  }
}

const COLORS = ["9f69e7", "4bbe2e", "e7392d", "3c989f", "674b1b", "e96699", "e0a729", "684b6c", "5b89d5", "2b6836"];

/** What {@link buildSlackUser} needs to know about a person or bot. */
export interface TUserSpec {
  id: string;
  teamId: string;
  name: string;
  realName: string;
  title?: string;
  email?: string;
  tz?: string;
  isBot?: boolean;
  botId?: string;
  appId?: string;
  deleted?: boolean;
  isAdmin?: boolean;
  isOwner?: boolean;
  /** Unix seconds. */
  updated: number;
}

const TZ_INFO: Record<string, { label: string; offset: number }> = {
  "America/Los_Angeles": { label: "Pacific Standard Time", offset: -28800 },
  "America/New_York": { label: "Eastern Standard Time", offset: -18000 },
  "Europe/London": { label: "Greenwich Mean Time", offset: 0 },
  "Europe/Berlin": { label: "Central European Time", offset: 3600 },
  "Asia/Tokyo": { label: "Japan Standard Time", offset: 32400 },
  "Asia/Kolkata": { label: "India Standard Time", offset: 19800 },
};

/** Time zones the generators assign to people. */
export const KNOWN_TIME_ZONES: readonly string[] = Object.keys(TZ_INFO);

/** A users.json entry shaped like Slack's (profile, flags, bot ids on bot users). */
export function buildSlackUser(spec: TUserSpec): TSlackUser {
  const tz = spec.tz ?? "Europe/London";
  const tzInfo = TZ_INFO[tz] ?? { label: "Coordinated Universal Time", offset: 0 };
  const [first = "", ...rest] = spec.realName.split(" ");
  const avatar = hashString(spec.id).toString(16).padStart(8, "0");
  const profile: Record<string, unknown> = {
    title: spec.title ?? "",
    phone: "",
    skype: "",
    real_name: spec.realName,
    real_name_normalized: spec.realName.normalize("NFD").replace(/[\u0300-\u036f]/g, ""),
    display_name: spec.isBot ? "" : spec.name,
    display_name_normalized: spec.isBot ? "" : spec.name,
    fields: null,
    status_text: "",
    status_emoji: "",
    avatar_hash: `g${avatar.slice(0, 11)}`,
    first_name: first,
    last_name: rest.join(" "),
    image_72: `https://avatars.slack-edge.com/${spec.teamId}/${spec.id}_72.png`,
    image_192: `https://avatars.slack-edge.com/${spec.teamId}/${spec.id}_192.png`,
    team: spec.teamId,
  };
  // Deleted accounts lose their e-mail in real exports.
  if (spec.email && !spec.deleted) profile.email = spec.email;
  if (spec.botId) {
    profile.bot_id = spec.botId;
    profile.api_app_id = spec.appId ?? "";
    profile.always_active = true;
  }
  return {
    id: spec.id,
    team_id: spec.teamId,
    name: spec.name,
    deleted: spec.deleted ?? false,
    color: COLORS[hashString(spec.name) % COLORS.length] ?? "9f69e7",
    real_name: spec.realName,
    tz,
    tz_label: tzInfo.label,
    tz_offset: tzInfo.offset,
    profile,
    is_admin: spec.isAdmin ?? false,
    is_owner: spec.isOwner ?? false,
    is_primary_owner: spec.isOwner ?? false,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: spec.isBot ?? false,
    is_app_user: false,
    updated: spec.updated,
  };
}

/** Slackbot as it appears in users.json. */
export function buildSlackbotUser(teamId: string, updated: number): TSlackUser {
  return buildSlackUser({ id: SLACKBOT_ID, teamId, name: "slackbot", realName: "Slackbot", updated });
}

/** A deterministic 32-bit FNV-1a hash, for stable cosmetic choices (colours, avatars). */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** `<@U…> has joined the channel` as Slack writes a join. */
export function joinText(userId: string): string {
  return `<@${userId}> has joined the channel`;
}

/** The text Slack writes for a topic change (or a cleared topic). */
export function topicText(userId: string, topic: string): string {
  return topic ? `<@${userId}> set the channel topic: ${topic}` : `<@${userId}> cleared channel topic`;
}

/** The text Slack writes for a purpose change. */
export function purposeText(userId: string, purpose: string): string {
  return `<@${userId}> set the channel purpose: ${purpose}`;
}

/**
 * Escapes text the way Slack stores it: `&`, `<` and `>` become entities;
 * Slack's own markup (`<@U…>`, `<https://…|label>`) is added after escaping.
 */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A Slack link token `<url|label>` with the URL's `&` escaped as Slack does. */
export function slackLink(url: string, label?: string): string {
  const safe = url.replace(/&/g, "&amp;");
  return label ? `<${safe}|${escapeSlackText(label)}>` : `<${safe}>`;
}
