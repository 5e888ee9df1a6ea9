import type { TDb } from "@/lib/db";
import { decideChannelAccess, isReadable } from "./policy";
import {
  buildCurrentMemberIdsSql,
  buildReadableChannelsSql,
  insertAuditEvent,
  selectChannelAccessFacts,
  selectReadableChannelIds,
} from "./repository";
import type { TAccessBasis, TSqlFragment, TViewer } from "./types";

/**
 * THE one place that decides what a viewer may read. Browsing, search,
 * timelines, exports, the API and permalinks all ask here; see `policy.ts`
 * for the rules.
 */

/** Ids of every channel `viewer` may read, ascending. */
export async function findReadableChannelIds(db: TDb, viewer: TViewer): Promise<number[]> {
  return selectReadableChannelIds(db, viewer);
}

/**
 * On what basis `viewer` may read channel `channelId`; `none` when they may
 * not or when it does not exist (callers answer both with "not found").
 */
export async function findChannelAccess(db: TDb, viewer: TViewer, channelId: number): Promise<TAccessBasis> {
  if (!Number.isSafeInteger(channelId) || channelId <= 0) return "none";
  const facts = await selectChannelAccessFacts(db, channelId, viewer.personId);
  if (!facts) return "none";
  return decideChannelAccess({ role: viewer.role, kind: facts.kind, isCurrentMember: facts.isCurrentMember });
}

/** Whether `viewer` may read channel `channelId` (false when it does not exist). */
export async function canReadChannel(db: TDb, viewer: TViewer, channelId: number): Promise<boolean> {
  return isReadable(await findChannelAccess(db, viewer, channelId));
}

/**
 * A subquery yielding the ids of the channels `viewer` may read, for readers
 * that filter inside their own SQL, e.g.
 *
 * ```ts
 * const scope = readableChannelsSql(viewer, 3); // placeholders start at $3
 * db.query(`SELECT … FROM message m WHERE m.channel_id IN (${scope.sql}) AND …`, [a, b, ...scope.params]);
 * ```
 * Its table aliases all start with `acc_`, so they do not clash with yours.
 */
export function readableChannelsSql(viewer: TViewer, firstParam = 1): TSqlFragment {
  return buildReadableChannelsSql(viewer, firstParam);
}

/**
 * A subquery (no parameters) selecting the person ids that currently belong
 * to the channel aliased `channelAlias` in the enclosing query — the same
 * membership rule access uses — for member counts and DM names.
 */
export function currentMemberIdsSql(channelAlias: string): string {
  return buildCurrentMemberIdsSql(channelAlias);
}

/** The one way the domains append to the audit log (the table refuses updates and deletes). */
export async function recordAuditEvent(
  db: TDb,
  event: { actorId: number | null; actor?: string | null; action: string; target: string | null; details: Record<string, unknown>; ip?: string | null },
): Promise<void> {
  await insertAuditEvent(db, event);
}

/**
 * Audit a privileged read (an auditor or admin reading a conversation they do
 * not belong to). `what` says what was read, e.g. `{ day: "2024-05-01" }`.
 */
export async function recordPrivilegedRead(
  db: TDb,
  viewer: TViewer,
  channelId: number,
  what: Record<string, unknown>,
  ip?: string | null,
): Promise<void> {
  await insertAuditEvent(db, {
    actorId: viewer.userId,
    action: "archive.read_private",
    target: `channel:${channelId}`,
    details: { role: viewer.role, ...what },
    ip,
  });
}

/**
 * Check access and audit privileged reads in one step; returns false when
 * the channel is not readable (or does not exist).
 */
export async function authorizeChannelRead(
  db: TDb,
  viewer: TViewer,
  channelId: number,
  what: Record<string, unknown>,
): Promise<boolean> {
  const basis = await findChannelAccess(db, viewer, channelId);
  if (basis === "privileged") await recordPrivilegedRead(db, viewer, channelId, what);
  return isReadable(basis);
}
