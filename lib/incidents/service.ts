import { z } from "zod";
import { authorizeChannelRead, readableChannelsSql, recordAuditEvent } from "../access/service";
import type { TViewer } from "../access/types";
import { withTransaction, type TDb } from "../db";
import { AppError } from "../errors";
import { findChannelByReference, readTimeline, recordTimelineMark } from "../timelines/service";
import type { TTimeline } from "../timelines/types";
import { findIncidentPatterns, globToLike } from "./config";
import { deriveIncident, TIME_FIELDS, type TDerivedIncident, type TParticipant, type TTimeField } from "./derive";
import {
  insertDetectedIncidents,
  insertIncident,
  insertIncidentVersion,
  selectActivity,
  selectIncident,
  selectIncidents,
  selectIncidentVersions,
  selectPeopleByRef,
  updateIncidentRow,
  type TIncidentRow,
} from "./repository";
import type pg from "pg";

/**
 * Incidents: detected from channel names or created by hand; their times,
 * commander and participants are derived from the timeline and can then be
 * edited (validated, audited, versioned). Every read asks lib/access: an
 * incident in a channel the viewer may not read does not exist for them.
 */

/** The time fields, for forms. */
export const TIME_FIELDS_FOR_FORMS = TIME_FIELDS;

/** Incident statuses. */
export const INCIDENT_STATUSES = ["investigating", "identified", "mitigated", "resolved"] as const;

/** Metrics in milliseconds (null when a time is unknown). */
export type TIncidentMetrics = {
  timeToDetectMs: number | null;
  timeToAcknowledgeMs: number | null;
  timeToMitigateMs: number | null;
  timeToResolveMs: number | null;
  durationMs: number | null;
};

