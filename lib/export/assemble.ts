import type pg from "pg";
import { AppError } from "../errors";
import { findReadableChannelIds } from "../access/service";
import type { TViewer } from "../access/types";
import { tsToIso } from "../ingest/merge";
import { findActiveRedactions, overlayExportRecord } from "../compliance/message-overlay";
import type { TExportRecord, TExportScope } from "./types";
import {
  findChannelIdsByRef,
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

export async function* assembleExport(db: pg.Pool, resolved: TResolvedScope, opts: TAssembleOptions = {}): AsyncGenerator<TExportRecord> {
  if (resolved.channelIds.length === 0) return;
  const members: { channelId: number; tracker: MembersOverTime | null } = { channelId: -1, tracker: null };
  // The next page and its details are fetched while this one is assembled and written.
  const detailsOf = (ids: number[]) => Promise.all([findVersions(db, ids), findReactions(db, ids), findFiles(db, ids), findActiveRedactions(db, ids)]);
  const pageAfter = (after: { channelId: number; ts: string } | null): Promise<{ rows: TMessagePageRow[]; details: ReturnType<typeof detailsOf> }> =>
    findMessagePage(db, { ...resolved, after, limit: PAGE }).then((rows) => {
      const details = detailsOf(rows.map((r) => r.id));
      details.catch(() => undefined); // surfaced when awaited
      return { rows, details };
    });
  let pending: ReturnType<typeof pageAfter> | null = pageAfter(null);
  for (;;) {
    const page: Awaited<ReturnType<typeof pageAfter>> = await pending!;
    const { rows, details } = page;
    if (rows.length === 0) return;
    const last = rows[rows.length - 1]!;
    pending = rows.length < PAGE ? null : pageAfter({ channelId: last.channel_id, ts: last.ts });
    pending?.catch(() => undefined); // surfaced when awaited
    const [versions, reactions, files, redactions] = await details;
    const group = <T extends { message_id: number }>(list: T[]) => {
      const m = new Map<number, T[]>();
      for (const x of list) (m.get(x.message_id) ?? m.set(x.message_id, []).get(x.message_id)!).push(x);
      return m;
    };
    const v = group(versions);
    const re = group(reactions);
    const fi = group(files);
    for (const r of rows) {
      if (r.deleted && !opts.includeDeleted) continue;
      if (members.channelId !== r.channel_id || !members.tracker) {
        members.channelId = r.channel_id;
        members.tracker = new MembersOverTime(await findMembershipIntervals(db, r.channel_id));
      }
      const postedAt = tsToIso(r.ts);
      const own = v.get(r.id);
      // Secrets masked and redactions applied to what the record says (the archive row is unchanged).
      yield overlayExportRecord({
        workspace: { id: r.ws_ext, name: r.ws_name },
        channel: { id: r.channel_ext, name: r.channel_name, kind: r.kind },
        ts: r.ts,
        postedAt,
        threadTs: r.thread_ts,
        author: r.author_ext ? { id: r.author_ext, name: r.author_name ?? r.author_ext, displayName: r.display_name, isBot: Boolean(r.is_bot) } : null,
        botId: r.bot_id,
        username: r.username,
        subtype: r.subtype,
        text: r.text,
        attachments: r.attachments,
        blocks: r.blocks,
        edited: r.edited_ts ? { ts: r.edited_ts, by: r.edited_by } : null,
        deleted: r.deleted ? { at: r.deleted_at ? r.deleted_at.toISOString() : null } : null,
        versions: own
          ? own.map((x) => ({ text: x.text, validFromTs: x.valid_from_ts, editedBy: x.edited_by }))
          : r.text_ts
            ? [{ text: r.text, validFromTs: r.text_ts, editedBy: r.edited_by }]
            : [],
        reactions: (re.get(r.id) ?? []).map((x) => ({ name: x.name, users: x.users })),
        files: (fi.get(r.id) ?? []).map((x) => ({ id: x.external_id, name: x.name, title: x.title, mimetype: x.mimetype, size: x.size })),
        membersAtTime: members.tracker.at(Date.parse(postedAt)),
        provenance: { source: r.source, rawSha256: r.raw_sha256 },
      }, redactions.get(Number(r.id)));
    }
    if (!pending) return;
  }
}
