import type { TCommand } from "./commands";
import { AppError } from "../../lib/errors";
import { getPool } from "../../lib/db";
import { prepareDatabase } from "../../lib/database/prepare";
import { runSlackSync } from "../../lib/sources/sync-service";
import { connectSlack } from "../../lib/sources/connections";
import { findSlackCompleteness, type TChannelCompleteness } from "../../lib/sources/completeness";
import { findArchiveStats } from "../../lib/archive/stats";
import { createProgressBar } from "./progress";

const out = (s: string): void => void process.stdout.write(s + "\n");
const printJson = (v: unknown) => out(JSON.stringify(v, null, 2));

/** `--since`: a date (2024-01-31), an ISO time, or a Slack ts → Slack ts. */
export function parseSince(v: string): string {
  if (/^\d{9,10}(\.\d{1,6})?$/.test(v)) return Number(v).toFixed(6);
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(ms)) throw new AppError("usage", `--since: expected a date like 2024-01-31, an ISO time or a Slack ts, got "${v}"`, { field: "since" });
  return (ms / 1000).toFixed(6);
}

function listOption(v: unknown): string[] | undefined {
  const list = (Array.isArray(v) ? v : v === undefined ? [] : [v]).flatMap((x) => String(x).split(",")).map((x) => x.trim()).filter(Boolean);
  return list.length ? list : undefined;
}

function positiveNumber(v: unknown, field: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new AppError("usage", `--${field} must be a positive number`, { field });
  return n;
}

function describeChannel(c: TChannelCompleteness): string {
  const state = c.lastError ? `error: ${c.lastError}` : c.inProgress ? `syncing (back to ${c.inProgress.archivedBackTo})` : c.complete ? "complete" : c.ranges.length ? "partial" : "not synced";
  const gaps = c.gaps.length ? ` gaps: ${c.gaps.map((g) => `${g.from ?? "beginning"}…${g.to ?? "now"}`).join(", ")}` : "";
  return `  ${(c.kind === "dm" ? c.name : `#${c.name}`).padEnd(32)} ${String(c.messages).padStart(7)} msgs  threads ${c.threadsFetched}/${c.threads}  ${state}${gaps}  last sync ${c.lastSyncAt ?? "never"}`;
}

/** CLI commands for live sources: Slack sync and the completeness report. */
export const SOURCE_COMMANDS: TCommand[] = [
  {
    name: "sync slack",
    usage: "sync slack --token <xoxb-…|xoxp-…> [--channels <id|name>,…] [--since <date|ts>] [--lookback-days N] [--regime internal|non-marketplace] [--schedule-minutes N] [--json]",
    summary: "Back-fill and incrementally sync a Slack workspace through the Web API.",
    details:
      "Reads every conversation the token can see (or --channels), with threads. Runs resume where a killed run stopped; later runs " +
      "re-read the last --lookback-days (default 7) to catch edits, deletions and new replies. --regime non-marketplace keeps to " +
      "Slack's one request a minute, 15 messages a page for apps outside the Marketplace. With --schedule-minutes the token is " +
      "stored encrypted and the worker syncs every N minutes instead. The token may also come from SLACK_TOKEN; it is never printed.",
    options: {
      token: { type: "string", help: "bot (xoxb-) or user (xoxp-) token; default $SLACK_TOKEN" },
      channels: { type: "string", multiple: true, help: "channel ids or names, comma-separated or repeated" },
      since: { type: "string", help: "read no further back than this date, ISO time or Slack ts" },
      "lookback-days": { type: "string", help: "days re-read before the last sync's end (default 7)" },
      regime: { type: "string", help: "internal (Tier 3, default) or non-marketplace" },
      "api-url": { type: "string", help: "Web API base URL (default https://slack.com/api/)" },
      "schedule-minutes": { type: "string", help: "store the connection and let the worker sync every N minutes" },
      json: { type: "boolean", help: "print a JSON summary" },
    },
    positionals: { min: 0, max: 0 },
    async run({ opts }) {
      const token = (opts.token as string | undefined) ?? process.env.SLACK_TOKEN;
      if (!token) throw new AppError("usage", "--token (or SLACK_TOKEN) is required", { field: "token" });
      if (!/^xox[a-z]-/.test(token)) throw new AppError("usage", "--token must be a Slack token (xoxb-… or xoxp-…)", { field: "token" });
      const regime = (opts.regime as string | undefined) ?? "internal";
      if (regime !== "internal" && regime !== "non-marketplace") throw new AppError("usage", "--regime must be internal or non-marketplace", { field: "regime" });
      const lookbackDays = positiveNumber(opts["lookback-days"], "lookback-days");
      const schedule = positiveNumber(opts["schedule-minutes"], "schedule-minutes");
      const since = opts.since === undefined ? null : parseSince(String(opts.since));
      const channels = listOption(opts.channels);
      const apiUrl = opts["api-url"] as string | undefined;
      const lookbackSeconds = lookbackDays === undefined ? undefined : Math.round(lookbackDays * 86400);
      await prepareDatabase();
      const pool = getPool();
      if (schedule !== undefined) {
        const { connection, jobId } = await connectSlack(pool, {
          token,
          apiUrl,
          options: { channels, since, lookbackSeconds, regime, intervalMinutes: Math.round(schedule) },
        });
        const summary = { connectionId: connection.id, teamId: connection.teamId, teamName: connection.teamName, token: connection.tokenHint, intervalMinutes: Math.round(schedule), jobId };
        if (opts.json) printJson(summary);
        else out(`Connected ${connection.teamName ?? connection.teamId} (${connection.tokenHint}); the worker syncs it every ${summary.intervalMinutes} min (job ${jobId}).`);
        return;
      }
      const bar = createProgressBar("syncing");
      const started = Date.now();
      const s = await runSlackSync({ pool, token, apiUrl, channels, since, lookbackSeconds, regime, onProgress: (p) => bar.update(p.done, p.total, p.unit) });
      bar.done();
      const archive = await findArchiveStats(pool);
      const summary = { ...s, seconds: (Date.now() - started) / 1000, archive };
      if (opts.json) printJson(summary);
      else {
        const c = s.counts;
        out(
          `Synced ${s.teamId} in ${summary.seconds.toFixed(1)} s: ${c.messagesInserted} new messages, ${c.messagesUpdated} updated, ${c.versions} versions, ` +
            `${c.events} channel events, ${c.people} people, ${c.channels} channels; ${s.rateLimited} rate-limit waits.`,
        );
      }
    },
  },
  {
    name: "sources",
    usage: "sources [--json]",
    summary: "Completeness of live sources: per channel the archived ranges, threads fetched, gaps and last sync.",
    options: { json: { type: "boolean", help: "print JSON" } },
    positionals: { min: 0, max: 0 },
    async run({ opts }) {
      await prepareDatabase();
      const report = await findSlackCompleteness(getPool());
      if (opts.json) {
        printJson(report);
        return;
      }
      if (report.workspaces.length === 0) out("No Slack workspace in the archive yet.");
      for (const w of report.workspaces) {
        const run = w.lastRun ? `last sync run ${w.lastRun.id} ${w.lastRun.status} at ${w.lastRun.startedAt}` : "never synced through the API";
        out(`Slack ${w.teamId}${w.connected ? " (scheduled)" : ""}: ${run}`);
        for (const c of w.channels) out(describeChannel(c));
      }
      const e = report.events;
      out(`Events API: ${e.received} received, ${e.processed} processed, ${e.failed} failed, ${e.retries} retries dropped; last ${e.lastAt ?? "never"}`);
    },
  },
];