/** An incident as readers see it. */
export type TIncident = {
  id: number;
  origin: string;
  title: string;
  severity: string | null;
  status: string;
  commander: string | null;
  participants: TParticipant[];
  channel: { id: number; externalId: string; name: string; kind: string };
  range: { from: string | null; to: string | null };
  times: Record<TTimeField, string | null>;
  overrides: TIncidentRow["overrides"];
  metrics: TIncidentMetrics;
  version: number;
  updatedAt: string;
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** TTD = detected − started, TTA = acknowledged − detected, TTM/TTR/duration from the start. */
export function computeMetrics(times: Record<TTimeField, string | null>): TIncidentMetrics {
  const ms = (a: string | null, b: string | null) => (a && b ? Date.parse(b) - Date.parse(a) : null);
  return {
    timeToDetectMs: ms(times.startedAt, times.detectedAt),
    timeToAcknowledgeMs: ms(times.detectedAt, times.acknowledgedAt),
    timeToMitigateMs: ms(times.startedAt, times.mitigatedAt),
    timeToResolveMs: ms(times.startedAt, times.resolvedAt),
    durationMs: ms(times.startedAt, times.resolvedAt),
  };
}

function toIncident(r: TIncidentRow): TIncident {
  const times = {
    startedAt: iso(r.started_at),
    detectedAt: iso(r.detected_at),
    acknowledgedAt: iso(r.acknowledged_at),
    mitigatedAt: iso(r.mitigated_at),
    resolvedAt: iso(r.resolved_at),
  };
  return {
    id: r.id,
    origin: r.origin,
    title: r.title,
    severity: r.severity,
    status: r.status,
    commander: r.commander,
    participants: r.participants ?? [],
    channel: { id: r.channel_id, externalId: r.channel_external_id, name: r.channel_name, kind: r.channel_kind },
    range: { from: iso(r.range_from), to: iso(r.range_to) },
    times,
    overrides: r.overrides ?? {},
    metrics: computeMetrics(times),
    version: r.version,
    updatedAt: r.updated_at.toISOString(),
  };
}

function notFound(): AppError {
  return new AppError("not_found", "incident not found");
}


function snapshotOf(i: TIncident): Record<string, unknown> {
  const { metrics: _m, updatedAt: _u, ...rest } = i;
  return rest;
}

/**
 * Apply what the timeline says to every field a person has not set; writes
 * a new version only when something changed.
 */
async function applyDerived(db: TDb, row: TIncidentRow, d: TDerivedIncident, actorId: number | null): Promise<TIncidentRow> {
  const current = toIncident(row);
  const overridden = new Set(Object.keys(current.overrides));
  const times = { ...current.times };
  for (const f of TIME_FIELDS) if (!overridden.has(f)) times[f] = d.times[f]?.at ?? null;
  const isManualTitle = overridden.has("title");
  const next = {
    title: isManualTitle || (row.origin === "manual" && row.title) ? current.title : (d.title ?? current.title),
    severity: overridden.has("severity") ? current.severity : (d.severity ?? current.severity),
    status: overridden.has("status") ? current.status : d.status,
    commander: overridden.has("commander") ? current.commander : (d.commander ?? current.commander),
    participants: overridden.has("participants") ? current.participants : d.participants,
    ...times,
    overrides: current.overrides,
  };
  if (overridden.has("commander") && next.commander) {
    // A commander set by hand keeps the role when the derived participants change.
    const cmd = next.commander;
    const name = [...next.participants, ...current.participants].find((x) => x.person === cmd)?.name ?? cmd;
    next.participants = withCommander(next.participants, { person: cmd, name });
  }
  const changed =
    next.title !== current.title ||
    next.severity !== current.severity ||
    next.status !== current.status ||
    next.commander !== current.commander ||
    // jsonb reorders object keys: compare the values.
    JSON.stringify(next.participants.map((x) => [x.person, x.name, x.role])) !== JSON.stringify(current.participants.map((x) => [x.person, x.name, x.role])) ||
    TIME_FIELDS.some((f) => times[f] !== current.times[f]);
  if (!changed) return row;
  const version = await updateIncidentRow(db, row.id, row.version, next);
  if (version === null) return (await selectIncident(db, row.id)) ?? row;
  const updated = (await selectIncident(db, row.id))!;
  await insertIncidentVersion(db, { incidentId: row.id, version, snapshot: snapshotOf(toIncident(updated)), changedBy: actorId, reason: "derived from the timeline" });
  return updated;
}

async function timelineOf(db: TDb, row: TIncidentRow, opts: { includeHidden?: boolean } = {}): Promise<TTimeline> {
  return readTimeline(db, row.channel_id, {
    from: row.range_from,
    to: row.range_to,
    incidentId: row.id,
    incidentEnd: row.resolved_at,
    includeHidden: opts.includeHidden,
  });
}

/** Derive (or re-derive) an incident's facts from its timeline. */
export async function refreshIncident(db: TDb, incidentId: number, actorId: number | null = null): Promise<TIncident> {
  const row = await selectIncident(db, incidentId);
  if (!row) throw notFound();
  const t = await timelineOf(db, row);
  const updated = await applyDerived(db, row, deriveOnce(t), actorId);
  if (updated.version === 1) await insertIncidentVersion(db, { incidentId, version: 1, snapshot: snapshotOf(toIncident(updated)), changedBy: actorId, reason: "created" });
  return toIncident(updated);
}

/**
 * Create an incident for every channel whose name matches the configured
 * patterns (idempotent); returns the ids created now.
 */
export async function syncDetectedIncidents(db: pg.Pool, patterns = findIncidentPatterns()): Promise<number[]> {
  const ids = await insertDetectedIncidents(db, patterns.map(globToLike));
  for (const id of ids) {
    await insertIncidentVersion(db, { incidentId: id, version: 1, snapshot: { origin: "detected" }, changedBy: null, reason: "detected from the channel name" });
    await recordAuditEvent(db, { actorId: null, action: "incident.detect", target: `incident:${id}`, details: { patterns } });
    await refreshIncident(db, id);
  }
  return ids;
}

/** The incidents `viewer` may read, with an activity sparkline each. */
export async function listIncidents(db: TDb, viewer: TViewer): Promise<(TIncident & { activity: number[]; messageCount: number })[]> {
  const rows = await selectIncidents(db, readableChannelsSql(viewer, 1));
  const out = [];
  for (const r of rows) {
    const i = toIncident(r);
    const from = r.range_from ?? r.started_at ?? r.detected_at;
    const to = r.range_to ?? r.resolved_at ?? (from ? new Date(from.getTime() + 6 * 3_600_000) : null);
    const activity = from && to && to > from ? await selectActivity(db, r.channel_id, from, to, 24) : [];
    out.push({ ...i, activity, messageCount: activity.reduce((a, b) => a + b, 0) });
  }
  return out;
}

/** Parse an incident reference (`12` or `#12`). */
export function parseIncidentId(ref: string): number {
  const m = /^#?(\d{1,9})$/.exec(ref.trim());
  if (!m) throw new AppError("bad_input", `Not an incident id: "${ref}"`, { field: "incident" });
  return Number(m[1]);
}

async function readableRow(db: TDb, viewer: TViewer, id: number, what: string): Promise<TIncidentRow> {
  const row = await selectIncident(db, id);
  if (!row) throw notFound();
  if (!(await authorizeChannelRead(db, viewer, row.channel_id, { incident: id, what }))) throw notFound();
  return row;
}

/** One incident, if `viewer` may read its channel. */
export async function findIncident(db: TDb, viewer: TViewer, id: number): Promise<TIncident> {
  return toIncident(await readableRow(db, viewer, id, "incident"));
}

/** Derivations of timelines served from the cache (the same frozen object while its rows are unchanged). */
const derivedOf = new WeakMap<TTimeline, TDerivedIncident>();

function deriveOnce(t: TTimeline): TDerivedIncident {
  if (!Object.isFrozen(t)) return deriveIncident(t);
  let d = derivedOf.get(t);
  if (!d) derivedOf.set(t, (d = deriveIncident(t)));
  return d;
}

/** An incident with its timeline (derived fields refreshed first). */
export async function findIncidentTimeline(
  db: TDb,
  viewer: TViewer,
  id: number,
  opts: { includeHidden?: boolean } = {},
): Promise<{ incident: TIncident; timeline: TTimeline; derived: TDerivedIncident }> {
  let row = await readableRow(db, viewer, id, "timeline");
  const t = await timelineOf(db, row, opts);
  const derived = opts.includeHidden ? deriveIncident({ ...t, events: t.events.filter((e) => !e.marks.hidden) }) : deriveOnce(t);
  row = await applyDerived(db, row, derived, null);
  return { incident: toIncident(row), timeline: t, derived };
}

/** An incident's version history, newest first. */
export async function findIncidentVersions(db: TDb, viewer: TViewer, id: number) {
  await readableRow(db, viewer, id, "versions");
  return (await selectIncidentVersions(db, id)).map((v) => ({ ...v, created_at: v.created_at.toISOString() }));
}

/** Input of a manual incident. */
export const ZCreateIncident = z.object({
  channel: z.string().trim().min(1),
  from: z.coerce.date().nullable().optional(),
  to: z.coerce.date().nullable().optional(),
  title: z.string().trim().min(1).max(300).optional(),
});
export type TCreateIncident = z.input<typeof ZCreateIncident>;

/** Create an incident by hand for any readable channel and time range. */
export async function createIncident(db: pg.Pool, viewer: TViewer, input: TCreateIncident): Promise<TIncident> {
  const parsed = ZCreateIncident.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError("bad_input", issue.message, { field: issue.path.join(".") });
  }
  const p = parsed.data;
  if (p.from && p.to && p.from > p.to) throw new AppError("bad_input", "--from must not be after --to", { field: "to" });
  const channel = await findChannelByReference(db, viewer, p.channel);
  const id = await insertIncident(db, { channelId: channel.id, title: p.title ?? `Incident in #${channel.name}`, rangeFrom: p.from ?? null, rangeTo: p.to ?? null });
  await recordAuditEvent(db, { actorId: viewer.userId || null, action: "incident.create", target: `incident:${id}`, details: { channel: channel.id, from: p.from ?? null, to: p.to ?? null } });
  return refreshIncident(db, id, viewer.userId || null);
}

