import { tsToIso } from "../../archive/iso-time";
import type { TExportExtraFile, TExportFormat, TExportRecord } from "../types";
import { ChannelFolders, dayOf } from "./file-names";
import { escapeMarkup as h } from "./xml-text";

/**
 * HTML transcripts for people to read: one page per channel and UTC day
 * (`html/<channel>/<YYYY-MM-DD>.html`) and `html/index.html` listing every
 * page. Pages are self-contained (inline CSS, no scripts, no remote
 * resources); all text is escaped. Thread replies are marked and link to
 * their parent, edits show every version, deleted messages stay visible and
 * are marked, files are listed by name and size (no file bytes).
 */

const CSS = `body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem 1.5rem;color:#1d1c1d}
h1{font-size:1.3rem;margin:.2rem 0}nav a{margin-right:1rem}.m{padding:.4rem .6rem;border-bottom:1px solid #eee}
.m.reply{margin-left:2rem;border-left:3px solid #ccd}.m.deleted{background:#fff3f3}.who{font-weight:600}
.t{color:#616061;font-size:.85em;margin-left:.5rem}.text{white-space:pre-wrap;overflow-wrap:anywhere}
.note{color:#616061;font-size:.85em}.del{color:#b00;font-size:.85em;font-weight:600}
details{font-size:.85em;color:#444}ol.v li{white-space:pre-wrap}table{border-collapse:collapse}td,th{padding:.2rem .8rem;text-align:left}`;

function page(title: string, nav: string, body: string): string {
  return (
    `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">\n` +
    `<title>${h(title)}</title>\n<style>${CSS}</style>\n</head>\n<body>\n${nav}${body}`
  );
}

function anchor(ts: string): string {
  return `m${ts.replace(/[^0-9]/g, "_")}`;
}

function time(iso: string): string {
  return iso.slice(11, 19);
}

function messageHtml(r: TExportRecord): string {
  const reply = r.threadTs !== null && r.threadTs !== r.ts;
  const cls = `m${reply ? " reply" : ""}${r.deleted ? " deleted" : ""}`;
  const who = r.author ? (r.author.displayName || r.author.name) : (r.username ?? r.botId ?? "unknown");
  let s = `<div class="${cls}" id="${anchor(r.ts)}">\n<span class="who">${h(who)}</span>`;
  if (r.author?.isBot || (!r.author && r.botId)) s += ` <span class="note">bot</span>`;
  s += `<a class="t" href="#${anchor(r.ts)}">${time(r.postedAt)} UTC</a>`;
  if (reply) {
    const parentDay = tsToIso(r.threadTs!).slice(0, 10);
    const href = parentDay === dayOf(r) ? `#${anchor(r.threadTs!)}` : `${parentDay}.html#${anchor(r.threadTs!)}`;
    s += ` <a class="note" href="${h(href)}">↳ reply in thread</a>`;
  } else if (r.threadTs === r.ts) s += ` <span class="note">thread</span>`;
  if (r.subtype) s += ` <span class="note">${h(r.subtype)}</span>`;
  if (r.deleted) s += ` <span class="del">deleted${r.deleted.at ? ` ${h(r.deleted.at)}` : ""}</span>`;
  s += `\n<div class="text">${h(r.text)}</div>\n`;
  if (r.versions.length > 1) {
    s += `<details><summary>edited — ${r.versions.length} versions</summary><ol class="v">`;
    for (const v of r.versions) s += `<li><span class="note">${h(tsToIso(v.validFromTs))}${v.editedBy ? ` by ${h(v.editedBy)}` : ""}</span> ${h(v.text)}</li>`;
    s += `</ol></details>\n`;
  } else if (r.edited) s += `<div class="note">edited ${h(tsToIso(r.edited.ts))}</div>\n`;
  for (const f of r.files) {
    s += `<div class="note">file: ${h(f.name ?? f.id)}${f.title && f.title !== f.name ? ` — ${h(f.title)}` : ""}${f.mimetype ? ` (${h(f.mimetype)})` : ""}${f.size !== null ? `, ${f.size} bytes` : ""}</div>\n`;
  }
  if (r.reactions.length) s += `<div class="note">${r.reactions.map((x) => `:${h(x.name)}: ${x.users.length}`).join(" · ")}</div>\n`;
  return `${s}</div>\n`;
}

class HtmlWriter {
  private readonly folders = new ChannelFolders();
  private readonly pages: { channel: string; kind: string; folder: string; day: string; count: number }[] = [];

  fileFor(r: TExportRecord): string {
    return `html/${this.folders.folderFor(r)}/${dayOf(r)}.html`;
  }

  header(file: string, r: TExportRecord | null): string {
    const rec = r!;
    const folder = file.split("/")[1]!;
    this.pages.push({ channel: rec.channel.name, kind: rec.channel.kind, folder, day: dayOf(rec), count: 0 });
    const title = `#${rec.channel.name} — ${dayOf(rec)}`;
    return page(title, `<nav><a href="../index.html">All channels</a></nav>\n`, `<h1>${h(title)}</h1>\n<p class="note">${h(rec.workspace.name)} · ${h(rec.channel.kind)} · ${h(rec.channel.id)} · times in UTC</p>\n`);
  }

  write(r: TExportRecord): string {
    this.pages[this.pages.length - 1]!.count++;
    return messageHtml(r);
  }

  footer(): string {
    return `</body>\n</html>\n`;
  }

  finish(): TExportExtraFile[] {
    let rows = "";
    let current = "";
    for (const p of this.pages) {
      if (p.folder !== current) {
        current = p.folder;
        rows += `<tr><th colspan="2">#${h(p.channel)} <span class="note">${h(p.kind)}</span></th></tr>\n`;
      }
      rows += `<tr><td><a href="${h(encodeURI(`${p.folder}/${p.day}.html`))}">${p.day}</a></td><td class="note">${p.count} messages</td></tr>\n`;
    }
    const body = `<h1>Archive transcripts</h1>\n<table>\n${rows}</table>\n</body>\n</html>\n`;
    return [{ name: "html/index.html", content: page("Archive transcripts", "", body) }];
  }
}

/** HTML transcripts: one page per channel and day, and an index. */
export const htmlFormat: TExportFormat = {
  name: "html",
  open: () => {
    const w = new HtmlWriter();
    return {
      fileFor: (r) => w.fileFor(r),
      header: (file, r) => w.header(file, r),
      write: (r) => w.write(r),
      footer: () => w.footer(),
      finish: () => w.finish(),
    };
  },
};
