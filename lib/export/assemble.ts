import type pg from "pg";
import { AppError } from "../errors";
import { findReadableChannelIds } from "../access/service";
import type { TViewer } from "../access/types";
import { findActiveRedactions, overlayMessageText, overlayMessageValue } from "../compliance/message-overlay";
import { maskSecrets, maskSecretsInValue } from "../compliance/secrets";
import { msToIso, tsToMs } from "../archive/iso-time";
import type { TExportRecord, TExportScope } from "./types";
import {
  findChannelEventsForExport,
  findChannelIdsByRef,
  findExportChannels,
  findExportPeople,
  findFiles,
  findMembershipIntervals,
  findMessagePage,
  findPersonIdsByRef,
  findReactions,
  findVersions,
  type TMessagePageRow,
} from "./repository";

/**
 * The one ordered, access-checked stream every export format writes from:
 * messages in (channel, ts) order, each with its versions, deletion,
 * reactions, files and the channel's members at that moment. Pages of rows
 * are read by keyset, so memory stays constant whatever the export's size.
 */

const PAGE = 5000;

function toTs(date: string | undefined, end: boolean): string | null {
  if (!date) return null;
  const d = /^\d{4}-\d{2}-\d{2}$/.test(date) ? new Date(`${date}T00:00:00Z`) : new Date(date);
  if (Number.isNaN(d.getTime())) throw new AppError("bad_input", `Not a date: ${date}`, { field: end ? "to" : "from" });
  // A bare end date includes that whole day.
  const t = end && /^\d{4}-\d{2}-\d{2}$/.test(date) ? d.getTime() + 86_400_000 : d.getTime();
  return `${String(Math.floor(t / 1000)).padStart(10, "0")}.${String((t % 1000) * 1000).padStart(6, "0")}`;
}

/** Members of one channel over time, advanced as messages go forward. */
class MembersOverTime {
  private readonly changes: { at: number; person: string; delta: 1 | -1 }[] = [];
  private readonly count = new Map<string, number>();
  private next = 0;
  private cached: string[] | null = [];

  constructor(intervals: { person: string; joined_at: Date | null; left_at: Date | null }[]) {
    for (const i of intervals) {
      if (i.joined_at === null) this.add(i.person, 1);
      else this.changes.push({ at: i.joined_at.getTime(), person: i.person, delta: 1 });
      if (i.left_at !== null) this.changes.push({ at: i.left_at.getTime(), person: i.person, delta: -1 });
    }
    this.changes.sort((a, b) => a.at - b.at || b.delta - a.delta);
  }

  private add(person: string, delta: number): void {
    const n = (this.count.get(person) ?? 0) + delta;
    if (n > 0) this.count.set(person, n);
    else this.count.delete(person);
    this.cached = null;
  }

  /** Members at time `t` (ms); calls must not go back in time. */
  at(t: number): string[] {
    while (this.next < this.changes.length && this.changes[this.next]!.at <= t) {
      const c = this.changes[this.next++]!;
      this.add(c.person, c.delta);
    }
    this.cached ??= [...this.count.keys()].sort();
    return this.cached;
  }
}

export interface TAssembleOptions {
  /** Include deleted messages (compliance exports do; their deletion is marked). */
  includeDeleted?: boolean;
  /** Messages read per page (default PAGE); tests page small archives with it. */
  pageSize?: number;
}

export type TResolvedScope = Awaited<ReturnType<typeof resolveExportScope>>;

/** Resolve the scope against what the viewer may read; bad scope fails here, before any output. */
export async function resolveExportScope(db: pg.Pool, viewer: TViewer, scope: TExportScope) {
  const readable = new Set(await findReadableChannelIds(db, viewer));
  const named = await findChannelIdsByRef(db, scope.channels ?? [], scope.kinds ?? null);
  if (scope.channels?.length && named.length === 0) throw new AppError("bad_input", `No channel matches ${scope.channels.join(", ")}`, { field: "channels" });
  const channelIds = named.filter((id) => readable.has(id));
  let personIds: number[] | null = null;
  if (scope.users?.length) {
    personIds = await findPersonIdsByRef(db, scope.users);
    if (personIds.length === 0) throw new AppError("bad_input", `No person matches ${scope.users.join(", ")}`, { field: "users" });
  }
  return { channelIds, personIds, fromTs: toTs(scope.from, false), toTs: toTs(scope.to, true) };
}

