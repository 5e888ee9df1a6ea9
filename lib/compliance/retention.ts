import type pg from "pg";
import { z } from "zod";
import type { TDb } from "../db";
import { AppError } from "../errors";
import { scheduleNextRetentionRun } from "./retention-schedule";
import { recordAuditEvent } from "../access/service";
import { requestSearchIndexing } from "../search/service";
import { recordContentBatch, type TContentLeaf } from "./content-digest";
import { findChannelsByNameOrId } from "./holds-repository";
import type { TComplianceActor } from "./holds";
import {
  countExpiredByChannel,
  countExpiredHeldByHold,
  deleteMessages,
  deleteProcessedEventReceipts,
  findShortestRetentionDays,
  finishRetentionRun,
  findRecentRetentionRuns,
  findRetentionPolicies,
  findWorkspaces,
  insertRetentionRun,
  lockPurgeableMessages,
  upsertRetentionPolicy,
  type TRetentionPolicyRow,
  type TRetentionRunRow,
} from "./retention-repository";

/**
 * Retention: how long messages are kept, per workspace or per channel (a
 * channel's policy overrides its workspace's; no policy = forever), pinned
 * messages optionally kept. A retention run deletes expired messages —
 * with their versions, reactions, file links (and files nothing else links),
 * their share of the search vocabulary; the search outbox is fed by the
 * message table's trigger; raw Events API deliveries older than the shortest
 * policy are pruned too — in batches, each in one transaction that also
 * appends a `purge` batch to the content digest chain, so `verify` knows
 * those rows were removed on purpose. Active legal holds (holds.ts) keep
 * every message in their scope. Dry runs report the same counts without
 * deleting. Policy changes and runs (dry or not) are audited.
 */

export const ZSetRetentionPolicy = z
  .object({
    /** Workspace external id or name; default: the only workspace. */
    workspace: z.string().trim().min(1).optional(),
    /** Channel external id or name; absent = the workspace's policy. */
    channel: z.string().trim().min(1).optional(),
    days: z.coerce.number().int().positive().max(36500).optional(),
    forever: z.boolean().optional(),
    keepPinned: z.boolean().default(false),
  })
  .refine((v) => (v.days === undefined) !== !v.forever, { message: "give either days or forever", path: ["days"] });
export type TSetRetentionPolicy = z.input<typeof ZSetRetentionPolicy>;

/** Set (create or replace) a workspace's or channel's policy; audited. */
export async function setRetentionPolicy(db: TDb, who: TComplianceActor, input: TSetRetentionPolicy): Promise<TRetentionPolicyRow> {
  const parsed = ZSetRetentionPolicy.safeParse(input);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new AppError("bad_input", `${String(i.path[0] ?? "policy")}: ${i.message}`, { field: String(i.path[0] ?? "") });
  }
  const p = parsed.data;
  let workspaceId: number;
  let channelId: number | null = null;
  const workspaces = await findWorkspaces(db);
  const ws = p.workspace ? workspaces.filter((w) => w.externalId === p.workspace || w.name === p.workspace) : workspaces;
  if (p.channel) {
    const found = (await findChannelsByNameOrId(db, [p.channel])).filter((c) => ws.some((w) => w.id === c.workspaceId));
    if (found.length === 0) throw new AppError("bad_input", `No channel ${p.channel}`, { field: "channel" });
    if (found.length > 1) throw new AppError("bad_input", `Channel ${p.channel} is ambiguous: give its id or --workspace`, { field: "channel" });
    workspaceId = found[0]!.workspaceId;
    channelId = found[0]!.id;
  } else {
    if (ws.length === 0) throw new AppError("bad_input", p.workspace ? `No workspace ${p.workspace}` : "No workspace is archived yet", { field: "workspace" });
    if (ws.length > 1) throw new AppError("bad_input", "Several workspaces are archived: name one (--workspace)", { field: "workspace" });
    workspaceId = ws[0]!.id;
  }
  const keepDays = p.forever ? null : p.days!;
  const id = await upsertRetentionPolicy(db, { workspaceId, channelId, keepDays, keepPinned: p.keepPinned, updatedBy: who.actor });
  await scheduleNextRetentionRun(db);
  const row = (await findRetentionPolicies(db)).find((r) => r.id === id)!;
  await recordAuditEvent(db, {
    actorId: who.userId,
    action: "retention.policy_set",
    target: channelId ? `channel:${row.channel}` : `workspace:${row.workspace}`,
    details: { by: who.actor, workspace: row.workspace, channel: row.channel, keepDays, keepPinned: p.keepPinned },
    ip: who.ip ?? null,
  });
  return row;
}

/** Every policy, workspace defaults first. */
export async function listRetentionPolicies(db: TDb): Promise<TRetentionPolicyRow[]> {
  return findRetentionPolicies(db);
}

/** Recent retention runs, newest first. */
export async function listRetentionRuns(db: TDb, limit = 20): Promise<TRetentionRunRow[]> {
  return findRecentRetentionRuns(db, limit);
}

