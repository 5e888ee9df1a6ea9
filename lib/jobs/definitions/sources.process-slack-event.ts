import { z } from "zod";
import { defineJob } from "../define-job";

/** Archive one received Slack Events API delivery (a `slack_event_receipt` row). */
export const processSlackEventJob = defineJob({
  name: "sources.process-slack-event",
  schema: z.object({ receiptId: z.number().int().positive() }),
  retry: { maxAttempts: 5, backoffSeconds: 5 },
});
