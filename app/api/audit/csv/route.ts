import { getPool } from "@/lib/db";
import { streamAuditLogCsv } from "@/lib/compliance/audit-log";
import { errorResponse, findClientIp } from "@/app/_lib/http";
import { requireRouteUser } from "@/app/_lib/route-user";

export const dynamic = "force-dynamic";

/**
 * GET /api/audit/csv?action=&actor=&from=&to= — the filtered audit log as
 * CSV (auditors and admins; formulas neutralised); the download is audited.
 */
export async function GET(request: Request): Promise<Response> {
  try {
    const { viewer } = await requireRouteUser(request);
    const query = Object.fromEntries(new URL(request.url).searchParams);
    const lines = await streamAuditLogCsv(getPool(), viewer, query, { ip: findClientIp(request) });
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await lines.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
      async cancel() {
        await lines.return(undefined);
      },
    });
    const day = new Date().toISOString().slice(0, 10);
    return new Response(body, {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="backscroll-audit-${day}.csv"`,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
      },
    });
  } catch (e) {
    return errorResponse(e);
  }
}
