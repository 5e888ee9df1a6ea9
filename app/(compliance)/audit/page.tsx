import type { Metadata } from "next";
import Link from "next/link";
import { headers } from "next/headers";
import { getPool } from "@/lib/db";
import { isAppError } from "@/lib/errors";
import { canReadAuditLog, findAuditLogPage, type TAuditLogPage } from "@/lib/compliance/audit-log";
import { requireViewer } from "@/app/_lib/session";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Audit log" };

type TProps = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const CELL = { padding: "4px 16px 4px 0", textAlign: "left", verticalAlign: "top" } as const;
const FIELDS = ["action", "actor", "from", "to"] as const;

function withQuery(base: string, q: Record<string, string | number | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== "") p.set(k, String(v));
  const s = p.toString();
  return s ? `${base}?${s}` : base;
}

/** The audit log (auditors and admins): filters, newest first, pages, the hash chain's state, CSV. Viewing it is audited. */
export default async function AuditPage({ searchParams }: TProps) {
  const { viewer } = await requireViewer();
  if (!canReadAuditLog(viewer)) {
    return (
      <div className="empty" data-testid="forbidden">
        Only auditors and administrators can read the audit log.
      </div>
    );
  }
  const raw = await searchParams;
  const params = Object.fromEntries(Object.entries(raw).filter((e): e is [string, string] => typeof e[1] === "string"));
  const ip = (await headers()).get("x-forwarded-for")?.split(",").at(-1)?.trim() ?? null;
  let page: TAuditLogPage | null = null;
  let error: string | null = null;
  try {
    page = await findAuditLogPage(getPool(), viewer, params, { ip });
  } catch (e) {
    if (!isAppError(e) || e.status >= 500) throw e;
    error = e.message;
  }
  const filters = Object.fromEntries(FIELDS.map((f) => [f, params[f]]));
  const v = page?.verification;
  return (
    <>
      <div className="page-title">
        <h1>Audit log</h1>
        <p className="muted">Who did and looked at what, newest first. Times in UTC. Reading this page and downloading it are audited too.</p>
      </div>
      {v && (
        <p data-testid="audit-verification" data-ok={v.ok ? "true" : "false"} className={v.ok ? "" : "form-error"}>
          {v.ok ? (
            <>
              Hash chain verified: {v.rows.toLocaleString("en")} rows unaltered.
              {v.head && (
                <span className="muted small">
                  {" "}
                  Head #{v.head.chainSeq} <code>{v.head.hash}</code> — keep it elsewhere to detect a rewritten chain.
                </span>
              )}
            </>
          ) : (
            <>
              Hash chain broken: {v.problems.length} problem(s) in {v.rows.toLocaleString("en")} rows —{" "}
              {v.problems
                .slice(0, 5)
                .map((p) => `row ${p.id}: ${p.detail}`)
                .join("; ")}
              .
            </>
          )}
        </p>
      )}
      <form method="get" action="/audit" className="inline-form" data-testid="audit-filters">
        <label htmlFor="audit-action">Action</label> <input id="audit-action" name="action" defaultValue={filters.action} placeholder="export.*" />{" "}
        <label htmlFor="audit-actor">Actor</label> <input id="audit-actor" name="actor" defaultValue={filters.actor} placeholder="e-mail, * as wildcard" />{" "}
        <label htmlFor="audit-from">From</label> <input id="audit-from" type="date" name="from" defaultValue={filters.from} />{" "}
        <label htmlFor="audit-to">To</label> <input id="audit-to" type="date" name="to" defaultValue={filters.to} />{" "}
        <button type="submit" className="button">
          Filter
        </button>{" "}
        <a className="button subtle" href={withQuery("/api/audit/csv", filters)} data-testid="audit-csv">
          Download CSV
        </a>
      </form>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {page && page.entries.length === 0 && <p className="empty">No audit events match.</p>}
      {page && page.entries.length > 0 && (
        <table data-testid="audit-list" style={{ borderCollapse: "collapse", width: "100%", marginTop: "1rem" }}>
          <thead>
            <tr>
              <th style={CELL}>#</th>
              <th style={CELL}>When</th>
              <th style={CELL}>Actor</th>
              <th style={CELL}>Action</th>
              <th style={CELL}>Target</th>
              <th style={CELL}>Details</th>
              <th style={CELL}>IP</th>
            </tr>
          </thead>
          <tbody>
            {page.entries.map((e) => (
              <tr key={e.id} data-testid="audit-row" data-action={e.action}>
                <td style={CELL}>{e.chainSeq ?? e.id}</td>
                <td style={CELL} className="small">
                  {e.at.slice(0, 10)} {e.at.slice(11, 19)} UTC
                </td>
                <td style={CELL}>{e.actor ?? "—"}</td>
                <td style={CELL}>
                  <code>{e.action}</code>
                </td>
                <td style={CELL}>{e.target ?? ""}</td>
                <td style={{ ...CELL, maxWidth: "28rem", overflowWrap: "anywhere" }} className="small muted">
                  {e.details === "{}" ? "" : e.details}
                </td>
                <td style={CELL} className="small">
                  {e.ip ?? ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page && (
        <p style={{ marginTop: "1rem" }}>
          {params.before && <Link href={withQuery("/audit", filters)}>← Newest</Link>}{" "}
          {page.nextBefore !== null && (
            <Link href={withQuery("/audit", { ...filters, before: page.nextBefore })} data-testid="audit-older">
              Older →
            </Link>
          )}
        </p>
      )}
    </>
  );
}
