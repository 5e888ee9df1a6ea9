import { getPool } from "@/lib/db";
import { markTimelineEvent, type TMark } from "@/lib/incidents/service";
import { errorResponse, redirectTo, wantsJson } from "@/app/_lib/http";
import { readIncidentId } from "../../_lib/request";
import { backTo, readForm, readJsonObject, requireMutatingUser } from "@/app/_lib/route-user";

export const dynamic = "force-dynamic";
type TCtx = { params: Promise<{ incidentId: string }> };

/** POST /api/incidents/:id/marks — mark an event (key event, note, hide); JSON or form; CSRF-protected. */
export async function POST(request: Request, { params }: TCtx): Promise<Response> {
  try {
    const { viewer } = await requireMutatingUser(request);
    const id = await readIncidentId(params);
    if (wantsJson(request)) {
      const body = (await readJsonObject(request)) as TMark;
      return Response.json(await markTimelineEvent(getPool(), viewer, id, body));
    }
    const f = await readForm(request);
    await markTimelineEvent(getPool(), viewer, id, {
      eventId: f.eventId ?? "",
      kind: f.kind as TMark["kind"],
      active: f.active !== "false",
      note: f.note ?? null,
    });
    return redirectTo(backTo(f.back, `/incidents/${id}`));
  } catch (e) {
    return errorResponse(e);
  }
}
