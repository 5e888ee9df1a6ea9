import { getPool } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { getSessionUser, toViewer } from "@/lib/auth/sessions";
import { searchMessages, suggestSearchTerms } from "@/lib/search/service";
import { errorResponse, findClientIp, readSessionToken } from "@/app/_lib/http";

/**
 * GET /api/search?q=…&sort=relevance|newest|oldest&limit=N&cursor=…&facets=0|1 — JSON results
 * for the signed-in user (session cookie). With `suggest=channel|person&prefix=…`
 * it answers autocomplete instead. Malformed queries get 400 with the column.
 */

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  try {
    const token = readSessionToken(request);
    const user = token ? await getSessionUser(getPool(), token) : null;
    if (!user) throw new AppError("unauthenticated", "Sign in to search.");
    const viewer = toViewer(user);
    const url = new URL(request.url);
    const p = url.searchParams;
    const headers = { "Cache-Control": "no-store" };
    const suggest = p.get("suggest");
    if (suggest !== null) {
      if (suggest !== "channel" && suggest !== "person") throw new AppError("bad_input", "suggest must be channel or person", { field: "suggest" });
      const suggestions = await suggestSearchTerms(getPool(), viewer, { kind: suggest, prefix: p.get("prefix") ?? "" });
      return Response.json({ suggestions }, { headers });
    }
    const result = await searchMessages(
      getPool(),
      viewer,
      {
        q: p.get("q") ?? "",
        sort: (p.get("sort") ?? undefined) as "relevance" | undefined,
        limit: p.get("limit") ?? undefined,
        cursor: p.get("cursor"),
        facets: p.get("facets") !== "0",
        prefixLast: p.get("prefix") === "1",
      },
      { ip: findClientIp(request) },
    );
    return Response.json(result, { headers });
  } catch (e) {
    return errorResponse(e);
  }
}
