import type { TIncident } from "../incidents/service";
import type { TDerivedIncident } from "../incidents/derive";
import { formatDateTimeIn, formatDurationMs } from "../timelines/time";
import type { TLinkKind, TTimeline, TTimelineEvent } from "../timelines/types";
import { DEFAULT_TEMPLATE, fillTemplate, type TPlaceholder } from "./template";

/**
 * The deterministic draft postmortem: the same archive gives the same
 * draft, and every statement ends with a link to the message or execution
 * it comes from, so a reviewer can check it against the chat.
 */

/** An action item found in the chat. */
export type TActionItem = { text: string; owners: string[]; ownerSource: "mentioned" | "author"; eventId: string; href: string };

/** The facts of a draft, before rendering (tests assert on these). */
export type TDraftFacts = {
  actionItems: TActionItem[];
  commands: { command: string; status: string; exitCode: number | null; durationMs: number | null; invoker: string | null; href: string }[];
  failedCommands: number;
  links: Record<TLinkKind, { url: string; label: string | null; href: string }[]>;
  people: number;
  messages: number;
};

type TOpts = { tz: string; baseUrl?: string; template?: string };

function esc(s: string): string {
  return s.replace(/([\\`*_[\]<>|])/g, "\\$1").replace(/\s*\n\s*/g, " ");
}

/** Collect the facts the draft reports. */
export function collectDraftFacts(t: TTimeline, base = ""): TDraftFacts {
  const names = new Map<string, string>();
  for (const e of t.events) if (e.actorId && e.actor) names.set(e.actorId, e.actor);
  const actionItems: TActionItem[] = [];
  for (const e of t.events) {
    if (!e.tags.includes("action_item") || e.isBot) continue;
    const mentioned = e.mentions.map((id) => names.get(id) ?? id);
    actionItems.push({
      text: e.text,
      owners: mentioned.length ? mentioned : e.actor ? [e.actor] : [],
      ownerSource: mentioned.length ? "mentioned" : "author",
      eventId: e.id,
      href: base + e.source.href,
    });
  }
  const commands = t.events
    .filter((e) => e.kind === "execution" && e.execution)
    .map((e) => ({
      command: e.execution!.command,
      status: e.execution!.status,
      exitCode: e.execution!.exitCode,
      durationMs: e.execution!.durationMs,
      invoker: e.execution!.invoker,
      href: base + e.source.href,
    }));
  const links: TDraftFacts["links"] = { dashboard: [], pull_request: [], ticket: [], runbook: [], status_page: [], other: [] };
  const seen = new Set<string>();
  for (const e of t.events) {
    for (const l of e.links) {
      if (seen.has(l.url)) continue;
      seen.add(l.url);
      links[l.kind].push({ url: l.url, label: l.label, href: base + e.source.href });
    }
  }
  const people = new Set(t.events.filter((e) => !e.isBot && e.actorId && e.kind !== "channel_event").map((e) => e.actorId));
  return {
    actionItems,
    commands,
    failedCommands: commands.filter((c) => c.status === "failed").length,
    links,
    people: people.size,
    messages: t.events.filter((e) => e.source.ts && e.kind !== "execution" && e.kind !== "channel_event").length,
  };
}

/** Build the draft Markdown for an incident. */
export function buildPostmortemMarkdown(incident: TIncident, derived: TDerivedIncident, t: TTimeline, opts: TOpts): string {
  return draftPostmortem(incident, derived, t, opts).markdown;
}

/** The draft Markdown and the facts it reports (collected once: a large incident has tens of thousands of events). */
export function draftPostmortem(incident: TIncident, derived: TDerivedIncident, t: TTimeline, opts: TOpts): { markdown: string; facts: TDraftFacts } {
  const base = opts.baseUrl?.replace(/\/$/, "") ?? "";
  const facts = collectDraftFacts(t, base);
  const byId = new Map(t.events.map((e) => [e.id, e]));
  const when = (iso: string | null) => (iso ? formatDateTimeIn(iso, opts.tz) : "unknown");
  const src = (e: TTimelineEvent) => `([source](${base}${e.source.href}))`;
  const line = (e: TTimelineEvent, prefix = "") => `- ${prefix}${e.actor ? `${esc(e.actor)}: ` : ""}${esc(e.text)} ${src(e)}`;
  const list = (items: string[], empty: string) => (items.length ? items.join("\n") : `_${empty}_`);
  const timeRef = (f: keyof TDerivedIncident["times"]) => {
    const d = derived.times[f];
    const overridden = incident.overrides[f];
    const at = incident.times[f];
    if (!at) return "unknown";
    if (overridden) return `${when(at)} (set by hand: ${esc(overridden.reason)})`;
    const e = d?.eventId ? byId.get(d.eventId) : undefined;
    return `${when(at)}${d ? ` — ${d.why}` : ""}${e ? ` ${src(e)}` : ""}`;
  };

  const m = incident.metrics;
  const impactEvents = t.events.filter((e) => e.tags.includes("impact") || (e.kind === "detection" && e.alert));
  const detection = t.events.find((e) => e.kind === "detection");
  const acks = t.events.filter((e) => e.kind === "acknowledgement" || e.kind === "escalation");
  const key = t.events.filter((e) => e.keyEvent);
  const factors = t.events.filter((e) => e.tags.includes("contributing_factor") && !e.isBot);
  const resolutionEvents = t.events.filter((e) => e.category === "recovery" || e.kind === "resolution" || (e.kind === "execution" && e.category === "mitigation" && e.execution?.status === "succeeded"));
  const wentWell: string[] = [];
  if (m.timeToAcknowledgeMs !== null && m.timeToAcknowledgeMs <= 5 * 60_000 && derived.times.acknowledgedAt?.eventId) {
    const e = byId.get(derived.times.acknowledgedAt.eventId);
    if (e) wentWell.push(`- Acknowledged ${formatDurationMs(m.timeToAcknowledgeMs)} after detection ${src(e)}`);
  }
  for (const e of t.events.filter((x) => x.tags.includes("went_well"))) wentWell.push(line(e));
  for (const e of t.events.filter((x) => x.kind === "execution" && x.category === "mitigation" && x.execution?.status === "succeeded")) {
    wentWell.push(`- \`${esc(e.execution!.command)}\` succeeded in ${formatDurationMs(e.execution!.durationMs)} ${src(e)}`);
  }
  const wentPoorly = t.events.filter((e) => e.tags.includes("went_poorly")).map((e) => line(e));
  const summaryParts = [
    `${esc(incident.title)} in #${esc(incident.channel.name)}`,
    incident.times.startedAt ? `from ${when(incident.times.startedAt)}` : null,
    incident.times.resolvedAt ? `to ${when(incident.times.resolvedAt)} (${formatDurationMs(m.durationMs)})` : null,
  ].filter(Boolean);
  const summaryLines = [`${summaryParts.join(" ")}.`];
  const statement = [...t.events].reverse().find((e) => e.kind === "resolution" && !e.isBot) ?? factors[0];
  if (statement) summaryLines.push("", `> ${esc(statement.text)} ${src(statement)}`);

  const names = new Map(incident.participants.map((p) => [p.person, p.name]));
  const linkLabels: Record<TLinkKind, string> = {
    dashboard: "Dashboards",
    pull_request: "Pull requests",
    ticket: "Tickets",
    runbook: "Runbooks",
    status_page: "Status pages",
    other: "Other",
  };
  const linkLines: string[] = [];
  for (const k of Object.keys(linkLabels) as TLinkKind[]) {
    const ls = facts.links[k];
    if (!ls.length) continue;
    linkLines.push(`**${linkLabels[k]}**`, "", ...ls.map((l) => `- [${esc(l.label ?? l.url)}](${l.url}) ([shared here](${l.href}))`), "");
  }
  const values: Record<TPlaceholder, string> = {
    title: esc(incident.title),
    generated_note: `_Draft generated from the archive. Every statement links to its source; check them before publishing. Times in ${opts.tz}._`,
    severity: incident.severity ?? "not stated",
    status: incident.status,
    channel: `#${esc(incident.channel.name)}`,
    started: when(incident.times.startedAt),
    resolved: when(incident.times.resolvedAt),
    summary: summaryLines.join("\n"),
    impact: list(impactEvents.map((e) => line(e)), "No user-facing impact was stated in the chat."),
    detection: [
      `Detected: ${timeRef("detectedAt")}`,
      "",
      detection ? line(detection) : "_No alert or first report found._",
    ].join("\n"),
    response: [`Acknowledged: ${timeRef("acknowledgedAt")}`, "", list(acks.map((e) => line(e)), "No acknowledgement or escalation found.")].join("\n"),
    participants: list(
      incident.participants.map((p) => `- ${esc(p.name)} — ${esc(p.role)}`),
      "No participants found.",
    ),
    timeline: list(key.map((e) => `- ${when(e.at)} — \`${e.kind}\` ${e.actor ? `${esc(e.actor)}: ` : ""}${esc(e.text)} ${src(e)}`), "No key events."),
    actions: list(
      facts.commands.map(
        (c) =>
          `- \`${esc(c.command)}\` by ${esc(c.invoker ?? "unknown")} — **${c.status}**${c.exitCode !== null ? `, exit code ${c.exitCode}` : ""}, ${formatDurationMs(c.durationMs)} ([source](${c.href}))`,
      ),
      "No commands were run.",
    ),
    resolution: [`Mitigated: ${timeRef("mitigatedAt")}`, "", `Resolved: ${timeRef("resolvedAt")}`, "", list(resolutionEvents.map((e) => line(e)), "No resolution found.")].join("\n"),
    contributing_factors: list(factors.map((e) => line(e, "Candidate: ")), "No contributing factors were named in the chat."),
    went_well: list(wentWell, "Nothing recorded."),
    went_poorly: list(wentPoorly, "Nothing recorded."),
    action_items: list(
      facts.actionItems.map((a) => `- [ ] ${esc(a.text)} — owner: ${a.owners.map(esc).join(", ") || "unassigned"}${a.ownerSource === "author" ? " (raised it)" : ""} ([source](${a.href}))`),
      "No action items found.",
    ),
    links: linkLines.length ? linkLines.join("\n").trim() : "_No links were shared._",
    metrics: [
      "| metric | value |",
      "| --- | --- |",
      `| Time to detect (started → detected) | ${formatDurationMs(m.timeToDetectMs)} |`,
      `| Time to acknowledge (detected → acknowledged) | ${formatDurationMs(m.timeToAcknowledgeMs)} |`,
      `| Time to mitigate (started → mitigated) | ${formatDurationMs(m.timeToMitigateMs)} |`,
      `| Time to resolve (started → resolved) | ${formatDurationMs(m.timeToResolveMs)} |`,
      `| Duration | ${formatDurationMs(m.durationMs)} |`,
      `| People involved | ${facts.people} |`,
      `| Messages | ${facts.messages} |`,
      `| Commands run | ${facts.commands.length} |`,
      `| Commands failed | ${facts.failedCommands} |`,
    ].join("\n"),
  };
  void names;
  return { markdown: fillTemplate(opts.template ?? DEFAULT_TEMPLATE, values).replace(/\n{3,}/g, "\n\n"), facts };
}
