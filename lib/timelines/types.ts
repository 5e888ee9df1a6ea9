/**
 * The merged incident timeline: messages, thread replies, bot command runs,
 * alerts and channel events in one chronological stream, each with its
 * source. Plain data (no Prisma types), safe to hand to client components.
 */

/** The `kind` of an event, as the JSON export names it. */
export type TEventKind =
  | "detection"
  | "acknowledgement"
  | "escalation"
  | "mitigation"
  | "resolution"
  | "communication"
  | "message"
  | "execution"
  | "alert"
  | "channel_event";

/** The finer classification behind `kind` (what a rule recognised). */
export type TCategory =
  | "detection"
  | "acknowledgement"
  | "escalation"
  | "finding"
  | "mitigation"
  | "recovery"
  | "resolution"
  | "communication"
  | "bot_reply";

/** Extra facts a message may carry besides its category. */
export type TTag = "action_item" | "contributing_factor" | "impact" | "went_well" | "went_poorly" | "decision";

/** The state an alert notification reports. */
export type TAlertState = "firing" | "resolved" | "acknowledged" | "escalated" | "info";

/** A monitoring notification recognised in a message. */
export type TAlert = {
  provider: "pagerduty" | "opsgenie" | "alertmanager" | "grafana" | "datadog" | "sentry" | "cloudwatch";
  state: TAlertState;
  title: string;
  /** Alerts grouped in the notification (`[FIRING:3]`). */
  count: number | null;
};

/** A bot command run shown inline with the message that triggered it. */
export type TExecutionView = {
  /** execution.id, or null when recognised from the bot's chat replies only. */
  id: number | null;
  origin: "record" | "chat";
  bot: string;
  command: string;
  invoker: string | null;
  status: "succeeded" | "failed" | "running" | string;
  exitCode: number | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  /** Last lines of output (bounded). */
  output: string | null;
  /** ts of the message that asked for it. */
  triggerTs: string | null;
};

/** Where an event comes from and how to open it. */
export type TEventSource = {
  /** Slack id of the channel. */
  channel: string;
  channelId: number;
  channelName: string;
  /** The message (or channel event) ts; for executions the triggering message. */
  ts: string | null;
  executionId: number | null;
  /** App path that opens the source in context. */
  href: string;
};

/** How the archive's copy of a message changed after it was posted. */
export type TEventFlags = {
  edited: boolean;
  editedAt: string | null;
  /** Edited after the incident ended (the text may not be what people saw). */
  editedAfterIncident: boolean;
  deleted: boolean;
  /** Distinct texts archived for the message (1 = never edited). */
  versions: number;
};

/** The human marks on an event (current versions). */
export type TEventMarks = {
  /** true/false when a person (de)marked it a key event; null = rules decide. */
  keyEvent: boolean | null;
  note: string | null;
  hidden: boolean;
};

/** One entry of the stream. */
export type TTimelineEvent = {
  /** Stable id: `m:<ts>`, `x:<execution id>`, `c:<ts of the bot reply>`, `e:<ts>`. */
  id: string;
  at: string;
  kind: TEventKind;
  category: TCategory | null;
  tags: TTag[];
  /** Which rule classified it (for explaining and testing). */
  ruleId: string | null;
  keyEvent: boolean;
  actor: string | null;
  actorId: string | null;
  isBot: boolean;
  text: string;
  threadTs: string | null;
  isReply: boolean;
  source: TEventSource;
  alert: TAlert | null;
  execution: TExecutionView | null;
  flags: TEventFlags;
  marks: TEventMarks;
  links: TLink[];
  /** Person external ids mentioned in the text. */
  mentions: string[];
};

/** The kinds of link a postmortem groups. */
export type TLinkKind = "dashboard" | "pull_request" | "ticket" | "runbook" | "status_page" | "other";

/** A link shared in the chat. */
export type TLink = { url: string; label: string | null; kind: TLinkKind };

/** A stretch with no activity, shown between events. */
export type TQuietGap = { from: string; to: string; minutes: number; afterEventId: string };

/** A thread and its replies, for the grouped view. */
export type TThreadGroup = { rootId: string | null; threadTs: string; eventIds: string[] };

/** The merged timeline of a channel (or one incident's part of it). */
export type TTimeline = {
  channel: { id: number; externalId: string; name: string; kind: string };
  range: { from: string | null; to: string | null };
  events: TTimelineEvent[];
  gaps: TQuietGap[];
  threads: TThreadGroup[];
  /** Events hidden by a mark (kept out of `events`). */
  hiddenCount: number;
};
