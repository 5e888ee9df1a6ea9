import type { Metadata } from "next";
import Link from "next/link";
import { getPool } from "@/lib/db";
import { listIncidents, syncDetectedIncidents } from "@/lib/incidents/service";
import { formatDurationMs } from "@/lib/timelines/time";
import { requireViewer } from "@/app/_lib/session";
import { Sparkline } from "@/app/_components/sparkline";
import { Time } from "./_components";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Incidents" };

/** Every incident the viewer may read: status, severity, duration, participants, activity. */
export default async function IncidentsPage() {
  const { user, viewer } = await requireViewer();
  const db = getPool();
  await syncDetectedIncidents(db);
  const incidents = await listIncidents(db, viewer);
  return (
    <>
      <div className="page-title">
        <h1>Incidents</h1>
        <p className="muted">Channels named like incidents are detected; create one by hand for any channel and time range. Times in UTC.</p>
      </div>
      {incidents.length === 0 ? (
        <p className="empty">No incidents are visible to you.</p>
      ) : (
        <table className="incident-table" data-testid="incident-list" style={{ width: "100%", borderCollapse: "collapse" }}>
          <thead>
            <tr>
              <th align="left">Incident</th>
              <th align="left">Status</th>
              <th align="left">Severity</th>
              <th align="left">Started</th>
              <th align="left">Duration</th>
              <th align="left">Participants</th>
              <th align="left">Activity</th>
            </tr>
          </thead>
          <tbody>
            {incidents.map((i) => (
              <tr key={i.id} data-testid="incident-row">
                <td>
                  <Link href={`/incidents/${i.id}`}>
                    #{i.id} {i.title}
                  </Link>
                  <div className="muted small">#{i.channel.name}</div>
                </td>
                <td>
                  <span className={`badge status-${i.status}`}>{i.status}</span>
                </td>
                <td>{i.severity ?? "—"}</td>
                <td className="small">
                  <Time at={i.times.startedAt} tz="UTC" />
                </td>
                <td>{formatDurationMs(i.metrics.durationMs)}</td>
                <td>{i.participants.length}</td>
                <td>
                  <Sparkline values={i.activity} label={`${i.messageCount} messages`} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <section style={{ marginTop: "2rem" }}>
        <h2>New incident</h2>
        <form action="/api/incidents" method="post" className="inline-form" data-testid="create-incident">
          <input type="hidden" name="csrf" value={user.csrfToken} />
          <label>
            Channel <input name="channel" required placeholder="#channel or id" />
          </label>{" "}
          <label>
            From (UTC) <input name="from" type="datetime-local" step="1" />
          </label>{" "}
          <label>
            To (UTC) <input name="to" type="datetime-local" step="1" />
          </label>{" "}
          <label>
            Title <input name="title" />
          </label>{" "}
          <button type="submit" className="button">
            Create
          </button>
        </form>
      </section>
    </>
  );
}
