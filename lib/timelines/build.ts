import { msToIso } from "../archive/iso-time";
import { recognizeAlert } from "./alerts";
import { findRequestedCommand, normalizeExecutionStatus, recognizeBotReply } from "./chat-commands";
import { findLinks } from "./links";
import { slackToPlainText } from "./plain-text";
import { classifyMessage, isSymptomReport, MITIGATION_VERBS } from "./rules";
import type { TCategory, TEventKind, TEventMarks, TExecutionView, TQuietGap, TThreadGroup, TTimeline, TTimelineEvent } from "./types";

/**
 * The timeline builder: archive rows in, one merged, classified stream out.
 * Pure and deterministic (same rows, same timeline), so it is unit-tested
 * without a database and rebuilt on every read; human marks are applied by
 * source identity, which is why they survive any rebuild.
 */

/** A message as the builder needs it. */
export type TMessageInput = {
  ts: string;
  threadTs: string | null;
  authorId: string | null;
  authorName: string | null;
  authorIsBot: boolean;
  botId: string | null;
  username: string | null;
  subtype: string | null;
  text: string;
  searchText: string;
  postedAt: Date;
  editedAt: Date | null;
  deleted: boolean;
  /** Distinct texts archived (1 = never edited). */
  versions: number;
};

/** An execution record. */
export type TExecutionInput = {
  id: number;
  bot: string;
  command: string;
  arguments: unknown;
  invoker: string | null;
  messageTs: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  status: string;
  exitCode: number | null;
  output: string | null;
};

/** A channel event (join, leave, topic…). */
export type TChannelEventInput = {
  ts: string;
  kind: string;
  subtype: string;
  actor: string | null;
  subject: string | null;
  value: string | null;
  text: string;
  occurredAt: Date;
};

/** The current version of a human mark. */
export type TMarkInput = {
  sourceKind: "message" | "execution" | "channel_event";
  sourceKey: string;
  kind: "key_event" | "note" | "hide";
  note: string | null;
  active: boolean;
};

/** Everything the builder reads. */
export type TTimelineInput = {
  channel: { id: number; externalId: string; name: string; kind: string };
  range?: { from: Date | null; to: Date | null };
  messages: TMessageInput[];
  executions: TExecutionInput[];
  channelEvents: TChannelEventInput[];
  /** Display names by person external id. */
  people: Map<string, string>;
  marks?: TMarkInput[];
  /** When the incident ended (for flagging later edits); null = not known. */
  incidentEnd?: Date | null;
  /** Shortest silence shown as a quiet gap, in minutes (default 15). */
  gapMinutes?: number;
  /** Keep hidden events in the stream (the marking view needs them). */
  includeHidden?: boolean;
};

const MAX_TEXT = 600;
const MAX_OUTPUT = 2000;
const DELETED_TEXT = "This message was deleted.";
/** How long after a request a bot's reply may still belong to it. */
const REPLY_WINDOW_MS = 60 * 60 * 1000;

/** UTC day (YYYY-MM-DD) by days since the epoch: a Date per message is most of a large build's cost. */
const dayNames = new Map<number, string>();
function utcDayOfSeconds(seconds: number): string {
  const n = Math.floor(seconds / 86_400);
  let day = dayNames.get(n);
  if (day === undefined) {
    day = new Date(n * 86_400_000).toISOString().slice(0, 10);
    if (dayNames.size < 100_000) dayNames.set(n, day);
  }
  return day;
}

/** `date.toISOString()`, without a Date method call per event (see lib/archive/iso-time). */
export function isoOfDate(date: Date): string {
  return msToIso(date.getTime());
}

/** The app path that opens a message in its channel (thread replies open their thread). */
export function buildMessageHref(channelId: number, ts: string, threadTs: string | null): string {
  const isReply = threadTs !== null && threadTs !== ts;
  const anchor = isReply ? threadTs : ts;
  const dot = anchor.indexOf(".");
  const day = utcDayOfSeconds(Number(dot === -1 ? anchor : anchor.slice(0, dot)));
  // ts values are digits and a dot: nothing to escape.
  return `/channels/${channelId}?day=${day}${isReply ? `&thread=${threadTs}` : ""}#m-${ts}`;
}

/** The app path of an execution record. */
export function buildExecutionHref(id: number): string {
  return `/executions/${id}`;
}

function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}

function isMitigationCommand(command: string): boolean {
  const verb = command.trim().split(/\s+/)[0]?.toLowerCase().replace(/^[!./]/, "") ?? "";
  return (MITIGATION_VERBS as readonly string[]).includes(verb) || /^(roll|fail)/.test(verb);
}

