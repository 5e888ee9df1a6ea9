import { encodeWords, foldLines, isPlainText, quoteString } from "nodemailer/lib/mime-funcs";
import { encode as qpEncode, wrap as qpWrap } from "nodemailer/lib/qp";
import type { TExportFormat, TExportRecord } from "../types";
import { ChannelFolders } from "./file-names";

/**
 * EML: one RFC 5322 mail per message, as mail archiving services ingest
 * chat. From is the author, To the channel's members at the time (who could
 * have seen it), Message-ID is derived from workspace, channel and ts, and a
 * thread reply points at its parent with In-Reply-To/References. Versions,
 * deletion, reactions and file metadata (never file bytes) are in the body
 * and in X-Backscroll-* headers.
 *
 * Mails are packed as one mbox per channel (`mbox/<channel>.mbox`, RFC 4155
 * mboxrd: a "From " line starts each mail, body lines starting with
 * ">*From " get one more ">"), not one ZIP entry per message: the ZIP's
 * central directory would otherwise grow with the message count. Line ends
 * are LF, as mbox files have them; headers are encoded with nodemailer's
 * MIME functions (RFC 2047 words, folding) and bodies that are not short
 * 7-bit lines are quoted-printable. The structure is written here rather
 * than by nodemailer's MailComposer, which builds a stream per mail and is
 * several times slower than the 10,000 mails/s this format aims for.
 */

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
/** Anything that could end a header line or carry control codes into it. */
// eslint-disable-next-line no-control-regex -- control characters are what it removes
const HEADER_UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f]+/g;

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** RFC 5322 date-time in UTC: "Wed, 04 Nov 2026 00:06:13 +0000". */
export function rfc5322Date(d: Date): string {
  return `${WEEKDAYS[d.getUTCDay()]}, ${pad2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000`;
}

/** The date of an mbox "From " line (asctime, UTC): "Wed Nov  4 00:06:13 2026". */
function asctime(d: Date): string {
  const day = d.getUTCDate();
  return `${WEEKDAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${day < 10 ? ` ${day}` : day} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

const domains = new Map<string, string>();

/** The made-up mail domain of a workspace: `<id>.slack.invalid` (RFC 2606: never resolves). */
export function workspaceDomain(workspaceId: string): string {
  let d = domains.get(workspaceId);
  if (d === undefined) {
    d = `${workspaceId.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "") || "workspace"}.slack.invalid`;
    if (domains.size < 1000) domains.set(workspaceId, d);
  }
  return d;
}

/** A person's deterministic address: `<id>@<workspace>.slack.invalid`. */
export function personAddress(id: string, domain: string): string {
  return `${ATOM.test(id) ? id : quoteString(id.replace(HEADER_UNSAFE, " "))}@${domain}`;
}

/** Message-ID of a message: `<ts.channel@workspace.slack.invalid>`. */
export function messageId(r: { ts: string; channelId: string; domain: string }): string {
  return `<${r.ts}.${r.channelId.replace(/[^A-Za-z0-9._-]+/g, "_")}@${r.domain}>`;
}

/**
 * The same ASCII text as a one-byte string. Encoded words built from a text
 * with characters beyond Latin-1 are ASCII yet may still be stored as
 * two-byte strings, and one such piece makes the whole mail two-byte, which
 * is many times slower to encode to UTF-8 (and the To list is kilobytes).
 */
function oneByte(ascii: string): string {
  return Buffer.from(ascii, "latin1").toString("latin1");
}

function headerText(value: string): string {
  return oneByte(encodeWords(value.replace(HEADER_UNSAFE, " "), "Q", 52));
}

function displayName(name: string): string {
  const clean = name.replace(HEADER_UNSAFE, " ");
  return oneByte(isPlainText(clean) ? quoteString(clean) : encodeWords(clean, "Q", 52, true));
}

/** Subject: the channel and the first words of the text. */
function subject(r: TExportRecord): string {
  const words = r.text.replace(/\s+/g, " ").trim();
  const head = words.length > 60 ? `${words.slice(0, 60).replace(/\s\S*$/, "")}…` : words;
  return `[#${r.channel.name}] ${head || (r.files.length ? "(file)" : "(no text)")}`;
}

