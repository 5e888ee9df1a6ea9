import { escapeHtml } from "../archive/render-text";

/**
 * A small, safe Markdown renderer for postmortems (headings, lists, task
 * items, tables, quotes, paragraphs, `code`, **bold**, _italic_, links).
 * Everything is escaped first; links keep only http(s) and app-relative
 * URLs, so a draft edited by anyone cannot inject markup.
 */

const SAFE_HREF = /^(?:https?:\/\/|\/(?!\/))[^\s"'<>]*$/i;

function inline(src: string): string {
  const codes: string[] = [];
  // Code spans and escaped characters wait behind private-use markers while the rest is formatted.
  let s = src.replace(/[\uf8f0\uf8f1]/g, "").replace(/`([^`]+)`/g, (_, c: string) => {
    codes.push(`<code>${escapeHtml(c)}</code>`);
    return `\uf8f0${codes.length - 1}\uf8f0`;
  });
  // Markdown backslash escapes: keep the character, drop the backslash.
  const escaped: string[] = [];
  s = s.replace(/\\([\\`*_[\]<>|#-])/g, (_, ch: string) => {
    escaped.push(escapeHtml(ch));
    return `\uf8f1${escaped.length - 1}\uf8f1`;
  });
  s = escapeHtml(s);
  s = s.replace(/\[([^\]]*)\]\(([^)\s]+)\)/g, (_, label: string, href: string) => {
    const raw = href.replace(/&amp;/g, "&");
    return SAFE_HREF.test(raw) ? `<a href="${escapeHtml(raw)}">${label}</a>` : label;
  });
  s = s.replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>").replace(/(^|[\s(])_([^_]+)_(?=$|[\s).,;:])/g, "$1<em>$2</em>");
  s = s.replace(/\uf8f1(\d+)\uf8f1/g, (_, i: string) => escaped[Number(i)] ?? "");
  return s.replace(/\uf8f0(\d+)\uf8f0/g, (_, i: string) => codes[Number(i)] ?? "");
}

/** Markdown to an HTML fragment. */
export function renderMarkdownHtml(md: string): string {
  const lines = md.replace(/\r\n?/g, "\n").split("\n");
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const l = lines[i]!;
    if (!l.trim()) {
      i++;
      continue;
    }
    const h = /^(#{1,6})\s+(.*)$/.exec(l);
    if (h) {
      out.push(`<h${h[1]!.length}>${inline(h[2]!)}</h${h[1]!.length}>`);
      i++;
      continue;
    }
    if (/^\s*[-*]\s+/.test(l)) {
      out.push("<ul>");
      while (i < lines.length && /^\s*[-*]\s+/.test(lines[i]!)) {
        const item = lines[i]!.replace(/^\s*[-*]\s+/, "");
        const task = /^\[( |x)\]\s+(.*)$/i.exec(item);
        out.push(task ? `<li><input type="checkbox" disabled${task[1] !== " " ? " checked" : ""}> ${inline(task[2]!)}</li>` : `<li>${inline(item)}</li>`);
        i++;
      }
      out.push("</ul>");
      continue;
    }
    if (/^\s*\|/.test(l)) {
      const rows: string[][] = [];
      while (i < lines.length && /^\s*\|/.test(lines[i]!)) {
        rows.push(lines[i]!.trim().replace(/^\||\|$/g, "").split(/(?<!\\)\|/).map((c) => c.trim()));
        i++;
      }
      const body = rows.filter((r) => !r.every((c) => /^:?-{3,}:?$/.test(c)));
      out.push("<table>");
      body.forEach((r, n) => out.push(`<tr>${r.map((c) => (n === 0 ? `<th>${inline(c)}</th>` : `<td>${inline(c)}</td>`)).join("")}</tr>`));
      out.push("</table>");
      continue;
    }
    if (/^>\s?/.test(l)) {
      const q: string[] = [];
      while (i < lines.length && /^>\s?/.test(lines[i]!)) q.push(lines[i++]!.replace(/^>\s?/, ""));
      out.push(`<blockquote>${inline(q.join(" "))}</blockquote>`);
      continue;
    }
    const p: string[] = [];
    while (i < lines.length && lines[i]!.trim() && !/^(#{1,6}\s|\s*[-*]\s+|\s*\||>)/.test(lines[i]!)) p.push(lines[i++]!);
    out.push(`<p>${inline(p.join(" "))}</p>`);
  }
  return out.join("\n");
}

/** A standalone HTML document for a postmortem. */
export function renderPostmortemDocument(md: string, title: string): string {
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>`,
    "<style>body{font:15px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}blockquote{border-left:3px solid #ccc;margin:0;padding-left:1rem;color:#444}code{background:#f3f3f3;padding:0 .2rem}</style>",
    "</head><body>",
    renderMarkdownHtml(md),
    "</body></html>",
    "",
  ].join("\n");
}
