import { getPool } from "@/lib/db";
import type { TRole } from "@/lib/access/types";
import { canManageAccounts, createUser, listUsers } from "@/lib/auth/users";
import { errorResponse, hasJsonBody, redirectTo, wantsJson } from "@/app/_lib/http";
import { optionalText, readBody, requireAllowedUser } from "@/app/_lib/route-user";

export const dynamic = "force-dynamic";

/** GET /api/users — every account (administrators). */
export async function GET(request: Request): Promise<Response> {
  try {
    await requireAllowedUser(request, canManageAccounts, false);
    return Response.json({ users: await listUsers(getPool()) }, { headers: { "Cache-Control": "no-store" } });
  } catch (e) {
    return errorResponse(e);
  }
}

/**
 * POST /api/users — create an account (administrators; CSRF-protected;
 * audited). JSON may leave out the password: a generated one is returned
 * once. The page's form sets the password itself (it is never put in a URL).
 */
export async function POST(request: Request): Promise<Response> {
  try {
    const { actor: by } = await requireAllowedUser(request, canManageAccounts, true);
    const json = wantsJson(request);
    const body = await readBody(request);
    const role = String(body.role ?? "member") as TRole;
    const r = await createUser(
      getPool(),
      {
        email: String(body.email ?? ""),
        role,
        // Only a JSON request may leave the password out (and get a generated one back); a form must set it.
        password: hasJsonBody(request) ? optionalText(body.password) : String(body.password ?? ""),
        personExternalId: optionalText(body.person),
      },
      by,
    );
    return json ? Response.json({ user: r.user, password: r.generated ? r.password : undefined }, { status: 201 }) : redirectTo("/users");
  } catch (e) {
    return errorResponse(e);
  }
}
