import type { z } from "zod";
import type { createExportJob } from "../../lib/jobs/definitions/export.create-export";
import { runExportJob } from "../../lib/export/run-job";
import type { TJobContext } from "../registry";

/**
 * Runs an export job: progress on its row about every second (which also
 * keeps this worker's claim on the queue job fresh), stopped by a cancel,
 * nothing left behind when cancelled or failed (lib/export/jobs.ts).
 */
export async function handleCreateExport(payload: z.infer<typeof createExportJob.schema>, ctx: TJobContext): Promise<void> {
  await runExportJob(ctx.pool, payload.exportId, { heartbeat: (p) => ctx.progress(p) });
}