const ZTimeChange = z.object({ at: z.coerce.date().nullable(), reason: z.string().trim().min(1, "a time override needs a reason").max(1000) });

/** A change to an incident. Time overrides each need a reason; `clear` returns a time to its derived value. */
export const ZUpdateIncident = z.object({
  expectedVersion: z.number().int().positive(),
  title: z.string().trim().min(1).max(300).optional(),
  severity: z.string().trim().max(20).nullable().optional(),
  status: z.enum(INCIDENT_STATUSES).optional(),
  commander: z.string().trim().max(64).nullable().optional(),
  participants: z.array(z.object({ person: z.string().min(1).max(64), name: z.string().max(200), role: z.string().min(1).max(60) })).max(500).optional(),
  times: z.partialRecord(z.enum(TIME_FIELDS), ZTimeChange).optional(),
  clearOverrides: z.array(z.enum(TIME_FIELDS)).optional(),
  reason: z.string().trim().max(1000).optional(),
});
export type TUpdateIncident = z.input<typeof ZUpdateIncident>;

/** Check started ≤ detected ≤ acknowledged ≤ mitigated ≤ resolved among the known times. */
export function findChronologyError(times: Record<TTimeField, string | null>): { field: TTimeField; message: string } | null {
  let prev: { f: TTimeField; t: number } | null = null;
  for (const f of TIME_FIELDS) {
    const v = times[f];
    if (!v) continue;
    const t = Date.parse(v);
    if (prev && t < prev.t) return { field: f, message: `${f} must not be before ${prev.f}` };
    prev = { f, t };
  }
  return null;
}