/** Address lists folded at 78 columns; the list is cached while the members do not change. */
function addressList(ids: readonly string[], domain: string, first: number): string {
  let line = first;
  let out = "";
  for (let i = 0; i < ids.length; i++) {
    const a = `<${personAddress(ids[i]!, domain)}>${i < ids.length - 1 ? "," : ""}`;
    if (i > 0 && line + 1 + a.length > 78) {
      out += "\n " + a;
      line = 1 + a.length;
    } else {
      out += (i > 0 ? " " : "") + a;
      line += (i > 0 ? 1 : 0) + a.length;
    }
  }
  return out;
}

function indent(text: string): string {
  return text.replace(/\r\n?/g, "\n").replace(/\n/g, "\n    ");
}

/** The plain text body: the text, then versions, deletion, reactions and files. */
function body(r: TExportRecord): string {
  let b = r.text.replace(/\r\n?/g, "\n");
  const notes: string[] = [];
  if (r.versions.length > 1) {
    notes.push(`Edited: ${r.versions.length} versions, oldest first:`);
    for (const v of r.versions) {
      notes.push(`  [${v.validFromTs}${v.editedBy ? ` by ${v.editedBy}` : ""}] ${indent(v.text)}`);
    }
  }
  if (r.deleted) notes.push(`Deleted: ${r.deleted.at ?? "yes (time unknown)"}`);
  for (const x of r.reactions) notes.push(`Reaction :${x.name}: ${x.users.join(", ")}`);
  for (const f of r.files) {
    const meta = [f.mimetype, f.size === null ? null : `${f.size} bytes`].filter(Boolean).join(", ");
    notes.push(`File: ${f.name ?? f.id}${f.title && f.title !== f.name ? ` "${f.title}"` : ""}${meta ? ` (${meta})` : ""} [${f.id}]`);
  }
  if (notes.length) b += `${b ? "\n\n" : ""}-- \n${notes.join("\n")}`;
  return b;
}

/** True when the text is printable 7-bit with lines of at most 998 characters (RFC 5322), so it needs no encoding. */
function isShort7bit(b: string): boolean {
  let line = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b.charCodeAt(i);
    if (c === 10) line = 0;
    else if ((c < 32 && c !== 9) || c > 126 || ++line > 998) return false;
  }
  return true;
}

/** Quoted-printable unless the body is 7-bit text with short lines. */
function encodeBody(b: string): { cte: string; text: string } {
  if (isShort7bit(b)) return { cte: "7bit", text: b };
  return { cte: "quoted-printable", text: oneByte(qpWrap(qpEncode(b), 76).replace(/\r\n/g, "\n")) };
}

/** What stays the same for every mail of a channel: made once per channel. */
interface TChannelHeaders {
  key: string;
  domain: string;
  /** X-Backscroll-Workspace and X-Backscroll-Channel lines. */
  lines: string;
  file: string;
}

// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;

