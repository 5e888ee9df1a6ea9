import type { z } from "zod";
import type { syncSlackJob } from "../../lib/jobs/definitions/sources.sync-slack";
import { loadSlackConnection, scheduleSlackSync } from "../../lib/sources/connections";
import { disableSlackConnection, recordConnectionSync } from "../../lib/sources/repository";
import { runSlackSync } from "../../lib/sources/sync-service";
import { isAppError } from "../../lib/errors";
import type { TJobContext } from "../registry";

/**
 * One scheduled sync of a stored connection, then the next one enqueued
 * after the connection's interval. A refused token disables the connection
 * (no point retrying every hour); other failures are retried by the queue
 * and resume from the last committed page.
 */
export async function handleSyncSlack(payload: z.infer<typeof syncSlackJob.schema>, ctx: TJobContext): Promise<void> {
  const { connection, token, options } = await loadSlackConnection(ctx.pool, payload.connectionId);
  if (!connection.enabled) return;
  let last = 0;
  try {
    await runSlackSync({
      pool: ctx.pool,
      token,
      apiUrl: connection.apiUrl ?? undefined,
      channels: options.channels,
      since: options.since ?? null,
      lookbackSeconds: options.lookbackSeconds,
      regime: options.regime,
      onProgress: (p) => {
        const now = Date.now();
        if (now - last > 1000) {
          last = now;
          void ctx.progress({ done: p.done, total: p.total, unit: p.unit, messages: p.counts.messagesInserted });
        }
      },
    });
    await recordConnectionSync(ctx.pool, connection.id, null);
  } catch (e) {
    if (isAppError(e) && e.code === "unauthenticated") {
      await disableSlackConnection(ctx.pool, connection.id, e.message);
      throw e;
    }
    await recordConnectionSync(ctx.pool, connection.id, (e as Error).message);
    throw e;
  }
  await scheduleSlackSync(ctx.pool, connection.id, new Date(Date.now() + options.intervalMinutes * 60_000));
}
