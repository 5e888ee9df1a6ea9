import { z } from "zod";
import { defineJob } from "../define-job";

/**
 * Apply the retention policies: purge expired messages not under a legal
 * hold, or only report them (`dryRun`). Idempotent: a retried run purges
 * what is still expired. `requestedBy` labels the run and its audit event;
 * `requestedById` is the account that asked (null for a schedule or the CLI).
 * A `scheduled` run enqueues the next day's (lib/compliance/retention-schedule.ts).
 */
export const purgeExpiredJob = defineJob({
  name: "compliance.purge-expired",
  schema: z.object({
    dryRun: z.boolean().default(false),
    requestedBy: z.string().min(1).default("retention-job"),
    requestedById: z.number().int().positive().nullable().default(null),
    scheduled: z.boolean().default(false),
  }),
  retry: { maxAttempts: 3, backoffSeconds: 60 },
});
