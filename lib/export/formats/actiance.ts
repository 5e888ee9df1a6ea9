import type { TExportFormat, TExportRecord } from "../types";
import { personAddress, workspaceDomain } from "./eml";
import { ChannelFolders, dayOf } from "./file-names";
import { escapeMarkup as x } from "./xml-text";

/**
 * Actiance-style XML, the shape compliance archivers (Actiance / Smarsh
 * Vantage) ingest and Mattermost's compliance export writes: a `FileDump`
 * of `Conversation`s, here one per channel per UTC day, in one file per
 * channel (`actiance/<channel>.xml`). A conversation lists who was in it
 * (`ParticipantEntered` at its start for the channel's members at its first
 * message, at the moment of each join during it, and for anyone who posts
 * without being a member; `ParticipantLeft` at the moment of each leave and
 * for everyone at its end; membership that changed without a join or leave
 * event shows at the next message), each message (`Message`; every
 * earlier version of an edited message, then the edits marked `(edited)`, a
 * deletion as `(deleted)`), and each shared file as `FileTransferStarted` /
 * `FileTransferEnded` (metadata only). Times are seconds since 1970 (UTC).
 * Text is XML-escaped and characters XML cannot carry are dropped.
 */

function seconds(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

function tsSeconds(ts: string): number {
  return Number(ts.split(".")[0]);
}

function participant(tag: "ParticipantEntered" | "ParticipantLeft", id: string, at: number, domain: string, roomId: string): string {
  return (
    `    <${tag}>\n      <LoginName>${x(id)}</LoginName>\n      <DateTimeUTC>${at}</DateTimeUTC>\n      <InternalFlag>TRUE</InternalFlag>\n` +
    `      <ConversationID>${x(roomId)}</ConversationID>\n      <CorporateEmailID>${x(personAddress(id, domain))}</CorporateEmailID>\n    </${tag}>\n`
  );
}

class ActianceWriter {
  private readonly folders = new ChannelFolders();
  private day: string | null = null;
  private roomId = "";
  private domain = "";
  private end = 0;
  private lastMembers: readonly string[] | null = null;
  /** Members in the conversation now, and posters who are not members (they stay until its end). */
  private members = new Set<string>();
  private posters = new Set<string>();

  private file: string | null = null;
  private channelId = "";

  fileFor(r: TExportRecord): string | null {
    // A channel event only refines the open conversation: it never starts a
    // file of its own (a channel with events and no message has no file).
    if (r.event) return this.file;
    return (this.file = `actiance/${this.folders.folderFor(r)}.xml`);
  }

  header(): string {
    this.day = null;
    return `<?xml version="1.0" encoding="UTF-8"?>\n<FileDump xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n`;
  }

  private open(r: TExportRecord): string {
    this.day = dayOf(r);
    this.channelId = r.channel.id;
    this.roomId = `${r.channel.kind} - ${r.channel.name} - ${r.channel.id}`;
    this.domain = workspaceDomain(r.workspace.id);
    const start = seconds(r.postedAt);
    this.end = start;
    this.members = new Set(r.membersAtTime);
    this.posters = new Set();
    this.lastMembers = r.membersAtTime;
    let s = `  <Conversation Perspective="${x(`#${r.channel.name}`)}">\n    <RoomID>${x(this.roomId)}</RoomID>\n    <StartTimeUTC>${start}</StartTimeUTC>\n`;
    for (const m of r.membersAtTime) s += participant("ParticipantEntered", m, start, this.domain, this.roomId);
    return s;
  }

  private close(): string {
    if (this.day === null) return "";
    let s = "";
    for (const p of [...new Set([...this.members, ...this.posters])].sort()) s += participant("ParticipantLeft", p, this.end, this.domain, this.roomId);
    this.day = null;
    return `${s}    <EndTimeUTC>${this.end}</EndTimeUTC>\n  </Conversation>\n`;
  }

  /**
   * A channel event: a join or leave during the day's conversation enters or
   * leaves its member at that moment. Before the day's first message the
   * conversation's opening members cover it; other events are not part of this format.
   */
  private writeEvent(r: TExportRecord): string {
    const subtype = r.event!.subtype;
    const joins = subtype === "channel_join" || subtype === "group_join";
    const leaves = subtype === "channel_leave" || subtype === "group_leave";
    const who = r.author?.id;
    if ((!joins && !leaves) || !who || r.channel.id !== this.channelId || dayOf(r) !== this.day) return "";
    const at = seconds(r.postedAt);
    this.end = Math.max(this.end, at);
    if (joins && !this.members.has(who) && !this.posters.has(who)) {
      this.members.add(who);
      return participant("ParticipantEntered", who, at, this.domain, this.roomId);
    }
    if (leaves && this.members.has(who)) {
      this.members.delete(who);
      return participant("ParticipantLeft", who, at, this.domain, this.roomId);
    }
    return "";
  }

  write(r: TExportRecord): string {
    if (r.event) return this.writeEvent(r);
    let s = "";
    if (dayOf(r) !== this.day) s += this.close() + this.open(r);
    const at = seconds(r.postedAt);
    this.end = Math.max(this.end, at);
    if (r.membersAtTime !== this.lastMembers) {
      this.lastMembers = r.membersAtTime;
      const now = new Set(r.membersAtTime);
      for (const m of r.membersAtTime) if (!this.members.has(m) && !this.posters.has(m)) s += participant("ParticipantEntered", m, at, this.domain, this.roomId);
      for (const m of this.members) if (!now.has(m) && !this.posters.has(m)) s += participant("ParticipantLeft", m, at, this.domain, this.roomId);
      this.members = now;
    }
    const who = r.author?.id ?? r.botId ?? r.username ?? "unknown";
    if (!this.members.has(who) && !this.posters.has(who)) {
      this.posters.add(who);
      s += participant("ParticipantEntered", who, at, this.domain, this.roomId);
    }
    const userType = r.author?.isBot || (!r.author && r.botId) ? "bot" : "user";
    const message = (when: number, content: string) =>
      `    <Message>\n      <LoginName>${x(who)}</LoginName>\n      <UserType>${userType}</UserType>\n      <DateTimeUTC>${when}</DateTimeUTC>\n` +
      `      <Content>${x(content)}</Content>\n    </Message>\n`;
    if (r.versions.length === 0) s += message(at, r.text);
    r.versions.forEach((v, i) => {
      s += message(i === 0 ? at : tsSeconds(v.validFromTs), i === 0 ? v.text : `(edited) ${v.text}`);
    });
    if (r.deleted) s += message(r.deleted.at ? seconds(r.deleted.at) : at, `(deleted) ${r.text}`);
    for (const f of r.files) {
      const name = x(f.name ?? f.id);
      const common = `      <LoginName>${x(who)}</LoginName>\n      <DateTimeUTC>${at}</DateTimeUTC>\n      <UserFileName>${name}</UserFileName>\n      <FileName>${x(f.id)}</FileName>\n`;
      s += `    <FileTransferStarted>\n${common}    </FileTransferStarted>\n`;
      s += `    <FileTransferEnded>\n${common}      <Status>Completed</Status>\n    </FileTransferEnded>\n`;
    }
    return s;
  }

  footer(): string {
    return `${this.close()}</FileDump>\n`;
  }
}

/** Actiance-style XML: one file per channel, one Conversation per channel and day. */
export const actianceFormat: TExportFormat = {
  name: "actiance",
  channelEvents: true,
  open: () => {
    const w = new ActianceWriter();
    return { fileFor: (r) => w.fileFor(r), header: () => w.header(), write: (r) => w.write(r), footer: () => w.footer() };
  },
};
