import type { TExportChannel, TExportDirectory, TExportExtraFile, TExportFormat, TExportPerson, TExportRecord } from "../types";
import { ChannelFolders, dayOf } from "./file-names";

/**
 * The Slack export format itself, so an archive can go back to any tool that
 * reads Slack exports (Backscroll included: `backscroll import` reads it
 * back). Day files `<channel>/<YYYY-MM-DD>.json` (DMs: `<id>/…`) are JSON
 * arrays streamed as the channel's messages arrive; `users.json`,
 * `channels.json`, `groups.json`, `dms.json` and `mpims.json` are written at
 * the end, for the people and channels the export names.
 *
 * What Slack's own export cannot say is written the way Slack's event
 * entries say it, which is how the importer reads it back:
 * - each earlier version of an edited message: a `message_changed` entry
 *   whose `message` holds that version (dated by its `edited.ts`);
 * - a deletion with a known time: a `message_deleted` entry (`deleted_ts`);
 *   without one: a `tombstone` entry, as Slack leaves for deleted thread
 *   parents. A message whose text was never seen is only a tombstone.
 * Channel events (joins, leaves, topics, renames, archives, pins) are
 * entries of their day files, as Slack writes them (their own entry when
 * they came from a Slack export). Not written: reply counts. A Slack
 * export is one workspace: an export spanning several lists them all, and
 * the importer files it under the workspace most people belong to.
 */

/** Slack's hidden placeholder for deleted messages (see the importer's normalize.ts). */
const TOMBSTONE_TEXT = "This message was deleted.";

const LISTS: Record<string, string> = { public: "channels.json", private: "groups.json", dm: "dms.json", mpdm: "mpims.json" };

