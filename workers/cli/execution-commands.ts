import type { TCommand } from "./commands";
import { AppError } from "../../lib/errors";
import { getPool } from "../../lib/db";
import { prepareDatabase } from "../../lib/database/prepare";
import { createBotToken, listBotTokens, revokeBotTokens } from "../../lib/bots/service";
import { detectChatRuns, findRecentExecutions } from "../../lib/executions/service";
import { EXECUTION_STATUSES } from "../../lib/executions/schema";

const out = (s: string) => process.stdout.write(s + "\n");
const printJson = (v: unknown) => out(JSON.stringify(v, null, 2));

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** CLI commands for chatbot executions and bot API tokens. */
export const EXECUTION_COMMANDS: TCommand[] = [
  {
    name: "token create",
    usage: "token create --bot <name> [--workspace <id>] [--json]",
    summary: "Create an API token for a chatbot (shown once: the last word of the last line).",
    details:
      "The bot posts its runs to POST /api/executions with `Authorization: Bearer <token>`. Only the token's SHA-256 is stored. " +
      "The token is bound to --workspace (an external id such as a Slack team id), or to the archive's only workspace.",
    options: {
      bot: { type: "string", help: "the bot's name (the `bot` field it will post)" },
      workspace: { type: "string", help: "workspace external id (default: the only workspace, if there is one)" },
      json: { type: "boolean", help: "print JSON" },
    },
    async run({ opts }) {
      if (!opts.bot) throw new AppError("usage", "--bot is required", { field: "bot" });
      await prepareDatabase();
      const { token, row } = await createBotToken(getPool(), { bot: String(opts.bot), workspace: opts.workspace as string | undefined });
      if (opts.json) return void printJson({ id: row.id, bot: row.bot, workspaceId: row.workspaceId, token });
      out(`Created token ${row.id} for bot ${row.bot}. It is shown only now; store it in the bot's configuration.`);
      out(`Token: ${token}`);
    },
  },
  {
    name: "token revoke",
    usage: "token revoke <id|bot name>",
    summary: "Revoke a bot token by id, or every token of a bot by its name.",
    positionals: { min: 1 },
    async run({ args }) {
      await prepareDatabase();
      const ids = await revokeBotTokens(getPool(), args[0]!);
      out(`Revoked token${ids.length > 1 ? "s" : ""} ${ids.join(", ")}.`);
    },
  },
  {
    name: "token list",
    usage: "token list [--json]",
    summary: "List bot tokens (never the tokens themselves).",
    options: { json: { type: "boolean", help: "print JSON" } },
    async run({ opts }) {
      await prepareDatabase();
      const rows = await listBotTokens(getPool());
      if (opts.json) return void printJson(rows);
      if (rows.length === 0) return void out("No bot tokens.");
      for (const r of rows) {
        const state = r.revokedAt ? `revoked ${r.revokedAt.toISOString()}` : r.lastUsedAt ? `last used ${r.lastUsedAt.toISOString()}` : "never used";
        out(`${String(r.id).padStart(4)}  ${r.bot.padEnd(24)} ${r.tokenPrefix}…  created ${r.createdAt.toISOString()}  ${state}`);
      }
    },
  },
  {
    name: "executions",
    usage: "executions [--limit N] [--command C] [--status S] [--bot B] [--json]",
    summary: "Recent bot command runs with their status.",
    options: {
      limit: { type: "string", help: "how many (default 20)" },
      command: { type: "string", help: "only this command" },
      status: { type: "string", help: `only this status (${EXECUTION_STATUSES.join(", ")})` },
      bot: { type: "string", help: "only this bot" },
      json: { type: "boolean", help: "print JSON" },
    },
    async run({ opts }) {
      const limit = opts.limit === undefined ? 20 : Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new AppError("usage", "--limit must be a positive integer", { field: "limit" });
      await prepareDatabase();
      const rows = await findRecentExecutions(getPool(), null, {
        limit,
        command: opts.command as string | undefined,
        status: opts.status as string | undefined,
        bot: opts.bot as string | undefined,
      });
      if (opts.json) return void printJson(rows);
      if (rows.length === 0) return void out("No executions.");
      for (const r of rows) {
        const args = Array.isArray(r.arguments) ? r.arguments.join(" ") : r.arguments ? JSON.stringify(r.arguments) : "";
        const took = r.finishedAt ? formatDuration(r.finishedAt.getTime() - r.startedAt.getTime()) : "…";
        const exit = r.exitCode === null ? "" : ` exit ${r.exitCode}`;
        out(
          `${r.startedAt.toISOString()}  ${r.status.padEnd(9)}${exit.padEnd(8)} ${took.padStart(7)}  ${r.bot}: ${r.command}${args ? " " + args : ""}` +
            `${r.channelName ? `  #${r.channelName}` : ""}${r.invokerName ?? r.invoker ? `  by ${r.invokerName ?? r.invoker}` : ""}`,
        );
      }
    },
  },
  {
    name: "executions detect",
    usage: "executions detect [--channel <id|name>]… [--json]",
    summary: "Recognise bot command runs echoed in chat (!command + the bot's start/finish replies). Idempotent.",
    options: {
      channel: { type: "string", multiple: true, help: "only these channels (external id or name); default all" },
      json: { type: "boolean", help: "print JSON" },
    },
    async run({ opts }) {
      await prepareDatabase();
      const s = await detectChatRuns(getPool(), { channels: (opts.channel as string[] | undefined) ?? null });
      if (opts.json) return void printJson(s);
      out(`Scanned ${s.channels} channels: ${s.executions} command runs recognised, ${s.changed} stored or changed.`);
    },
  },
];
