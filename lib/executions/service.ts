import type pg from "pg";
import { authorizeChannelRead, readableChannelsSql } from "../access/service";
import type { TViewer } from "../access/types";
import type { TBotIdentity } from "../bots/service";
import { withTransaction, type TDb } from "../db";
import { AppError } from "../errors";
import type { NWorkspace } from "../ingest/adapter";
import { applyBatch } from "../ingest/load";
import { detectChatExecutions } from "./detect-chat";
import { BOTS_WORKSPACE, buildExecution, CHAT_SOURCE, EXECUTIONS_SOURCE, toExecutionExternalId } from "./normalize";
import {
  selectChannelsForDetection,
  selectChatMessages,
  selectCommandStats,
  selectExecution,
  selectExecutionId,
  selectRecentExecutions,
  selectWorkspaceRef,
  selectWorkspaceRefByExternalId,
  type TCommandStatsRow,
  type TExecutionRow,
} from "./repository";
import { parseCreateExecution } from "./schema";


export interface TRecordResult {
  id: number;
  /** false when the same record was already stored (nothing changed). */
  changed: boolean;
}

/**
 * Record one execution posted by an authenticated bot. The body is
 * validated (bad input names the field), secrets are masked and output
 * bounded before it is written through the ingest loader, idempotently by
 * (bot, id). A bot may only post its own runs.
 */
export async function recordExecution(pool: pg.Pool, bot: TBotIdentity, body: unknown): Promise<TRecordResult> {
  const rec = parseCreateExecution(body);
  if (rec.bot !== bot.bot) throw new AppError("forbidden", `This token is for bot "${bot.bot}", not "${rec.bot}"`, { field: "bot" });
  let workspace: NWorkspace | null = null;
  if (rec.workspace) {
    workspace = await selectWorkspaceRefByExternalId(pool, rec.workspace);
    if (!workspace) throw new AppError("bad_input", `field workspace: no workspace with id ${rec.workspace}`, { field: "workspace" });
  } else if (bot.workspaceId !== null) workspace = await selectWorkspaceRef(pool, bot.workspaceId);
  workspace ??= BOTS_WORKSPACE;
  const n = buildExecution(rec);
  n.externalId = toExecutionExternalId(rec.bot, rec.id);
  return withTransaction(async (client) => {
    const counts = await applyBatch(client, { workspace: workspace, executions: [n] }, { source: EXECUTIONS_SOURCE, ingestRunId: null });
    const id = await selectExecutionId(client, workspace, EXECUTIONS_SOURCE, n.externalId);
    return { id: id!, changed: counts.executions > 0 };
  }, pool);
}

export interface TDetectSummary {
  channels: number;
  /** Runs recognised. */
  executions: number;
  /** Rows written or changed (0 on a re-run over the same messages). */
  changed: number;
}

/**
 * Recognise command runs in chat (see detect-chat.ts) in every channel, or
 * in the channels named (id, name or #name), and store them with source
 * `chat`, one transaction per channel. Idempotent.
 */
export async function detectChatRuns(pool: pg.Pool, opts: { channels?: readonly string[] | null } = {}): Promise<TDetectSummary> {
  const channels = await selectChannelsForDetection(pool, opts.channels?.length ? opts.channels : null);
  if (opts.channels?.length && channels.length === 0) throw new AppError("not_found", `No channel named ${opts.channels.join(", ")}`);
  const summary: TDetectSummary = { channels: channels.length, executions: 0, changed: 0 };
  const ctx = { source: CHAT_SOURCE, ingestRunId: null, workspaceIds: new Map<string, number>() };
  for (const c of channels) {
    const found = detectChatExecutions(c.externalId, await selectChatMessages(pool, c.id));
    summary.executions += found.length;
    if (found.length === 0) continue;
    const workspace = (await selectWorkspaceRef(pool, c.workspaceId))!;
    summary.changed += await withTransaction(async (client) => (await applyBatch(client, { workspace, executions: found }, ctx)).executions, pool);
  }
  return summary;
}

/**
 * The readable scope of a viewer: members see executions in channels they
 * may read (lib/access); admins and auditors see all, including runs not
 * tied to any channel. `null` viewer = the operator at the CLI.
 */
function scopeOf(viewer: TViewer | null) {
  if (!viewer || viewer.role !== "member") return { scope: null, includeUnscoped: true };
  return { scope: (first: number) => readableChannelsSql(viewer, first), includeUnscoped: false };
}

/** Recent executions the viewer may see, newest first. */
export async function findRecentExecutions(
  db: TDb,
  viewer: TViewer | null,
  opts: { limit?: number; command?: string | null; status?: string | null; bot?: string | null } = {},
): Promise<TExecutionRow[]> {
  const limit = Math.min(Math.max(1, Math.trunc(opts.limit ?? 50)), 1000);
  return selectRecentExecutions(db, { limit, ...scopeOf(viewer), command: opts.command, status: opts.status, bot: opts.bot });
}

/**
 * One execution record, with the runs of the same command before it. A run in
 * a channel is readable by whoever may read that channel (an auditor's or
 * admin's read of a private one is audited); a run tied to no channel only by
 * admins and auditors. Unreadable and unknown ids are both "not found".
 */
export async function findExecution(
  db: TDb,
  viewer: TViewer,
  id: number,
): Promise<{ execution: TExecutionRow; previousRuns: TExecutionRow[] }> {
  const execution = Number.isSafeInteger(id) && id > 0 ? await selectExecution(db, id) : null;
  const readable =
    execution !== null &&
    (execution.channelId === null
      ? viewer.role !== "member"
      : await authorizeChannelRead(db, viewer, execution.channelId, { execution: id }));
  if (!execution || !readable) throw new AppError("not_found", `No execution ${id}`, { field: "executionId" });
  const previousRuns = (await findRecentExecutions(db, viewer, { command: execution.command, limit: 11 })).filter((x) => x.id !== execution.id).slice(0, 10);
  return { execution, previousRuns };
}

/**
 * Audit an auditor's or admin's view of runs in private channels and DMs
 * (the command catalogue shows them to privileged viewers).
 */
export async function recordPrivilegedExecutionReads(db: TDb, viewer: TViewer, runs: readonly TExecutionRow[]): Promise<void> {
  if (viewer.role === "member") return;
  const channels = [...new Set(runs.flatMap((x) => (x.channelId === null ? [] : [x.channelId])))];
  for (const channelId of channels) {
    await authorizeChannelRead(db, viewer, channelId, { executions: runs.filter((x) => x.channelId === channelId).map((x) => x.id) });
  }
}

export type TCommandCatalogueEntry = TCommandStatsRow & { successRate: number | null };

/** The catalogue of bot commands the viewer may see: how often, by whom, how well. */
export async function findCommandCatalogue(db: TDb, viewer: TViewer | null): Promise<TCommandCatalogueEntry[]> {
  const rows = await selectCommandStats(db, scopeOf(viewer));
  return rows.map((r) => ({ ...r, successRate: r.succeeded + r.failed > 0 ? r.succeeded / (r.succeeded + r.failed) : null }));
}
