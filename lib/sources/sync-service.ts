import type pg from "pg";
import type { TProgress } from "../ingest/adapter";
import { emptyCounts, type TBatchCounts } from "../ingest/load";
import { createIngestRun, finishIngestRun, loadCheckpoints } from "../ingest/repository";
import { commitBatch } from "../ingest/run";
import { startSlackSync, type TSlackSyncOptions } from "../ingest/adapters/slack-api/sync";
import { findLiveReplyTs, findLiveTopLevelTs } from "./repository";

/**
 * Runs a Slack Web API sync into the archive: each batch, its checkpoint
 * and the run's progress commit in one transaction (as runIngest does), but
 * the checkpoints are kept when the run ends: they are the incremental
 * sync's high-water marks and the completeness report's source.
 */

export interface TSlackSyncSummary {
  runId: number;
  teamId: string;
  sourceKey: string;
  resumed: boolean;
  batches: number;
  counts: TBatchCounts;
  /** 429 answers waited out. */
  rateLimited: number;
  /** Time spent waiting for the request budget, ms. */
  budgetWaitMs: number;
}

export interface TRunSlackSyncOptions extends TSlackSyncOptions {
  pool: pg.Pool;
  onProgress?: (p: TProgress & { counts: TBatchCounts }) => void;
  /** Stop after this many batches, as a crash would (tests of resume). */
  maxBatches?: number;
}

/** Sync one Slack workspace (the token's) into the archive. */
export async function runSlackSync(opts: TRunSlackSyncOptions): Promise<TSlackSyncSummary> {
  const { pool } = opts;
  const sync = await startSlackSync(opts);
  const { sourceKey, workspace } = sync.team;
  const checkpoints = await loadCheckpoints(pool, sourceKey);
  const resumed = [...checkpoints.values()].some((v) => typeof v === "object" && v !== null && (v as { pass?: unknown }).pass);
  const runId = await createIngestRun(pool, { source: "slack-api", sourceKey, location: opts.apiUrl ?? "https://slack.com/api/" });
  const ctx = { source: "slack-api", ingestRunId: runId, workspaceIds: new Map<string, number>() };
  const lookup = {
    findLiveTopLevelTs: (team: string, ch: string, from: string, to: string) => findLiveTopLevelTs(pool, team, ch, from, to),
    findLiveReplyTs: (team: string, ch: string, ts: string) => findLiveReplyTs(pool, team, ch, ts),
  };
  let counts = emptyCounts();
  let batches = 0;
  let stopped = false;
  const client = await pool.connect();
  try {
    for await (const batch of sync.read(checkpoints, lookup)) {
      if (opts.maxBatches !== undefined && batches >= opts.maxBatches) {
        stopped = true;
        break;
      }
      counts = await commitBatch(client, batch, ctx, { sourceKey, runId, counts });
      batches++;
      if (batch.progress) opts.onProgress?.({ ...batch.progress, counts });
    }
    await finishIngestRun(pool, runId, stopped ? "failed" : "completed", stopped ? "stopped early" : undefined);
    return {
      runId,
      teamId: workspace.externalId,
      sourceKey,
      resumed,
      batches,
      counts,
      rateLimited: sync.caller.rateLimited,
      budgetWaitMs: sync.caller.budget.waitedMs,
    };
  } catch (e) {
    await finishIngestRun(pool, runId, "failed", (e as Error).message).catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}
