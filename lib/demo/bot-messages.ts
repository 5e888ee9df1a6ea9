import type { TSlackAttachment, TSlackMessage } from "./slack-export-format";
import { slackLink } from "./slack-export-format";
import { formatDuration } from "./ops-vocabulary";

/**
 * Builders for the bot posts both generators write: chatops command runs
 * (start and finish, with exit code and duration), Alertmanager-style alerts
 * and PagerDuty-style incident notifications. They are `bot_message`s with
 * `bot_id` and `username`, carrying the facts in `attachments` (and sometimes
 * `blocks`), which is how these integrations post to Slack.
 */

/** A bot as it posts: its `B…` id and display username. */
export interface TBotIdentity {
  botId: string;
  username: string;
}

function botMessage(bot: TBotIdentity, ts: string, text: string): TSlackMessage {
  return { type: "message", subtype: "bot_message", text, ts, bot_id: bot.botId, username: bot.username };
}

/** The bot's acknowledgement that it started a command. */
export function buildCommandStartMessage(args: {
  bot: TBotIdentity;
  ts: string;
  command: string;
  invokerId: string;
  jobId: number;
}): TSlackMessage {
  return botMessage(args.bot, args.ts, `Running \`${args.command}\` for <@${args.invokerId}> (job #${args.jobId}) …`);
}

/** The bot's report that a command finished, with status, exit code and duration. */
export function buildCommandFinishMessage(args: {
  bot: TBotIdentity;
  ts: string;
  command: string;
  invokerId: string;
  jobId: number;
  exitCode: number;
  durationSeconds: number;
  /** Last lines of output, shown in a code block. */
  output: string;
}): TSlackMessage {
  const ok = args.exitCode === 0;
  const duration = formatDuration(args.durationSeconds);
  const verdict = ok ? `succeeded in ${duration}` : `failed after ${duration}`;
  const text = `${ok ? ":white_check_mark:" : ":x:"} \`${args.command}\` ${verdict} (exit code ${args.exitCode})`;
  const attachment: TSlackAttachment = {
    id: 1,
    color: ok ? "good" : "danger",
    fallback: `${args.command}: ${ok ? "succeeded" : "failed"} (exit code ${args.exitCode}, ${duration})`,
    title: `${args.command} — ${ok ? "succeeded" : "failed"}`,
    text: "```" + args.output + "```",
    fields: [
      { title: "Status", value: ok ? "succeeded" : "failed", short: true },
      { title: "Exit code", value: String(args.exitCode), short: true },
      { title: "Duration", value: duration, short: true },
      { title: "Job", value: `#${args.jobId}`, short: true },
      { title: "Requested by", value: `<@${args.invokerId}>`, short: true },
    ],
    footer: args.bot.username,
    mrkdwn_in: ["text"],
  };
  return { ...botMessage(args.bot, args.ts, text), attachments: [attachment] };
}

/** An Alertmanager-style alert, firing or resolved. */
export function buildAlertMessage(args: {
  bot: TBotIdentity;
  ts: string;
  state: "firing" | "resolved";
  alertName: string;
  host: string;
  env: string;
  severity: string;
  description: string;
  dashboardUrl: string;
  runbookUrl: string;
  /** Number of alerts grouped in the notification. */
  count?: number;
}): TSlackMessage {
  const firing = args.state === "firing";
  const title = firing
    ? `[FIRING:${args.count ?? 1}] ${args.alertName} ${args.host} (${args.env})`
    : `[RESOLVED] ${args.alertName} ${args.host} (${args.env})`;
  const attachment: TSlackAttachment = {
    id: 1,
    color: firing ? "danger" : "good",
    fallback: title,
    title,
    title_link: args.dashboardUrl,
    text: `*Alert:* ${args.alertName} - \`${args.severity}\`\n*Description:* ${args.description}\n*Instance:* ${args.host}`,
    fields: [
      { title: "severity", value: args.severity, short: true },
      { title: "env", value: args.env, short: true },
      { title: "runbook", value: slackLink(args.runbookUrl), short: false },
    ],
    footer: "Alertmanager",
    mrkdwn_in: ["text"],
  };
  return { ...botMessage(args.bot, args.ts, ""), attachments: [attachment] };
}

/** A PagerDuty-style incident notification (with Block Kit blocks, as the app posts). */
export function buildPagerDutyMessage(args: {
  bot: TBotIdentity;
  ts: string;
  action: "Triggered" | "Acknowledged" | "Resolved";
  incidentNumber: number;
  title: string;
  service: string;
  /** Who acknowledged or resolved (a user id), if anyone. */
  byUserId?: string;
  blockId: string;
}): TSlackMessage {
  const url = `https://acme.pagerduty.com/incidents/Q${args.incidentNumber}`;
  const by = args.byUserId ? ` by <@${args.byUserId}>` : "";
  const headline = `${args.action} #${args.incidentNumber}: ${args.title}${by}`;
  const color = args.action === "Triggered" ? "danger" : args.action === "Acknowledged" ? "warning" : "good";
  return {
    ...botMessage(args.bot, args.ts, ""),
    attachments: [
      {
        id: 1,
        color,
        fallback: headline,
        title: `#${args.incidentNumber}: ${args.title}`,
        title_link: url,
        text: `${args.action}${by} — service *${args.service}*`,
        fields: [
          { title: "Status", value: args.action, short: true },
          { title: "Urgency", value: "High", short: true },
        ],
        footer: "PagerDuty",
      },
    ],
    blocks: [
      {
        type: "section",
        block_id: args.blockId,
        text: { type: "mrkdwn", text: `*${args.action}*${by}: ${slackLink(url, `#${args.incidentNumber} ${args.title}`)}`, verbatim: false },
      },
    ],
  };
}
