import { getPool } from "@/lib/db";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { purgeExpiredJob } from "@/lib/jobs/definitions/compliance.purge-expired";
import { canManageRetention, listRetentionRuns, runRetention } from "@/lib/compliance/retention";
import { errorResponse, redirectTo, wantsJson } from "@/app/_lib/http";
import { isYes, readBody, requireAllowedUser } from "@/app/_lib/route-user";

export const dynamic = "force-dynamic";

/** GET /api/retention/runs — recent runs with their reports (admins). */
export async function GET(request: Request): Promise<Response> {
  try {
    await requireAllowedUser(request, canManageRetention, false);
    return Response.json({ runs: await listRetentionRuns(getPool()) }, { headers: { "Cache-Control": "no-store" } });
  } catch (e) {
    return errorResponse(e);
  }
}

/**
 * POST /api/retention/runs — `dryRun` (default): report now; otherwise
 * queue the purge job (compliance.purge-expired) for a worker. CSRF-protected; audited.
 */
export async function POST(request: Request): Promise<Response> {
  try {
    const { actor } = await requireAllowedUser(request, canManageRetention, true);
    const json = wantsJson(request);
    const b = await readBody(request);
    const purge = isYes(b.purge);
    if (!purge) {
      const report = await runRetention(getPool(), actor, { dryRun: true });
      return json ? Response.json({ report }) : redirectTo(`/retention?run=${report.runId}`);
    }
    const jobId = await enqueueJob(getPool(), purgeExpiredJob, { dryRun: false, requestedBy: actor.actor, requestedById: actor.userId });
    return json ? Response.json({ jobId }, { status: 202 }) : redirectTo("/retention?queued=1");
  } catch (e) {
    return errorResponse(e);
  }
}
