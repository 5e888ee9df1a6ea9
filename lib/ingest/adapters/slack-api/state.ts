import { z } from "zod";
import { compareTs } from "../../merge";

/**
 * What the Slack sync remembers between runs, as ingest checkpoints (scope
 * `channel:<id>` and `thread:<channel>:<ts>`), committed with the batch they
 * describe. They are never cleared: they are the high-water marks of the
 * incremental sync and the source of the completeness report.
 */

const ZTs = z.string().regex(/^\d+(\.\d+)?$/);

/** A history pass in progress: [oldest, startedAt) is being read newest-first. */
export const ZHistoryPass = z.object({
  /** Lower bound (exclusive); null = the channel's beginning. */
  oldest: ZTs.nullable(),
  /** Upper bound of the pass: the time it started. */
  upper: ZTs,
  /** Everything in [next, upper) is archived; the next request asks for ts < next. */
  next: ZTs,
});

export const ZChannelSyncState = z.object({
  /** Archived time ranges [from, to] as Slack ts strings, sorted, disjoint. */
  ranges: z.array(z.tuple([ZTs, ZTs])).default([]),
  /** The history has been read back to the channel's first message. */
  complete: z.boolean().default(false),
  pass: ZHistoryPass.nullable().default(null),
  /** ISO time of the last finished pass. */
  lastSyncAt: z.string().nullable().default(null),
  /** Slack's error for this channel in the last run (not_in_channel, …). */
  lastError: z.string().nullable().default(null),
  /** Top-level messages seen by the last finished pass. */
  messagesSeen: z.number().int().default(0),
});
export type TChannelSyncState = z.infer<typeof ZChannelSyncState>;

export const ZThreadSyncState = z.object({
  latestReply: ZTs.nullable(),
  replies: z.number().int(),
  fetchedAt: z.string(),
});
export type TThreadSyncState = z.infer<typeof ZThreadSyncState>;

/** Checkpoint scopes of a channel's history and of one thread. */
export const channelScope = (channel: string) => `channel:${channel}`;
export const threadScope = (channel: string, ts: string) => `thread:${channel}:${ts}`;

/** Reads a stored channel state; an unreadable one starts afresh. */
export function parseChannelState(v: unknown): TChannelSyncState {
  const r = ZChannelSyncState.safeParse(v ?? {});
  return r.success ? r.data : ZChannelSyncState.parse({});
}

/** Reads a stored thread state; null when absent or unreadable (the thread is fetched again). */
export function parseThreadState(v: unknown): TThreadSyncState | null {
  const r = ZThreadSyncState.safeParse(v);
  return r.success ? r.data : null;
}

/** Adds [from, to] to sorted disjoint ranges, merging overlaps. */
export function addRange(ranges: readonly [string, string][], from: string, to: string): [string, string][] {
  const all = [...ranges, [from, to] as [string, string]].sort((a, b) => compareTs(a[0], b[0]));
  const out: [string, string][] = [];
  for (const r of all) {
    const last = out.at(-1);
    if (last && compareTs(r[0], last[1]) <= 0) {
      if (compareTs(r[1], last[1]) > 0) last[1] = r[1];
    } else out.push([r[0], r[1]]);
  }
  return out;
}

/** Seconds → Slack ts string with six decimals. */
export function secondsToTs(sec: number): string {
  return sec.toFixed(6);
}

/** Slack ts string → seconds (for window arithmetic, not identity). */
export function tsToSeconds(ts: string): number {
  return Number(ts);
}
