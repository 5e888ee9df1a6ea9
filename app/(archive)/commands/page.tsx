import type { Metadata } from "next";
import Link from "next/link";
import { getPool } from "@/lib/db";
import { formatUtcDateTime } from "@/lib/archive/format-time";
import { findCommandCatalogue, findRecentExecutions, recordPrivilegedExecutionReads } from "@/lib/executions/service";
import { buildRunTriggerHref, formatRunArguments, formatRunDuration, runStatusClass } from "@/app/_lib/executions";
import { requireViewer } from "@/app/_lib/session";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Commands" };

const cell = { padding: "4px 10px", borderBottom: "1px solid #e6e8eb", textAlign: "left" as const, verticalAlign: "top" as const };

function formatRate(rate: number | null): string {
  return rate === null ? "—" : `${Math.round(rate * 100)}%`;
}

/**
 * The catalogue of bot commands: what is run, by whom, how often, how often
 * it succeeds, and recent runs — only runs in channels the viewer may read.
 */
export default async function CommandsPage() {
  const { viewer } = await requireViewer();
  const db = getPool();
  const [catalogue, recent] = await Promise.all([findCommandCatalogue(db, viewer), findRecentExecutions(db, viewer, { limit: 30 })]);
  await recordPrivilegedExecutionReads(db, viewer, recent);
  const total = catalogue.reduce((n, c) => n + c.runs, 0);
  return (
    <>
      <div className="page-title">
        <h1>Bot commands</h1>
        <p className="muted">
          {catalogue.length} commands · {total.toLocaleString("en-US")} runs · times in UTC
        </p>
      </div>
      {catalogue.length === 0 ? (
        <p className="empty">No command runs are archived yet, or none is visible to you.</p>
      ) : (
        <section aria-labelledby="catalogue">
          <h2 id="catalogue">Catalogue</h2>
          <table data-testid="command-catalogue" style={{ borderCollapse: "collapse", width: "100%" }}>
            <thead>
              <tr>
                {["Bot", "Command", "Runs", "Success", "Failed", "Run by", "Last run"].map((h) => (
                  <th key={h} style={cell}>
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {catalogue.map((c) => (
                <tr key={`${c.bot}\u0000${c.command}`}>
                  <td style={cell}>{c.bot}</td>
                  <td style={cell}>
                    <code>{c.command}</code>
                  </td>
                  <td style={cell}>{c.runs}</td>
                  <td style={cell}>{formatRate(c.successRate)}</td>
                  <td style={cell}>{c.failed > 0 ? <span className="badge danger">{c.failed}</span> : 0}</td>
                  <td style={cell}>
                    {c.topInvokers.join(", ")}
                    {c.invokers > c.topInvokers.length ? ` +${c.invokers - c.topInvokers.length}` : ""}
                  </td>
                  <td style={cell}>{formatUtcDateTime(c.lastAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {recent.length > 0 && (
        <section aria-labelledby="recent" style={{ marginTop: 24 }}>
          <h2 id="recent">Recent runs</h2>
          <table data-testid="recent-runs" style={{ borderCollapse: "collapse", width: "100%" }}>
            <thead>
              <tr>
                {["Started", "Command", "Status", "Took", "By", "Where"].map((h) => (
                  <th key={h} style={cell}>
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {recent.map((r) => {
                const href = buildRunTriggerHref(r);
                return (
                  <tr key={r.id}>
                    <td style={cell}>
                      <Link href={`/executions/${r.id}`}>{formatUtcDateTime(r.startedAt)}</Link>
                    </td>
                    <td style={cell}>
                      <code>
                        {r.command} {formatRunArguments(r.arguments)}
                      </code>
                      {r.outputTruncated ? <span className="badge"> output truncated</span> : null}
                    </td>
                    <td style={cell}>
                      <span className={runStatusClass(r.status)}>
                        {r.status}
                        {r.exitCode !== null ? ` · exit ${r.exitCode}` : ""}
                      </span>
                    </td>
                    <td style={cell}>{formatRunDuration(r)}</td>
                    <td style={cell}>{r.invokerName ?? r.invoker ?? "—"}</td>
                    <td style={cell}>{href ? <Link href={href}>#{r.channelName}</Link> : (r.channelName ?? "—")}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      )}
    </>
  );
}
