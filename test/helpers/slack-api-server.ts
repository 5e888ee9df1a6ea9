import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { compareTs } from "../../lib/ingest/merge";

/**
 * A local Slack Web API for tests, in plain node:http. It answers the methods
 * the sync uses in the shapes of Slack's documentation
 * (../shared/testdata/slack-web-api-doc-examples): `ok`, `response_metadata.next_cursor`,
 * `has_more`, newest-first history, parent-first replies, `ok:false` errors
 * (`invalid_auth`, `token_revoked`, `channel_not_found`, `not_in_channel`,
 * `thread_not_found`) and `429` with `Retry-After`. The real `@slack/web-api`
 * client is pointed at it with `slackApiUrl`.
 *
 * Workspaces come from a Slack export folder (so an export import and an API
 * sync of the same data can be compared) or from {@link generateWorkspace}.
 */

export type TRawMessage = Record<string, unknown> & { ts: string };

export interface TFakeChannel {
  /** The conversations.list object (is_channel, is_private, is_im, …). */
  info: Record<string, unknown> & { id: string };
  members: string[];
  /** Every message, thread replies included, any order. */
  messages: TRawMessage[];
}

export interface TFakeWorkspace {
  team: { id: string; name: string; domain: string };
  users: Record<string, unknown>[];
  channels: TFakeChannel[];
}

export interface TRecordedRequest {
  method: string;
  params: Record<string, string>;
  status: number;
  /** Server clock, ms. */
  at: number;
  error?: string;
}

export interface TSlackApiServer {
  /** Base URL for WebClient's `slackApiUrl`, ending in `/api/`. */
  url: string;
  workspace: TFakeWorkspace;
  requests: TRecordedRequest[];
  /** Tokens the server accepts; anything else is `invalid_auth`. */
  tokens: Set<string>;
  revoked: Set<string>;
  /** The next `times` calls of `method` answer 429 with this Retry-After (seconds). */
  rateLimit(method: string, times: number, retryAfterSeconds?: number): void;
  /** conversations.history/replies of this channel fail with `error`. */
  failChannel(channelId: string, error: string | null): void;
  /** Largest `limit` honoured for history and replies (Slack's 15 for non-Marketplace apps). */
  maxMessageLimit: number;
  channel(id: string): TFakeChannel;
  /** Edit a message's text (sets `edited`). */
  editMessage(channelId: string, ts: string, text: string, editedTs: string): void;
  /** Remove a message, as Slack does on deletion (a thread parent with replies stays as a tombstone). */
  deleteMessage(channelId: string, ts: string): void;
  addMessage(channelId: string, m: TRawMessage): void;
  close(): Promise<void>;
}

function readJson<T>(file: string, fallback: T): T {
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as T) : fallback;
}

/**
 * The workspace a Slack export folder describes, as the Web API would show
 * it: day-file entries become the channel's messages (edits already applied,
 * as exports hold final states).
 */
export function workspaceFromExport(dir: string, team: { id: string; name: string; domain: string }): TFakeWorkspace {
  const users = readJson<Record<string, unknown>[]>(path.join(dir, "users.json"), []);
  const lists: [string, Record<string, boolean>][] = [
    ["channels.json", { is_channel: true, is_private: false }],
    ["groups.json", { is_group: true, is_private: true }],
    ["mpims.json", { is_mpim: true, is_private: true }],
    ["dms.json", { is_im: true, is_private: true }],
  ];
  const channels: TFakeChannel[] = [];
  for (const [file, flags] of lists) {
    for (const c of readJson<(Record<string, unknown> & { id: string })[]>(path.join(dir, file), [])) {
      const folder = (c.name as string | undefined) ?? c.id;
      const folderPath = path.join(dir, folder);
      const messages: TRawMessage[] = [];
      if (fs.existsSync(folderPath)) {
        for (const f of fs.readdirSync(folderPath).sort()) {
          for (const m of JSON.parse(fs.readFileSync(path.join(folderPath, f), "utf8")) as TRawMessage[]) {
            // The API never lists the change records an export may carry.
            if (m.subtype === "message_changed" || m.subtype === "message_deleted") continue;
            messages.push(m);
          }
        }
      }
      const members = (c.members as string[] | undefined) ?? [];
      const info: TFakeChannel["info"] = { ...c, ...flags, is_archived: Boolean(c.is_archived) };
      delete info.members;
      delete info.pins;
      if (flags.is_im) info.user = members.find((u) => u !== members[0]) ?? members[0];
      channels.push({ info, members, messages });
    }
  }
  return { team, users, channels };
}

