import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getPool } from "@/lib/db";
import { isAppError } from "@/lib/errors";
import { findIncidentTimeline, INCIDENT_STATUSES, parseIncidentId } from "@/lib/incidents/service";
import { TIME_FIELDS } from "@/lib/incidents/derive";
import { formatDateTimeIn, formatDayIn, formatDurationMs, isValidTimeZone } from "@/lib/timelines/time";
import type { TTimelineEvent } from "@/lib/timelines/types";
import { requireViewer } from "@/app/_lib/session";
import { Sparkline } from "@/app/_components/sparkline";
import { Time } from "../_components";

export const dynamic = "force-dynamic";

type TProps = { params: Promise<{ incidentId: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

const one = (v: string | string[] | undefined) => (typeof v === "string" ? v : undefined);

const TIME_LABELS: Record<(typeof TIME_FIELDS)[number], string> = {
  startedAt: "Started",
  detectedAt: "Detected",
  acknowledgedAt: "Acknowledged",
  mitigatedAt: "Mitigated",
  resolvedAt: "Resolved",
};

const ZONES = ["UTC", "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "Asia/Tokyo", "Asia/Kolkata", "Australia/Sydney"];

export async function generateMetadata({ params }: TProps): Promise<Metadata> {
  return { title: `Incident #${(await params).incidentId}` };
}

async function load(rawId: string, includeHidden: boolean) {
  const { user, viewer } = await requireViewer();
  try {
    const id = parseIncidentId(rawId);
    return { user, ...(await findIncidentTimeline(getPool(), viewer, id, { includeHidden })) };
  } catch (e) {
    if (isAppError(e) && (e.code === "not_found" || e.code === "bad_input")) notFound();
    throw e;
  }
}

function MarkButton({ csrf, incidentId, back, eventId, kind, active, label }: { csrf: string; incidentId: number; back: string; eventId: string; kind: string; active: boolean; label: string }) {
  return (
    <form action={`/api/incidents/${incidentId}/marks`} method="post" className="inline-form">
      <input type="hidden" name="csrf" value={csrf} />
      <input type="hidden" name="back" value={back} />
      <input type="hidden" name="eventId" value={eventId} />
      <input type="hidden" name="kind" value={kind} />
      <input type="hidden" name="active" value={String(active)} />
      <button type="submit" className="button subtle small" data-testid={`mark-${kind}`}>
        {label}
      </button>
    </form>
  );
}

/** An incident: facts, metrics, activity, and the merged timeline with filters and marks. */
export default async function IncidentPage({ params, searchParams }: TProps) {
  const q = await searchParams;
  const showHidden = one(q.hidden) === "1";
  const { user, incident, timeline, derived } = await load((await params).incidentId, showHidden);
  const tzParam = one(q.tz);
  const tz = tzParam && isValidTimeZone(tzParam) ? tzParam : "UTC";
  const kind = one(q.kind);
  const person = one(q.person);
  const keyOnly = one(q.key) === "1";
  const threaded = one(q.view) === "threads";
  const here = `/incidents/${incident.id}?${new URLSearchParams(Object.entries(q).filter((x): x is [string, string] => typeof x[1] === "string")).toString()}`;
  let events = timeline.events;
  if (kind) events = events.filter((e) => e.kind === kind);
  if (person) events = events.filter((e) => e.actor === person);
  if (keyOnly) events = events.filter((e) => e.keyEvent);
  if (threaded) {
    // Threads grouped: each thread's replies right under their root, roots in time order.
    const replies = new Map<string, TTimelineEvent[]>();
    for (const e of events) if (e.isReply && e.threadTs) replies.set(e.threadTs, [...(replies.get(e.threadTs) ?? []), e]);
    events = events.filter((e) => !e.isReply).flatMap((e) => [e, ...(e.threadTs && !e.isReply ? (replies.get(e.threadTs) ?? []) : [])]);
  }
  const people = [...new Set(timeline.events.map((e) => e.actor).filter((a): a is string => Boolean(a)))].sort();
  const kinds = [...new Set(timeline.events.map((e) => e.kind))].sort();
  const gapAfter = new Map(timeline.gaps.map((g) => [g.afterEventId, g]));
  // Activity over the incident, 48 buckets.
  const times = timeline.events.map((e) => Date.parse(e.at));
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const buckets = new Array<number>(48).fill(0);
  for (const t of times) buckets[Math.min(47, Math.floor(((t - t0) / Math.max(1, t1 - t0)) * 48))]! += 1;
  const m = incident.metrics;
  const filterHref = (extra: Record<string, string | null>) => {
    const p = new URLSearchParams(Object.entries(q).filter((x): x is [string, string] => typeof x[1] === "string"));
    for (const [k, v] of Object.entries(extra)) if (v === null) p.delete(k);
    else p.set(k, v);
    return `/incidents/${incident.id}?${p.toString()}`;
  };
  let day = "";
  return (
    <>
      <div className="page-title">
        <h1 data-testid="incident-title">
          #{incident.id} {incident.title}
        </h1>
        <p className="muted">
          <Link href={`/channels/${incident.channel.id}`}>#{incident.channel.name}</Link> · <span className={`badge status-${incident.status}`}>{incident.status}</span> · severity{" "}
          {incident.severity ?? "not set"} · version {incident.version} · <Link href={`/incidents/${incident.id}/postmortem`}>Postmortem</Link> · export{" "}
          {(["md", "csv", "json", "html"] as const).map((f) => (
            <a key={f} href={`/api/incidents/${incident.id}/timeline?format=${f}&tz=${encodeURIComponent(tz)}`} style={{ marginRight: ".4rem" }}>
              {f}
            </a>
          ))}
        </p>
      </div>

      <section aria-labelledby="facts" style={{ display: "grid", gridTemplateColumns: "repeat(auto-fit,minmax(18rem,1fr))", gap: "1rem" }}>
        <div>
          <h2 id="facts">Key times</h2>
          <dl data-testid="key-times">
            {TIME_FIELDS.map((f) => (
              <div key={f}>
                <dt>{TIME_LABELS[f]}</dt>
                <dd>
                  <Time at={incident.times[f]} tz={tz} />
                  {incident.overrides[f] ? <span className="muted small"> — set by hand: {incident.overrides[f].reason}</span> : derived.times[f] ? <span className="muted small"> — {derived.times[f]!.why}</span> : null}
                </dd>
              </div>
            ))}
          </dl>
        </div>
        <div>
          <h2>Metrics</h2>
          <dl data-testid="metrics">
            <dt>Time to detect</dt>
            <dd>{formatDurationMs(m.timeToDetectMs)}</dd>
            <dt>Time to acknowledge</dt>
            <dd>{formatDurationMs(m.timeToAcknowledgeMs)}</dd>
            <dt>Time to mitigate</dt>
            <dd>{formatDurationMs(m.timeToMitigateMs)}</dd>
            <dt>Time to resolve</dt>
            <dd>{formatDurationMs(m.timeToResolveMs)}</dd>
          </dl>
          <Sparkline values={buckets} width={280} height={40} label="activity over the incident" />
        </div>
        <div>
          <h2>People</h2>
          <ul data-testid="people">
            {incident.participants.map((p) => (
              <li key={p.person} data-role={p.role}>
                {p.name} <span className="muted small">{p.role}</span>
              </li>
            ))}
          </ul>
        </div>
      </section>

      <details style={{ margin: "1rem 0" }}>
        <summary>Edit incident</summary>
        <form action={`/api/incidents/${incident.id}`} method="post" data-testid="edit-incident">
          <input type="hidden" name="csrf" value={user.csrfToken} />
          <input type="hidden" name="expectedVersion" value={incident.version} />
          <input type="hidden" name="back" value={here} />
          <p>
            <label>
              Title <input name="title" defaultValue={incident.title} size={50} />
            </label>{" "}
            <label>
              Severity <input name="severity" defaultValue={incident.severity ?? ""} size={6} />
            </label>{" "}
            <label>
              Status{" "}
              <select name="status" defaultValue={incident.status}>
                {INCIDENT_STATUSES.map((s) => (
                  <option key={s}>{s}</option>
                ))}
              </select>
            </label>
          </p>
          <fieldset data-testid="edit-people">
            <legend>People</legend>
            <p>
              <label>
                Commander{" "}
                <select name="commander" defaultValue={incident.commander ?? ""}>
                  <option value="">none</option>
                  {incident.participants.map((p) => (
                    <option key={p.person} value={p.person}>
                      {p.name}
                    </option>
                  ))}
                </select>
              </label>
            </p>
            {incident.participants.map((p, i) => (
              <p key={p.person}>
                <input type="hidden" name={`participant.${i}.person`} value={p.person} />
                {p.name}{" "}
                <label>
                  role <input name={`participant.${i}.role`} defaultValue={p.role} size={16} />
                </label>{" "}
                <label>
                  <input type="checkbox" name={`participant.${i}.remove`} value="1" /> remove
                </label>
              </p>
            ))}
            <p>
              <label>
                Add a person (id, name or e-mail) <input name="participant.new.person" size={24} />
              </label>{" "}
              <label>
                role <input name="participant.new.role" defaultValue="responder" size={16} />
              </label>
            </p>
          </fieldset>
          {TIME_FIELDS.map((f) => (
            <p key={f}>
              <label>
                {TIME_LABELS[f]} (UTC){" "}
                <input type="datetime-local" step="1" name={f} defaultValue={incident.times[f]?.slice(0, 19) ?? ""} />
              </label>
            </p>
          ))}
          <p>
            <label>
              Reason (required when you change a time) <input name="reason" size={50} />
            </label>{" "}
            <button type="submit" className="button">
              Save
            </button>
          </p>
        </form>
      </details>

      <section aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">Timeline</h2>
        <form method="get" className="inline-form" data-testid="timeline-filters">
          <label>
            Kind{" "}
            <select name="kind" defaultValue={kind ?? ""}>
              <option value="">all</option>
              {kinds.map((k) => (
                <option key={k}>{k}</option>
              ))}
            </select>
          </label>{" "}
          <label>
            Person{" "}
            <select name="person" defaultValue={person ?? ""}>
              <option value="">everyone</option>
              {people.map((p) => (
                <option key={p}>{p}</option>
              ))}
            </select>
          </label>{" "}
          <label>
            <input type="checkbox" name="key" value="1" defaultChecked={keyOnly} /> key events only
          </label>{" "}
          <label>
            <input type="checkbox" name="view" value="threads" defaultChecked={threaded} /> group threads
          </label>{" "}
          <label>
            <input type="checkbox" name="hidden" value="1" defaultChecked={showHidden} /> show hidden
          </label>{" "}
          <label>
            Time zone{" "}
            <select name="tz" defaultValue={tz}>
              {[...new Set([tz, ...ZONES])].map((z) => (
                <option key={z}>{z}</option>
              ))}
            </select>
          </label>{" "}
          <button type="submit" className="button subtle">
            Apply
          </button>{" "}
          <Link href={filterHref({ kind: null, person: null, key: null, view: null })}>reset</Link>
        </form>
        <p className="muted small">
          {events.length} of {timeline.events.length} events · times in {tz}
          {timeline.hiddenCount ? ` · ${timeline.hiddenCount} hidden` : ""}
        </p>
        <ol className="incident-timeline" data-testid="timeline" style={{ listStyle: "none", padding: 0 }}>
          {events.map((e) => {
            const d = formatDayIn(e.at, tz);
            const heading = d !== day ? d : null;
            day = d;
            const gap = gapAfter.get(e.id);
            return (
              <li key={e.id} id={e.id} data-testid="timeline-event" data-kind={e.kind} data-key={e.keyEvent ? "1" : "0"}>
                {heading && <h3 className="day-label">{heading}</h3>}
                <div style={{ padding: ".35rem 0", marginLeft: e.isReply ? "2rem" : 0, fontWeight: e.keyEvent ? 600 : 400, opacity: e.marks.hidden ? 0.5 : 1 }}>
                  <a href={e.source.href} className="timestamp" title="open the source in context">
                    {formatDateTimeIn(e.at, tz)}
                  </a>{" "}
                  <span className="badge">{e.kind}</span> {e.isReply ? "↳ " : ""}
                  {e.actor && <span className="author">{e.actor}: </span>}
                  <span className="message-text">{e.text}</span>
                  {e.execution && (
                    <span className={`badge exec-${e.execution.status}`} data-testid="execution-status">
                      {" "}
                      {e.execution.status}
                      {e.execution.exitCode !== null ? ` · exit ${e.execution.exitCode}` : ""} · {formatDurationMs(e.execution.durationMs)}
                    </span>
                  )}
                  {e.flags.deleted && <span className="edited"> (deleted)</span>}
                  {!e.flags.deleted && e.flags.edited && <span className="edited"> ({e.flags.editedAfterIncident ? "edited after the incident" : "edited"})</span>}
                  {e.marks.note && <div className="muted small">Note: {e.marks.note}</div>}
                  <div className="small">
                    <MarkButton csrf={user.csrfToken} incidentId={incident.id} back={here} eventId={e.id} kind="key_event" active={!e.keyEvent} label={e.keyEvent ? "unmark key" : "mark key"} />
                    <MarkButton csrf={user.csrfToken} incidentId={incident.id} back={here} eventId={e.id} kind="hide" active={!e.marks.hidden} label={e.marks.hidden ? "unhide" : "hide"} />
                    <form action={`/api/incidents/${incident.id}/marks`} method="post" className="inline-form">
                      <input type="hidden" name="csrf" value={user.csrfToken} />
                      <input type="hidden" name="back" value={here} />
                      <input type="hidden" name="eventId" value={e.id} />
                      <input type="hidden" name="kind" value="note" />
                      <input name="note" placeholder="note" defaultValue={e.marks.note ?? ""} size={24} aria-label="note" />
                      <button type="submit" className="button subtle small">
                        save note
                      </button>
                    </form>
                  </div>
                </div>
                {gap && !kind && !person && !keyOnly && (
                  <div className="muted small" data-testid="quiet-gap">
                    … quiet for {formatDurationMs(gap.minutes * 60_000)} …
                  </div>
                )}
              </li>
            );
          })}
        </ol>
      </section>
    </>
  );
}
