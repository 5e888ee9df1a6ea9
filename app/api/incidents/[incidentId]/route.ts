import { getPool } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { findIncident, TIME_FIELDS_FOR_FORMS, updateIncident, type TUpdateIncident } from "@/lib/incidents/service";
import { errorResponse, redirectTo } from "@/app/_lib/http";
import { readIncidentId } from "../_lib/request";
import { backTo, readForm, readJsonObject, requireMutatingUser, requireRouteUser } from "@/app/_lib/route-user";

export const dynamic = "force-dynamic";
type TCtx = { params: Promise<{ incidentId: string }> };

/** GET /api/incidents/:id — one incident. */
export async function GET(request: Request, { params }: TCtx): Promise<Response> {
  try {
    const { viewer } = await requireRouteUser(request);
    return Response.json({ incident: await findIncident(getPool(), viewer, await readIncidentId(params)) }, { headers: { "Cache-Control": "no-store" } });
  } catch (e) {
    return errorResponse(e);
  }
}

/** PATCH /api/incidents/:id — JSON edit (see ZUpdateIncident); CSRF-protected. */
export async function PATCH(request: Request, { params }: TCtx): Promise<Response> {
  try {
    const { viewer } = await requireMutatingUser(request);
    const body = (await readJsonObject(request)) as TUpdateIncident;
    return Response.json({ incident: await updateIncident(getPool(), viewer, await readIncidentId(params), body) });
  } catch (e) {
    return errorResponse(e);
  }
}

/** The participants of the edit form (`participant.<i>.person|role|remove`, `participant.new.*`), or null when the form has none. */
function readParticipants(f: Record<string, string>): NonNullable<TUpdateIncident["participants"]> | null {
  const out: NonNullable<TUpdateIncident["participants"]> = [];
  let seen = false;
  for (let i = 0; f[`participant.${i}.person`] !== undefined; i++) {
    seen = true;
    if (f[`participant.${i}.remove`]) continue;
    const person = f[`participant.${i}.person`]!;
    out.push({ person, name: person, role: (f[`participant.${i}.role`] ?? "").trim() || "responder" });
  }
  const added = f["participant.new.person"]?.trim();
  if (added) {
    seen = true;
    out.push({ person: added, name: added, role: f["participant.new.role"]?.trim() || "responder" });
  }
  return seen ? out : null;
}

/** POST /api/incidents/:id — the edit form of the incident page. */
export async function POST(request: Request, { params }: TCtx): Promise<Response> {
  try {
    const { viewer } = await requireMutatingUser(request);
    const id = await readIncidentId(params);
    const f = await readForm(request);
    const cur = await findIncident(getPool(), viewer, id);
    const patch: TUpdateIncident = { expectedVersion: Number(f.expectedVersion), reason: f.reason || undefined };
    if (f.title && f.title !== cur.title) patch.title = f.title;
    if ((f.severity ?? "") !== (cur.severity ?? "")) patch.severity = f.severity || null;
    if (f.status && f.status !== cur.status) patch.status = f.status as TUpdateIncident["status"];
    if (f.commander !== undefined && f.commander !== (cur.commander ?? "")) patch.commander = f.commander || null;
    const participants = readParticipants(f);
    const key = (list: { person: string; role: string }[]) => JSON.stringify(list.map((x) => [x.person, x.role]));
    if (participants && key(participants) !== key(cur.participants)) {
      patch.participants = participants;
    }
    const times: NonNullable<TUpdateIncident["times"]> = {};
    for (const field of TIME_FIELDS_FOR_FORMS) {
      const v = f[field];
      if (v === undefined) continue;
      const at = v ? new Date(v.endsWith("Z") || /[+-]\d\d:\d\d$/.test(v) ? v : `${v}Z`) : null;
      if (at && Number.isNaN(at.getTime())) throw new AppError("bad_input", `${field} is not a time`, { field });
      const before = cur.times[field];
      if ((at?.toISOString() ?? null) !== before && !(at && before && Math.abs(at.getTime() - Date.parse(before)) < 1000)) {
        times[field] = { at, reason: f.reason ?? "" };
      }
    }
    if (Object.keys(times).length) patch.times = times;
    await updateIncident(getPool(), viewer, id, patch);
    return redirectTo(backTo(f.back, `/incidents/${id}`));
  } catch (e) {
    return errorResponse(e);
  }
}
