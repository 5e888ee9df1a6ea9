import type { z } from "zod";
import type { indexSearchOutboxJob } from "../../lib/jobs/definitions/search.index-outbox";
import { drainSearchOutbox } from "../../lib/search/service";
import type { TJobContext } from "../registry";

/** Drains the search outbox until it is empty; safe to run any number of times. */
export async function handleIndexSearchOutbox(_payload: z.infer<typeof indexSearchOutboxJob.schema>, ctx: TJobContext): Promise<void> {
  let total = 0;
  for (;;) {
    const n = await drainSearchOutbox(ctx.pool);
    if (n === 0) break;
    total += n;
    await ctx.progress({ done: total, unit: "outbox entries" });
  }
}
