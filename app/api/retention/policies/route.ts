import { getPool } from "@/lib/db";
import { canManageRetention, listRetentionPolicies, setRetentionPolicy } from "@/lib/compliance/retention";
import { errorResponse, redirectTo, wantsJson } from "@/app/_lib/http";
import { isYes, readBody, requireAllowedUser } from "@/app/_lib/route-user";

export const dynamic = "force-dynamic";

/** GET /api/retention/policies — every policy (admins). */
export async function GET(request: Request): Promise<Response> {
  try {
    await requireAllowedUser(request, canManageRetention, false);
    return Response.json({ policies: await listRetentionPolicies(getPool()) }, { headers: { "Cache-Control": "no-store" } });
  } catch (e) {
    return errorResponse(e);
  }
}

/** POST /api/retention/policies — set a workspace's or channel's policy: `days` or `forever`, `channel`, `keepPinned` (CSRF-protected; audited). */
export async function POST(request: Request): Promise<Response> {
  try {
    const { actor } = await requireAllowedUser(request, canManageRetention, true);
    const json = wantsJson(request);
    const b = await readBody(request);
    const forever = isYes(b.forever) || b.days === "forever";
    const policy = await setRetentionPolicy(getPool(), actor, {
      days: forever || b.days === undefined || b.days === "" ? undefined : Number(b.days),
      forever,
      channel: b.channel ? String(b.channel) : undefined,
      workspace: b.workspace ? String(b.workspace) : undefined,
      keepPinned: isYes(b.keepPinned),
    });
    return json ? Response.json({ policy }) : redirectTo("/retention");
  } catch (e) {
    return errorResponse(e);
  }
}
