import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getPool } from "@/lib/db";
import { isAppError } from "@/lib/errors";
import { findIncident, parseIncidentId } from "@/lib/incidents/service";
import { findPostmortem, findPostmortemVersion, generatePostmortem } from "@/lib/postmortems/service";
import { requireViewer } from "@/app/_lib/session";
import { PostmortemEditor } from "./editor-client";

export const dynamic = "force-dynamic";

type TProps = { params: Promise<{ incidentId: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: TProps): Promise<Metadata> {
  return { title: `Postmortem of incident #${(await params).incidentId}` };
}

/** The postmortem editor: current draft (edits win over regenerations), versions, and what a newer generation would change. */
export default async function PostmortemPage({ params, searchParams }: TProps) {
  const { user, viewer } = await requireViewer();
  const db = getPool();
  const q = await searchParams;
  let id: number;
  try {
    id = parseIncidentId((await params).incidentId);
    await findIncident(db, viewer, id);
  } catch (e) {
    if (isAppError(e) && (e.code === "not_found" || e.code === "bad_input")) notFound();
    throw e;
  }
  let state = await findPostmortem(db, viewer, id);
  // The first visit generates the first draft.
  if (!state.current) state = (await generatePostmortem(db, viewer, id, { actorId: viewer.userId })).state;
  const incident = await findIncident(db, viewer, id);
  const wanted = typeof q.version === "string" ? Number(q.version) : null;
  const shown = wanted ? await findPostmortemVersion(db, viewer, id, wanted).catch(() => null) : state.current;
  const action = `/api/incidents/${id}/postmortem`;
  return (
    <>
      <div className="page-title">
        <h1>Postmortem: {incident.title}</h1>
        <p className="muted">
          <Link href={`/incidents/${id}`}>Incident #{id}</Link> · showing version {shown?.version} ({shown?.origin}) · download{" "}
          <a href={`${action}?format=md${wanted ? `&version=${wanted}` : ""}`}>Markdown</a> · <a href={`${action}?format=html${wanted ? `&version=${wanted}` : ""}`}>HTML</a>
        </p>
      </div>
      {state.notice && (
        <div className="form-error" role="status" data-testid="regeneration-notice">
          {state.notice}{" "}
          {state.latestGenerated && <Link href={`/incidents/${id}/postmortem?version=${state.latestGenerated.version}`}>Open the new generation</Link>}
          {state.diff && (
            <details>
              <summary>What the new generation changes</summary>
              <pre style={{ whiteSpace: "pre-wrap" }}>
                {state.diff
                  .filter((d) => d.op !== "same")
                  .map((d) => `${d.op === "add" ? "+" : "-"} ${d.text}`)
                  .join("\n")}
              </pre>
            </details>
          )}
        </div>
      )}
      <form action={action} method="post" className="inline-form">
        <input type="hidden" name="csrf" value={user.csrfToken} />
        <input type="hidden" name="action" value="generate" />
        <button type="submit" className="button subtle" data-testid="regenerate">
          Regenerate from the archive
        </button>
      </form>
      {shown && <PostmortemEditor key={shown.version} action={action} csrf={user.csrfToken} markdown={shown.markdown} basedOnVersion={shown.version} />}
      <h2>Versions</h2>
      <ul data-testid="postmortem-versions">
        {[...state.versions].reverse().map((v) => (
          <li key={v.version}>
            <Link href={`/incidents/${id}/postmortem?version=${v.version}`}>version {v.version}</Link> — {v.origin}
            {v.basedOnVersion ? ` (based on ${v.basedOnVersion})` : ""} · <time dateTime={v.createdAt}>{v.createdAt.replace("T", " ").slice(0, 19)} UTC</time>
          </li>
        ))}
      </ul>
    </>
  );
}
