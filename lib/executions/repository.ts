import type { TDb } from "../db";
import type { NWorkspace } from "../ingest/adapter";
import type { TSqlFragment } from "../access/types";
import type { TChatMessage } from "./detect-chat";

/** The SQL of the executions domain. */

export async function selectWorkspaceRef(db: TDb, id: number): Promise<NWorkspace | null> {
  const r = await db.query<{ platform: string; externalId: string; name: string; domain: string | null }>(
    `SELECT platform, external_id AS "externalId", name, domain FROM workspace WHERE id = $1`,
    [id],
  );
  return r.rows[0] ?? null;
}

export async function selectWorkspaceRefByExternalId(db: TDb, externalId: string): Promise<NWorkspace | null> {
  const r = await db.query<{ platform: string; externalId: string; name: string; domain: string | null }>(
    `SELECT platform, external_id AS "externalId", name, domain FROM workspace WHERE external_id = $1 ORDER BY id LIMIT 1`,
    [externalId],
  );
  return r.rows[0] ?? null;
}

/** The readable-channels subquery, numbered from `firstParam` (lib/access builds it). */
export type TScope = (firstParam: number) => TSqlFragment;

export interface TChannelRef {
  id: number;
  workspaceId: number;
  externalId: string;
  name: string;
}

/** Channels to scan for command runs: all, or those whose name or external id is given. */
export async function selectChannelsForDetection(db: TDb, only: readonly string[] | null): Promise<TChannelRef[]> {
  const r = await db.query<TChannelRef>(
    `SELECT id, workspace_id AS "workspaceId", external_id AS "externalId", name FROM channel
     WHERE $1::text[] IS NULL OR external_id = ANY($1::text[]) OR name = ANY($1::text[]) OR ('#' || name) = ANY($1::text[])
     ORDER BY id`,
    [only ? [...only] : null],
  );
  return r.rows;
}

/** A channel's messages, as the chat detector reads them (deleted ones left out). */
export async function selectChatMessages(db: TDb, channelId: number): Promise<TChatMessage[]> {
  const r = await db.query<TChatMessage>(
    `SELECT m.ts, p.external_id AS user,
       (m.bot_id IS NOT NULL OR m.subtype = 'bot_message' OR coalesce(p.is_bot, false)) AS "isBot",
       coalesce(m.username, p.name) AS "botName", m.text, m.attachments
     FROM message m LEFT JOIN person p ON p.id = m.author_id
     WHERE m.channel_id = $1 AND NOT m.deleted AND (m.text LIKE '%!%' OR m.text LIKE '%\`%')
     ORDER BY m.ts::numeric, m.ts`,
    [channelId],
  );
  return r.rows;
}

export interface TExecutionRow {
  id: number;
  source: string;
  externalId: string;
  bot: string;
  command: string;
  arguments: unknown;
  invoker: string | null;
  invokerName: string | null;
  channelId: number | null;
  channelName: string | null;
  messageTs: string | null;
  messageId: number | null;
  startedAt: Date;
  finishedAt: Date | null;
  status: string;
  exitCode: number | null;
  output: string | null;
  outputTruncated: boolean;
  outputBytes: number | null;
  secretsMasked: number;
}

const ROW = `e.id, e.source, e.external_id AS "externalId", e.bot, e.command, e.arguments, e.invoker,
  coalesce(ip.display_name, ip.real_name, ip.name) AS "invokerName", e.channel_id AS "channelId", c.name AS "channelName",
  e.message_ts AS "messageTs", m.id AS "messageId", e.started_at AS "startedAt", e.finished_at AS "finishedAt", e.status,
  e.exit_code AS "exitCode", e.output, e.output_truncated AS "outputTruncated", e.output_bytes AS "outputBytes",
  e.secrets_masked AS "secretsMasked"`;

const JOINS = `LEFT JOIN channel c ON c.id = e.channel_id
  LEFT JOIN message m ON m.channel_id = e.channel_id AND m.ts = e.message_ts
  LEFT JOIN person ip ON ip.workspace_id = e.workspace_id AND ip.external_id = e.invoker`;

