import fs from "node:fs";
import { Readable } from "node:stream";
import { getPool } from "@/lib/db";
import { openExportDownload } from "@/lib/export/jobs";
import { errorResponse, findClientIp } from "@/app/_lib/http";
import { readExportId } from "../../_lib/request";
import { requireRouteUser } from "@/app/_lib/route-user";

export const dynamic = "force-dynamic";
type TCtx = { params: Promise<{ exportId: string }> };

/** GET /api/exports/:id/download — the finished export's ZIP, streamed; every download is audited. */
export async function GET(request: Request, { params }: TCtx): Promise<Response> {
  try {
    const { viewer } = await requireRouteUser(request);
    const file = await openExportDownload(getPool(), viewer, await readExportId(params), { ip: findClientIp(request) });
    const body = Readable.toWeb(fs.createReadStream(file.path)) as ReadableStream<Uint8Array>;
    return new Response(body, {
      headers: {
        "Content-Type": "application/zip",
        "Content-Length": String(file.bytes),
        "Content-Disposition": `attachment; filename="${file.fileName.replace(/[^\w.-]/g, "_")}"`,
        "X-Content-SHA256": file.sha256,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
      },
    });
  } catch (e) {
    return errorResponse(e);
  }
}
