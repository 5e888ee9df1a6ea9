import fs from "node:fs";
import type { TViewer } from "../../lib/access/types";
import { prepareDatabase } from "../../lib/database/prepare";
import { getPool } from "../../lib/db";
import { AppError } from "../../lib/errors";
import { createIncident, findIncidentTimeline, listIncidents, parseIncidentId, syncDetectedIncidents } from "../../lib/incidents/service";
import { generatePostmortem } from "../../lib/postmortems/service";
import { renderPostmortemDocument } from "../../lib/postmortems/render-html";
import { validateTemplate } from "../../lib/postmortems/template";
import { formatTimelineCsv, formatTimelineHtml, formatTimelineJson, formatTimelineMarkdown } from "../../lib/timelines/format";
import { findChannelByReference, findChannelTimeline } from "../../lib/timelines/service";
import { formatDateTimeIn, formatDurationMs, parseTimeZone } from "../../lib/timelines/time";
import type { TCommand } from "./commands";

/** The operator at the terminal reads everything, like an admin (reads of private channels are audited). */
const OPERATOR: TViewer = { userId: 0, role: "admin", personId: null };

const out = (s: string) => process.stdout.write(s.endsWith("\n") ? s : s + "\n");

function parseDate(v: unknown, field: string): Date | null {
  if (v === undefined || v === null || v === "") return null;
  const d = new Date(String(v));
  if (Number.isNaN(d.getTime())) throw new AppError("usage", `--${field} is not a date/time (ISO 8601, e.g. 2026-11-03T22:00:00Z)`, { field });
  return d;
}

function readTemplate(file: unknown): string | undefined {
  const path = (file as string | undefined) ?? process.env.POSTMORTEM_TEMPLATE;
  if (!path) return undefined;
  if (!fs.existsSync(path)) throw new AppError("bad_input", `No such template file: ${path}`, { file: path });
  const text = fs.readFileSync(path, "utf8");
  validateTemplate(text, path);
  return text;
}

