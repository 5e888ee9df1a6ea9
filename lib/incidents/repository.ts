import type { TSqlFragment } from "../access/types";
import type { TDb } from "../db";

/** SQL for incidents. Readers pass the viewer's readable scope from lib/access. */

/** An incident row joined with its channel. */
export type TIncidentRow = {
  id: number;
  channel_id: number;
  channel_external_id: string;
  channel_name: string;
  channel_kind: string;
  workspace_id: number;
  origin: string;
  title: string;
  severity: string | null;
  status: string;
  commander: string | null;
  participants: { person: string; name: string; role: string }[];
  range_from: Date | null;
  range_to: Date | null;
  started_at: Date | null;
  detected_at: Date | null;
  acknowledged_at: Date | null;
  mitigated_at: Date | null;
  resolved_at: Date | null;
  overrides: Record<string, { at: string | null; reason: string; by: number | null; setAt: string }>;
  version: number;
  created_at: Date;
  updated_at: Date;
};

const COLUMNS = `i.id, i.channel_id, c.external_id AS channel_external_id, c.name AS channel_name, c.kind::text AS channel_kind, c.workspace_id,
  i.origin, i.title, i.severity, i.status, i.commander, i.participants, i.range_from, i.range_to,
  i.started_at, i.detected_at, i.acknowledged_at, i.mitigated_at, i.resolved_at, i.overrides, i.version, i.created_at, i.updated_at`;

/** Create the incidents of channels whose names match (SQL LIKE patterns); returns the new ids. */
export async function insertDetectedIncidents(db: TDb, likePatterns: string[]): Promise<number[]> {
  if (likePatterns.length === 0) return [];
  const r = await db.query<{ id: number }>(
    `INSERT INTO incident (channel_id, origin, title)
     SELECT c.id, 'detected', c.name FROM channel c WHERE c.name LIKE ANY($1::text[])
     ON CONFLICT (channel_id) WHERE origin = 'detected' DO NOTHING
     RETURNING id`,
    [likePatterns],
  );
  return r.rows.map((x) => x.id);
}

/** Create an incident by hand. */
export async function insertIncident(
  db: TDb,
  i: { channelId: number; title: string; rangeFrom: Date | null; rangeTo: Date | null },
): Promise<number> {
  const r = await db.query<{ id: number }>(
    `INSERT INTO incident (channel_id, origin, title, range_from, range_to) VALUES ($1, 'manual', $2, $3, $4) RETURNING id`,
    [i.channelId, i.title, i.rangeFrom, i.rangeTo],
  );
  return r.rows[0]!.id;
}

/** Incidents in readable channels, newest first. */
export async function selectIncidents(db: TDb, scope: TSqlFragment): Promise<TIncidentRow[]> {
  const r = await db.query<TIncidentRow>(
    `SELECT ${COLUMNS} FROM incident i JOIN channel c ON c.id = i.channel_id
     WHERE i.channel_id IN (${scope.sql})
     ORDER BY COALESCE(i.started_at, i.detected_at, i.range_from, i.created_at) DESC, i.id DESC`,
    scope.params,
  );
  return r.rows;
}

/** One incident (no access check). */
export async function selectIncident(db: TDb, id: number): Promise<TIncidentRow | null> {
  const r = await db.query<TIncidentRow>(`SELECT ${COLUMNS} FROM incident i JOIN channel c ON c.id = i.channel_id WHERE i.id = $1`, [id]);
  return r.rows[0] ?? null;
}

/** People named by Slack id, name, @name or e-mail: each reference with the person it names. */
export async function selectPeopleByRef(db: TDb, refs: string[]): Promise<{ ref: string; person: string; name: string }[]> {
  const r = await db.query<{ ref: string; person: string; name: string }>(
    `SELECT DISTINCT ON (x.ref) x.ref, p.external_id AS person, coalesce(nullif(p.display_name, ''), p.real_name, p.name, p.external_id) AS name
       FROM unnest($1::text[]) AS x(ref)
       JOIN person p ON p.external_id = x.ref OR p.name = ltrim(x.ref, '@') OR lower(p.email) = lower(x.ref)
      ORDER BY x.ref, (p.external_id = x.ref) DESC, p.id`,
    [refs],
  );
  return r.rows;
}

/** The fields an update writes. */
export type TIncidentWrite = {
  title: string;
  severity: string | null;
  status: string;
  commander: string | null;
  participants: unknown;
  startedAt: string | null;
  detectedAt: string | null;
  acknowledgedAt: string | null;
  mitigatedAt: string | null;
  resolvedAt: string | null;
  overrides: unknown;
};

/** Write a new state if the row is still at `expectedVersion`; returns the new version or null. */
export async function updateIncidentRow(db: TDb, id: number, expectedVersion: number, w: TIncidentWrite): Promise<number | null> {
  const r = await db.query<{ version: number }>(
    `UPDATE incident SET title = $3, severity = $4, status = $5, commander = $6, participants = $7::jsonb,
       started_at = $8, detected_at = $9, acknowledged_at = $10, mitigated_at = $11, resolved_at = $12, overrides = $13::jsonb,
       version = version + 1, updated_at = now()
     WHERE id = $1 AND version = $2 RETURNING version`,
    [
      id,
      expectedVersion,
      w.title,
      w.severity,
      w.status,
      w.commander,
      JSON.stringify(w.participants),
      w.startedAt,
      w.detectedAt,
      w.acknowledgedAt,
      w.mitigatedAt,
      w.resolvedAt,
      JSON.stringify(w.overrides),
    ],
  );
  return r.rows[0]?.version ?? null;
}

/** Record a version snapshot. */
export async function insertIncidentVersion(
  db: TDb,
  v: { incidentId: number; version: number; snapshot: unknown; changedBy: number | null; reason: string | null },
): Promise<void> {
  await db.query(
    `INSERT INTO incident_version (incident_id, version, snapshot, changed_by, reason) VALUES ($1, $2, $3::jsonb, $4, $5)
     ON CONFLICT (incident_id, version) DO NOTHING`,
    [v.incidentId, v.version, JSON.stringify(v.snapshot), v.changedBy, v.reason],
  );
}

/** An incident's versions, newest first. */
export async function selectIncidentVersions(
  db: TDb,
  incidentId: number,
): Promise<{ version: number; snapshot: unknown; changed_by: number | null; reason: string | null; created_at: Date }[]> {
  const r = await db.query<{ version: number; snapshot: unknown; changed_by: number | null; reason: string | null; created_at: Date }>(
    `SELECT version, snapshot, changed_by, reason, created_at FROM incident_version WHERE incident_id = $1 ORDER BY version DESC`,
    [incidentId],
  );
  return r.rows;
}

/** Message counts per bucket of [from, to] for the activity sparkline. */
export async function selectActivity(db: TDb, channelId: number, from: Date, to: Date, buckets: number): Promise<number[]> {
  const r = await db.query<{ b: number; n: number }>(
    `SELECT width_bucket(extract(epoch FROM posted_at), extract(epoch FROM $2::timestamptz), extract(epoch FROM $3::timestamptz) + 1, $4) AS b, count(*)::int AS n
     FROM message WHERE channel_id = $1 AND posted_at >= $2 AND posted_at <= $3 GROUP BY 1`,
    [channelId, from, to, buckets],
  );
  const out = new Array<number>(buckets).fill(0);
  for (const x of r.rows) if (x.b >= 1 && x.b <= buckets) out[x.b - 1] = x.n;
  return out;
}