type TChannelHead = { workspace: TExportRecord["workspace"]; channel: TExportRecord["channel"] };
type TPageStart = { channelId: number; afterTs: string } | { channelIds: number[] };

/** Records share these rather than each carrying a copy (formats only read records). */
const NO_REACTIONS: TExportRecord["reactions"] = Object.freeze([]) as unknown as TExportRecord["reactions"];
const NO_FILES: TExportRecord["files"] = Object.freeze([]) as unknown as TExportRecord["files"];

/**
 * The export's records, page by page: each page is an iterable that makes
 * its records as it is iterated (synchronously: a million records through an
 * async generator one by one cost a promise and its turn each). Iterate each
 * page to its end before asking for the next.
 */
export async function* assembleExportPages(db: pg.Pool, resolved: TResolvedScope, opts: TAssembleOptions = {}): AsyncGenerator<Iterable<TExportRecord>> {
  if (resolved.channelIds.length === 0) return;
  const limit = opts.pageSize ?? PAGE;
  const channelIds = [...resolved.channelIds].sort((a, b) => a - b);
  // Channel, workspace and author are read once each and shared by their records, not repeated on every row.
  const heads = new Map<number, TChannelHead>();
  for (const c of await findExportChannels(db, channelIds)) {
    heads.set(c.id, { workspace: { id: c.ws_ext, name: c.ws_name }, channel: { id: c.channel_ext, name: c.channel_name, kind: c.kind } });
  }
  const authors = new Map<number, TExportRecord["author"]>();
  const readAuthors = async (rows: TMessagePageRow[]): Promise<void> => {
    const missing = new Set<number>();
    for (const r of rows) if (r.author_id !== null && !authors.has(r.author_id)) missing.add(r.author_id);
    if (missing.size === 0) return;
    for (const p of await findExportPeople(db, [...missing])) {
      authors.set(p.id, p.external_id ? { id: p.external_id, name: p.name ?? p.external_id, displayName: p.display_name, isBot: Boolean(p.is_bot) } : null);
    }
  };
  // Members over time of the channel last reached; it goes on into the next page.
  let current = null as { channelId: number; tracker: MembersOverTime } | null;
  // The next page and its details are fetched while this one is assembled and written.
  const detailsOf = (rows: TMessagePageRow[]) => {
    const ids = rows.map((r) => r.id);
    return Promise.all([findVersions(db, ids), findReactions(db, ids), findFiles(db, ids), findActiveRedactions(db, ids), readAuthors(rows)]);
  };
  const pageAt = (start: TPageStart): Promise<{ rows: TMessagePageRow[]; start: TPageStart; details: ReturnType<typeof detailsOf> | null }> =>
    findMessagePage(db, { personIds: resolved.personIds, fromTs: resolved.fromTs, toTs: resolved.toTs, start, limit }).then((rows) => {
      const details = rows.length ? detailsOf(rows) : null;
      details?.catch(() => undefined); // surfaced when awaited
      return { rows, start, details };
    });
  /** Where the page after this one starts: on in the same channel after a full page, else at the next channel. */
  const nextStart = (start: TPageStart, rows: TMessagePageRow[]): TPageStart | null => {
    const last = rows[rows.length - 1];
    if (rows.length === limit) return { channelId: last!.channel_id, afterTs: last!.ts };
    // A short page ran to the end of its channel, or (started at a list of channels) of all of them.
    if ("channelIds" in start) return null;
    const rest = channelIds.filter((id) => id > start.channelId);
    return rest.length ? { channelIds: rest } : null;
  };
  const group = <T extends { message_id: number }>(list: T[]) => {
    const m = new Map<number, T[]>();
    for (const x of list) (m.get(x.message_id) ?? m.set(x.message_id, []).get(x.message_id)!).push(x);
    return m;
  };
  let pending: ReturnType<typeof pageAt> | null = pageAt({ channelIds });
  while (pending) {
    const page: Awaited<ReturnType<typeof pageAt>> = await pending;
    const { rows, details } = page;
    const next = nextStart(page.start, rows);
    pending = next ? pageAt(next) : null;
    pending?.catch(() => undefined); // surfaced when awaited
    if (!details) continue;
    const [versions, reactions, files, redactions] = await details;
    // The page's records are made without waiting, so the members of each of its channels are read first.
    const trackers = new Map<number, MembersOverTime>();
    for (const r of rows) {
      if (trackers.has(r.channel_id) || (r.deleted && !opts.includeDeleted)) continue;
      if (current?.channelId !== r.channel_id) current = { channelId: r.channel_id, tracker: new MembersOverTime(await findMembershipIntervals(db, r.channel_id)) };
      trackers.set(r.channel_id, current.tracker);
    }
    yield pageRecords(rows, { heads, authors, trackers, versions: group(versions), reactions: group(reactions), files: group(files), redactions }, opts);
  }
}