/**
 * A deterministic workspace large enough to page: `channels` public
 * channels of `messagesPerChannel` top-level messages one minute apart from
 * `startSec`, every `threadEvery`-th with `repliesPerThread` replies.
 */
export function generateWorkspace(opts: {
  channels: number;
  messagesPerChannel: number;
  users?: number;
  threadEvery?: number;
  repliesPerThread?: number;
  startSec?: number;
  teamId?: string;
}): TFakeWorkspace {
  const teamId = opts.teamId ?? "T0GEN00001";
  const nUsers = opts.users ?? 25;
  const users = Array.from({ length: nUsers }, (_, i) => {
    const id = `U0GEN${String(i).padStart(5, "0")}`;
    return { id, team_id: teamId, name: `user${i}`, real_name: `User ${i}`, deleted: false, is_bot: false, profile: { display_name: `user${i}`, real_name: `User ${i}` } };
  });
  const start = opts.startSec ?? 1_760_000_000;
  const channels: TFakeChannel[] = [];
  for (let c = 0; c < opts.channels; c++) {
    const id = `C0GEN${String(c).padStart(5, "0")}`;
    const members = users.filter((_, i) => (i + c) % 3 !== 0).map((u) => u.id);
    const messages: TRawMessage[] = [];
    for (let i = 0; i < opts.messagesPerChannel; i++) {
      const sec = start + i * 60;
      const ts = `${sec}.${String(c * 1000 + 100).padStart(6, "0")}`;
      const user = members[(i * 7 + c) % members.length]!;
      messages.push({ type: "message", ts, user, text: `message ${i} in channel ${c}: deploy api-gw-${String(i % 10).padStart(2, "0")}`, team: teamId });
      if (opts.threadEvery && i % opts.threadEvery === 0) {
        for (let r = 1; r <= (opts.repliesPerThread ?? 3); r++) {
          const rts = `${sec + r}.${String(c * 1000 + 200 + r).padStart(6, "0")}`;
          messages.push({ type: "message", ts: rts, thread_ts: ts, parent_user_id: user, user: members[(i + r) % members.length]!, text: `reply ${r} to ${i}`, team: teamId });
        }
      }
    }
    channels.push({
      info: { id, name: `gen-${c}`, created: start - 86400, creator: members[0], is_channel: true, is_private: false, is_archived: false, topic: { value: "", creator: "", last_set: 0 }, purpose: { value: "", creator: "", last_set: 0 } },
      members,
      messages,
    });
  }
  return { team: { id: teamId, name: "Generated Team", domain: "generated" }, users, channels };
}

function isTopLevel(m: TRawMessage): boolean {
  return !m.thread_ts || m.thread_ts === m.ts || m.subtype === "thread_broadcast";
}

function encodeCursor(s: string): string {
  return Buffer.from(s).toString("base64");
}

function decodeCursor(c: string | undefined): string | undefined {
  if (!c) return undefined;
  return Buffer.from(c, "base64").toString("utf8");
}

function pageOf<T>(items: T[], params: Record<string, string>, keyOf: (t: T) => string, max = 1000): { page: T[]; next: string | undefined } {
  const limit = Math.max(1, Math.min(Number(params.limit ?? 100) || 100, max));
  const after = decodeCursor(params.cursor);
  let start = 0;
  if (after !== undefined) {
    const i = items.findIndex((t) => keyOf(t) === after.replace(/^next:/, ""));
    start = i < 0 ? items.length : i + 1;
  }
  const page = items.slice(start, start + limit);
  const more = start + limit < items.length;
  return { page, next: more && page.length ? encodeCursor(`next:${keyOf(page.at(-1)!)}`) : undefined };
}

