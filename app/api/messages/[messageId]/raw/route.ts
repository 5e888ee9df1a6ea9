import { getPool } from "@/lib/db";
import { findRawMessage } from "@/lib/compliance/redactions";
import { errorResponse, findClientIp } from "@/app/_lib/http";
import { requireRouteUser } from "@/app/_lib/route-user";
import { readMessageId } from "../../_lib/request";

export const dynamic = "force-dynamic";
type TCtx = { params: Promise<{ messageId: string }> };

/**
 * GET /api/messages/:id/raw — the raw (unmasked, unredacted) text of one
 * message, for auditors and admins (members get 403); audited as
 * `message.unmask`.
 */
export async function GET(request: Request, { params }: TCtx): Promise<Response> {
  try {
    const { viewer } = await requireRouteUser(request);
    const id = await readMessageId(params);
    const raw = await findRawMessage(getPool(), viewer, { messageId: id }, { ip: findClientIp(request) });
    return Response.json(raw, { headers: { "Cache-Control": "no-store" } });
  } catch (e) {
    return errorResponse(e);
  }
}
