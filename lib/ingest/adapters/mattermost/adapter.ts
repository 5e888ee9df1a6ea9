import path from "node:path";
import type {
  IngestAdapter,
  IngestInput,
  NChannel,
  NChannelEvent,
  NMessage,
  NPerson,
  NReaction,
  NWorkspace,
  NormalizedBatch,
  TCheckpoints,
} from "../../adapter";
import { AppError } from "../../../errors";
import { logger } from "../../../logger";
import { sha256Json } from "../../../executions/normalize";
import { formatIssuePath } from "../../../executions/schema";
import { fileSourceKey, parseJsonLine, readFirstLines, readLines } from "../../lines";
import { MM_PAYLOADS, ZMmLine, type TMmChannel, type TMmReply, type TMmTeam, type TMmUser } from "./schemas";

/**
 * `backscroll import --source mattermost <export.jsonl>`: a Mattermost bulk
 * export. One export is one workspace: the team when there is one team,
 * else `mattermost` holding every team (direct messages are server-wide).
 * Channel external ids are `team/name` (`dm:a,b` for direct channels);
 * channel names get a `team/` prefix only when the export has several teams
 * (every team has a `town-square`). Message ts come from `create_at`
 * (milliseconds) plus a three-digit sequence for posts of the same channel
 * and millisecond, so ids are stable. Replies are thread messages of their
 * post; join/leave system posts (by `type`, or the plain "x joined the
 * channel." texts older exports carry) are channel events.
 */

const DEFAULT_BATCH = 5000;

type TSystem = { kind: NChannelEvent["kind"]; subtype: string; actor: string; subject?: string | null } | null;

/** A post that is really a channel event. */
export function classifySystemPost(type: string | null | undefined, user: string, text: string): TSystem {
  switch (type) {
    case "system_join_channel":
      return { kind: "join", subtype: type, actor: user };
    case "system_leave_channel":
      return { kind: "leave", subtype: type, actor: user };
    case "system_header_change":
      return { kind: "topic", subtype: type, actor: user };
    case "system_purpose_change":
      return { kind: "purpose", subtype: type, actor: user };
    case "system_displayname_change":
      return { kind: "rename", subtype: type, actor: user };
    case "system_channel_deleted":
      return { kind: "archive", subtype: type, actor: user };
    case "system_channel_restored":
      return { kind: "unarchive", subtype: type, actor: user };
  }
  if (type?.startsWith("system_")) {
    const added = /^@?(\S+) (?:was )?added to the channel by @?(\S+?)\.?$/.exec(text);
    if (type === "system_add_to_channel" && added) return { kind: "join", subtype: type, actor: added[1]!, subject: added[2] };
    const removed = /^@?(\S+) (?:was )?removed from the channel\.?$/.exec(text);
    if (type === "system_remove_from_channel" && removed) return { kind: "leave", subtype: type, actor: removed[1]! };
    return { kind: "other", subtype: type, actor: user };
  }
  if (type) return null;
  let m = /^(\S+) joined the channel\.$/.exec(text);
  if (m && m[1] === user) return { kind: "join", subtype: "system_join_channel", actor: user };
  m = /^(\S+) left the channel\.$/.exec(text);
  if (m && m[1] === user) return { kind: "leave", subtype: "system_leave_channel", actor: user };
  m = /^(\S+) joined the team\.$/.exec(text);
  if (m && m[1] === user) return { kind: "other", subtype: "system_join_team", actor: user };
  m = /^(\S+) added to the channel by (\S+)\.$/.exec(text);
  if (m && m[2] === user) return { kind: "join", subtype: "system_add_to_channel", actor: m[1]!, subject: user };
  return null;
}

function reactionsOf(list: { user: string; emoji_name: string }[] | null | undefined): NReaction[] {
  const by = new Map<string, string[]>();
  for (const r of list ?? []) {
    const users = by.get(r.emoji_name) ?? [];
    if (!users.includes(r.user)) users.push(r.user);
    by.set(r.emoji_name, users);
  }
  return [...by].map(([name, users]) => ({ name, users, count: users.length }));
}

