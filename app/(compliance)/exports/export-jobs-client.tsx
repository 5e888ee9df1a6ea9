"use client";

import { useCallback, useEffect, useState } from "react";
import type { TExportJob } from "@/lib/export/jobs";

const CELL = { padding: "4px 16px 4px 0", textAlign: "left", verticalAlign: "top" } as const;

function when(iso: string | null): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : "—";
}

function size(bytes: number | null): string {
  if (bytes === null) return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

function describeScope(s: TExportJob["scope"]): string {
  const parts: string[] = [];
  if (s.from || s.to) parts.push(`${s.from ?? "beginning"} → ${s.to ?? "now"}`);
  if (s.channels?.length) parts.push(`channels ${s.channels.join(", ")}`);
  if (s.users?.length) parts.push(`people ${s.users.join(", ")}`);
  if (s.kinds?.length) parts.push(s.kinds.join(", "));
  return parts.length ? parts.join("; ") : "everything";
}

const isActive = (j: TExportJob) => j.state === "queued" || j.state === "running";

/**
 * The export jobs, live: while any is queued or running the list is fetched
 * again every second and a half. Cancel is a CSRF-protected DELETE.
 */
export function ExportJobsClient({ initial, csrf }: { initial: TExportJob[]; csrf: string }) {
  const [jobs, setJobs] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const active = jobs.some(isActive);

  const reload = useCallback(async () => {
    const r = await fetch("/api/exports", { headers: { accept: "application/json" }, cache: "no-store" });
    if (r.ok) setJobs(((await r.json()) as { exports: TExportJob[] }).exports);
  }, []);

  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => void reload().catch(() => undefined), 1500);
    return () => clearInterval(t);
  }, [active, reload]);

  async function cancel(id: number) {
    setError(null);
    const r = await fetch(`/api/exports/${id}`, { method: "DELETE", headers: { "x-csrf-token": csrf, accept: "application/json" } });
    if (!r.ok) setError(((await r.json().catch(() => ({}))) as { message?: string }).message ?? `Could not cancel export ${id}.`);
    await reload();
  }

  if (jobs.length === 0) return <p className="empty">No exports yet.</p>;
  return (
    <>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {active && (
        <p className="muted small" data-testid="live-progress">
          An export is running; this list follows it.
        </p>
      )}
      <table data-testid="export-list" style={{ borderCollapse: "collapse", width: "100%" }}>
        <thead>
          <tr>
            <th style={CELL}>#</th>
            <th style={CELL}>Format</th>
            <th style={CELL}>Scope</th>
            <th style={CELL}>Asked</th>
            <th style={CELL}>State</th>
            <th style={CELL}>Progress</th>
            <th style={CELL}></th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((j) => (
            <tr key={j.id} data-testid={`export-${j.id}`} data-state={j.state}>
              <td style={CELL}>{j.id}</td>
              <td style={CELL}>{j.format}</td>
              <td style={CELL} className="small">
                {describeScope(j.scope)}
              </td>
              <td style={CELL} className="small">
                {when(j.createdAt)}
                <div className="muted">{j.requester}</div>
              </td>
              <td style={CELL}>
                <span className={`badge export-${j.state}`} data-testid="export-state">
                  {j.state === "running" && j.cancelRequested ? "cancelling" : j.state}
                </span>
                {j.error && <div className="form-error small">{j.error}</div>}
              </td>
              <td style={CELL} className="small">
                {j.state === "running" && (
                  <>
                    <progress value={j.recordsDone} max={j.totalEstimate || undefined} aria-label={`Export ${j.id} progress`} />{" "}
                  </>
                )}
                {j.recordsDone.toLocaleString("en")}
                {j.totalEstimate !== null && j.state !== "done" ? ` / ${j.totalEstimate.toLocaleString("en")}` : ""} messages
                {j.state === "done" && (
                  <div className="muted" title={j.sha256 ?? ""}>
                    {size(j.bytes)}, sha256 {j.sha256?.slice(0, 12)}…
                  </div>
                )}
              </td>
              <td style={CELL}>
                {j.state === "done" && (
                  <a className="button" href={`/api/exports/${j.id}/download`} download={j.zipName ?? undefined} data-testid="export-download">
                    Download
                  </a>
                )}
                {isActive(j) && !j.cancelRequested && (
                  <button type="button" className="button subtle" onClick={() => void cancel(j.id)} data-testid="export-cancel">
                    Cancel
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
