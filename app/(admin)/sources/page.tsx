import { getPool } from "@/lib/db";
import { requireUser } from "@/app/_lib/session";
import { findSlackCompleteness, type TTimeRange } from "@/lib/sources/completeness";
import { AutoRefresh } from "./auto-refresh-client";

export const dynamic = "force-dynamic";

const CELL = { padding: "4px 16px 4px 0", textAlign: "left", verticalAlign: "top" } as const;

function day(iso: string | null, fallback: string): string {
  return iso ? iso.replace("T", " ").replace(/:\d\d(\.\d+)?Z$/, " UTC") : fallback;
}

function ranges(list: TTimeRange[], empty: string): string {
  return list.length ? list.map((r) => `${day(r.from, "beginning")} → ${day(r.to, "now")}`).join("; ") : empty;
}

function progressOf(p: unknown): string {
  if (typeof p !== "object" || p === null) return "";
  const { done, total, unit } = p as { done?: number; total?: number | null; unit?: string };
  return done === undefined ? "" : `${done}${total ? ` / ${total}` : ""} ${unit ?? ""}`;
}

/** Sources (admins): per channel, what the Slack sync has archived and what is missing; live while a sync runs. */
export default async function SourcesPage() {
  const user = await requireUser();
  if (user.role !== "admin") {
    return (
      <div className="empty" data-testid="forbidden">
        Only administrators can see sources.
      </div>
    );
  }
  const report = await findSlackCompleteness(getPool());
  const running = report.workspaces.some((w) => w.lastRun?.status === "running");
  const e = report.events;
  return (
    <>
      <div className="page-title">
        <h1>Sources</h1>
      </div>
      <AutoRefresh active={running} />
      <section className="directory-group">
        <h2>Slack Events API</h2>
        <p data-testid="events-summary">
          {e.received} events received, {e.processed} archived, {e.failed} failed, {e.retries} retries dropped; last {day(e.lastAt, "never")}.
        </p>
      </section>
      {report.workspaces.length === 0 && <div className="empty">No Slack workspace yet: run `backscroll sync slack --token …` or import an export.</div>}
      {report.workspaces.map((w) => (
        <section key={w.teamId} className="directory-group" data-testid={`workspace-${w.teamId}`}>
          <h2>
            Slack {w.teamId} {w.connected && <span className="badge">scheduled</span>}
          </h2>
          <p className="muted">
            {w.lastRun
              ? `Last sync run ${w.lastRun.id}: ${w.lastRun.status}, started ${day(w.lastRun.startedAt, "")}${w.lastRun.finishedAt ? `, finished ${day(w.lastRun.finishedAt, "")}` : ""}${
                  w.lastRun.status === "running" ? ` — ${progressOf(w.lastRun.progress)}` : ""
                }${w.lastRun.error ? ` — ${w.lastRun.error}` : ""}`
              : "Never synced through the Web API (imported only)."}
          </p>
          <table className="sources-table" style={{ borderCollapse: "collapse", width: "100%" }}>
            <thead>
              <tr>
                <th style={CELL}>Channel</th>
                <th style={CELL}>Messages</th>
                <th style={CELL}>Archived ranges</th>
                <th style={CELL}>Gaps</th>
                <th style={CELL}>Threads fetched</th>
                <th style={CELL}>Last sync</th>
                <th style={CELL}>State</th>
              </tr>
            </thead>
            <tbody>
              {w.channels.map((c) => (
                <tr key={c.id} data-testid={`source-channel-${c.id}`}>
                  <td style={CELL}>{c.kind === "dm" || c.kind === "mpdm" ? c.name : `#${c.name}`}</td>
                  <td style={CELL}>{c.messages}</td>
                  <td style={CELL}>{ranges(c.ranges, "—")}</td>
                  <td style={CELL}>{c.ranges.length || c.complete ? ranges(c.gaps, "none") : "not synced"}</td>
                  <td style={CELL}>
                    {c.threadsFetched} / {c.threads}
                  </td>
                  <td style={CELL}>{day(c.lastSyncAt, "never")}</td>
                  <td style={CELL}>
                    {c.lastError ? (
                      <span className="badge">{c.lastError}</span>
                    ) : c.inProgress ? (
                      `syncing, back to ${day(c.inProgress.archivedBackTo, "")}`
                    ) : c.complete ? (
                      "complete"
                    ) : c.ranges.length ? (
                      "partial"
                    ) : (
                      "—"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </>
  );
}