/**
 * Edited commander and participants name real people: each reference (Slack
 * id, name or e-mail) is resolved to the person's id and display name, and an
 * unknown one is refused naming the field.
 */
async function resolveIncidentPeople(
  db: TDb,
  commander: string | null | undefined,
  participants: TParticipant[] | undefined,
): Promise<{ commander: { person: string; name: string } | null | undefined; participants: TParticipant[] | undefined }> {
  const refs = [...new Set([...(commander ? [commander] : []), ...(participants ?? []).map((x) => x.person)])];
  const found = new Map((await selectPeopleByRef(db, refs)).map((x) => [x.ref, x]));
  const resolve = (ref: string, field: string) => {
    const hit = found.get(ref);
    if (!hit) throw new AppError("bad_input", `No person "${ref}" in the archive`, { field });
    return hit;
  };
  const seen = new Set<string>();
  const list = participants?.flatMap((x, i) => {
    const hit = resolve(x.person, `participants.${i}.person`);
    if (seen.has(hit.person)) return [];
    seen.add(hit.person);
    return [{ person: hit.person, name: hit.name, role: x.role.trim() }];
  });
  if (commander === undefined) return { commander: undefined, participants: list };
  const chosen = commander ? resolve(commander, "commander") : null;
  return { commander: chosen ? { person: chosen.person, name: chosen.name } : null, participants: list };
}

/** The commander is always among the participants, first, and the only one with that role. */
function withCommander(participants: TParticipant[], commander: { person: string; name: string } | null): TParticipant[] {
  const others = participants
    .filter((x) => x.person !== commander?.person)
    .map((x) => (x.role === "commander" ? { ...x, role: "responder" } : x));
  if (!commander) return others;
  const own = participants.find((x) => x.person === commander.person);
  return [{ person: commander.person, name: own?.name ?? commander.name, role: "commander" }, ...others];
}

