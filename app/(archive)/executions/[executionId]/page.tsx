import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getPool } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { formatUtcDateTime } from "@/lib/archive/format-time";
import { findExecution } from "@/lib/executions/service";
import { buildRunTriggerHref, formatRunArguments, formatRunDuration, runStatusClass } from "@/app/_lib/executions";
import { requireViewer } from "@/app/_lib/session";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Command run" };

type TProps = { params: Promise<{ executionId: string }> };

/** Load the run for this viewer; unreadable and unknown runs are both a 404. */
async function loadExecution(raw: string) {
  const { viewer } = await requireViewer();
  try {
    return await findExecution(getPool(), viewer, /^\d{1,15}$/.test(raw) ? Number(raw) : -1);
  } catch (e) {
    if (e instanceof AppError && e.code === "not_found") notFound();
    throw e;
  }
}

/**
 * One bot command run: what ran, who asked for it, where, when, how it ended,
 * its (masked, size-bounded) output, and the runs of the same command before it.
 */
export default async function ExecutionPage({ params }: TProps) {
  const { execution: x, previousRuns } = await loadExecution((await params).executionId);
  const trigger = buildRunTriggerHref(x);
  return (
    <>
      <div className="page-title">
        <h1 data-testid="execution-command">
          <code>
            {x.command} {formatRunArguments(x.arguments)}
          </code>
        </h1>
        <p className="muted">
          <span className={runStatusClass(x.status)} data-testid="execution-status">
            {x.status}
            {x.exitCode !== null ? ` · exit ${x.exitCode}` : ""}
          </span>{" "}
          · {x.bot} · times in UTC
        </p>
      </div>
      <dl data-testid="execution-facts">
        <dt>Run by</dt>
        <dd>{x.invokerName ?? x.invoker ?? "—"}</dd>
        <dt>Where</dt>
        <dd>{trigger ? <Link href={trigger}>#{x.channelName}{x.messageTs ? " — the message that asked for it" : ""}</Link> : (x.channelName ?? "not in a channel")}</dd>
        <dt>Started</dt>
        <dd>{formatUtcDateTime(x.startedAt)}</dd>
        <dt>Finished</dt>
        <dd>{x.finishedAt ? `${formatUtcDateTime(x.finishedAt)} (took ${formatRunDuration(x)})` : "still running or unknown"}</dd>
        <dt>Recorded from</dt>
        <dd>
          {x.source} · <code>{x.externalId}</code>
        </dd>
        {x.secretsMasked > 0 && (
          <>
            <dt>Secrets</dt>
            <dd>{x.secretsMasked} masked before storage</dd>
          </>
        )}
      </dl>
      <section aria-labelledby="output">
        <h2 id="output">Output</h2>
        {x.output ? (
          <pre data-testid="execution-output" style={{ whiteSpace: "pre-wrap", maxHeight: "40rem", overflow: "auto" }}>
            {x.output}
          </pre>
        ) : (
          <p className="empty">No output was recorded.</p>
        )}
        {x.outputTruncated && (
          <p className="muted small">Output truncated{x.outputBytes !== null ? ` (${x.outputBytes.toLocaleString("en-US")} bytes in full)` : ""}.</p>
        )}
      </section>
      {previousRuns.length > 0 && (
        <section aria-labelledby="previous">
          <h2 id="previous">Other runs of {x.command}</h2>
          <ul data-testid="previous-runs">
            {previousRuns.map((r) => (
              <li key={r.id}>
                <Link href={`/executions/${r.id}`}>{formatUtcDateTime(r.startedAt)}</Link> <span className={runStatusClass(r.status)}>{r.status}</span>{" "}
                {r.invokerName ?? r.invoker ?? ""} {r.channelName ? `in #${r.channelName}` : ""}
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
