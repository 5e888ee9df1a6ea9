import type pg from "pg";
import { AppError, isAppError } from "../errors";
import { withTransaction } from "../db";
import { requestSearchIndexing } from "../search/service";
import { processSlackEventJob } from "../jobs/definitions/sources.process-slack-event";
import type { NChannel, NChannelEvent, NMessage, NormalizedBatch, NPerson, NReactionChange } from "../ingest/adapter";
import { addCounts, applyBatch, emptyCounts, type TBatchCounts } from "../ingest/load";
import { verifySlackSignature } from "../ingest/adapters/slack-events/signature";
import {
  changedMessageOfEvent,
  channelIdsOfEvent,
  normalizeSlackEvent,
  ZEventCallback,
  ZEventEnvelope,
  type TEventCallback,
  type TKnownChannel,
} from "../ingest/adapters/slack-events/normalize";
import {
  completeQueuedJobsByKey,
  findMessageTexts,
  findSlackWorkspace,
  findStoredChannels,
  insertEventReceiptWithJob,
  lockEventReceipt,
  lockPendingEventReceipts,
  markEventProcessed,
  markEventsProcessed,
} from "./repository";

/**
 * The Slack Events API receiver. A delivery is verified (v0 signature,
 * five-minute window), recorded as a receipt keyed by `event_id` and handed
 * to a job in the same transaction, then acknowledged at once: Slack wants
 * an answer within 3 seconds. Slack's retries of an event already received
 * are acknowledged and dropped; the same request without Slack's retry
 * header is a replay and refused.
 */

export const MAX_EVENT_BODY_BYTES = 1024 * 1024;

export interface TSlackEventRequest {
  body: string;
  timestamp: string | null;
  signature: string | null;
  retryNum: string | null;
}

export interface TSlackEventAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** Verify, record and enqueue one delivery; returns the HTTP answer. */
export async function receiveSlackEvent(
  pool: pg.Pool,
  req: TSlackEventRequest,
  opts: { secret: string | undefined; nowSeconds: number },
): Promise<TSlackEventAnswer> {
  if (!opts.secret) return { status: 503, body: { error: "not_configured", message: "SLACK_SIGNING_SECRET is not set" } };
  if (Buffer.byteLength(req.body) > MAX_EVENT_BODY_BYTES) return { status: 413, body: { error: "too_large" } };
  const verdict = verifySlackSignature({ secret: opts.secret, timestamp: req.timestamp, signature: req.signature, body: req.body, nowSeconds: opts.nowSeconds });
  if (verdict !== "ok") {
    const message = { missing: "unsigned request", stale: "request timestamp outside the five-minute window", bad: "bad signature" }[verdict];
    return { status: 401, body: { error: "unauthenticated", message } };
  }
  let json: unknown;
  try {
    json = JSON.parse(req.body);
  } catch {
    return { status: 400, body: { error: "bad_input", message: "body is not JSON" } };
  }
  const parsed = ZEventEnvelope.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { status: 400, body: { error: "bad_input", message: issue.message, where: { field: issue.path.join(".") } } };
  }
  const env = parsed.data;
  if (env.type === "url_verification") return { status: 200, body: { challenge: env.challenge } };
  if (env.type === "app_rate_limited") return { status: 200, body: { ok: true } };
  const cb = env as TEventCallback;
  const retryNum = req.retryNum && /^\d{1,3}$/.test(req.retryNum) ? Number(req.retryNum) : 0;
  // One statement stores the receipt and queues its job (no NOTIFY: it would serialise every
  // receipt's commit behind one lock; the worker polls every second).
  const receiptId = await insertEventReceiptWithJob(
    pool,
    {
      eventId: cb.event_id,
      teamId: cb.team_id,
      eventType: cb.event.type,
      eventTime: cb.event_time ? new Date(cb.event_time * 1000) : null,
      retryNum,
      payload: cb,
    },
    { name: processSlackEventJob.name, key: eventJobKey(cb.event_id), maxAttempts: processSlackEventJob.retry.maxAttempts },
  );
  if (receiptId === null) {
    if (req.retryNum === null) return { status: 401, body: { error: "unauthenticated", message: "replayed event" } };
    return { status: 200, body: { ok: true, duplicate: true } };
  }
  return { status: 200, body: { ok: true } };
}

/** The job key of a receipt's archiving job (one job per event id). */
export function eventJobKey(eventId: string): string {
  return `slack-event:${eventId}`;
}

/** Receipts archived together by one job (Slack delivers many events per second). */
export const EVENTS_PER_BATCH = 200;

/**
 * Archive a receipt's event, together with other receipts still waiting
 * (up to {@link EVENTS_PER_BATCH}, oldest first, skipping those another
 * worker holds): one batch and the receipts' processed marks commit
 * together, so a retried job never applies anything twice. When the shared
 * batch fails, the job's own receipt is processed alone; an event that is
 * bad input is marked failed instead of being retried.
 */