/** One mail of the mbox, "From " line first, ending with a blank line. */
function mail(r: TExportRecord, to: string, ch: TChannelHeaders): string {
  const domain = ch.domain;
  const d = new Date(r.postedAt);
  const fromId = r.author?.id ?? r.botId ?? "unknown";
  const fromName = r.author ? (r.author.displayName || r.author.name) : (r.username ?? fromId);
  const from = personAddress(fromId, domain);
  const id = messageId({ ts: r.ts, channelId: r.channel.id, domain });
  const { cte, text } = encodeBody(body(r));
  let h = `From ${ATOM.test(fromId) ? from : `unknown@${domain}`} ${asctime(d)}\n`;
  h += `From: ${displayName(fromName)} <${from}>\n`;
  h += `To: ${to}\n`;
  h += `Date: ${rfc5322Date(d)}\n`;
  // Encoded words of a text beyond ASCII are ASCII too, but may be stored two-byte (see oneByte).
  const subjText = subject(r).replace(HEADER_UNSAFE, " ");
  const subj = foldLines(`Subject: ${encodeWords(subjText, "Q", 52)}`, 76).replace(/\r\n/g, "\n").trimEnd();
  h += (NON_ASCII.test(subjText) ? oneByte(subj) : subj) + "\n";
  h += `Message-ID: ${id}\n`;
  if (r.threadTs && r.threadTs !== r.ts) {
    const parent = messageId({ ts: r.threadTs, channelId: r.channel.id, domain });
    h += `In-Reply-To: ${parent}\nReferences: ${parent}\n`;
  }
  h += `MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: ${cte}\n`;
  h += ch.lines;
  h += `X-Backscroll-Ts: ${r.ts}\n`;
  if (r.threadTs) h += `X-Backscroll-Thread-Ts: ${r.threadTs}\n`;
  if (r.subtype) h += `X-Backscroll-Subtype: ${headerText(r.subtype)}\n`;
  if (r.edited) h += `X-Backscroll-Edited: ${r.edited.ts}${r.edited.by ? ` by ${headerText(r.edited.by)}` : ""}\n`;
  h += `X-Backscroll-Versions: ${r.versions.length}\n`;
  h += `X-Backscroll-Deleted: ${r.deleted ? `yes${r.deleted.at ? ` ${r.deleted.at}` : ""}` : "no"}\n`;
  h += `X-Backscroll-Source: ${sourceHeader(r.provenance.source)}; sha256=${r.provenance.rawSha256}\n`;
  // mboxrd: any body line that would read as a "From " line, quoted or not, gets one more ">".
  return `${h}\n${text.indexOf("From ") === -1 ? text : text.replace(/^(>*From )/gm, ">$1")}\n\n`;
}

const sources = new Map<string, string>();

function sourceHeader(source: string): string {
  let v = sources.get(source);
  if (v === undefined) {
    v = headerText(source);
    if (sources.size < 100) sources.set(source, v);
  }
  return v;
}

/** Writer state: per-channel headers, and the folded To list of the last members array seen (the same array while unchanged). */
class EmlWriter {
  private readonly folders = new ChannelFolders();
  private ch: TChannelHeaders | null = null;
  private lastMembers: readonly string[] | null = null;
  private lastDomain = "";
  private lastTo = "";

  private channel(r: TExportRecord): TChannelHeaders {
    const key = `${r.workspace.id}\u0000${r.channel.id}`;
    if (this.ch?.key !== key) {
      this.ch = {
        key,
        domain: workspaceDomain(r.workspace.id),
        lines:
          `X-Backscroll-Workspace: ${headerText(r.workspace.id)}\n` +
          `X-Backscroll-Channel: ${headerText(`${r.channel.name} (${r.channel.id}, ${r.channel.kind})`)}\n`,
        file: `mbox/${this.folders.folderFor(r)}.mbox`,
      };
    }
    return this.ch;
  }

  fileFor(r: TExportRecord): string {
    return this.channel(r).file;
  }

  write(r: TExportRecord): string {
    const ch = this.channel(r);
    if (r.membersAtTime !== this.lastMembers || ch.domain !== this.lastDomain) {
      this.lastMembers = r.membersAtTime;
      this.lastDomain = ch.domain;
      this.lastTo = r.membersAtTime.length ? addressList(r.membersAtTime, ch.domain, 4) : "undisclosed-recipients:;";
    }
    return mail(r, this.lastTo, ch);
  }
}

/** EML: one mbox per channel of RFC 5322 mails, one mail per message. */
export const emlFormat: TExportFormat = {
  name: "eml",
  open: () => {
    const w = new EmlWriter();
    return { fileFor: (r) => w.fileFor(r), write: (r) => w.write(r) };
  },
};
