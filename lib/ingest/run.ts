import type pg from "pg";
import type { IngestAdapter, IngestInput, TProgress } from "./adapter";
import { addCounts, emptyCounts, finishBatch, writeBatchRows, type TBatchCounts, type TLoadContext } from "./load";
import { prepareBatch, type TLoadBatch, type TPreparedBatch } from "./prepare";
import { readInWorker } from "./read-in-worker";
import { flushTextIndexPending } from "../search/repository";
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
  /**
   * Connections writing batches (default 2): a batch is written while the
   * one before it is still being written when the two share no natural key,
   * and commits after it, so checkpoints stay in order and a resumed run
   * ends as an uninterrupted one would. 1 writes one batch at a time.
   */
  writers?: number;
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
  const counts = await writeInTurn(client, prepareBatch(batch), { ...run, ctx }, null, null);
  await requestSearchIndexing(client);
  return counts;
}

/** PostgreSQL broke a lock cycle: the batch is written again, alone. */
const DEADLOCK_DETECTED = "40P01";

/** The batch written before this one failed, so this one may not commit. */
class EarlierBatchFailed extends Error {
  constructor() {
    super("the batch before this one failed");
  }
}

/**
 * The natural keys a batch writes (see TPreparedMessages.keys), or null when
 * it must be written alone: people and channels are rows every later batch
 * reads.
 */
function batchKeys(batch: TPreparedBatch): Set<string> | null {
  if (batch.people?.length || batch.channels?.length) return null;
  const keys = new Set(batch.prepared.keys);
  for (const e of batch.events ?? []) keys.add(`${e.channel}\t${e.ts}`);
  for (const r of batch.reactionChanges ?? []) keys.add(`${r.channel}\t${r.ts}`);
  for (const x of batch.executions ?? []) keys.add(`\u0002${x.externalId}`);
  return keys;
}

function disjoint(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  for (const k of small) if (big.has(k)) return false;
  return true;
}

interface TRunState {
  runId: number;
  sourceKey: string;
  ctx: TLoadContext;
  /** The run's counts up to the last committed batch. */
  counts: TBatchCounts;
}

/** A batch being written: `done` settles when its transaction has ended (with the run's counts when it committed). */
interface TInFlight {
  /** Its transaction's lock key (with the run id), held until it ends. */
  turn: number;
  batch: TPreparedBatch;
  keys: Set<string> | null;
  client: pg.PoolClient;
  done: Promise<TBatchCounts>;
}

/**
 * One batch in one transaction, committed only after `before` (the batch
 * read before it, possibly being written on the other connection); returns
 * the run's counts including it. Its own rows are written at once; what
 * reads other batches' rows (memberships, the content chain), the checkpoint
 * and the run's counts wait until `before` has committed. The wait is on
 * `before`'s lock (`turn`, taken first and held to the end of its
 * transaction; `onTurn` says it is held), inside PostgreSQL, so a lock cycle
 * between the two (both creating the same placeholder person, say) is seen
 * there and broken with 40P01.
 */
