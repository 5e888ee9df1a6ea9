import type { z } from "zod";
import type { processSlackEventJob } from "../../lib/jobs/definitions/sources.process-slack-event";
import { processSlackEventReceipt } from "../../lib/sources/events-service";
import type { TJobContext } from "../registry";

/** Archives one received Slack event; a receipt already processed is a no-op. */
export async function handleProcessSlackEvent(payload: z.infer<typeof processSlackEventJob.schema>, ctx: TJobContext): Promise<void> {
  await processSlackEventReceipt(ctx.pool, payload.receiptId);
}
