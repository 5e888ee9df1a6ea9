import { getPool } from "@/lib/db";
import { cancelExport, findExport } from "@/lib/export/jobs";
import { errorResponse, findClientIp, redirectTo, wantsJson } from "@/app/_lib/http";
import { readExportId } from "../_lib/request";
import { requireMutatingUser, requireRouteUser } from "@/app/_lib/route-user";

export const dynamic = "force-dynamic";
type TCtx = { params: Promise<{ exportId: string }> };

/** GET /api/exports/:id — one export job's state and progress. */
export async function GET(request: Request, { params }: TCtx): Promise<Response> {
  try {
    const { viewer } = await requireRouteUser(request);
    return Response.json({ export: await findExport(getPool(), viewer, await readExportId(params)) }, { headers: { "Cache-Control": "no-store" } });
  } catch (e) {
    return errorResponse(e);
  }
}

/** DELETE /api/exports/:id — cancel (CSRF-protected); the file, if any was begun, is removed. */
export async function DELETE(request: Request, { params }: TCtx): Promise<Response> {
  try {
    const { viewer } = await requireMutatingUser(request);
    return Response.json({ export: await cancelExport(getPool(), viewer, await readExportId(params), { ip: findClientIp(request) }) });
  } catch (e) {
    return errorResponse(e);
  }
}

/** POST /api/exports/:id — cancel from a form (no script), then back to /exports. */
export async function POST(request: Request, { params }: TCtx): Promise<Response> {
  try {
    const { viewer } = await requireMutatingUser(request);
    const job = await cancelExport(getPool(), viewer, await readExportId(params), { ip: findClientIp(request) });
    return wantsJson(request) ? Response.json({ export: job }) : redirectTo("/exports");
  } catch (e) {
    return errorResponse(e);
  }
}
