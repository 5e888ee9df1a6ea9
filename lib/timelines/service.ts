import { authorizeChannelRead, findReadableChannelIds } from "../access/service";
import type { TViewer } from "../access/types";
import type { TDb } from "../db";
import { AppError } from "../errors";
import { findActiveRedactionsInChannel, overlayMessageText } from "../compliance/message-overlay";
import { maskSecrets, maskSecretsInValue } from "../compliance/secrets";
import { cachedTimeline, cacheTimeline } from "./cache";
import { buildTimeline, type TExecutionInput, type TMarkInput, type TMessageInput } from "./build";
import {
  insertMarkVersion,
  selectChannelIdentity,
  selectChannelsByReference,
  selectCurrentMarks,
  selectPeopleNames,
  selectTimelineChannelEvents,
  selectTimelineExecutions,
  selectTimelineFingerprint,
  selectTimelineMessages,
  type TChannelIdentity,
} from "./repository";
import type { TTimeline } from "./types";

/**
 * Timelines for readers: asks lib/access first (a channel the viewer may not
 * read is "not found"), then reads the rows and builds the stream.
 */

/** Options of a timeline read. */
export type TTimelineOptions = {
  from?: Date | null;
  to?: Date | null;
  incidentId?: number | null;
  incidentEnd?: Date | null;
  gapMinutes?: number;
  includeHidden?: boolean;
};

function notFound(): AppError {
  return new AppError("not_found", "channel not found");
}

/**
 * The channel a CLI or URL reference names (numeric id, Slack id, or name),
 * among those `viewer` may read.
 */
export async function findChannelByReference(db: TDb, viewer: TViewer, ref: string): Promise<TChannelIdentity> {
  const candidates = await selectChannelsByReference(db, ref);
  if (candidates.length === 0) throw notFound();
  const readable = new Set(await findReadableChannelIds(db, viewer));
  const c = candidates.find((x) => readable.has(x.id));
  if (!c) throw notFound();
  return c;
}

/** The merged timeline of channel `channelId` as `viewer` may see it. */
export async function findChannelTimeline(db: TDb, viewer: TViewer, channelId: number, opts: TTimelineOptions = {}): Promise<TTimeline> {
  if (!(await authorizeChannelRead(db, viewer, channelId, { timeline: true, incidentId: opts.incidentId ?? null }))) throw notFound();
  return readTimeline(db, channelId, opts);
}

/**
 * The timeline without an access check, for the incident service's own
 * derivations (it checks access before anything leaves it). Built once per
 * state of its rows: an unchanged channel is served from the cache (frozen).
 */
export async function readTimeline(db: TDb, channelId: number, opts: TTimelineOptions = {}): Promise<TTimeline> {
  const from = opts.from ?? null;
  const to = opts.to ?? null;
  // The fingerprint is read before the rows: a change committed in between makes the entry miss next time, never hit stale.
  const fingerprint = await selectTimelineFingerprint(db, channelId, opts.incidentId ?? null);
  const key = [channelId, from?.toISOString(), to?.toISOString(), opts.incidentId, opts.incidentEnd?.toISOString(), opts.gapMinutes, Boolean(opts.includeHidden)].join("|");
  const cached = cachedTimeline(key, fingerprint);
  if (cached) return cached;
  const channel = await selectChannelIdentity(db, channelId);
  if (!channel) throw notFound();
  const [rawMessages, rawExecutions, rawChannelEvents, people, marks, redactions] = await Promise.all([
    selectTimelineMessages(db, channelId, from, to),
    selectTimelineExecutions(db, channelId, from, to),
    selectTimelineChannelEvents(db, channelId, from, to),
    selectPeopleNames(db, channel.workspaceId),
    opts.incidentId ? selectCurrentMarks(db, opts.incidentId) : Promise.resolve([] as TMarkInput[]),
    findActiveRedactionsInChannel(db, channelId),
  ]);
  // Everything built from here (timeline, incident times, postmortem drafts) sees secrets masked and redactions applied.
  // In place: the rows are this read's own, and a copy of 20,000 of them is garbage the build then waits on.
  const messages: TMessageInput[] = rawMessages;
  for (const m of messages) {
    const redaction = redactions.get(m.ts);
    m.text = overlayMessageText(m.text, redaction);
    m.searchText = redaction ? "" : maskSecrets(m.searchText);
  }
  // Executions are stored masked; masking again (idempotent) covers records stored before a rule existed.
  const executions: TExecutionInput[] = rawExecutions.map((x) => ({
    ...x,
    command: maskSecrets(x.command),
    arguments: maskSecretsInValue(x.arguments),
    output: x.output === null ? null : maskSecrets(x.output),
  }));
  const channelEvents = rawChannelEvents.map((e) => ({ ...e, text: maskSecrets(e.text), value: e.value === null ? null : maskSecrets(e.value) }));
  const built = buildTimeline({
    channel: { id: channel.id, externalId: channel.externalId, name: channel.name, kind: channel.kind },
    range: { from, to },
    messages,
    executions,
    channelEvents,
    people,
    marks,
    incidentEnd: opts.incidentEnd ?? null,
    gapMinutes: opts.gapMinutes,
    includeHidden: opts.includeHidden,
  });
  return cacheTimeline(key, fingerprint, built);
}

/**
 * Store a new version of a mark on an event of an incident's timeline. The
 * caller (the incident service) has checked the viewer may read the incident.
 */
export async function recordTimelineMark(
  db: TDb,
  m: TMarkInput & { incidentId: number; authorId: number | null },
): Promise<number> {
  return insertMarkVersion(db, m);
}