export async function processSlackEventReceipt(pool: pg.Pool, receiptId: number): Promise<{ processed: number; counts: TBatchCounts }> {
  try {
    const r = await processReceipts(pool, receiptId, EVENTS_PER_BATCH);
    if (r.processed > 0) await requestSearchIndexing(pool);
    return r;
  } catch (e) {
    try {
      return await processReceipts(pool, receiptId, 1);
    } catch (single) {
      if (isAppError(single) && single.status < 500 && single.code !== "not_found") {
        await markEventProcessed(pool, receiptId, single.describe());
        return { processed: 0, counts: emptyCounts() };
      }
      throw single;
    }
  }
}

async function processReceipts(pool: pg.Pool, receiptId: number, limit: number): Promise<{ processed: number; counts: TBatchCounts }> {
  return withTransaction(async (tx) => {
    const own = await lockEventReceipt(tx, receiptId);
    if (!own) throw new AppError("not_found", `No Slack event receipt ${receiptId}`);
    if (own.processedAt) return { processed: 0, counts: emptyCounts() };
    const others = limit > 1 ? await lockPendingEventReceipts(tx, receiptId, limit - 1) : [];
    const byTeam = new Map<string, { event: Record<string, unknown>; eventTime: number | null }[]>();
    for (const r of [own, ...others].sort((a, b) => a.id - b.id)) {
      const cb = ZEventCallback.parse(r.payload);
      const list = byTeam.get(cb.team_id) ?? [];
      list.push({ event: cb.event, eventTime: cb.event_time ?? null });
      byTeam.set(cb.team_id, list);
    }
    let counts = emptyCounts();
    for (const [teamId, items] of byTeam) counts = addCounts(counts, (await applySlackEvents(tx, teamId, items)).counts);
    await markEventsProcessed(tx, [own.id, ...others.map((o) => o.id)]);
    // Their own jobs have nothing left to do: complete them with the batch.
    await completeQueuedJobsByKey(tx, processSlackEventJob.name, others.map((o) => eventJobKey(o.eventId)));
    return { processed: 1 + others.length, counts };
  }, pool);
}

function knownChannel(c: NChannel): TKnownChannel {
  return {
    externalId: c.externalId,
    name: c.name,
    kind: c.kind,
    topic: c.topic ?? null,
    purpose: c.purpose ?? null,
    archived: c.archived,
    createdAt: c.createdAt ?? null,
    creator: c.creator ?? null,
    raw: c.raw,
  };
}

/**
 * Normalise inner events (in delivery order) against the stored channels
 * and texts and write them as one batch, inside the caller's transaction.
 * What an event changes (a new channel, a rename, a message's current
 * text) is what the next event of the batch sees; the loader's merge rules
 * make one batch of many events equal to applying them one by one.
 */
export async function applySlackEvents(
  tx: pg.ClientBase,
  teamId: string,
  items: { event: Record<string, unknown>; eventTime: number | null }[],
  ctx: { source?: string; ingestRunId?: number | null; workspaceIds?: Map<string, number> } = {},
): Promise<{ ignored: number; counts: TBatchCounts }> {
  const ids = new Set<string>();
  const changed: { channel: string; ts: string }[] = [];
  for (const it of items) {
    for (const id of channelIdsOfEvent(it.event)) ids.add(id);
    const c = changedMessageOfEvent(it.event);
    if (c) changed.push(c);
  }
  const channels = new Map<string, TKnownChannel>(await findStoredChannels(tx, teamId, [...ids]));
  const texts = await findMessageTexts(tx, teamId, changed);
  const stored = await findSlackWorkspace(tx, teamId);
  const workspace = { platform: "slack", externalId: teamId, name: stored?.name ?? teamId, domain: stored?.domain ?? null };
  const people = new Map<string, NPerson>();
  const newChannels = new Map<string, NChannel>();
  const batch: NormalizedBatch & { messages: NMessage[]; events: NChannelEvent[]; reactionChanges: NReactionChange[] } = {
    workspace,
    messages: [],
    events: [],
    reactionChanges: [],
  };
  let ignored = 0;
  for (const it of items) {
    const r = normalizeSlackEvent(it.event, { workspace, channels, texts }, it.eventTime);
    if (r.ignored) {
      ignored++;
      continue;
    }
    const b = r.batch;
    batch.messages.push(...(b.messages ?? []));
    batch.events.push(...(b.events ?? []));
    batch.reactionChanges.push(...(b.reactionChanges ?? []));
    for (const p of b.people ?? []) people.set(p.externalId, p);
    for (const c of b.channels ?? []) {
      newChannels.set(c.externalId, c);
      channels.set(c.externalId, knownChannel(c));
    }
    // The latest state in delivery order is the current text for the events that follow.
    for (const m of b.messages ?? []) if (m.text !== null) texts.set(`${m.channel} ${m.ts}`, m.text);
  }
  if (people.size) batch.people = [...people.values()];
  if (newChannels.size) batch.channels = [...newChannels.values()];
  if (ignored === items.length) return { ignored, counts: emptyCounts() };
  const counts = await applyBatch(tx, batch, { source: ctx.source ?? "slack-events", ingestRunId: ctx.ingestRunId ?? null, workspaceIds: ctx.workspaceIds });
  return { ignored, counts };
}
