import type { NChannel, NChannelEvent, NMessage, NormalizedBatch, NWorkspace, TCheckpoints } from "../../adapter";
import { compareTs } from "../../merge";
import { AppError } from "../../../errors";
import { sha256Json } from "../slack-export/normalize";
import { resolveBudget, systemClock, type TClock, type TRateRegime } from "./budget";
import { createSlackCaller, SlackApiError, type TSlackCaller } from "./client";
import { normalizeApiConversation, normalizeApiMessage, normalizeApiUser } from "./normalize";
import {
  addRange,
  channelScope,
  parseChannelState,
  parseThreadState,
  secondsToTs,
  threadScope,
  tsToSeconds,
  type TChannelSyncState,
} from "./state";

/**
 * The Slack Web API sync: users.list, conversations.list (every type the
 * token can see) with conversations.members, then per channel
 * conversations.history newest-first and conversations.replies for threads,
 * all with cursor paging. Yields NormalizedBatches; the caller writes each
 * with its checkpoint in one transaction (lib/sources/sync-service.ts).
 *
 * - Resume: a history pass records after each page how far back it has
 *   read; a killed run continues from there (`latest` = that bound).
 * - Incremental: a new pass reads from the end of the archived range minus
 *   the lookback window, so edits, deletions (messages absent from a page's
 *   time span) and new replies in recently active threads are seen again.
 * - Threads: fetched when their `latest_reply` moved, when active within the
 *   lookback, or never fetched.
 */

export interface TSlackSyncOptions {
  token: string;
  /** Web API base URL ending in `/api/` (tests, proxies); default Slack's. */
  apiUrl?: string;
  /** Channel ids or names (with or without `#`); default every conversation. */
  channels?: string[];
  /** Read no further back than this Slack ts (first runs, or a re-scan). */
  since?: string | null;
  /** Seconds re-read before the end of the archived range (default 7 days). */
  lookbackSeconds?: number;
  regime?: TRateRegime;
  perMinute?: Record<string, number>;
  clock?: TClock;
  /** Retries of a rate-limited or failed request. */
  retries?: number;
}

/** Reads the archive for what a page or thread should contain (deletion detection). */
export interface TArchiveLookup {
  /** Live (not deleted) top-level message ts of a channel with from ≤ ts < to. */
  findLiveTopLevelTs(teamId: string, channel: string, from: string, to: string): Promise<string[]>;
  /** Live replies (ts) of a thread. */
  findLiveReplyTs(teamId: string, channel: string, threadTs: string): Promise<string[]>;
}

export interface TSlackTeam {
  workspace: NWorkspace;
  sourceKey: string;
}

export const DEFAULT_LOOKBACK_SECONDS = 7 * 24 * 3600;

interface TPaged {
  response_metadata?: { next_cursor?: string };
}

/** A started sync: the team it reads and the caller it uses. */
export interface TSlackSync {
  team: TSlackTeam;
  caller: TSlackCaller;
  read(checkpoints: TCheckpoints, lookup: TArchiveLookup): AsyncGenerator<NormalizedBatch>;
}

function fatal(e: unknown): never {
  if (e instanceof SlackApiError) throw new AppError("unauthenticated", `Slack refused the token (${e.slackError}) in ${e.method}`);
  throw e;
}

