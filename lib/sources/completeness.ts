import type pg from "pg";
import { tsToIso } from "../archive/iso-time";
import { compareTs } from "../ingest/merge";
import { parseChannelState, parseThreadState } from "../ingest/adapters/slack-api/state";
import {
  findChannelArchiveCounts,
  findCheckpointRows,
  findEventReceiptCounts,
  findLatestSyncRuns,
  findSlackConnections,
  type TChannelArchiveCounts,
} from "./repository";

/**
 * The completeness report of live Slack sources: per channel, which time
 * ranges the Web API sync has archived, whether it reached the channel's
 * beginning, the gaps left, threads read, the last sync and its error; per
 * workspace the latest run (live progress while it runs) and the Events API
 * receipts. Served by `backscroll sources --json` and the admin page.
 */

/** An ISO range; `from: null` is the channel's beginning. */
export interface TTimeRange {
  from: string | null;
  to: string | null;
}

export interface TChannelCompleteness {
  id: string;
  name: string;
  kind: string;
  archived: boolean;
  messages: number;
  firstMessageAt: string | null;
  lastMessageAt: string | null;
  /** Ranges the Web API sync has read (a channel only imported from an export has none). */
  ranges: TTimeRange[];
  /** The sync has read the history back to the first message. */
  complete: boolean;
  /** Time not covered by the sync: before the first range (unless complete) and between ranges. */
  gaps: TTimeRange[];
  threads: number;
  threadsFetched: number;
  threadsUnfetched: number;
  lastSyncAt: string | null;
  lastError: string | null;
  /** A pass in progress: archived back to `archivedBackTo`. */
  inProgress: { from: string | null; archivedBackTo: string; upTo: string } | null;
}

export interface TWorkspaceCompleteness {
  teamId: string;
  connected: boolean;
  lastRun: {
    id: number;
    status: string;
    startedAt: string;
    finishedAt: string | null;
    progress: unknown;
    counts: unknown;
    error: string | null;
  } | null;
  channels: TChannelCompleteness[];
}

export interface TSlackCompleteness {
  workspaces: TWorkspaceCompleteness[];
  events: { received: number; processed: number; failed: number; retries: number; lastAt: string | null };
}

/** Slack ts → ISO; "0" (the beginning) → null. */
function tsToIsoOrNull(ts: string | null): string | null {
  if (ts === null || Number(ts) === 0) return null;
  return tsToIso(ts);
}

function channelReport(c: TChannelArchiveCounts, positions: Map<string, unknown>, threadsFetched: number): TChannelCompleteness {
  const stateRaw = positions.get(`channel:${c.externalId}`);
  const st = stateRaw === undefined ? null : parseChannelState(stateRaw);
  const ranges = (st?.ranges ?? []).map(([a, b]) => ({ from: tsToIsoOrNull(a), to: tsToIsoOrNull(b) }));
  const gaps: TTimeRange[] = [];
  const sorted = [...(st?.ranges ?? [])].sort((a, b) => compareTs(a[0], b[0]));
  if (!st?.complete) gaps.push({ from: null, to: sorted[0] ? tsToIsoOrNull(sorted[0][0]) : null });
  for (let i = 1; i < sorted.length; i++) gaps.push({ from: tsToIsoOrNull(sorted[i - 1]![1]), to: tsToIsoOrNull(sorted[i]![0]) });
  return {
    id: c.externalId,
    name: c.name,
    kind: c.kind,
    archived: c.archived,
    messages: c.messages,
    firstMessageAt: tsToIsoOrNull(c.firstTs),
    lastMessageAt: tsToIsoOrNull(c.lastTs),
    ranges,
    complete: Boolean(st?.complete),
    gaps,
    threads: c.threads,
    threadsFetched,
    threadsUnfetched: c.threadsUnfetched,
    lastSyncAt: st?.lastSyncAt ?? null,
    lastError: st?.lastError ?? null,
    inProgress: st?.pass ? { from: tsToIsoOrNull(st.pass.oldest), archivedBackTo: tsToIsoOrNull(st.pass.next) ?? "", upTo: tsToIsoOrNull(st.pass.upper) ?? "" } : null,
  };
}

/** The report for every Slack workspace in the archive. */
export async function findSlackCompleteness(db: pg.Pool | pg.ClientBase): Promise<TSlackCompleteness> {
  const [counts, runs, connections, events] = await Promise.all([
    findChannelArchiveCounts(db),
    findLatestSyncRuns(db),
    findSlackConnections(db),
    findEventReceiptCounts(db),
  ]);
  const teams = [...new Set(counts.map((c) => c.teamId))];
  const workspaces: TWorkspaceCompleteness[] = [];
  for (const teamId of teams) {
    const sourceKey = `slack-api:${teamId}`;
    const rows = await findCheckpointRows(db, sourceKey);
    const positions = new Map(rows.map((r) => [r.scope, r.position]));
    const fetched = new Map<string, number>();
    for (const r of rows) {
      const m = /^thread:([^:]+):/.exec(r.scope);
      if (m && parseThreadState(r.position)) fetched.set(m[1]!, (fetched.get(m[1]!) ?? 0) + 1);
    }
    const run = runs.find((r) => r.sourceKey === sourceKey);
    workspaces.push({
      teamId,
      connected: connections.some((c) => c.teamId === teamId && c.enabled),
      lastRun: run
        ? {
            id: run.id,
            status: run.status,
            startedAt: run.startedAt.toISOString(),
            finishedAt: run.finishedAt?.toISOString() ?? null,
            progress: run.progress,
            counts: run.counts,
            error: run.error,
          }
        : null,
      channels: counts.filter((c) => c.teamId === teamId).map((c) => channelReport(c, positions, fetched.get(c.externalId) ?? 0)),
    });
  }
  return { workspaces, events: { ...events, lastAt: events.lastAt?.toISOString() ?? null } };
}
