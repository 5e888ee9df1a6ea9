import { getPool } from "@/lib/db";
import { isAppError } from "@/lib/errors";
import { listExports, requestExport } from "@/lib/export/jobs";
import { errorResponse, findClientIp, hasJsonBody, redirectTo, wantsJson } from "@/app/_lib/http";
import { readFormData, readJsonObject, requireMutatingUser, requireRouteUser } from "@/app/_lib/route-user";

export const dynamic = "force-dynamic";

/** GET /api/exports — the viewer's export jobs with their progress (auditors and admins). */
export async function GET(request: Request): Promise<Response> {
  try {
    const { viewer } = await requireRouteUser(request);
    return Response.json({ exports: await listExports(getPool(), viewer) }, { headers: { "Cache-Control": "no-store" } });
  } catch (e) {
    return errorResponse(e);
  }
}

/** A form's words ("general, ops" or one per line) as a list; none as undefined. */
function words(value: FormDataEntryValue | null): string[] | undefined {
  const list = typeof value === "string" ? value.split(/[\s,]+/).filter(Boolean) : [];
  return list.length ? list : undefined;
}

/** The exports page's form as the JSON body the API takes. */
async function readExportForm(request: Request): Promise<unknown> {
  const f = await readFormData(request);
  const text = (name: string) => {
    const v = f.get(name);
    return typeof v === "string" && v.trim() ? v.trim() : undefined;
  };
  const kinds = f.getAll("kinds").filter((v): v is string => typeof v === "string");
  return {
    format: text("format") ?? "",
    scope: { from: text("from"), to: text("to"), channels: words(f.get("channels")), users: words(f.get("people")), kinds: kinds.length ? kinds : undefined },
  };
}

/**
 * POST /api/exports — ask for an export (`{ format, scope }` as JSON, or the
 * exports page's form); CSRF-protected. 201 with the queued job, or a 303
 * back to /exports (with the error, for a form).
 */
export async function POST(request: Request): Promise<Response> {
  const json = wantsJson(request);
  try {
    const { viewer } = await requireMutatingUser(request);
    const body = hasJsonBody(request) ? await readJsonObject(request) : await readExportForm(request);
    const job = await requestExport(getPool(), viewer, body, { ip: findClientIp(request) });
    return json ? Response.json({ export: job }, { status: 201, headers: { "Cache-Control": "no-store" } }) : redirectTo("/exports");
  } catch (e) {
    if (!json && isAppError(e) && e.code === "bad_input") return redirectTo(`/exports?error=${encodeURIComponent(e.describe())}`);
    if (!json && isAppError(e) && e.code === "usage") return redirectTo(`/exports?error=${encodeURIComponent(e.message)}`);
    return errorResponse(e);
  }
}
