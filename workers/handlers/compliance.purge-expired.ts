import type { z } from "zod";
import type { purgeExpiredJob } from "../../lib/jobs/definitions/compliance.purge-expired";
import { runRetention } from "../../lib/compliance/retention";
import { scheduleNextRetentionRun } from "../../lib/compliance/retention-schedule";
import type { TJobContext } from "../registry";

/** Runs retention (lib/compliance/retention.ts), reporting purged/total as progress; a scheduled run enqueues the next. */
export async function handlePurgeExpired(payload: z.infer<typeof purgeExpiredJob.schema>, ctx: TJobContext): Promise<void> {
  let last = 0;
  const report = await runRetention(
    ctx.pool,
    { userId: payload.requestedById, actor: payload.requestedBy },
    {
      dryRun: payload.dryRun,
      onProgress: (done, total) => {
        if (Date.now() - last < 1000) return;
        last = Date.now();
        void ctx.progress({ done, total, unit: "messages" }).catch(() => undefined);
      },
    },
  );
  await ctx.progress({ done: report.totals.purged, total: report.totals.expired - report.totals.heldBack, unit: "messages", runId: report.runId });
  if (payload.scheduled) await scheduleNextRetentionRun(ctx.pool);
}
