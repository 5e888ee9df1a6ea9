import type { Metadata } from "next";
import { getPool } from "@/lib/db";
import { canManageRetention, listRetentionPolicies, listRetentionRuns, type TRetentionReport } from "@/lib/compliance/retention";
import { findNextScheduledRetentionRun } from "@/lib/compliance/retention-schedule";
import { requireViewer } from "@/app/_lib/session";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Retention" };

type TProps = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const CELL = { padding: "4px 16px 4px 0", textAlign: "left", verticalAlign: "top" } as const;
const when = (d: Date | null) => (d ? d.toISOString().replace("T", " ").slice(0, 16) + " UTC" : "—");

/** Retention (admins): policies and the form to set one, recent runs, the latest dry-run report, and a purge button. */
export default async function RetentionPage({ searchParams }: TProps) {
  const { user } = await requireViewer();
  if (!canManageRetention(user.role)) {
    return (
      <div className="empty" data-testid="forbidden">
        Only administrators manage retention.
      </div>
    );
  }
  const q = await searchParams;
  const pool = getPool();
  const [policies, runs, nextRun] = await Promise.all([listRetentionPolicies(pool), listRetentionRuns(pool, 20), findNextScheduledRetentionRun(pool)]);
  const shown = runs.find((r) => String(r.id) === q.run) ?? runs.find((r) => r.dryRun && r.status === "completed");
  const report = (shown?.report ?? null) as TRetentionReport | null;
  return (
    <>
      <div className="page-title">
        <h1>Retention</h1>
        <p className="muted">
          How long messages are kept. A channel&apos;s policy overrides its workspace&apos;s; no policy keeps forever. Active legal holds keep every message in their
          scope. Every change and run is audited; purges are recorded in the content digest chain (<code>backscroll verify</code>).
        </p>
      </div>
      {q.queued && <p data-testid="purge-queued">Purge queued: a worker runs it (job compliance.purge-expired).</p>}
      <p className="muted" data-testid="next-scheduled">
        {nextRun
          ? `Next scheduled purge: ${when(nextRun)} (daily at RETENTION_RUN_AT; each run queues the next).`
          : "No scheduled purge: no policy expires anything, or RETENTION_RUN_AT is off."}
      </p>
      <h2>Policies</h2>
      {policies.length === 0 ? (
        <p className="muted">No policies: every message is kept forever.</p>
      ) : (
        <table data-testid="policies">
          <thead>
            <tr>
              <th style={CELL}>Scope</th>
              <th style={CELL}>Keep</th>
              <th style={CELL}>Pinned</th>
              <th style={CELL}>Set by</th>
            </tr>
          </thead>
          <tbody>
            {policies.map((p) => (
              <tr key={p.id}>
                <td style={CELL}>{p.channel ? `#${p.channelName}` : `${p.workspace} (workspace)`}</td>
                <td style={CELL}>{p.keepDays === null ? "forever" : `${p.keepDays} days`}</td>
                <td style={CELL}>{p.keepPinned ? "kept" : "—"}</td>
                <td style={CELL}>
                  {p.updatedBy ?? "—"} <span className="muted small">{when(p.updatedAt)}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form method="post" action="/api/retention/policies" className="inline-form" data-testid="policy-form">
        <input type="hidden" name="csrf" value={user.csrfToken} />
        <label htmlFor="ret-channel">Channel</label> <input id="ret-channel" name="channel" placeholder="empty = workspace" />{" "}
        <label htmlFor="ret-days">Keep days</label> <input id="ret-days" name="days" inputMode="numeric" placeholder="e.g. 365 or forever" required />{" "}
        <label>
          <input type="checkbox" name="keepPinned" value="on" /> keep pinned
        </label>{" "}
        <button type="submit" className="button">
          Set policy
        </button>
      </form>
      <h2>Run</h2>
      <form method="post" action="/api/retention/runs" className="inline-form">
        <input type="hidden" name="csrf" value={user.csrfToken} />
        <button type="submit" className="button subtle" data-testid="dry-run">
          Dry run
        </button>
      </form>{" "}
      <form method="post" action="/api/retention/runs" className="inline-form">
        <input type="hidden" name="csrf" value={user.csrfToken} />
        <input type="hidden" name="purge" value="1" />
        <button type="submit" className="button" data-testid="purge">
          Purge expired messages
        </button>
      </form>
      {report && (
        <section data-testid="run-report">
          <h3>
            {report.dryRun ? "Dry run" : "Run"} #{report.runId} as of {report.asOf}
          </h3>
          <p>
            Expired {report.totals.expired}, held back {report.totals.heldBack},{" "}
            {report.dryRun ? `would purge ${report.totals.expired - report.totals.heldBack}` : `purged ${report.totals.purged}`}.
          </p>
          <table>
            <thead>
              <tr>
                <th style={CELL}>Channel</th>
                <th style={CELL}>Expired</th>
                <th style={CELL}>Held back</th>
                {!report.dryRun && <th style={CELL}>Purged</th>}
              </tr>
            </thead>
            <tbody>
              {report.channels.map((c) => (
                <tr key={c.channel}>
                  <td style={CELL}>#{c.channelName}</td>
                  <td style={CELL}>{c.expired}</td>
                  <td style={CELL}>{c.heldBack}</td>
                  {!report.dryRun && <td style={CELL}>{c.purged}</td>}
                </tr>
              ))}
            </tbody>
          </table>
          {report.holds.length > 0 && (
            <ul>
              {report.holds.map((h) => (
                <li key={h.holdId}>
                  Hold “{h.name}” holds back {h.heldBack}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      <h2>Recent runs</h2>
      <table data-testid="runs">
        <thead>
          <tr>
            <th style={CELL}>#</th>
            <th style={CELL}>Kind</th>
            <th style={CELL}>By</th>
            <th style={CELL}>Started</th>
            <th style={CELL}>Status</th>
            <th style={CELL}>Purged</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id}>
              <td style={CELL}>
                <a href={`/retention?run=${r.id}`}>{r.id}</a>
              </td>
              <td style={CELL}>{r.dryRun ? "dry run" : "purge"}</td>
              <td style={CELL}>{r.requestedBy ?? "—"}</td>
              <td style={CELL}>{when(r.startedAt)}</td>
              <td style={CELL}>{r.status}</td>
              <td style={CELL}>{r.dryRun ? "—" : ((r.report as TRetentionReport | null)?.totals.purged ?? "—")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
