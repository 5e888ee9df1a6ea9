import { getPool } from "@/lib/db";
import { createIncident, listIncidents, syncDetectedIncidents } from "@/lib/incidents/service";
import { errorResponse, redirectTo, wantsJson } from "@/app/_lib/http";
import { readBody, requireMutatingUser, requireRouteUser } from "@/app/_lib/route-user";

export const dynamic = "force-dynamic";

/** GET /api/incidents — the incidents the viewer may read. */
export async function GET(request: Request): Promise<Response> {
  try {
    const { viewer } = await requireRouteUser(request);
    await syncDetectedIncidents(getPool());
    return Response.json({ incidents: await listIncidents(getPool(), viewer) }, { headers: { "Cache-Control": "no-store" } });
  } catch (e) {
    return errorResponse(e);
  }
}

/** POST /api/incidents — create an incident for a channel and time range (JSON or form; CSRF-protected). */
export async function POST(request: Request): Promise<Response> {
  try {
    const { viewer } = await requireMutatingUser(request);
    const json = wantsJson(request);
    const body = await readBody(request);
    // Form times (datetime-local) carry no zone: they are UTC, as the form says.
    const time = (v: unknown) => (v ? (/(Z|[+-]\d\d:\d\d)$/.test(String(v)) ? String(v) : `${String(v)}Z`) : null);
    const i = await createIncident(getPool(), viewer, {
      channel: String(body.channel ?? ""),
      from: time(body.from),
      to: time(body.to),
      title: body.title ? String(body.title) : undefined,
    });
    return json ? Response.json({ incident: i }, { status: 201 }) : redirectTo(`/incidents/${i.id}`);
  } catch (e) {
    return errorResponse(e);
  }
}
