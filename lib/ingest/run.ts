import type pg from "pg";
import type { IngestAdapter, IngestInput, TProgress } from "./adapter";
import { applyBatch, addCounts, emptyCounts, type TBatchCounts, type TLoadContext } from "./load";
import type { TLoadBatch } from "./prepare";
import { readInWorker } from "./read-in-worker";
import { requestSearchIndexing } from "../search/service";
import { clearCheckpoints, createIngestRun, finishIngestRun, loadCheckpoints, recordRunProgress, saveCheckpoint } from "./repository";

/**
 * Runs one ingest: preflight (hostile input is refused before anything is
 * written), then each batch with its checkpoint in one transaction. A run
 * killed at any point resumes from the last committed checkpoint; because
 * every write is idempotent, replaying a batch is harmless. When the input
 * is finished its checkpoints are cleared, so importing it again re-reads
 * everything (and changes nothing).
 */

export interface TIngestOptions {
  adapter: IngestAdapter;
  input: IngestInput;
  pool: pg.Pool;
  onProgress?: (p: TProgress & { counts: TBatchCounts }) => void;
  /** Stop after this many batches (tests of interruption). */
  maxBatches?: number;
  /**
   * Parse on a worker thread (adapters from the registry only). Off by
   * default; the CLI turns it on for imports.
   */
  parallel?: boolean;
}

export interface TIngestSummary {
  runId: number;
  source: string;
  sourceKey: string;
  resumed: boolean;
  batches: number;
  counts: TBatchCounts;
}

/**
 * Write one batch, its checkpoint and the run's progress in one transaction;
 * returns the run's counts including this batch. Every ingest runner uses it.
 */
export async function commitBatch(
  client: pg.PoolClient,
  batch: TLoadBatch,
  ctx: TLoadContext,
  run: { sourceKey: string; runId: number; counts: TBatchCounts },
): Promise<TBatchCounts> {
  // A batch lost to a crash right after COMMIT is harmless: its checkpoint is
  // lost with it and the resumed run applies it again. So the commit need not
  // wait for the WAL flush.
  await client.query("BEGIN; SET LOCAL synchronous_commit TO off");
  try {
    const counts = addCounts(run.counts, await applyBatch(client, batch, ctx));
    if (batch.checkpoint) await saveCheckpoint(client, run.sourceKey, batch.checkpoint, run.runId);
    await recordRunProgress(client, run.runId, counts, batch.progress);
    await client.query("COMMIT");
    await requestSearchIndexing(client);
    return counts;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  }
}

export async function runIngest(opts: TIngestOptions): Promise<TIngestSummary> {
  const { adapter, input, pool } = opts;
  await adapter.preflight?.(input);
  const sourceKey = await adapter.sourceKey(input);
  const checkpoints = await loadCheckpoints(pool, sourceKey);
  const runId = await createIngestRun(pool, { source: adapter.name, sourceKey, location: input.location });
  const ctx = { source: adapter.name, ingestRunId: runId, workspaceIds: new Map<string, number>() };
  let counts = emptyCounts();
  let batches = 0;
  const client = await pool.connect();
  try {
    const source: AsyncIterable<TLoadBatch> = opts.parallel ? readInWorker(adapter.name, input, checkpoints) : adapter.read(input, checkpoints);
    const it = source[Symbol.asyncIterator]();
    // Parse the next batch while the database writes the current one.
    let next: Promise<IteratorResult<TLoadBatch>> = it.next();
    for (;;) {
      const r = await next;
      if (r.done) break;
      const batch = r.value;
      if (opts.maxBatches !== undefined && batches >= opts.maxBatches) {
        await it.return?.();
        break;
      }
      next = it.next();
      next.catch(() => undefined); // surfaced when awaited
      counts = await commitBatch(client, batch, ctx, { sourceKey, runId, counts });
      batches++;
      if (batch.progress) opts.onProgress?.({ ...batch.progress, counts });
    }
    const finished = opts.maxBatches === undefined || batches < opts.maxBatches;
    if (finished) await clearCheckpoints(pool, sourceKey);
    await finishIngestRun(pool, runId, finished ? "completed" : "failed", finished ? undefined : "stopped early");
    return { runId, source: adapter.name, sourceKey, resumed: checkpoints.size > 0, batches, counts };
  } catch (e) {
    await finishIngestRun(pool, runId, "failed", (e as Error).message).catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}