/** CLI commands for incidents, timelines and postmortems. */
export const INCIDENT_COMMANDS: TCommand[] = [
  {
    name: "incidents",
    usage: "incidents [--json]",
    summary: "List incidents (channels named inc-*/incident-* are detected first).",
    details: "Detection patterns: INCIDENT_CHANNEL_PATTERNS (comma-separated globs, default inc-*,incident-*).",
    options: { json: { type: "boolean", help: "print JSON" } },
    async run({ opts }) {
      await prepareDatabase();
      const db = getPool();
      await syncDetectedIncidents(db);
      const list = await listIncidents(db, OPERATOR);
      if (opts.json) return void out(JSON.stringify(list, null, 2));
      if (list.length === 0) return void out("No incidents.");
      for (const i of list) {
        out(
          `#${String(i.id).padEnd(4)} ${i.status.padEnd(13)} ${(i.severity ?? "-").padEnd(5)} ${formatDurationMs(i.metrics.durationMs).padEnd(12)} ` +
            `${i.times.startedAt ? formatDateTimeIn(i.times.startedAt, "UTC") : "?"}  #${i.channel.name}  ${i.title}`,
        );
      }
    },
  },
  {
    name: "incident create",
    usage: "incident create --channel <name|id> [--from <time>] [--to <time>] [--title <text>] [--json]",
    summary: "Create an incident by hand for a channel and time range.",
    options: {
      channel: { type: "string", help: "channel name, Slack id or numeric id" },
      from: { type: "string", help: "start of the range (ISO 8601)" },
      to: { type: "string", help: "end of the range (ISO 8601)" },
      title: { type: "string", help: "title" },
      json: { type: "boolean", help: "print JSON" },
    },
    async run({ opts }) {
      if (!opts.channel) throw new AppError("usage", "--channel is required", { field: "channel" });
      const from = parseDate(opts.from, "from");
      const to = parseDate(opts.to, "to");
      await prepareDatabase();
      const i = await createIncident(getPool(), OPERATOR, { channel: String(opts.channel), from, to, title: opts.title as string | undefined });
      if (opts.json) out(JSON.stringify(i, null, 2));
      else out(`Created incident #${i.id} for #${i.channel.name}: ${i.title}`);
    },
  },
  {
    name: "timeline",
    usage: "timeline <channel-or-incident> [--from <time>] [--to <time>] [--format md|csv|json|html] [--tz <zone>]",
    summary: "Print the merged timeline of an incident (#12 or 12) or a channel.",
    options: {
      from: { type: "string", help: "start (ISO 8601)" },
      to: { type: "string", help: "end (ISO 8601)" },
      format: { type: "string", help: "md (default), csv, json or html" },
      tz: { type: "string", help: "time zone for display (default UTC)" },
      "base-url": { type: "string", help: "prefix for source links (e.g. https://backscroll.example.com)" },
    },
    positionals: { min: 1 },
    async run({ args, opts }) {
      const format = String(opts.format ?? "md");
      if (!["md", "csv", "json", "html"].includes(format)) throw new AppError("usage", "--format must be md, csv, json or html", { field: "format" });
      const tz = parseTimeZone(opts.tz as string | undefined);
      const from = parseDate(opts.from, "from");
      const to = parseDate(opts.to, "to");
      const baseUrl = opts["base-url"] as string | undefined;
      await prepareDatabase();
      const db = getPool();
      const ref = args[0]!;
      let incident: unknown = null;
      let title: string | undefined;
      let timeline;
      if (/^#?\d{1,9}$/.test(ref) && !(await isChannelRef(ref))) {
        await syncDetectedIncidents(db);
        const r = await findIncidentTimeline(db, OPERATOR, parseIncidentId(ref));
        incident = r.incident;
        title = `Timeline of incident #${r.incident.id}: ${r.incident.title}`;
        timeline = r.timeline;
        if (from || to) timeline = { ...timeline, events: timeline.events.filter((e) => (!from || new Date(e.at) >= from) && (!to || new Date(e.at) <= to)) };
      } else {
        const channel = await findChannelByReference(db, OPERATOR, ref);
        timeline = await findChannelTimeline(db, OPERATOR, channel.id, { from, to });
      }
      if (format === "json") out(formatTimelineJson(timeline, incident));
      else if (format === "csv") process.stdout.write(formatTimelineCsv(timeline, { tz, baseUrl }));
      else if (format === "html") out(formatTimelineHtml(timeline, { tz, title, baseUrl }));
      else out(formatTimelineMarkdown(timeline, { tz, title, baseUrl }));
    },
  },
  {
    name: "postmortem",
    usage: "postmortem <incident> [--format md|html] [--tz <zone>] [--template <file>] [--generated]",
    summary: "Generate the draft postmortem of an incident and print the current draft.",
    details:
      "Every generation that differs from the last is stored as a new version. When a person has edited the draft, the edited version stays current (printed) and a notice says a newer generation exists; --generated prints the fresh generation instead. Template: --template or POSTMORTEM_TEMPLATE.",
    options: {
      format: { type: "string", help: "md (default) or html" },
      tz: { type: "string", help: "time zone (default UTC)" },
      template: { type: "string", help: "Markdown template file with {{placeholders}}" },
      generated: { type: "boolean", help: "print the fresh generation even if an edited draft exists" },
      "base-url": { type: "string", help: "prefix for source links" },
    },
    positionals: { min: 1 },
    async run({ args, opts }) {
      const format = String(opts.format ?? "md");
      if (!["md", "html"].includes(format)) throw new AppError("usage", "--format must be md or html", { field: "format" });
      const tz = parseTimeZone(opts.tz as string | undefined);
      const template = readTemplate(opts.template);
      const id = parseIncidentId(args[0]!);
      await prepareDatabase();
      const db = getPool();
      await syncDetectedIncidents(db);
      const r = await generatePostmortem(db, OPERATOR, id, { tz, template, baseUrl: opts["base-url"] as string | undefined });
      const md = opts.generated ? r.generated : (r.state.current?.markdown ?? r.generated);
      if (r.state.notice && !opts.generated) process.stderr.write(`backscroll: ${r.state.notice}\n`);
      if (format === "html") out(renderPostmortemDocument(md, `Postmortem of incident #${id}`));
      else out(md);
    },
  },
];

/** A bare number names an incident unless a channel is literally called that. */
async function isChannelRef(ref: string): Promise<boolean> {
  try {
    const c = await findChannelByReference(getPool(), OPERATOR, ref);
    return c.name === ref || c.externalId === ref;
  } catch {
    return false;
  }
}