export interface TRetentionReport {
  runId: number;
  dryRun: boolean;
  /** The instant policies were measured from. */
  asOf: string;
  channels: {
    channel: string;
    channelName: string;
    /** Past retention. */
    expired: number;
    /** Of those, kept by an active legal hold. */
    heldBack: number;
    /** Deleted by this run (0 in a dry run). */
    purged: number;
  }[];
  holds: { holdId: number; name: string; heldBack: number }[];
  totals: { expired: number; heldBack: number; purged: number; versions: number; reactions: number; files: number };
  /** Processed Events API deliveries older than the shortest policy: deleted (or, in a dry run, that would be). */
  eventReceipts: number;
  /** Content chain batches this run appended (seq). */
  contentBatches: number[];
}

/**
 * Run retention: report what is expired and held back per channel and per
 * hold, and (unless `dryRun`) purge the rest in batches of `batchSize`.
 * Idempotent and safe to run concurrently with ingest and with itself.
 */
export async function runRetention(
  pool: pg.Pool,
  who: TComplianceActor,
  opts: { dryRun: boolean; now?: Date; batchSize?: number; onProgress?: (purged: number, total: number) => void },
): Promise<TRetentionReport> {
  const now = opts.now ?? new Date();
  const batchSize = opts.batchSize ?? 1000;
  const runId = await insertRetentionRun(pool, { dryRun: opts.dryRun, requestedBy: who.actor });
  try {
    const byChannel = await countExpiredByChannel(pool, now);
    const report: TRetentionReport = {
      runId,
      dryRun: opts.dryRun,
      asOf: now.toISOString(),
      channels: byChannel.map((c) => ({ channel: c.channel, channelName: c.channelName, expired: c.expired, heldBack: c.held, purged: 0 })),
      holds: (await countExpiredHeldByHold(pool, now)).map((h) => ({ holdId: h.holdId, name: h.name, heldBack: h.held })),
      totals: { expired: 0, heldBack: 0, purged: 0, versions: 0, reactions: 0, files: 0 },
      eventReceipts: 0,
      contentBatches: [],
    };
    const shortest = await findShortestRetentionDays(pool);
    if (shortest !== null) report.eventReceipts = await deleteProcessedEventReceipts(pool, new Date(now.getTime() - shortest * 86_400_000), opts.dryRun);
    for (const c of byChannel) {
      report.totals.expired += c.expired;
      report.totals.heldBack += c.held;
    }
    if (!opts.dryRun) {
      const purgedBy = new Map<number, number>();
      const target = report.totals.expired - report.totals.heldBack;
      for (;;) {
        const client = await pool.connect();
        let n = 0;
        try {
          await client.query("BEGIN");
          const ids = await lockPurgeableMessages(client, now, batchSize);
          const gone = await deleteMessages(client, ids);
          const leaves: TContentLeaf[] = [
            ...gone.messages.map((m) => ({ messageId: m.id, versionId: 0, channelId: m.channelId, ts: m.ts, hash: m.hash })),
            ...gone.versions.map((v) => ({ messageId: v.messageId, versionId: v.id, channelId: null, ts: null, hash: v.hash })),
          ];
          const head = await recordContentBatch(client, { kind: "purge", source: "retention", leaves });
          await client.query("COMMIT");
          if (head) report.contentBatches.push(head.seq);
          n = gone.messages.length;
          for (const m of gone.messages) purgedBy.set(m.channelId, (purgedBy.get(m.channelId) ?? 0) + 1);
          report.totals.purged += n;
          report.totals.versions += gone.versions.length;
          report.totals.reactions += gone.reactions;
          report.totals.files += gone.files;
          if (n) await requestSearchIndexing(client);
        } catch (e) {
          await client.query("ROLLBACK").catch(() => undefined);
          throw e;
        } finally {
          client.release();
        }
        opts.onProgress?.(report.totals.purged, target);
        if (n < batchSize) break;
      }
      for (const [i, c] of byChannel.entries()) report.channels[i]!.purged = purgedBy.get(c.channelId) ?? 0;
    }
    await finishRetentionRun(pool, runId, "completed", report);
    await recordAuditEvent(pool, {
      actorId: who.userId,
      action: opts.dryRun ? "retention.dry_run" : "retention.run",
      target: `retention_run:${runId}`,
      details: {
        by: who.actor,
        asOf: report.asOf,
        totals: report.totals,
        holds: report.holds,
        eventReceipts: report.eventReceipts,
        contentBatches: report.contentBatches,
      },
      ip: who.ip ?? null,
    });
    return report;
  } catch (e) {
    await finishRetentionRun(pool, runId, "failed", null, (e as Error).message).catch(() => undefined);
    await recordAuditEvent(pool, {
      actorId: who.userId,
      action: opts.dryRun ? "retention.dry_run" : "retention.run",
      target: `retention_run:${runId}`,
      details: { by: who.actor, failed: (e as Error).message },
      ip: who.ip ?? null,
    }).catch(() => undefined);
    throw e;
  }
}

/** Who may set retention policies and run retention: administrators. */
export function canManageRetention(role: string): boolean {
  return role === "admin";
}
