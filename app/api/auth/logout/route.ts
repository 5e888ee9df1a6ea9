import { getPool } from "@/lib/db";
import { serializeClearedSessionCookie } from "@/lib/auth/cookie";
import { deleteSession, getSessionUser } from "@/lib/auth/sessions";
import { assertCsrfSafe, errorResponse, findClientIp, isSecureRequest, readSessionToken, redirectTo, wantsJson } from "@/app/_lib/http";

/**
 * POST /api/auth/logout — ends the session. Needs the session's CSRF token
 * (form field `csrf` or header `x-csrf-token`) and a same-origin request;
 * otherwise 403 and the session stays.
 */

export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  try {
    const json = wantsJson(request);
    const db = getPool();
    const token = readSessionToken(request);
    const clear = { "Set-Cookie": serializeClearedSessionCookie({ secure: isSecureRequest(request) }) };
    const user = await getSessionUser(db, token);
    if (!user) {
      // Nothing to end; just drop whatever cookie the browser still has.
      return json ? Response.json({ ok: true }, { headers: clear }) : redirectTo("/login", clear);
    }
    await assertCsrfSafe(request, user);
    await deleteSession(db, token, { ip: findClientIp(request) });
    return json ? Response.json({ ok: true }, { headers: clear }) : redirectTo("/login", clear);
  } catch (e) {
    return errorResponse(e);
  }
}
