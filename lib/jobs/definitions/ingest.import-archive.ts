import { z } from "zod";
import { defineJob } from "../define-job";

/** Import a Slack export (or any archive an adapter detects) from a path. */
export const importArchiveJob = defineJob({
  name: "ingest.import-archive",
  schema: z.object({ location: z.string().min(1), source: z.string().optional() }),
  retry: { maxAttempts: 3, backoffSeconds: 30 },
});
