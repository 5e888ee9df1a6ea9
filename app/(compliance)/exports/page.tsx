import type { Metadata } from "next";
import { getPool } from "@/lib/db";
import { canExport, findExportsPage } from "@/lib/export/jobs";
import { requireViewer } from "@/app/_lib/session";
import { ExportJobsClient } from "./export-jobs-client";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Exports" };

type TProps = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const KINDS = [
  ["public", "public channels"],
  ["private", "private channels"],
  ["dm", "direct messages"],
  ["mpdm", "group messages"],
] as const;

/** Compliance exports (auditors and admins): ask for one, follow it live, cancel it, download it. */
export default async function ExportsPage({ searchParams }: TProps) {
  const { user, viewer } = await requireViewer();
  if (!canExport(viewer)) {
    return (
      <div className="empty" data-testid="forbidden">
        Only auditors and administrators can export.
      </div>
    );
  }
  const error = (await searchParams).error;
  const { formats, jobs } = await findExportsPage(getPool(), viewer);
  return (
    <>
      <div className="page-title">
        <h1>Exports</h1>
        <p className="muted">
          Messages with their versions, deletions and who could see them, in one ZIP with a SHA-256 manifest. Exports run in the background; asking
          for one, cancelling it and every download are written to the audit log. Dates are UTC; the end date is included.
        </p>
      </div>
      {typeof error === "string" && (
        <p className="form-error" role="alert" data-testid="export-error">
          {error}
        </p>
      )}
      <section className="directory-group">
        <h2>New export</h2>
        <form action="/api/exports" method="post" data-testid="create-export" style={{ display: "grid", gap: "0.5rem", maxWidth: "40rem" }}>
          <input type="hidden" name="csrf" value={user.csrfToken} />
          <div>
            <label htmlFor="export-format">Format</label>{" "}
            <select id="export-format" name="format" defaultValue={formats[0]}>
              {formats.map((f) => (
                <option key={f} value={f}>
                  {f}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="export-from">From</label> <input id="export-from" type="date" name="from" /> <label htmlFor="export-to">To</label>{" "}
            <input id="export-to" type="date" name="to" />
          </div>
          <div>
            <label htmlFor="export-channels">Channels</label>{" "}
            <input id="export-channels" name="channels" placeholder="all; or names or ids: general, C024BE91L" style={{ width: "100%" }} />
          </div>
          <div>
            <label htmlFor="export-people">People</label>{" "}
            <input id="export-people" name="people" placeholder="everyone; or ids, names or e-mails: U024BE7LH, alice" style={{ width: "100%" }} />
          </div>
          <fieldset>
            <legend>Conversations (none ticked: all)</legend>
            {KINDS.map(([k, label]) => (
              <label key={k} style={{ marginRight: "1rem" }}>
                <input type="checkbox" name="kinds" value={k} /> {label}
              </label>
            ))}
          </fieldset>
          <p>
            <button type="submit" className="button">
              Start export
            </button>
          </p>
        </form>
      </section>
      <section className="directory-group">
        <h2>{viewer.role === "admin" ? "All exports" : "Your exports"}</h2>
        <ExportJobsClient initial={jobs} csrf={user.csrfToken} />
      </section>
    </>
  );
}
