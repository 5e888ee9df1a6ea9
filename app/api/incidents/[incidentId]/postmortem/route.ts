import { getPool } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { findPostmortem, findPostmortemVersion, generatePostmortem, saveEditedDraft } from "@/lib/postmortems/service";
import { renderPostmortemDocument } from "@/lib/postmortems/render-html";
import { parseTimeZone } from "@/lib/timelines/time";
import { errorResponse, redirectTo, wantsJson } from "@/app/_lib/http";
import { readIncidentId } from "../../_lib/request";
import { readBody, requireMutatingUser, requireRouteUser } from "@/app/_lib/route-user";

export const dynamic = "force-dynamic";
type TCtx = { params: Promise<{ incidentId: string }> };

/** GET /api/incidents/:id/postmortem?format=json|md|html&version=N — the current (or a given) draft. */
export async function GET(request: Request, { params }: TCtx): Promise<Response> {
  try {
    const { viewer } = await requireRouteUser(request);
    const id = await readIncidentId(params);
    const url = new URL(request.url);
    const format = url.searchParams.get("format") ?? "json";
    const v = url.searchParams.get("version");
    const db = getPool();
    if (format === "json" && !v) return Response.json(await findPostmortem(db, viewer, id), { headers: { "Cache-Control": "no-store" } });
    let md: string;
    if (v) md = (await findPostmortemVersion(db, viewer, id, Number(v))).markdown;
    else {
      const s = await findPostmortem(db, viewer, id);
      md = s.current?.markdown ?? (await generatePostmortem(db, viewer, id, { actorId: viewer.userId })).generated;
    }
    if (format === "md") return new Response(md, { headers: { "Content-Type": "text/markdown; charset=utf-8", "Content-Disposition": `attachment; filename="incident-${id}-postmortem.md"` } });
    if (format === "html") {
      return new Response(renderPostmortemDocument(md, `Postmortem of incident #${id}`), {
        headers: { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'", "X-Content-Type-Options": "nosniff" },
      });
    }
    if (format === "json") return Response.json({ version: Number(v), markdown: md });
    throw new AppError("bad_input", "format must be json, md or html", { field: "format" });
  } catch (e) {
    return errorResponse(e);
  }
}

/**
 * POST /api/incidents/:id/postmortem — `action=generate` (store a new
 * generation; edits stay current) or `action=save` with `markdown` and
 * `basedOnVersion` (a new edited version). JSON or form; CSRF-protected.
 */
export async function POST(request: Request, { params }: TCtx): Promise<Response> {
  try {
    const { viewer } = await requireMutatingUser(request);
    const id = await readIncidentId(params);
    const json = wantsJson(request);
    const body = await readBody(request);
    const db = getPool();
    const tz = parseTimeZone(typeof body.tz === "string" ? body.tz : null);
    let result: unknown;
    if (body.action === "generate") result = (await generatePostmortem(db, viewer, id, { tz, actorId: viewer.userId })).state;
    else if (body.action === "save") {
      const based = body.basedOnVersion === undefined || body.basedOnVersion === "" || body.basedOnVersion === null ? null : Number(body.basedOnVersion);
      result = await saveEditedDraft(db, viewer, id, { markdown: String(body.markdown ?? ""), basedOnVersion: based });
    } else throw new AppError("bad_input", "action must be generate or save", { field: "action" });
    return json ? Response.json(result) : redirectTo(`/incidents/${id}/postmortem`);
  } catch (e) {
    return errorResponse(e);
  }
}
