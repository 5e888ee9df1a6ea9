import type pg from "pg";
import { AppError } from "../errors";
import { enqueueJob } from "../jobs/enqueue";
import { syncSlackJob } from "../jobs/definitions/sources.sync-slack";
import { startSlackSync } from "../ingest/adapters/slack-api/sync";
import type { TRateRegime } from "../ingest/adapters/slack-api/budget";
import { encryptToken, decryptToken, tokenHint } from "./token-crypto";
import { findSlackConnection, upsertSlackConnection, type TSlackConnectionRow } from "./repository";
import { z } from "zod";

/**
 * Stored Slack connections for the scheduled sync: the token (encrypted),
 * which channels, how far back, the rate regime and the interval.
 */

export const ZConnectionOptions = z.object({
  channels: z.array(z.string()).optional(),
  since: z.string().nullable().optional(),
  lookbackSeconds: z.number().int().nonnegative().optional(),
  regime: z.enum(["internal", "non-marketplace"]).optional(),
  intervalMinutes: z.number().int().min(1).max(7 * 24 * 60).default(60),
});
export type TConnectionOptions = z.infer<typeof ZConnectionOptions>;

/** Checks the token with Slack, stores it encrypted, and schedules the first sync now. */
export async function connectSlack(
  pool: pg.Pool,
  args: { token: string; apiUrl?: string; options: z.input<typeof ZConnectionOptions> },
): Promise<{ connection: TSlackConnectionRow; jobId: number }> {
  const options = ZConnectionOptions.parse(args.options);
  const sync = await startSlackSync({ token: args.token, apiUrl: args.apiUrl, regime: options.regime as TRateRegime | undefined });
  const ws = sync.team.workspace;
  const connection = await upsertSlackConnection(pool, {
    teamId: ws.externalId,
    teamName: ws.name,
    apiUrl: args.apiUrl ?? null,
    tokenCiphertext: encryptToken(args.token),
    tokenHint: tokenHint(args.token),
    options,
  });
  const jobId = await scheduleSlackSync(pool, connection.id, new Date());
  return { connection, jobId };
}

/** Enqueue the connection's sync at `at` (one job per connection and minute). */
export async function scheduleSlackSync(db: pg.Pool | pg.ClientBase, connectionId: number, at: Date): Promise<number> {
  const slot = Math.floor(at.getTime() / 60_000);
  return enqueueJob(db, syncSlackJob, { connectionId }, { key: `sources.sync-slack:${connectionId}:${slot}`, runAt: at });
}

/** The connection with its token decrypted, for the worker. */
export async function loadSlackConnection(db: pg.Pool, id: number): Promise<{ connection: TSlackConnectionRow; token: string; options: TConnectionOptions }> {
  const connection = await findSlackConnection(db, id);
  if (!connection) throw new AppError("not_found", `No Slack connection ${id}`);
  return { connection, token: decryptToken(connection.tokenCiphertext), options: ZConnectionOptions.parse(connection.options) };
}
