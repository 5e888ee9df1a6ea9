import { getPool } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { canManageHolds, releaseLegalHold } from "@/lib/compliance/holds";
import { errorResponse, redirectTo, wantsJson } from "@/app/_lib/http";
import { readBody, requireAllowedUser } from "@/app/_lib/route-user";

export const dynamic = "force-dynamic";

/** POST /api/holds/:holdId/release — release a hold with a reason (CSRF-protected; audited). */
export async function POST(request: Request, { params }: { params: Promise<{ holdId: string }> }): Promise<Response> {
  try {
    const { actor } = await requireAllowedUser(request, canManageHolds, true);
    const id = (await params).holdId;
    if (!/^\d+$/.test(id)) throw new AppError("not_found", `No legal hold ${id}`);
    const json = wantsJson(request);
    const body = await readBody(request);
    const hold = await releaseLegalHold(getPool(), actor, Number(id), String(body.reason ?? ""));
    return json ? Response.json({ hold }) : redirectTo("/holds");
  } catch (e) {
    return errorResponse(e);
  }
}