/**
 * Recent executions. `scope` (from lib/access) limits them to readable
 * channels; null = no limit (the CLI, run by the operator). Executions with
 * no channel are readable only without a scope or with `includeUnscoped`.
 */
export async function selectRecentExecutions(
  db: TDb,
  opts: { limit: number; scope: TScope | null; includeUnscoped: boolean; command?: string | null; status?: string | null; bot?: string | null },
): Promise<TExecutionRow[]> {
  const params: unknown[] = [opts.limit, opts.command ?? null, opts.status ?? null, opts.bot ?? null];
  let where = "($2::text IS NULL OR e.command = $2) AND ($3::text IS NULL OR e.status = $3) AND ($4::text IS NULL OR e.bot = $4)";
  if (opts.scope) {
    const shifted = opts.scope(params.length + 1);
    params.push(...shifted.params);
    where += ` AND (e.channel_id IN (${shifted.sql})${opts.includeUnscoped ? " OR e.channel_id IS NULL" : ""})`;
  }
  const r = await db.query<TExecutionRow>(`SELECT ${ROW} FROM execution e ${JOINS} WHERE ${where} ORDER BY e.started_at DESC, e.id DESC LIMIT $1`, params);
  return r.rows;
}

/** One execution by id, or null. */
export async function selectExecution(db: TDb, id: number): Promise<TExecutionRow | null> {
  const r = await db.query<TExecutionRow>(`SELECT ${ROW} FROM execution e ${JOINS} WHERE e.id = $1`, [id]);
  return r.rows[0] ?? null;
}

export interface TCommandStatsRow {
  bot: string;
  command: string;
  runs: number;
  succeeded: number;
  failed: number;
  invokers: number;
  lastAt: Date;
  topInvokers: string[];
}

/** Per bot and command: how often, success rate, by whom; within `scope`. */
export async function selectCommandStats(db: TDb, opts: { scope: TScope | null; includeUnscoped: boolean }): Promise<TCommandStatsRow[]> {
  const params: unknown[] = [];
  let where = "TRUE";
  if (opts.scope) {
    const scope = opts.scope(1);
    params.push(...scope.params);
    where = `(e.channel_id IN (${scope.sql})${opts.includeUnscoped ? " OR e.channel_id IS NULL" : ""})`;
  }
  const r = await db.query<TCommandStatsRow>(
    `WITH e AS (SELECT e.*, coalesce(ip.display_name, ip.real_name, ip.name, e.invoker) AS who FROM execution e
       LEFT JOIN person ip ON ip.workspace_id = e.workspace_id AND ip.external_id = e.invoker WHERE ${where})
     SELECT bot, command, count(*)::int AS runs,
       count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded,
       count(*) FILTER (WHERE status IN ('failed', 'timeout'))::int AS failed,
       count(DISTINCT who)::int AS invokers, max(started_at) AS "lastAt",
       (SELECT array_agg(w ORDER BY n DESC, w) FROM (SELECT who AS w, count(*) AS n FROM e e2
          WHERE e2.bot = e.bot AND e2.command = e.command AND who IS NOT NULL GROUP BY who ORDER BY n DESC, who LIMIT 3) t) AS "topInvokers"
     FROM e GROUP BY bot, command ORDER BY runs DESC, bot, command LIMIT 500`,
    params,
  );
  return r.rows.map((x) => ({ ...x, topInvokers: x.topInvokers ?? [] }));
}

export async function countExecutions(db: TDb): Promise<number> {
  return (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM execution")).rows[0]!.n;
}

/** The execution row of (workspace, source, external id), after a write. */
export async function selectExecutionId(db: TDb, workspace: NWorkspace, source: string, externalId: string): Promise<number | null> {
  const r = await db.query<{ id: number }>(
    `SELECT e.id FROM execution e JOIN workspace w ON w.id = e.workspace_id
     WHERE w.platform = $1 AND w.external_id = $2 AND e.source = $3 AND e.external_id = $4`,
    [workspace.platform, workspace.externalId, source, externalId],
  );
  return r.rows[0]?.id ?? null;
}