/** What the records of one page are made from, besides its rows. */
interface TPageDetails {
  heads: Map<number, TChannelHead>;
  authors: Map<number, TExportRecord["author"]>;
  trackers: Map<number, MembersOverTime>;
  versions: Map<number, Awaited<ReturnType<typeof findVersions>>>;
  reactions: Map<number, Awaited<ReturnType<typeof findReactions>>>;
  files: Map<number, Awaited<ReturnType<typeof findFiles>>>;
  redactions: Awaited<ReturnType<typeof findActiveRedactions>>;
}

function* pageRecords(rows: TMessagePageRow[], d: TPageDetails, opts: TAssembleOptions): Generator<TExportRecord> {
  for (const r of rows) {
    if (r.deleted && !opts.includeDeleted) continue;
    const head = d.heads.get(r.channel_id)!;
    const ms = tsToMs(r.ts);
    const postedAt = msToIso(ms);
    const own = d.versions.get(r.id);
    const rr = d.reactions.get(r.id);
    const ff = d.files.get(r.id);
    // Secrets masked and redactions applied to what the record says (the archive row is unchanged):
    // text, attachments, blocks and every version. A version with the message's own text reuses its overlay.
    const redaction = d.redactions.get(Number(r.id));
    const text = overlayMessageText(r.text, redaction);
    yield {
      workspace: head.workspace,
      channel: head.channel,
      ts: r.ts,
      postedAt,
      threadTs: r.thread_ts,
      author: r.author_id === null ? null : (d.authors.get(r.author_id) ?? null),
      botId: r.bot_id,
      username: r.username,
      subtype: r.subtype,
      text,
      attachments: overlayMessageValue(r.attachments, redaction),
      blocks: overlayMessageValue(r.blocks, redaction),
      edited: r.edited_ts ? { ts: r.edited_ts, by: r.edited_by } : null,
      deleted: r.deleted ? { at: r.deleted_at ? r.deleted_at.toISOString() : null } : null,
      versions: own
        ? own.map((x) => ({ text: x.text === r.text ? text : overlayMessageText(x.text, redaction), validFromTs: x.valid_from_ts, editedBy: x.edited_by }))
        : r.text_ts
          ? [{ text, validFromTs: r.text_ts, editedBy: r.edited_by }]
          : [],
      reactions: rr ? rr.map((x) => ({ name: x.name, users: x.users })) : NO_REACTIONS,
      files: ff ? ff.map((x) => ({ id: x.external_id, name: x.name, title: x.title, mimetype: x.mimetype, size: x.size })) : NO_FILES,
      // The instant postedAt names (tsToMs gives whole milliseconds).
      membersAtTime: d.trackers.get(r.channel_id)!.at(ms),
      provenance: { source: r.source, rawSha256: r.raw_sha256 },
    };
  }
}

/** The export's records one by one (see assembleExportPages). */
export async function* assembleExport(db: pg.Pool, resolved: TResolvedScope, opts: TAssembleOptions = {}): AsyncGenerator<TExportRecord> {
  for await (const page of assembleExportPages(db, resolved, opts)) yield* page;
}

type TEventRow = Awaited<ReturnType<typeof findChannelEventsForExport>>[number];