async function writeInTurn(
  client: pg.PoolClient,
  batch: TPreparedBatch,
  state: TRunState,
  turn: number | null,
  before: TInFlight | null,
  onTurn?: () => void,
): Promise<TBatchCounts> {
  // A batch lost to a crash right after COMMIT is harmless: its checkpoint is
  // lost with it and the resumed run applies it again. So the commit need not
  // wait for the WAL flush. Between its statements a batch waits on nothing
  // but this process; should that ever stall, the session ends (and the run
  // fails, resumable) instead of holding its locks for good.
  await client.query("BEGIN; SET LOCAL synchronous_commit TO off; SET LOCAL idle_in_transaction_session_timeout = '10min'");
  try {
    if (turn !== null) await client.query("SELECT pg_advisory_xact_lock($1::int, $2::int)", [state.runId, turn]);
    onTurn?.();
    const written = await writeBatchRows(client, batch, state.ctx);
    if (before) {
      await client.query("SELECT pg_advisory_xact_lock_shared($1::int, $2::int)", [state.runId, before.turn]);
      if (!(await before.done.then(() => true, () => false))) throw new EarlierBatchFailed();
    }
    await finishBatch(client, written, state.ctx);
    const counts = addCounts(state.counts, written.counts);
    if (batch.checkpoint) await saveCheckpoint(client, state.sourceKey, batch.checkpoint, state.runId);
    await recordRunProgress(client, state.runId, counts, batch.progress);
    await client.query("COMMIT");
    state.counts = counts;
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
  const state: TRunState = { runId, sourceKey, ctx: { source: adapter.name, ingestRunId: runId, workspaceIds: new Map() }, counts: emptyCounts() };
  // One connection is left to the pool for the run's own bookkeeping.
  const writers = Math.max(1, Math.min(opts.writers ?? 2, (pool.options.max ?? 10) - 1));
  let batches = 0;
  let started = 0;
  let turns = 0;
  const inFlight: TInFlight[] = [];
  const clients: pg.PoolClient[] = [];
  const committed = async (p: TInFlight, counts: TBatchCounts) => {
    batches++;
    if (p.batch.progress) opts.onProgress?.({ ...p.batch.progress, counts });
    await requestSearchIndexing(p.client);
  };
  // Settle the oldest batch in flight. When it failed, every later one fails
  // too (it may not commit before it); after a broken lock cycle they are
  // written again one by one, in order; any other error ends the run.
  const settleOldest = async () => {
    const p = inFlight[0]!;
    let counts: TBatchCounts;
    try {
      counts = await p.done;
    } catch (e) {
      const results = await Promise.allSettled(inFlight.map((x) => x.done));
      const all = inFlight.splice(0);
      if ((e as { code?: string }).code !== DEADLOCK_DETECTED) throw e;
      for (let i = 0; i < all.length; i++) {
        const x = all[i]!;
        const r = results[i]!;
        if (r.status === "fulfilled") await committed(x, r.value);
        else {
          state.ctx.workspaceIds?.clear(); // an id it cached may have been rolled back
          await committed(x, await writeInTurn(x.client, x.batch, state, ++turns, null));
        }
      }
      return;
    }
    inFlight.shift();
    await committed(p, counts);
  };
  try {
    for (let i = 0; i < writers; i++) clients.push(await pool.connect());
    const source: AsyncIterable<TLoadBatch> = opts.parallel ? readInWorker(adapter.name, input, checkpoints) : adapter.read(input, checkpoints);
    const it = source[Symbol.asyncIterator]();
    // Read the next batch while the database writes the ones before.
    let next: Promise<IteratorResult<TLoadBatch>> = it.next();
    try {
      for (;;) {
        const r = await next;
        if (r.done) break;
        if (opts.maxBatches !== undefined && started >= opts.maxBatches) {
          await it.return?.();
          break;
        }
        next = it.next();
        next.catch(() => undefined); // surfaced when awaited
        const batch = prepareBatch(r.value);
        // The first batch of a run is written alone (it may create the workspace).
        const keys = writers > 1 && started > 0 ? batchKeys(batch) : null;
        for (;;) {
          const last = inFlight.at(-1);
          if (!last || (inFlight.length < writers && keys && last.keys && disjoint(keys, last.keys))) break;
          await settleOldest();
        }
        const before = inFlight.at(-1) ?? null;
        const client = clients.find((c) => c !== before?.client)!;
        const turn = ++turns;
        let turnTaken!: () => void;
        const taken = new Promise<void>((resolve) => (turnTaken = resolve));
        const done = writeInTurn(client, batch, state, turn, before, turnTaken);
        done.catch(() => undefined); // surfaced when settled
        inFlight.push({ turn, batch, keys, client, done });
        // The next batch waits on this one's lock: it must be held before the
        // next one can ask for it (a heavily loaded machine can delay this
        // one's first statements past the next one's whole write).
        await Promise.race([taken, done.then(() => undefined, () => undefined)]);
        started++;
      }
      while (inFlight.length) await settleOldest();
    } finally {
      // On an error, what was read before it still commits (in order).
      while (inFlight.length) await settleOldest().catch(() => undefined);
    }
    const finished = opts.maxBatches === undefined || batches < opts.maxBatches;
    if (finished) await clearCheckpoints(pool, sourceKey);
    await finishIngestRun(pool, runId, finished ? "completed" : "failed", finished ? undefined : "stopped early");
    // Searches right after an import read the text index without its pending list.
    await flushTextIndexPending(pool);
    return { runId, source: adapter.name, sourceKey, resumed: checkpoints.size > 0, batches, counts: state.counts };
  } catch (e) {
    await finishIngestRun(pool, runId, "failed", (e as Error).message).catch(() => undefined);
    throw e;
  } finally {
    for (const c of clients) c.release();
  }
}