/** ISO time → Slack ts with microseconds ("1762214770.123000"). */
export function isoToTs(iso: string): string {
  const ms = Date.parse(iso);
  return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1000).padStart(6, "0")}`;
}

function unixSeconds(iso: string | null): number {
  return iso ? Math.floor(Date.parse(iso) / 1000) : 0;
}

type TEntry = Record<string, unknown>;

/** The message's final state as a Slack message entry. */
function messageEntry(r: TExportRecord, text: string, edited: { ts: string; user: string | null } | null): TEntry {
  const e: TEntry = { type: "message" };
  if (r.subtype) e.subtype = r.subtype;
  e.ts = r.ts;
  if (r.author) e.user = r.author.id;
  if (r.botId) e.bot_id = r.botId;
  if (r.username) e.username = r.username;
  e.text = text;
  if (r.threadTs) e.thread_ts = r.threadTs;
  if (edited) e.edited = edited.user ? { user: edited.user, ts: edited.ts } : { ts: edited.ts };
  if (r.files.length) {
    e.files = r.files.map((f) => {
      const o: TEntry = { id: f.id };
      if (f.name !== null) o.name = f.name;
      if (f.title !== null) o.title = f.title;
      if (f.mimetype !== null) o.mimetype = f.mimetype;
      if (f.size !== null) o.size = f.size;
      return o;
    });
  }
  if (r.reactions.length) e.reactions = r.reactions.map((x) => ({ name: x.name, users: x.users, count: x.users.length }));
  if (r.attachments != null) e.attachments = r.attachments;
  if (r.blocks != null) e.blocks = r.blocks;
  e.team = r.workspace.id;
  return e;
}

/** Every entry one record becomes, in the order they are written. */
export function slackEntries(r: TExportRecord): TEntry[] {
  const out: TEntry[] = [];
  if (r.versions.length === 0) {
    // Only the deletion is known (a tombstone seen, its text never).
    const t: TEntry = { type: "message", subtype: "tombstone", ts: r.ts, user: "USLACKBOT", text: TOMBSTONE_TEXT, hidden: true };
    if (r.threadTs) t.thread_ts = r.threadTs;
    t.team = r.workspace.id;
    out.push(t);
    return out;
  }
  const last = r.versions[r.versions.length - 1]!;
  const finalEdit = r.edited ? { ts: r.edited.ts, user: r.edited.by } : last.validFromTs !== r.ts ? { ts: last.validFromTs, user: last.editedBy } : null;
  out.push(messageEntry(r, r.text, finalEdit));
  for (let i = 0; i < r.versions.length - 1; i++) {
    const v = r.versions[i]!;
    const next = r.versions[i + 1]!;
    const inner = messageEntry(r, v.text, v.validFromTs !== r.ts ? { ts: v.validFromTs, user: v.editedBy } : null);
    delete inner.reactions;
    delete inner.files;
    out.push({ type: "message", subtype: "message_changed", hidden: true, ts: next.validFromTs, message: inner });
  }
  if (r.deleted) {
    if (r.deleted.at) {
      const d: TEntry = { type: "message", subtype: "message_deleted", hidden: true, ts: isoToTs(r.deleted.at), deleted_ts: r.ts };
      if (r.threadTs) d.thread_ts = r.threadTs;
      out.push(d);
    } else {
      const t: TEntry = { type: "message", subtype: "tombstone", ts: r.ts, user: "USLACKBOT", text: TOMBSTONE_TEXT, hidden: true };
      if (r.threadTs) t.thread_ts = r.threadTs;
      out.push(t);
    }
  }
  return out;
}

function indent(json: string): string {
  return "    " + json.replace(/\n/g, "\n    ");
}

function userEntry(p: TExportPerson, team: string): TEntry {
  const profile: TEntry = {};
  if (p.realName) profile.real_name = p.realName;
  if (p.displayName) profile.display_name = p.displayName;
  if (p.email) profile.email = p.email;
  if (p.title) profile.title = p.title;
  if (p.botId) profile.bot_id = p.botId;
  const u: TEntry = { id: p.id, team_id: team, name: p.name };
  if (p.realName) u.real_name = p.realName;
  u.deleted = p.deleted;
  if (p.tz) u.tz = p.tz;
  u.is_bot = p.isBot;
  u.profile = profile;
  return u;
}

function channelEntry(c: TExportChannel, lastSeenMembers: readonly string[] | undefined, span: { from: string; to: string } | undefined): TEntry {
  const e: TEntry = { id: c.id };
  if (c.kind !== "dm") e.name = c.name;
  e.created = unixSeconds(c.createdAt);
  if (c.creator) e.creator = c.creator;
  if (c.kind !== "dm") {
    e.is_archived = c.archived;
    e.topic = { value: c.topic ?? "" };
    e.purpose = { value: c.purpose ?? "" };
  }
  const members = c.members ?? (lastSeenMembers ? [...lastSeenMembers] : null);
  if (members) e.members = members;
  // Pins of the exported messages only (ts within what this export wrote of the channel).
  const pins = span ? c.pins.filter((ts) => ts >= span.from && ts <= span.to) : [];
  if (pins.length) e.pins = pins.map((ts) => ({ id: ts, type: "C" }));
  return e;
}

/** One export run: day files as records arrive, directory files at the end. */
class SlackWriter {
  private readonly folders = new ChannelFolders();
  private first = true;
  /** Per workspace: channels seen (with their last members list) and people named. */
  private readonly seen = new Map<string, { channels: Map<string, readonly string[]>; people: Set<string>; spans: Map<string, { from: string; to: string }> }>();
  private lastMembers: readonly string[] | null = null;

  fileFor(r: TExportRecord): string {
    // Slack names DM folders by the conversation's id; every other folder by the channel's name.
    return `${this.folders.folderFor(r, r.channel.kind === "dm" ? r.channel.id : undefined)}/${dayOf(r)}.json`;
  }

  header(): string {
    this.first = true;
    return "[\n";
  }

  write(r: TExportRecord): string {
    let ws = this.seen.get(r.workspace.id);
    if (!ws) this.seen.set(r.workspace.id, (ws = { channels: new Map(), people: new Set(), spans: new Map() }));
    if (r.event) {
      // A channel event as Slack's own entry; it says nothing about who the members are.
      if (!ws.channels.has(r.channel.id)) ws.channels.set(r.channel.id, []);
      if (r.author) ws.people.add(r.author.id);
      const s = (this.first ? "" : ",\n") + indent(JSON.stringify(r.event.entry, null, 4));
      this.first = false;
      return s;
    }
    ws.channels.set(r.channel.id, r.membersAtTime);
    // Records come in ts order within a channel: the first and the latest ts span what was written.
    const span = ws.spans.get(r.channel.id);
    if (span) span.to = r.ts;
    else ws.spans.set(r.channel.id, { from: r.ts, to: r.ts });
    if (r.author) ws.people.add(r.author.id);
    if (r.edited?.by) ws.people.add(r.edited.by);
    for (const x of r.reactions) for (const u of x.users) ws.people.add(u);
    if (r.membersAtTime !== this.lastMembers) {
      this.lastMembers = r.membersAtTime;
      for (const m of r.membersAtTime) ws.people.add(m);
    }
    let s = "";
    const entries = slackEntries(r);
    // Tombstones are Slackbot's; users.json lists it, as Slack's export does.
    if (entries.some((e) => e.subtype === "tombstone")) ws.people.add("USLACKBOT");
    for (const e of entries) {
      s += (this.first ? "" : ",\n") + indent(JSON.stringify(e, null, 4));
      this.first = false;
    }
    return s;
  }

  footer(): string {
    return "\n]\n";
  }

  async finish(dir: TExportDirectory): Promise<TExportExtraFile[]> {
    const lists = new Map<string, TEntry[]>(Object.values(LISTS).map((f) => [f, []]));
    const users: TEntry[] = [];
    for (const [team, ws] of [...this.seen].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const channels = await dir.findChannels(team, [...ws.channels.keys()]);
      for (const c of channels) {
        for (const m of c.members ?? []) ws.people.add(m);
        if (c.creator) ws.people.add(c.creator);
        lists.get(LISTS[c.kind] ?? "channels.json")!.push(channelEntry(c, ws.channels.get(c.id), ws.spans.get(c.id)));
      }
      for (const p of await dir.findPeople(team, [...ws.people])) users.push(userEntry(p, team));
    }
    const json = (v: unknown) => JSON.stringify(v, null, 4) + "\n";
    return [{ name: "users.json", content: json(users) }, ...[...lists].map(([name, list]) => ({ name, content: json(list) }))];
  }
}

/** The Slack export format: day files per channel, directory files at the end. */
export const slackFormat: TExportFormat = {
  name: "slack",
  channelEvents: true,
  open: () => {
    const w = new SlackWriter();
    return {
      fileFor: (r) => w.fileFor(r),
      header: () => w.header(),
      write: (r) => w.write(r),
      footer: () => w.footer(),
      finish: (dir) => w.finish(dir),
    };
  },
};