/**
 * A channel event as a Slack export entry: its own entry when it came from
 * one, else one built from its fields (`text`: its text, masked). Secrets masked.
 */
function slackEventEntry(e: TEventRow, text: string): Record<string, unknown> {
  const raw = e.raw as Record<string, unknown> | null;
  if (raw && typeof raw === "object" && raw.type === "message" && raw.subtype === e.subtype && raw.ts === e.ts) return maskSecretsInValue(raw);
  const entry: Record<string, unknown> = { type: "message", subtype: e.subtype, ts: e.ts };
  if (e.actor) entry.user = e.actor;
  entry.text = text;
  if (e.kind === "join" && e.subject) entry.inviter = e.subject;
  if (e.kind === "topic") entry.topic = maskSecrets(e.value ?? "");
  if (e.kind === "purpose") entry.purpose = maskSecrets(e.value ?? "");
  if (e.kind === "rename" && e.value) entry.name = e.value;
  if ((e.kind === "pin" || e.kind === "unpin") && e.value) entry.item = { type: "message", ts: e.value };
  return entry;
}

/**
 * The record stream with each channel's events merged in, in (channel, ts)
 * order (for formats with `channelEvents`): before a message, its channel's
 * events up to its ts; a channel's remaining events before the next channel;
 * channels with events but no message in scope in their place. Events are
 * read one channel at a time. With a person scope, only those people's events.
 */
export async function* withChannelEvents(db: pg.Pool, resolved: TResolvedScope, pages: AsyncIterable<Iterable<TExportRecord>>): AsyncGenerator<Iterable<TExportRecord>> {
  const channels = (await findExportChannels(db, resolved.channelIds)).sort((a, b) => a.id - b.id);
  const order = new Map(channels.map((c, i) => [`${c.ws_ext}|${c.channel_ext}`, i]));
  const actors = resolved.personIds ? new Set((await findExportPeople(db, resolved.personIds)).map((p) => p.external_id)) : null;
  let at = -1;
  let queue: TEventRow[] = [];
  const records = (c: (typeof channels)[number], rows: TEventRow[]): TExportRecord[] => {
    // One workspace and channel object for the channel's records, as message records share theirs.
    const workspace = { id: c.ws_ext, name: c.ws_name };
    const channel = { id: c.channel_ext, name: c.channel_name, kind: c.kind };
    return rows.map((e) => {
      const text = maskSecrets(e.text);
      return {
        workspace,
        channel,
        ts: e.ts,
        postedAt: msToIso(tsToMs(e.ts)),
        threadTs: null,
        author: e.actor ? { id: e.actor, name: e.actor, displayName: null, isBot: false } : null,
        botId: null,
        username: null,
        subtype: e.subtype,
        text,
        attachments: null,
        blocks: null,
        edited: null,
        deleted: null,
        versions: [],
        reactions: NO_REACTIONS,
        files: NO_FILES,
        membersAtTime: [],
        provenance: { source: e.source, rawSha256: e.raw_sha256 },
        event: { subtype: e.subtype, entry: slackEventEntry(e, text) },
      };
    });
  };
  /** Move on to channel `k`, yielding what the channels before it still hold. */
  async function* reach(k: number): AsyncGenerator<Iterable<TExportRecord>> {
    while (at < k) {
      if (at >= 0 && queue.length) yield records(channels[at]!, queue);
      at++;
      queue = at < channels.length ? (await findChannelEventsForExport(db, channels[at]!.id, resolved.fromTs, resolved.toTs)).filter((e) => !actors || (e.actor !== null && actors.has(e.actor))) : [];
    }
  }
  for await (const page of pages) {
    const out: TExportRecord[] = [];
    for (const r of page) {
      const k = order.get(`${r.workspace.id}|${r.channel.id}`) ?? at;
      if (k > at) {
        if (out.length) yield out.splice(0);
        for await (const p of reach(k)) yield p;
      }
      let n = 0;
      while (n < queue.length && queue[n]!.ts < r.ts) n++;
      if (n) out.push(...records(channels[at]!, queue.splice(0, n)));
      out.push(r);
    }
    if (out.length) yield out;
  }
  for await (const p of reach(channels.length)) yield p;
}
