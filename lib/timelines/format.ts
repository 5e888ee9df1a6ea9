import { escapeHtml } from "../archive/render-text";
import { formatDateTimeIn, formatDayIn, formatDurationMs, formatTimeIn } from "./time";
import type { TTimeline, TTimelineEvent } from "./types";

/**
 * Timeline exports: Markdown, CSV, JSON and HTML. Times carry full dates and
 * an explicit zone; day headings keep multi-day incidents readable; CSV
 * cells cannot start a spreadsheet formula; HTML is escaped.
 */

/** The exported event shape (the CLI's JSON contract). */
export type TExportedEvent = {
  at: string;
  kind: TTimelineEvent["kind"];
  keyEvent: boolean;
  actor: string | null;
  text: string;
  source: { channel: string; ts: string | null };
};

/** Events in the JSON export's shape. */
export function toExportedEvents(t: TTimeline): TExportedEvent[] {
  return t.events.map((e) => ({
    at: e.at,
    kind: e.kind,
    keyEvent: e.keyEvent,
    actor: e.actor,
    text: e.text,
    source: { channel: e.source.channel, ts: e.source.ts },
  }));
}

/** `{"incident": …, "events": [...]}`. */
export function formatTimelineJson(t: TTimeline, incident: unknown): string {
  return JSON.stringify({ incident: incident ?? null, events: toExportedEvents(t) }, null, 2);
}

function label(e: TTimelineEvent): string {
  const flags: string[] = [];
  if (e.flags.deleted) flags.push("deleted");
  else if (e.flags.editedAfterIncident) flags.push("edited after the incident");
  else if (e.flags.edited) flags.push("edited");
  if (e.marks.note) flags.push(`note: ${e.marks.note}`);
  return flags.length ? ` _(${flags.join("; ")})_` : "";
}

function execSuffix(e: TTimelineEvent): string {
  const x = e.execution;
  if (!x) return "";
  return ` [${x.status}${x.exitCode !== null ? `, exit ${x.exitCode}` : ""}, ${formatDurationMs(x.durationMs)}]`;
}

function mdEscape(s: string): string {
  return s.replace(/([\\`*_[\]<>|])/g, "\\$1").replace(/\n+/g, " ");
}

/** Markdown: a heading per day (in `tz`), one line per event, quiet gaps between. */
export function formatTimelineMarkdown(t: TTimeline, opts: { tz: string; title?: string; baseUrl?: string }): string {
  const base = opts.baseUrl?.replace(/\/$/, "") ?? "";
  const lines: string[] = [`# ${opts.title ?? `Timeline of #${t.channel.name}`}`, ""];
  lines.push(`Times in ${opts.tz}. ${t.events.length} events${t.hiddenCount ? `, ${t.hiddenCount} hidden` : ""}. Key events in **bold**.`, "");
  const gapAfter = new Map(t.gaps.map((g) => [g.afterEventId, g]));
  let day = "";
  for (const e of t.events) {
    const d = formatDayIn(e.at, opts.tz);
    if (d !== day) {
      day = d;
      lines.push("", `## ${d} (${opts.tz})`, "");
    }
    const who = e.actor ? `${mdEscape(e.actor)}: ` : "";
    const reply = e.isReply ? "↳ " : "";
    const body = `${reply}\`${e.kind}\` ${who}${mdEscape(e.text)}${execSuffix(e)}`;
    lines.push(`- ${formatTimeIn(e.at, opts.tz)} — ${e.keyEvent ? `**${body}**` : body}${label(e)} ([source](${base}${e.source.href}))`);
    const g = gapAfter.get(e.id);
    if (g) lines.push(`- _… quiet for ${formatDurationMs(g.minutes * 60_000)} …_`);
  }
  return lines.join("\n").replace(/\n{3,}/g, "\n\n") + "\n";
}

/** Neutralise a CSV cell that a spreadsheet would run as a formula. */
export function neutralizeCsvCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function csvCell(v: string | number | boolean | null): string {
  const s = neutralizeCsvCell(v === null ? "" : String(v));
  return /[",\n\r]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV with a header row; one row per event. */
export function formatTimelineCsv(t: TTimeline, opts: { tz: string; baseUrl?: string }): string {
  const base = opts.baseUrl?.replace(/\/$/, "") ?? "";
  const header = ["at_utc", `at_local (${opts.tz})`, "kind", "key_event", "actor", "text", "status", "exit_code", "duration_s", "edited", "deleted", "note", "channel", "ts", "link"];
  const rows = [header.map(csvCell).join(",")];
  for (const e of t.events) {
    const x = e.execution;
    rows.push(
      [
        e.at,
        formatDateTimeIn(e.at, opts.tz),
        e.kind,
        e.keyEvent,
        e.actor,
        e.text,
        x?.status ?? null,
        x?.exitCode ?? null,
        x?.durationMs != null ? Math.round(x.durationMs / 1000) : null,
        e.flags.edited,
        e.flags.deleted,
        e.marks.note,
        e.source.channel,
        e.source.ts,
        base + e.source.href,
      ]
        .map(csvCell)
        .join(","),
    );
  }
  return rows.join("\r\n") + "\r\n";
}

/** A standalone, escaped HTML document. */
export function formatTimelineHtml(t: TTimeline, opts: { tz: string; title?: string; baseUrl?: string }): string {
  const base = opts.baseUrl?.replace(/\/$/, "") ?? "";
  const title = escapeHtml(opts.title ?? `Timeline of #${t.channel.name}`);
  const out: string[] = [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8"><title>${title}</title>`,
    "<style>body{font:14px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}li{margin:.2rem 0}.key{font-weight:600}.gap{color:#777;font-style:italic;list-style:none}.kind{font-family:monospace;color:#555}.flag{color:#a40}</style>",
    `</head><body><h1>${title}</h1><p>Times in ${escapeHtml(opts.tz)}.</p>`,
  ];
  const gapAfter = new Map(t.gaps.map((g) => [g.afterEventId, g]));
  let day = "";
  let open = false;
  for (const e of t.events) {
    const d = formatDayIn(e.at, opts.tz);
    if (d !== day) {
      if (open) out.push("</ul>");
      day = d;
      out.push(`<h2>${escapeHtml(d)} (${escapeHtml(opts.tz)})</h2><ul>`);
      open = true;
    }
    const flag = label(e).replace(/^ _\(|\)_$/g, "");
    out.push(
      `<li class="${e.keyEvent ? "key" : ""}"><time datetime="${escapeHtml(e.at)}">${escapeHtml(formatTimeIn(e.at, opts.tz))}</time> ` +
        `<span class="kind">${escapeHtml(e.kind)}</span> ${e.isReply ? "↳ " : ""}${e.actor ? `<b>${escapeHtml(e.actor)}</b>: ` : ""}${escapeHtml(e.text)}${escapeHtml(execSuffix(e))}` +
        `${flag ? ` <span class="flag">(${escapeHtml(flag)})</span>` : ""} <a href="${escapeHtml(base + e.source.href)}">source</a></li>`,
    );
    const g = gapAfter.get(e.id);
    if (g) out.push(`<li class="gap">… quiet for ${escapeHtml(formatDurationMs(g.minutes * 60_000))} …</li>`);
  }
  if (open) out.push("</ul>");
  out.push("</body></html>");
  return out.join("\n") + "\n";
}