const CATEGORY_KIND: Record<TCategory, TEventKind> = {
  detection: "detection",
  acknowledgement: "acknowledgement",
  escalation: "escalation",
  finding: "message",
  mitigation: "mitigation",
  recovery: "mitigation",
  resolution: "resolution",
  communication: "communication",
  bot_reply: "message",
};

/**
 * An event while the stream is assembled: the final event object (built
 * once, no copies) and what ordering, ranges and marks need. `atMs` is `at`
 * as a number, so sorting, ranges and gaps never parse dates again.
 */
type TDraftEvent = { e: TTimelineEvent; order: number; markKind: TMarkInput["sourceKind"]; markKey: string; atMs: number; sortAt: number };

/** Shared by every event without edits or marks (a cached timeline is frozen, so sharing is safe). */
const PLAIN_FLAGS: TTimelineEvent["flags"] = { edited: false, editedAt: null, editedAfterIncident: false, deleted: false, versions: 1 };
const NO_MARKS: TEventMarks = { keyEvent: null, note: null, hidden: false };
const NONE: never[] = [];

/** Build the merged timeline of one channel (optionally one time range of it). */
export function buildTimeline(input: TTimelineInput): TTimeline {
  const { channel } = input;
  const from = input.range?.from ?? null;
  const to = input.range?.to ?? null;
  const nameOf = (id: string | null | undefined) => (id ? input.people.get(id) : undefined);
  const ctx = { userName: (id: string) => nameOf(id), channelName: (id: string) => (id === channel.externalId ? channel.name : undefined) };
  const plainOf = (raw: string) => slackToPlainText(raw, ctx).replace(/\s+\n/g, "\n").trim();
  const source = (ts: string | null, threadTs: string | null, executionId: number | null, href: string) => ({
    channel: channel.externalId,
    channelId: channel.id,
    channelName: channel.name,
    ts,
    executionId,
    href,
  });

  const messages = [...input.messages].sort((a, b) => a.postedAt.getTime() - b.postedAt.getTime() || a.ts.localeCompare(b.ts));
  const drafts: TDraftEvent[] = [];
  let order = 0;

  // Execution records by the message that triggered them.
  const recordsByTrigger = new Map<string, TExecutionInput[]>();
  for (const x of input.executions) {
    if (!x.messageTs) continue;
    const list = recordsByTrigger.get(x.messageTs) ?? [];
    list.push(x);
    recordsByTrigger.set(x.messageTs, list);
  }

  // Commands asked for in chat, waiting for the bot's replies.
  type TPending = { ts: string; at: number; command: string; invoker: string | null; startTs: string | null; startAt: number | null };
  const pending: TPending[] = [];
  const chatExecutions: { exec: TExecutionView; replyTs: string }[] = [];
  // By index into `messages`: the bot replies folded into an execution event.
  const folded = new Uint8Array(messages.length);

  const matchPending = (command: string, at: number, wantStarted: boolean): TPending | undefined => {
    for (let i = pending.length - 1; i >= 0; i--) {
      const p = pending[i]!;
      if (at - p.at > REPLY_WINDOW_MS) continue;
      if (wantStarted && p.startTs === null) continue;
      if (p.command === command || p.command.startsWith(command) || command.startsWith(p.command)) return p;
    }
    return undefined;
  };

  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    const at = m.postedAt.getTime();
    // Requests too old for any reply to match leave the queue (messages come in time order).
    let stale = 0;
    while (stale < pending.length && at - pending[stale]!.at > REPLY_WINDOW_MS) stale++;
    if (stale > 0) pending.splice(0, stale);
    const isBot = m.authorIsBot || m.botId !== null || m.subtype === "bot_message";
    if (!m.deleted && !isBot) {
      const requested = findRequestedCommand(m.text);
      if (requested) pending.push({ ts: m.ts, at, command: requested, invoker: m.authorId, startTs: null, startAt: null });
    }
    if (!isBot || m.deleted) continue;
    const reply = recognizeBotReply(m.text);
    if (!reply) continue;
    if (reply.type === "start") {
      const p = matchPending(reply.command, at, false);
      if (p && p.startTs === null) {
        p.startTs = m.ts;
        p.startAt = at;
        folded[i] = 1;
      } else if (reply.selfReported) {
        // The bot logs the start itself: that line is the trigger.
        pending.push({ ts: m.ts, at, command: reply.command, invoker: reply.invoker, startTs: m.ts, startAt: at });
        folded[i] = 1;
      }
      continue;
    }
    const matched = matchPending(reply.command, at, true) ?? matchPending(reply.command, at, false);
    // A report of a run whose start we never saw: the report itself is the evidence.
    const p: TPending = matched ?? { ts: m.ts, at: reply.durationMs !== null ? at - reply.durationMs : at, command: reply.command, invoker: null, startTs: null, startAt: null };
    if (!matched) pending.push(p);
    pending.splice(pending.indexOf(p), 1);
    folded[i] = 1;
    if (recordsByTrigger.has(p.ts)) continue; // the record is the better evidence
    const startedAt = p.startAt ?? (reply.durationMs !== null ? at - reply.durationMs : p.at);
    chatExecutions.push({
      replyTs: m.ts,
      exec: {
        id: null,
        origin: "chat",
        bot: m.username ?? m.authorName ?? "bot",
        command: reply.command,
        invoker: nameOf(p.invoker) ?? p.invoker,
        status: reply.status,
        exitCode: reply.exitCode,
        startedAt: new Date(startedAt).toISOString(),
        finishedAt: isoOfDate(m.postedAt),
        durationMs: reply.durationMs ?? (p.startAt !== null ? at - startedAt : null),
        output: clip(plainOf(m.searchText.split("\n").slice(1).join("\n")), MAX_OUTPUT) || null,
        triggerTs: p.ts,
      },
    });
  }

  let firstFiringSeen = false;
  // Only messages that triggered an execution are looked up by ts (to place the execution right after them).
  const triggers = new Set<string>(recordsByTrigger.keys());
  for (const c of chatExecutions) if (c.exec.triggerTs !== null) triggers.add(c.exec.triggerTs);
  const byMessageTs = new Map<string, TDraftEvent>();
  for (let i = 0; i < messages.length; i++) {
    if (folded[i] === 1) continue;
    const m = messages[i]!;
    const isBot = m.authorIsBot || m.botId !== null || m.subtype === "bot_message";
    const isReply = m.threadTs !== null && m.threadTs !== m.ts;
    const actorName = m.authorIsBot || !m.authorName ? (m.username ?? m.authorName) : m.authorName;
    const atMs = m.postedAt.getTime();
    const flags: TTimelineEvent["flags"] =
      m.editedAt === null && m.versions <= 1 && !m.deleted
        ? PLAIN_FLAGS
        : {
            edited: m.editedAt !== null || m.versions > 1,
            editedAt: m.editedAt ? isoOfDate(m.editedAt) : null,
            editedAfterIncident: Boolean(m.editedAt && input.incidentEnd && m.editedAt > input.incidentEnd),
            deleted: m.deleted,
            versions: m.versions,
          };
    // Every message event has one shape (the same property order), classified fields filled in below.
    const e: TTimelineEvent = {
      id: `m:${m.ts}`,
      at: isoOfDate(m.postedAt),
      kind: "message",
      category: null,
      tags: NONE,
      ruleId: null,
      keyEvent: false,
      actor: actorName ?? null,
      actorId: m.authorId,
      isBot,
      text: DELETED_TEXT,
      threadTs: m.threadTs,
      isReply,
      source: source(m.ts, m.threadTs, null, buildMessageHref(channel.id, m.ts, m.threadTs)),
      alert: null,
      execution: null,
      flags,
      marks: NO_MARKS,
      links: NONE,
      mentions: NONE,
    };
    const d: TDraftEvent = { e, order: order++, markKind: "message", markKey: m.ts, atMs, sortAt: atMs };
    drafts.push(d);
    if (triggers.has(m.ts)) byMessageTs.set(m.ts, d);
    if (m.deleted) continue;
    const plain = plainOf(m.text);
    // Most people's messages have no attachments: their searchable text is their text.
    const bodyPlain = !m.searchText || m.searchText === m.text ? plain : plainOf(m.searchText);
    const links = findLinks(m.searchText || m.text);
    if (links.length) e.links = links;
    if (m.text.includes("<@")) e.mentions = [...new Set([...m.text.matchAll(/<@([A-Z0-9]+)(?:\|[^>]*)?>/g)].map((x) => x[1]!))];
    const alert = recognizeAlert({ sender: m.username ?? m.authorName, isBot, body: m.searchText || m.text });
    if (alert) {
      let kind: TEventKind = "alert";
      let category: TCategory | null = null;
      let keyEvent = false;
      const paging = alert.provider === "pagerduty" || alert.provider === "opsgenie";
      if (alert.state === "firing" && !firstFiringSeen) {
        firstFiringSeen = true;
        kind = "detection";
        category = "detection";
        keyEvent = true;
      } else if (alert.state === "acknowledged") {
        kind = "acknowledgement";
        category = "acknowledgement";
        keyEvent = true;
      } else if (alert.state === "escalated") {
        kind = "escalation";
        category = "escalation";
        keyEvent = true;
      } else if (alert.state === "resolved") {
        kind = paging ? "resolution" : "alert";
        category = paging ? "resolution" : "recovery";
        keyEvent = true;
      }
      // Alert bodies repeat themselves (fallback, title, fields): the title and one detail line say it.
      const title = plainOf(alert.title);
      const detail = bodyPlain.split("\n").map((l) => l.trim()).find((l) => l && l !== title && !title.includes(l) && !/^https?:/.test(l)) ?? "";
      const alertText = plain || [title, detail].filter(Boolean).join(" · ");
      e.kind = kind;
      e.category = category;
      e.ruleId = `alert.${alert.provider}.${alert.state}`;
      e.keyEvent = keyEvent;
      e.text = clip(alertText, 300);
      e.alert = alert;
      continue;
    }
    const c = classifyMessage({ plain: plain || bodyPlain, raw: m.text, isBot });
    const category = c.category;
    e.kind = category ? CATEGORY_KIND[category] : "message";
    e.category = category;
    if (c.tags.length) e.tags = c.tags;
    e.ruleId = c.ruleId;
    e.keyEvent = category !== null && category !== "bot_reply";
    e.text = clip(plain || bodyPlain.split("\n").filter(Boolean).join(" · "), MAX_TEXT);
  }

  // Only the first acknowledgement is the acknowledgement; later ones are chatter.
  let ackSeen = false;
  for (const { e } of drafts) {
    if (e.category !== "acknowledgement") continue;
    if (ackSeen) e.keyEvent = false;
    ackSeen = true;
  }

  // Without an alert, the first report of a symptom by a person is the detection, else their first message.
  if (!firstFiringSeen) {
    const reports = drafts.filter((d) => !d.e.isBot && !d.e.flags.deleted && !d.e.isReply && (!from || d.atMs >= from.getTime()));
    const first = reports.find((d) => isSymptomReport(d.e.text)) ?? reports[0];
    if (first) {
      first.e.kind = "detection";
      first.e.category = "detection";
      first.e.ruleId = "detection.first-report";
      first.e.keyEvent = true;
    }
  }

  const execEvent = (x: TExecutionView, id: string, markKey: string): TDraftEvent => {
    const failed = x.status === "failed";
    const verdict = x.status === "succeeded" ? "succeeded" : x.status;
    const exit = x.exitCode !== null ? `, exit code ${x.exitCode}` : "";
    const mitigation = isMitigationCommand(x.command);
    const trigger = x.triggerTs !== null ? byMessageTs.get(x.triggerTs) : undefined;
    const atMs = Date.parse(x.startedAt);
    return {
      e: {
        id,
        at: x.startedAt,
        kind: "execution",
        category: mitigation ? "mitigation" : null,
        tags: failed ? ["went_poorly"] : NONE,
        ruleId: x.origin === "chat" ? "execution.chat-reply" : "execution.record",
        keyEvent: failed || mitigation,
        actor: x.invoker,
        actorId: null,
        isBot: false,
        text: `${x.command} — ${verdict}${exit}`,
        threadTs: null,
        isReply: false,
        source: source(
          x.triggerTs,
          null,
          x.id,
          x.id !== null ? buildExecutionHref(x.id) : buildMessageHref(channel.id, x.triggerTs ?? markKey, null),
        ),
        alert: null,
        execution: x,
        flags: PLAIN_FLAGS,
        marks: NO_MARKS,
        links: NONE,
        mentions: NONE,
      },
      // Right after the message that asked for it (inline), even if the bot was slow to start.
      order: (trigger ? trigger.order : order) + 0.5,
      markKind: "execution",
      markKey,
      atMs,
      sortAt: trigger ? trigger.atMs : atMs,
    };
  };

  for (const c of chatExecutions) drafts.push(execEvent(c.exec, `c:${c.replyTs}`, `chat:${c.replyTs}`));
  for (const x of input.executions) {
    const durationMs = x.finishedAt ? x.finishedAt.getTime() - x.startedAt.getTime() : null;
    const args = Array.isArray(x.arguments) ? x.arguments.map(String).join(" ") : typeof x.arguments === "string" ? x.arguments : "";
    const command = x.command.includes(" ") || !args ? x.command : `${x.command} ${args}`;
    drafts.push(
      execEvent(
        {
          id: x.id,
          origin: "record",
          bot: x.bot,
          command,
          invoker: nameOf(x.invoker) ?? x.invoker,
          status: normalizeExecutionStatus(x.status, x.exitCode),
          exitCode: x.exitCode,
          startedAt: isoOfDate(x.startedAt),
          finishedAt: x.finishedAt ? isoOfDate(x.finishedAt) : null,
          durationMs,
          output: x.output ? clip(x.output, MAX_OUTPUT) : null,
          triggerTs: x.messageTs,
        },
        `x:${x.id}`,
        String(x.id),
      ),
    );
  }

  for (const ev of input.channelEvents) {
    const atMs = ev.occurredAt.getTime();
    drafts.push({
      e: {
        id: `e:${ev.ts}`,
        at: isoOfDate(ev.occurredAt),
        kind: "channel_event",
        category: null,
        tags: NONE,
        ruleId: `channel_event.${ev.kind}`,
        keyEvent: false,
        actor: nameOf(ev.actor) ?? ev.actor,
        actorId: ev.actor,
        isBot: false,
        text: clip(plainOf(ev.text), MAX_TEXT),
        threadTs: null,
        isReply: false,
        source: source(ev.ts, null, null, buildMessageHref(channel.id, ev.ts, null)),
        alert: null,
        execution: null,
        flags: PLAIN_FLAGS,
        marks: NO_MARKS,
        links: NONE,
        mentions: NONE,
      },
      order: order++,
      markKind: "channel_event",
      markKey: ev.ts,
      atMs,
      sortAt: atMs,
    });
  }

  // Human marks, by source identity.
  if (input.marks?.length) {
    const marks = new Map<string, TMarkInput[]>();
    for (const mk of input.marks) {
      const k = `${mk.sourceKind}|${mk.sourceKey}`;
      marks.set(k, [...(marks.get(k) ?? []), mk]);
    }
    for (const d of drafts) {
      const own = marks.get(`${d.markKind}|${d.markKey}`);
      if (!own) continue;
      const e = d.e;
      e.marks = { ...NO_MARKS };
      for (const mk of own) {
        if (mk.kind === "key_event") {
          e.marks.keyEvent = mk.active;
          e.keyEvent = mk.active;
        } else if (mk.kind === "note" && mk.active) e.marks.note = mk.note;
        else if (mk.kind === "hide" && mk.active) e.marks.hidden = true;
      }
    }
  }

  drafts.sort((a, b) => a.sortAt - b.sortAt || a.order - b.order);

  const fromMs = from ? from.getTime() : -Infinity;
  const toMs = to ? to.getTime() : Infinity;
  const inScope = from || to ? drafts.filter((d) => d.atMs >= fromMs && d.atMs <= toMs) : drafts;
  const hiddenCount = inScope.filter((d) => d.e.marks.hidden).length;
  const visible = input.includeHidden || hiddenCount === 0 ? inScope : inScope.filter((d) => !d.e.marks.hidden);
  const events: TTimelineEvent[] = visible.map((d) => d.e);

  const gapMs = (input.gapMinutes ?? 15) * 60_000;
  const gaps: TQuietGap[] = [];
  for (let i = 1; i < events.length; i++) {
    const a = visible[i - 1]!.atMs;
    const b = visible[i]!.atMs;
    if (b - a >= gapMs) {
      gaps.push({ from: events[i - 1]!.at, to: events[i]!.at, minutes: Math.round((b - a) / 60_000), afterEventId: events[i - 1]!.id });
    }
  }

  const threads = new Map<string, TThreadGroup>();
  for (const e of events) {
    if (!e.threadTs || e.kind === "execution") continue;
    let g = threads.get(e.threadTs);
    if (!g) {
      g = { rootId: null, threadTs: e.threadTs, eventIds: [] };
      threads.set(e.threadTs, g);
    }
    if (!e.isReply) g.rootId = e.id;
    else g.eventIds.push(e.id);
  }

  return {
    channel,
    range: { from: from ? from.toISOString() : null, to: to ? to.toISOString() : null },
    events,
    gaps,
    threads: [...threads.values()].filter((g) => g.eventIds.length > 0),
    hiddenCount,
  };
}
