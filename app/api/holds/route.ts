import { getPool } from "@/lib/db";
import { canManageHolds, createLegalHold, listLegalHolds } from "@/lib/compliance/holds";
import { errorResponse, redirectTo, wantsJson } from "@/app/_lib/http";
import { optionalText, readBody, requireAllowedUser } from "@/app/_lib/route-user";
import { toList } from "./_lib/request";

export const dynamic = "force-dynamic";

/** GET /api/holds — every legal hold (admins and auditors). */
export async function GET(request: Request): Promise<Response> {
  try {
    await requireAllowedUser(request, canManageHolds, false);
    return Response.json({ holds: await listLegalHolds(getPool()) }, { headers: { "Cache-Control": "no-store" } });
  } catch (e) {
    return errorResponse(e);
  }
}

/** POST /api/holds — place a legal hold (JSON or form; CSRF-protected; audited). */
export async function POST(request: Request): Promise<Response> {
  try {
    const { actor } = await requireAllowedUser(request, canManageHolds, true);
    const json = wantsJson(request);
    const body = await readBody(request);
    const hold = await createLegalHold(getPool(), actor, {
      name: String(body.name ?? ""),
      reason: String(body.reason ?? ""),
      channels: toList(body.channels),
      people: toList(body.people),
      from: optionalText(body.from),
      to: optionalText(body.to),
    });
    return json ? Response.json({ hold }, { status: 201 }) : redirectTo("/holds");
  } catch (e) {
    return errorResponse(e);
  }
}
