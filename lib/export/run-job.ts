import fs from "node:fs";
import path from "node:path";
import type pg from "pg";
import type { TViewer } from "../access/types";
import { findCliViewer } from "../auth/users";
import { AppError, isAppError } from "../errors";
import { resolveExportScope } from "./assemble";
import { canExport, resolveExportDir, toDto, type TExportJob } from "./jobs";
import {
  countMessagesInScope,
  selectExportJob,
  updateExportDone,
  updateExportEnded,
  updateExportProgress,
  updateExportStarted,
  type TExportJobRow,
} from "./jobs-repository";
import { runExport } from "./service";
import { ZExportScope } from "./types";

/**
 * The worker's side of export jobs (jobs.ts has the web app's): running one.
 * Kept apart so the web app's bundle does not take in the export engine
 * and its ZIP thread.
 */

/** Options of one run of an export job. */
export interface TRunExportJobOptions {
  /** Folder for the ZIP (a sub-folder per job is made); default resolveExportDir(). */
  exportDir?: string;
  /** How often progress is written and a cancel looked for (default 1 s). */
  pollMs?: number;
  /** Called with each progress write (the worker keeps its claim on the queue job alive with it). */
  heartbeat?: (p: { done: number; total: number | null; unit: string }) => Promise<void>;
}

/**
 * Run one export job (the worker's `export.create-export`): as the
 * requester's account as it is now, into `<exportDir>/<id>/`, writing
 * progress about every second and stopping when a cancel is seen. A
 * cancelled or failed run leaves no file and says so in the row; a run after
 * a worker died mid-way starts over. Ended jobs are left alone.
 */
export async function runExportJob(db: pg.Pool, exportId: number, opts: TRunExportJobOptions = {}): Promise<TExportJob | undefined> {
  const row = await updateExportStarted(db, exportId);
  if (!row) return undefined;
  const dir = path.join(opts.exportDir ?? resolveExportDir(), String(exportId));
  fs.rmSync(dir, { recursive: true, force: true });
  const controller = new AbortController();
  let records = 0;
  let total: number | null = null;
  // One progress write at a time; the run waits for the last one before it ends.
  let inflight: Promise<void> | null = null;
  const tick = (): Promise<void> => {
    inflight ??= (async () => {
      try {
        const { cancelRequested } = await updateExportProgress(db, exportId, { recordsDone: records, totalEstimate: total });
        if (cancelRequested && !controller.signal.aborted) controller.abort(new AppError("conflict", `Export ${exportId} was cancelled.`));
        await opts.heartbeat?.({ done: records, total, unit: "messages" });
      } finally {
        inflight = null;
      }
    })();
    return inflight;
  };
  let timer: NodeJS.Timeout | undefined;
  const stopTicking = async () => {
    clearInterval(timer);
    await inflight?.catch(() => undefined);
  };
  try {
    await tick();
    controller.signal.throwIfAborted();
    const viewer = await findRequesterViewer(db, row);
    const scope = ZExportScope.parse(row.scope);
    total = await countMessagesInScope(db, await resolveExportScope(db, viewer, scope));
    await tick();
    controller.signal.throwIfAborted();
    timer = setInterval(() => void tick().catch(() => undefined), opts.pollMs ?? 1000);
    const result = await runExport(db, viewer, {
      format: row.format,
      scope,
      outDir: dir,
      requester: { userId: row.requesterId, email: row.requester },
      onProgress: (n) => (records = n),
      signal: controller.signal,
    });
    await stopTicking();
    const done = await updateExportDone(db, exportId, {
      recordsDone: result.records,
      zipPath: result.zipPath,
      zipName: path.basename(result.zipPath),
      bytes: fs.statSync(result.zipPath).size,
      sha256: result.zipSha256,
    });
    if (!done) {
      // The cancel came as the last bytes were written: honour it.
      fs.rmSync(dir, { recursive: true, force: true });
      await updateExportEnded(db, exportId, "cancelled", null);
    }
  } catch (e) {
    await stopTicking();
    fs.rmSync(dir, { recursive: true, force: true });
    if (controller.signal.aborted) {
      await updateExportEnded(db, exportId, "cancelled", null);
    } else {
      await updateExportEnded(db, exportId, "failed", isAppError(e) ? e.describe() : (e as Error).message);
      throw e;
    }
  }
  return toDto((await selectExportJob(db, exportId))!);
}

/** The requester's account as it is now: a disabled account or one no longer auditor/admin exports nothing. */
async function findRequesterViewer(db: pg.Pool, row: TExportJobRow): Promise<TViewer> {
  let viewer: TViewer;
  try {
    ({ viewer } = await findCliViewer(db, row.requester));
  } catch {
    throw new AppError("forbidden", `The account ${row.requester} that asked for this export is no longer active.`);
  }
  if (viewer.userId !== row.requesterId || !canExport(viewer)) {
    throw new AppError("forbidden", `The account ${row.requester} may no longer export.`);
  }
  return viewer;
}