/** Edit an incident: validated, audited and versioned (optimistic concurrency on `expectedVersion`). */
export async function updateIncident(db: pg.Pool, viewer: TViewer, id: number, input: TUpdateIncident): Promise<TIncident> {
  const parsed = ZUpdateIncident.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError("bad_input", issue.message, { field: issue.path.join(".") });
  }
  const p = parsed.data;
  return withTransaction(async (tx) => {
    const row = await readableRow(tx, viewer, id, "update");
    const cur = toIncident(row);
    if (cur.version !== p.expectedVersion) throw new AppError("conflict", `incident changed meanwhile (now version ${cur.version})`, { field: "expectedVersion" });
    const overrides = { ...cur.overrides };
    const times = { ...cur.times };
    const now = new Date().toISOString();
    for (const [f, change] of Object.entries(p.times ?? {}) as [TTimeField, z.infer<typeof ZTimeChange>][]) {
      times[f] = change.at ? change.at.toISOString() : null;
      overrides[f] = { at: times[f], reason: change.reason, by: viewer.userId || null, setAt: now };
    }
    for (const f of p.clearOverrides ?? []) delete overrides[f];
    const fieldOverride = (k: string) => (overrides[k] = { at: null, reason: p.reason ?? "edited", by: viewer.userId || null, setAt: now });
    if (p.title !== undefined && p.title !== cur.title) fieldOverride("title");
    if (p.severity !== undefined && p.severity !== cur.severity) fieldOverride("severity");
    if (p.status !== undefined && p.status !== cur.status) fieldOverride("status");
    if (p.commander !== undefined && p.commander !== cur.commander) fieldOverride("commander");
    if (p.participants !== undefined) fieldOverride("participants");
    const bad = findChronologyError(times);
    if (bad) throw new AppError("bad_input", bad.message, { field: `times.${bad.field}` });
    const people = await resolveIncidentPeople(tx, p.commander, p.participants);
    const currentCommander = cur.commander ? { person: cur.commander, name: cur.participants.find((x) => x.person === cur.commander)?.name ?? cur.commander } : null;
    const commander = people.commander === undefined ? currentCommander : people.commander;
    const next = {
      title: p.title ?? cur.title,
      severity: p.severity === undefined ? cur.severity : p.severity,
      status: p.status ?? cur.status,
      commander: commander?.person ?? null,
      participants: withCommander(people.participants ?? cur.participants, commander),
      ...times,
      overrides,
    };
    const version = await updateIncidentRow(tx, id, cur.version, next);
    if (version === null) throw new AppError("conflict", "incident changed meanwhile", { field: "expectedVersion" });
    const updated = toIncident((await selectIncident(tx, id))!);
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const k of ["title", "severity", "status", "commander", "participants"] as const) {
      if (JSON.stringify(cur[k]) !== JSON.stringify(updated[k])) changes[k] = { from: cur[k], to: updated[k] };
    }
    for (const f of TIME_FIELDS) if (cur.times[f] !== updated.times[f]) changes[f] = { from: cur.times[f], to: updated.times[f] };
    await insertIncidentVersion(tx, { incidentId: id, version, snapshot: snapshotOf(updated), changedBy: viewer.userId || null, reason: p.reason ?? null });
    await recordAuditEvent(tx, { actorId: viewer.userId || null, action: "incident.update", target: `incident:${id}`, details: { version, changes, reason: p.reason ?? null } });
    return updated;
  }, db);
}

/** A mark on an event of an incident's timeline. */
export const ZMark = z.object({
  eventId: z.string().regex(/^(?:m|e|x|c):[\w.:-]{1,64}$/, "not an event id"),
  kind: z.enum(["key_event", "note", "hide"]),
  active: z.boolean().default(true),
  note: z.string().trim().max(2000).nullable().optional(),
});
export type TMark = z.input<typeof ZMark>;

/** Store a new version of a mark (key event, note, hide); audited. */
export async function markTimelineEvent(db: pg.Pool, viewer: TViewer, incidentId: number, input: TMark): Promise<{ version: number }> {
  const parsed = ZMark.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError("bad_input", issue.message, { field: issue.path.join(".") });
  }
  const m = parsed.data;
  await readableRow(db, viewer, incidentId, "mark");
  const [prefix, ...rest] = m.eventId.split(":");
  const key = rest.join(":");
  const sourceKind = prefix === "m" ? "message" : prefix === "e" ? "channel_event" : "execution";
  const sourceKey = prefix === "c" ? `chat:${key}` : key;
  if (m.kind === "note" && m.active && !m.note) throw new AppError("bad_input", "a note needs text", { field: "note" });
  const version = await recordTimelineMark(db, { incidentId, sourceKind, sourceKey, kind: m.kind, note: m.note ?? null, active: m.active, authorId: viewer.userId || null });
  await recordAuditEvent(db, { actorId: viewer.userId || null, action: "incident.mark", target: `incident:${incidentId}`, details: { eventId: m.eventId, kind: m.kind, active: m.active, version } });
  return { version };
}
