import { z } from "zod";
import { defineJob } from "../define-job";

/**
 * Make the ZIP of an export job (row `export_job`, which holds its format,
 * scope, state and progress). One attempt: a failure is recorded on the row
 * and the requester asks again; a worker that dies mid-run is replaced by
 * the queue's stale-job reclaim, and the run starts over.
 */
export const createExportJob = defineJob({
  name: "export.create-export",
  schema: z.object({ exportId: z.number().int().positive() }),
  retry: { maxAttempts: 1, backoffSeconds: 30 },
});