export const mattermostAdapter: IngestAdapter = {
  name: "mattermost",

  async detect(input: IngestInput): Promise<boolean> {
    if (!/\.(jsonl|ndjson)$/i.test(input.location)) return false;
    const first = (await readFirstLines(input.location, 3)).find((l) => l.trim());
    return !!first && /^\s*\{\s*"type"\s*:\s*"version"/.test(first);
  },

  sourceKey: (input) => fileSourceKey("mattermost", input.location),

  async *read(input: IngestInput, _checkpoints: TCheckpoints): AsyncIterable<NormalizedBatch> {
    void _checkpoints;
    const file = input.location;
    const label = path.basename(file);
    const batchSize = Number(input.options?.batchSize ?? DEFAULT_BATCH);
    const warn = (input.options?.onWarning as ((m: string) => void) | undefined) ?? ((m: string) => logger.warn(m));

    const teams: TMmTeam[] = [];
    const channels = new Map<string, { c: NChannel; members: Set<string> }>();
    const users: TMmUser[] = [];
    let workspace: NWorkspace | null = null;
    let channelsEmitted = false;
    const seqByMs = new Map<string, number>();
    let messages: NMessage[] = [];
    let events: NChannelEvent[] = [];
    let pendingChannels: NChannel[] = [];
    let pendingPeople: NPerson[] = [];
    let posts = 0;

    const channelKey = (team: string, name: string) => `${team}/${name}`;
    const channelName = (team: string, name: string) => (teams.length > 1 ? `${team}/${name}` : name);
    const toPerson = (u: TMmUser): NPerson => {
      const real = [u.first_name, u.last_name].filter(Boolean).join(" ") || null;
      return {
        externalId: u.username,
        name: u.username,
        realName: real,
        displayName: u.nickname || null,
        email: u.email ?? null,
        title: u.position || null,
        isBot: false,
        deleted: Boolean(u.delete_at),
        raw: u,
        rawSha256: sha256Json(u),
      };
    };
    const ensureWorkspace = (): NWorkspace => {
      if (workspace) return workspace;
      const only = teams.length === 1 ? teams[0]! : null;
      workspace = only
        ? { platform: "mattermost", externalId: only.name, name: only.display_name || only.name }
        : { platform: "mattermost", externalId: "mattermost", name: teams.length ? `Mattermost (${teams.map((t) => t.name).join(", ")})` : "Mattermost" };
      return workspace;
    };
    const tsFor = (channel: string, ms: number): string => {
      const key = `${channel}\u0000${ms}`;
      const seq = seqByMs.get(key) ?? 0;
      seqByMs.set(key, seq + 1);
      if (seq > 999) throw new AppError("bad_input", `${label}: more than 1000 posts in ${channel} at ${ms} ms`, { file: label });
      return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, "0")}${String(seq).padStart(3, "0")}`;
    };
    /** Channels and members become known once users are read; emit them before the first post. */
    const flushMetadata = () => {
      if (channelsEmitted) return;
      channelsEmitted = true;
      for (const u of users) {
        for (const t of u.teams ?? []) for (const c of t.channels ?? []) channels.get(channelKey(t.name, c.name))?.members.add(u.username);
      }
      pendingPeople.push(...users.map(toPerson));
      for (const { c, members } of channels.values()) pendingChannels.push({ ...c, members: [...members].sort() });
    };
    const batch = (finished = false): NormalizedBatch => {
      const b: NormalizedBatch = {
        workspace: ensureWorkspace(),
        people: pendingPeople,
        channels: pendingChannels,
        messages,
        events,
        progress: { done: posts, unit: "posts" },
        finishedChannels: finished ? [...channels.keys()] : undefined,
      };
      messages = [];
      events = [];
      pendingChannels = [];
      pendingPeople = [];
      return b;
    };
    const addPost = (channel: string, p: TMmReply, threadTs: string | null): string => {
      const ts = tsFor(channel, p.create_at);
      const text = p.message ?? "";
      const sys = threadTs ? null : classifySystemPost(p.type, p.user, text);
      const raw = p;
      if (sys) {
        events.push({ channel, ts, kind: sys.kind, subtype: sys.subtype, actor: sys.actor, subject: sys.subject ?? null, text, raw, rawSha256: sha256Json(raw) });
        return ts;
      }
      const edited = p.edit_at && p.edit_at > 0 ? p.edit_at : null;
      messages.push({
        channel,
        ts,
        threadTs,
        user: p.user,
        subtype: p.type || null,
        text,
        searchText: text,
        files: (p.attachments ?? []).map((a) => ({ externalId: a.path, name: path.posix.basename(a.path), raw: a })),
        reactions: reactionsOf(p.reactions),
        editedTs: edited ? `${Math.floor(edited / 1000)}.${String(edited % 1000).padStart(3, "0")}000` : null,
        editedBy: edited ? p.user : null,
        pinned: Boolean(p.is_pinned),
        raw,
        rawSha256: sha256Json(raw),
      });
      return ts;
    };
    const addChannel = (c: NChannel) => {
      channels.set(c.externalId, { c, members: new Set(c.members ?? []) });
      if (channelsEmitted) pendingChannels.push(c);
    };

    for await (const { n, text } of readLines(file, label)) {
      if (!text.trim()) continue;
      const value = parseJsonLine(text, label, n);
      const head = ZMmLine.safeParse(value);
      if (!head.success) throw new AppError("bad_input", `${label}: line ${n}: field type: ${head.error.issues[0]!.message}`, { file: label, line: n, field: "type" });
      const type = head.data.type as keyof typeof MM_PAYLOADS;
      const schema = MM_PAYLOADS[type];
      if (!schema) continue;
      const r = schema.safeParse((value as Record<string, unknown>)[type]);
      if (!r.success) {
        const issue = r.error.issues[0]!;
        const field = [type, formatIssuePath(issue.path)].filter(Boolean).join(".");
        throw new AppError("bad_input", `${label}: line ${n}: field ${field}: ${issue.message}`, { file: label, line: n, field });
      }
      const d = r.data as Record<string, unknown>;
      switch (type) {
        case "team":
          teams.push(d as TMmTeam);
          break;
        case "channel": {
          const c = d as TMmChannel;
          const key = channelKey(c.team, c.name);
          addChannel({
            externalId: key,
            name: channelName(c.team, c.name),
            kind: c.type === "P" ? "private" : "public",
            topic: c.header || null,
            purpose: c.purpose || null,
            archived: false,
            raw: c,
            rawSha256: sha256Json(c),
          });
          break;
        }
        case "user":
          if (channelsEmitted) pendingPeople.push(toPerson(d as TMmUser));
          else users.push(d as TMmUser);
          break;
        case "direct_channel": {
          const members = [...new Set((d.members as string[]) ?? [])].sort();
          const key = `dm:${members.join(",")}`;
          if (!channels.has(key)) addChannel({ externalId: key, name: key, kind: members.length > 2 ? "mpdm" : "dm", archived: false, members, raw: d, rawSha256: sha256Json(d) });
          break;
        }
        case "post":
        case "direct_post": {
          flushMetadata();
          let key: string;
          if (type === "post") {
            key = channelKey(d.team as string, d.channel as string);
            if (!channels.has(key)) {
              warn(`${label}: line ${n}: post in channel "${d.channel}" of team "${d.team}", which the export does not list: kept in a channel of that name`);
              const raw = { team: d.team, name: d.channel, placeholder: true };
              addChannel({ externalId: key, name: channelName(d.team as string, d.channel as string), kind: "public", archived: false, raw, rawSha256: sha256Json(raw) });
            }
          } else {
            const members = [...new Set(d.channel_members as string[])].sort();
            key = `dm:${members.join(",")}`;
            if (!channels.has(key)) {
              const raw = { members };
              addChannel({ externalId: key, name: key, kind: members.length > 2 ? "mpdm" : "dm", archived: false, members, raw, rawSha256: sha256Json(raw) });
            }
          }
          const { replies, ...root } = d as { replies?: TMmReply[] | null } & TMmReply;
          const rootTs = addPost(key, root, null);
          for (const rep of replies ?? []) addPost(key, rep, rootTs);
          posts++;
          if (messages.length + events.length >= batchSize) yield batch();
          break;
        }
      }
    }
    flushMetadata();
    yield batch(true);
  },
};
