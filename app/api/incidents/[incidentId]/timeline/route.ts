import { getPool } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { findIncidentTimeline } from "@/lib/incidents/service";
import { formatTimelineCsv, formatTimelineHtml, formatTimelineJson, formatTimelineMarkdown } from "@/lib/timelines/format";
import { parseTimeZone } from "@/lib/timelines/time";
import { errorResponse } from "@/app/_lib/http";
import { readIncidentId } from "../../_lib/request";
import { requireRouteUser } from "@/app/_lib/route-user";

export const dynamic = "force-dynamic";
type TCtx = { params: Promise<{ incidentId: string }> };

/** GET /api/incidents/:id/timeline?format=json|md|csv|html&tz=Zone — the timeline export. */
export async function GET(request: Request, { params }: TCtx): Promise<Response> {
  try {
    const { viewer } = await requireRouteUser(request);
    const url = new URL(request.url);
    const format = url.searchParams.get("format") ?? "json";
    const tz = parseTimeZone(url.searchParams.get("tz"));
    const { incident, timeline } = await findIncidentTimeline(getPool(), viewer, await readIncidentId(params));
    const title = `Timeline of incident #${incident.id}: ${incident.title}`;
    const name = `incident-${incident.id}-timeline`;
    const headers = (type: string, ext: string) => ({
      "Content-Type": type,
      "Cache-Control": "no-store",
      "Content-Disposition": `${ext === "html" || ext === "json" ? "inline" : "attachment"}; filename="${name}.${ext}"`,
      "X-Content-Type-Options": "nosniff",
    });
    switch (format) {
      case "json":
        return new Response(formatTimelineJson(timeline, incident), { headers: headers("application/json; charset=utf-8", "json") });
      case "md":
        return new Response(formatTimelineMarkdown(timeline, { tz, title }), { headers: headers("text/markdown; charset=utf-8", "md") });
      case "csv":
        return new Response(formatTimelineCsv(timeline, { tz }), { headers: headers("text/csv; charset=utf-8", "csv") });
      case "html":
        return new Response(formatTimelineHtml(timeline, { tz, title }), {
          headers: { ...headers("text/html; charset=utf-8", "html"), "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'" },
        });
      default:
        throw new AppError("bad_input", "format must be json, md, csv or html", { field: "format" });
    }
  } catch (e) {
    return errorResponse(e);
  }
}