/** Checks the token (auth.test) and prepares a sync of its workspace. */
export async function startSlackSync(opts: TSlackSyncOptions): Promise<TSlackSync> {
  const regime = opts.regime ?? "internal";
  const { perMinute, messageLimit } = resolveBudget(regime, opts.perMinute);
  const clock = opts.clock ?? systemClock;
  const caller = createSlackCaller({ token: opts.token, apiUrl: opts.apiUrl, perMinute, clock, retries: opts.retries });
  const auth = await caller
    .call<{ team_id?: string; team?: string; url?: string }>("auth.test", {})
    .catch((e: unknown) => fatal(e));
  if (!auth.team_id) throw new AppError("bad_input", "auth.test did not name a team", { field: "team_id" });
  const domain = auth.url ? (/^https?:\/\/([^.]+)\./.exec(auth.url)?.[1] ?? null) : null;
  const workspace: NWorkspace = { platform: "slack", externalId: auth.team_id, name: auth.team ?? auth.team_id, domain };
  const team = { workspace, sourceKey: `slack-api:${auth.team_id}` };
  const lookback = opts.lookbackSeconds ?? DEFAULT_LOOKBACK_SECONDS;

  async function* pages<T extends TPaged>(method: string, params: Record<string, unknown>): AsyncGenerator<T> {
    let cursor: string | undefined;
    do {
      const r = await caller.call<T & { ok?: boolean }>(method, cursor ? { ...params, cursor } : params);
      yield r;
      cursor = r.response_metadata?.next_cursor || undefined;
    } while (cursor);
  }

  async function* read(checkpoints: TCheckpoints, lookup: TArchiveLookup): AsyncGenerator<NormalizedBatch> {
    const known = new Map(checkpoints);
    const nowTs = () => secondsToTs(clock.now() / 1000);

    try {
      for await (const page of pages<{ members?: unknown[] } & TPaged>("users.list", { limit: 200 })) {
        const people = (page.members ?? []).map((u, i) => normalizeApiUser(u, `users.list members.${i}`));
        if (people.length) yield { workspace, people };
      }
      const conversations: Record<string, unknown>[] = [];
      for await (const page of pages<{ channels?: Record<string, unknown>[] } & TPaged>("conversations.list", {
        types: "public_channel,private_channel,mpim,im",
        exclude_archived: false,
        limit: 200,
      })) {
        conversations.push(...(page.channels ?? []));
      }
      const wanted = opts.channels?.length ? new Set(opts.channels.map((c) => c.replace(/^#/, ""))) : null;
      const selected = conversations.filter((c) => !wanted || wanted.has(String(c.id)) || wanted.has(String(c.name ?? "")));
      if (wanted) {
        const found = new Set(selected.flatMap((c) => [String(c.id), String(c.name ?? "")]));
        const missing = [...wanted].filter((w) => !found.has(w));
        if (missing.length) throw new AppError("bad_input", `No such conversation visible to this token: ${missing.join(", ")}`, { field: "channels" });
      }
      const channels: NChannel[] = [];
      for (const c of selected) {
        let members: string[] | null = [];
        try {
          for await (const page of pages<{ members?: string[] } & TPaged>("conversations.members", { channel: c.id, limit: 500 })) {
            members!.push(...(page.members ?? []));
          }
        } catch (e) {
          if (e instanceof SlackApiError && !e.isFatal) members = null;
          else throw e;
        }
        channels.push(normalizeApiConversation(c, members));
      }
      for (let i = 0; i < channels.length; i += 100) yield { workspace, channels: channels.slice(i, i + 100) };

      let done = 0;
      for (const ch of channels) {
        yield* syncChannel(ch, known, lookup, nowTs, () => ({ done, total: channels.length, unit: "channels" }));
        done++;
      }
    } catch (e) {
      if (e instanceof SlackApiError && e.isFatal) fatal(e);
      throw e;
    }
  }

  function toBatch(parts: { messages: NMessage[]; events: NChannelEvent[] }[]): { messages: NMessage[]; events: NChannelEvent[] } {
    return { messages: parts.flatMap((p) => p.messages), events: parts.flatMap((p) => p.events) };
  }

  function deletion(channel: string, ts: string, threadTs: string | null, method: string, seenAt: string): NMessage {
    const raw = { deleted: true, channel, ts, missingFrom: method, seenMissingAt: seenAt };
    return { channel, ts, threadTs, text: null, searchText: "", files: [], reactions: null, deleted: true, raw, rawSha256: sha256Json(raw) };
  }

  async function* syncThread(channel: string, ts: string, known: Map<string, unknown>, lookup: TArchiveLookup): AsyncGenerator<NormalizedBatch> {
    const byTs = new Map<string, unknown>();
    try {
      for await (const page of pages<{ messages?: { ts: string }[] } & TPaged>("conversations.replies", { channel, ts, limit: messageLimit })) {
        for (const m of page.messages ?? []) byTs.set(m.ts, m);
      }
    } catch (e) {
      // A thread whose parent is gone, or a channel closed to us since: the history pass records it.
      if (e instanceof SlackApiError && !e.isFatal) return;
      throw e;
    }
    const replies = [...byTs.keys()].filter((t) => t !== ts).sort(compareTs);
    const parts = [...byTs.entries()].map(([t, raw]) => normalizeApiMessage(raw, channel, `conversations.replies ${channel} ${t}`));
    const { messages, events } = toBatch(parts);
    const at = new Date(clock.now()).toISOString();
    const present = new Set(replies);
    for (const live of await lookup.findLiveReplyTs(workspace.externalId, channel, ts)) {
      if (!present.has(live)) messages.push(deletion(channel, live, ts, "conversations.replies", at));
    }
    const position = { latestReply: replies.at(-1) ?? null, replies: replies.length, fetchedAt: at };
    known.set(threadScope(channel, ts), position);
    yield { workspace, messages, events, checkpoint: { scope: threadScope(channel, ts), position } };
  }

  function threadNeedsFetch(channel: string, m: Record<string, unknown>, known: Map<string, unknown>, recentFrom: number): boolean {
    const latest = typeof m.latest_reply === "string" ? m.latest_reply : null;
    if (!latest && !(typeof m.reply_count === "number" && m.reply_count > 0)) return false;
    const st = parseThreadState(known.get(threadScope(channel, String(m.ts))));
    if (!st) return true;
    if (st.latestReply !== latest) return true;
    return latest !== null && tsToSeconds(latest) >= recentFrom;
  }

  async function* syncChannel(
    ch: NChannel,
    known: Map<string, unknown>,
    lookup: TArchiveLookup,
    nowTs: () => string,
    progress: () => { done: number; total: number; unit: string },
  ): AsyncGenerator<NormalizedBatch> {
    const channel = ch.externalId;
    const scope = channelScope(channel);
    let state: TChannelSyncState = parseChannelState(known.get(scope));
    const recentFrom = clock.now() / 1000 - lookback;
    if (!state.pass) {
      const lastEnd = state.ranges.at(-1)?.[1];
      const incremental = lastEnd ? secondsToTs(Math.max(0, tsToSeconds(lastEnd) - lookback)) : null;
      const oldest = opts.since ?? incremental;
      const upper = nowTs();
      state = { ...state, pass: { oldest, upper, next: upper } };
    }
    const pass = state.pass!;
    const threadsDone = new Set<string>();
    let upperBound = pass.next;
    let seen = 0;
    try {
      for await (const page of pages<{ messages?: Record<string, unknown>[]; has_more?: boolean } & TPaged>("conversations.history", {
        channel,
        limit: messageLimit,
        latest: pass.next,
        inclusive: false,
        ...(pass.oldest ? { oldest: pass.oldest } : {}),
      })) {
        const list = page.messages ?? [];
        const more = Boolean(page.has_more) || Boolean(page.response_metadata?.next_cursor);
        for (const m of list) {
          if (!threadNeedsFetch(channel, m, known, recentFrom)) continue;
          threadsDone.add(String(m.ts));
          yield* syncThread(channel, String(m.ts), known, lookup);
        }
        const tsList = list.map((m) => String(m.ts)).sort(compareTs);
        const lower = more && tsList.length ? tsList[0]! : (pass.oldest ?? "0");
        const { messages, events } = toBatch(list.map((m) => normalizeApiMessage(m, channel, `conversations.history ${channel} ${String(m.ts)}`)));
        const present = new Set(tsList);
        const at = new Date(clock.now()).toISOString();
        for (const live of await lookup.findLiveTopLevelTs(workspace.externalId, channel, lower, upperBound)) {
          // The pass's own lower bound is exclusive (Slack's `oldest`).
          if (!more && pass.oldest && live === pass.oldest) continue;
          if (!present.has(live)) messages.push(deletion(channel, live, null, "conversations.history", at));
        }
        seen += list.length;
        upperBound = lower;
        if (more) {
          state = { ...state, pass: { ...pass, next: lower } };
        } else {
          state = {
            ranges: addRange(state.ranges, pass.oldest ?? "0", pass.upper),
            complete: state.complete || pass.oldest === null,
            pass: null,
            lastSyncAt: at,
            lastError: null,
            messagesSeen: seen,
          };
        }
        known.set(scope, state);
        yield { workspace, messages, events, checkpoint: { scope, position: state }, progress: progress() };
      }
    } catch (e) {
      if (!(e instanceof SlackApiError) || e.isFatal) throw e;
      state = { ...state, pass: null, lastError: e.slackError, lastSyncAt: new Date(clock.now()).toISOString() };
      known.set(scope, state);
      yield { workspace, checkpoint: { scope, position: state }, progress: progress() };
      return;
    }
    // Replies land in threads whose parents are older than the window:
    // re-read the threads known to have been active within the lookback.
    const prefix = `thread:${channel}:`;
    for (const [key, value] of [...known.entries()]) {
      if (!key.startsWith(prefix)) continue;
      const ts = key.slice(prefix.length);
      const st = parseThreadState(value);
      if (threadsDone.has(ts) || !st?.latestReply || tsToSeconds(st.latestReply) < recentFrom) continue;
      yield* syncThread(channel, ts, known, lookup);
    }
  }

  return { team, caller, read };
}