function inRange(ts: string, params: Record<string, string>): boolean {
  const inclusive = params.inclusive === "true" || params.inclusive === "1";
  if (params.oldest && params.oldest !== "0") {
    const c = compareTs(ts, params.oldest);
    if (c < 0 || (c === 0 && !inclusive)) return false;
  }
  if (params.latest) {
    const c = compareTs(ts, params.latest);
    if (c > 0 || (c === 0 && !inclusive)) return false;
  }
  return true;
}

/** Starts the server on 127.0.0.1 with `workspace`, accepting `tokens`. */
export async function startSlackApiServer(workspace: TFakeWorkspace, opts: { tokens?: string[] } = {}): Promise<TSlackApiServer> {
  const requests: TRecordedRequest[] = [];
  const tokens = new Set(opts.tokens ?? ["xoxb-test-token"]);
  const revoked = new Set<string>();
  const limits = new Map<string, { times: number; retryAfter: number }>();
  const channelErrors = new Map<string, string>();
  const byId = new Map(workspace.channels.map((c) => [c.info.id, c]));

  const channelOf = (id: string | undefined) => (id ? byId.get(id) : undefined);

  /** Parent messages carry the thread's current reply metadata, as Slack computes it. */
  const withReplyMeta = (ch: TFakeChannel, m: TRawMessage): TRawMessage => {
    const replies = ch.messages.filter((r) => r.thread_ts === m.ts && r.ts !== m.ts).sort((a, b) => compareTs(a.ts, b.ts));
    if (replies.length === 0) return m;
    return {
      ...m,
      thread_ts: m.ts,
      reply_count: replies.length,
      reply_users: [...new Set(replies.map((r) => r.user as string))],
      latest_reply: replies.at(-1)!.ts,
    };
  };

  const methods: Record<string, (p: Record<string, string>) => Record<string, unknown>> = {
    "auth.test": () => ({ ok: true, url: `https://${workspace.team.domain}.slack.com/`, team: workspace.team.name, user: "backscroll", team_id: workspace.team.id, user_id: "U0BACKSCRL" }),
    "team.info": () => ({ ok: true, team: { id: workspace.team.id, name: workspace.team.name, domain: workspace.team.domain } }),
    "users.list": (p) => {
      const { page, next } = pageOf(workspace.users, p, (u) => u.id as string);
      return { ok: true, members: page, cache_ts: 1498777272, response_metadata: { next_cursor: next ?? "" } };
    },
    "conversations.list": (p) => {
      const types = (p.types ?? "public_channel").split(",");
      const want = (c: TFakeChannel) => {
        const i = c.info;
        const kind = i.is_im ? "im" : i.is_mpim ? "mpim" : i.is_private ? "private_channel" : "public_channel";
        return types.includes(kind) && !(p.exclude_archived === "true" && i.is_archived);
      };
      const list = workspace.channels.filter(want).map((c) => ({ ...c.info, num_members: c.members.length }));
      const { page, next } = pageOf(list, p, (c) => c.id);
      return { ok: true, channels: page, response_metadata: { next_cursor: next ?? "" } };
    },
    "conversations.members": (p) => {
      const ch = channelOf(p.channel);
      if (!ch) return { ok: false, error: "channel_not_found" };
      const { page, next } = pageOf(ch.members, p, (u) => u);
      return { ok: true, members: page, response_metadata: { next_cursor: next ?? "" } };
    },
    "conversations.history": (p) => {
      const ch = channelOf(p.channel);
      if (!ch) return { ok: false, error: "channel_not_found" };
      const err = channelErrors.get(ch.info.id);
      if (err) return { ok: false, error: err };
      const list = ch.messages
        .filter((m) => isTopLevel(m) && inRange(m.ts, p))
        .sort((a, b) => compareTs(b.ts, a.ts))
        .map((m) => withReplyMeta(ch, m));
      const { page, next } = pageOf(list, p, (m) => m.ts, api.maxMessageLimit);
      return { ok: true, messages: page, has_more: next !== undefined, pin_count: 0, response_metadata: { next_cursor: next ?? "" } };
    },
    "conversations.replies": (p) => {
      const ch = channelOf(p.channel);
      if (!ch) return { ok: false, error: "channel_not_found" };
      const err = channelErrors.get(ch.info.id);
      if (err) return { ok: false, error: err };
      const parent = ch.messages.find((m) => m.ts === p.ts);
      if (!parent) return { ok: false, error: "thread_not_found" };
      const replies = ch.messages
        .filter((m) => m.thread_ts === parent.ts && m.ts !== parent.ts && inRange(m.ts, p))
        .sort((a, b) => compareTs(a.ts, b.ts));
      const { page, next } = pageOf(replies, p, (m) => m.ts, api.maxMessageLimit);
      // Slack repeats the parent at the top of every page.
      return { ok: true, messages: [withReplyMeta(ch, parent), ...page], has_more: next !== undefined, response_metadata: { next_cursor: next ?? "" } };
    },
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const at = Date.now();
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const method = url.pathname.replace(/^\/api\//, "");
      const params: Record<string, string> = Object.fromEntries(url.searchParams);
      const body = Buffer.concat(chunks).toString("utf8");
      const type = req.headers["content-type"] ?? "";
      if (type.includes("application/json") && body) Object.assign(params, JSON.parse(body) as Record<string, string>);
      else if (body) Object.assign(params, Object.fromEntries(new URLSearchParams(body)));
      const token = (req.headers.authorization ?? "").replace(/^Bearer\s+/i, "") || params.token || "";
      delete params.token;
      const send = (status: number, payload: Record<string, unknown>, headers: Record<string, string> = {}) => {
        requests.push({ method, params, status, at, ...(payload.ok === false ? { error: String(payload.error) } : {}) });
        res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
        res.end(JSON.stringify(payload));
      };
      const limit = limits.get(method);
      if (limit && limit.times > 0) {
        limit.times--;
        return send(429, { ok: false, error: "ratelimited" }, { "retry-after": String(limit.retryAfter) });
      }
      if (revoked.has(token)) return send(200, { ok: false, error: "token_revoked" });
      if (!tokens.has(token)) return send(200, { ok: false, error: token ? "invalid_auth" : "not_authed" });
      const fn = methods[method];
      if (!fn) return send(200, { ok: false, error: "unknown_method" });
      send(200, fn(params));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  const api: TSlackApiServer = {
    url: `http://127.0.0.1:${port}/api/`,
    workspace,
    requests,
    tokens,
    revoked,
    maxMessageLimit: 1000,
    rateLimit(method, times, retryAfterSeconds = 1) {
      limits.set(method, { times, retryAfter: retryAfterSeconds });
    },
    failChannel(channelId, error) {
      if (error) channelErrors.set(channelId, error);
      else channelErrors.delete(channelId);
    },
    channel(id) {
      const c = byId.get(id);
      if (!c) throw new Error(`no channel ${id}`);
      return c;
    },
    editMessage(channelId, ts, text, editedTs) {
      const m = api.channel(channelId).messages.find((x) => x.ts === ts);
      if (!m) throw new Error(`no message ${ts}`);
      m.text = text;
      m.edited = { user: m.user, ts: editedTs };
    },
    deleteMessage(channelId, ts) {
      const ch = api.channel(channelId);
      const i = ch.messages.findIndex((x) => x.ts === ts);
      if (i < 0) throw new Error(`no message ${ts}`);
      const hasReplies = ch.messages.some((r) => r.thread_ts === ts && r.ts !== ts);
      if (hasReplies) ch.messages[i] = { type: "message", subtype: "tombstone", ts, thread_ts: ts, user: "USLACKBOT", text: "This message was deleted.", hidden: true };
      else ch.messages.splice(i, 1);
    },
    addMessage(channelId, m) {
      api.channel(channelId).messages.push(m);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return api;
}
