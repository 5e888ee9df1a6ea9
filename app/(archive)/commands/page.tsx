import type { Metadata } from "next";
import Link from "next/link";
import { getPool } from "@/lib/db";
import { formatUtcDateTime } from "@/lib/archive/format-time";
import { buildChannelPath } from "@/lib/archive/service";
import { findCommandCatalogue, findRecentExecutions } from "@/lib/executions/service";
import type { TExecutionRow } from "@/lib/executions/repository";
import { requireViewer } from "@/app/_lib/session";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Commands" };

const cell = { padding: "4px 10px", borderBottom: "1px solid #e6e8eb", textAlign: "left" as const, verticalAlign: "top" as const };

function formatRate(rate: number | null): string {
  return rate === null ? "—" : `${Math.round(rate * 100)}%`;
}

function formatDuration(r: TExecutionRow): string {
  if (!r.finishedAt) return "…";
  const s = Math.round((r.finishedAt.getTime() - r.startedAt.getTime()) / 1000);
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

function argumentsText(args: unknown): string {
  if (Array.isArray(args)) return args.join(" ");
  if (args && typeof args === "object") return JSON.stringify(args);
  return typeof args === "string" ? args : "";
}

/** Where a run was triggered: its message's day in the channel, when known. */
function triggerHref(r: TExecutionRow): string | null {
  if (r.channelId === null) return null;
  if (!r.messageTs) return buildChannelPath(r.channelId);
  const day = new Date(Number(r.messageTs.split(".")[0]) * 1000).toISOString().slice(0, 10);
  return `${buildChannelPath(r.channelId)}?day=${day}`;
}

/**
 * The catalogue of bot commands: what is run, by whom, how often, how often
 * it succeeds, and recent runs — only runs in channels the viewer may read.
 */
export default async function CommandsPage() {
  const { viewer } = await requireViewer();
  const db = getPool();
  const [catalogue, recent] = await Promise.all([findCommandCatalogue(db, viewer), findRecentExecutions(db, viewer, { limit: 30 })]);
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
                const href = triggerHref(r);
                return (
                  <tr key={r.id}>
                    <td style={cell}>{formatUtcDateTime(r.startedAt)}</td>
                    <td style={cell}>
                      <code>
                        {r.command} {argumentsText(r.arguments)}
                      </code>
                      {r.outputTruncated ? <span className="badge"> output truncated</span> : null}
                    </td>
                    <td style={cell}>
                      <span className={r.status === "failed" || r.status === "timeout" ? "badge danger" : "badge"}>
                        {r.status}
                        {r.exitCode !== null ? ` · exit ${r.exitCode}` : ""}
                      </span>
                    </td>
                    <td style={cell}>{formatDuration(r)}</td>
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
