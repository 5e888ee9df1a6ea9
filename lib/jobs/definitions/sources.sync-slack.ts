import { z } from "zod";
import { defineJob } from "../define-job";

/**
 * Sync a stored Slack connection through the Web API. The handler enqueues
 * the next run after the connection's interval, so the sync repeats on its
 * own (one job per slot: the key names the connection and the slot).
 */
export const syncSlackJob = defineJob({
  name: "sources.sync-slack",
  schema: z.object({ connectionId: z.number().int().positive() }),
  retry: { maxAttempts: 3, backoffSeconds: 60 },
});
