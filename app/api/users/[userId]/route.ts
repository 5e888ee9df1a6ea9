import { getPool } from "@/lib/db";
import type { TRole } from "@/lib/access/types";
import { AppError } from "@/lib/errors";
import { canManageAccounts, findUserById, updateUser } from "@/lib/auth/users";
import { errorResponse, redirectTo, wantsJson } from "@/app/_lib/http";
import { readBody, readYesNo, requireAllowedUser } from "@/app/_lib/route-user";

export const dynamic = "force-dynamic";

/**
 * POST /api/users/:userId — change an account's role, disable or enable
 * it, or link it to a chat person (`person`: a Slack user id; empty
 * unlinks). Administrators; CSRF-protected; audited.
 */
export async function POST(request: Request, { params }: { params: Promise<{ userId: string }> }): Promise<Response> {
  try {
    const { actor: by } = await requireAllowedUser(request, canManageAccounts, true);
    const id = (await params).userId;
    const target = /^\d{1,9}$/.test(id) ? await findUserById(getPool(), Number(id)) : null;
    if (!target) throw new AppError("not_found", `No account ${id}`);
    const json = wantsJson(request);
    const body = await readBody(request);
    const role = body.role === undefined || body.role === "" ? undefined : (String(body.role) as TRole);
    // The page's form always sends the person field (updateUser takes the same person as no change); empty unlinks.
    const given = body.person === undefined ? undefined : String(body.person ?? "").trim();
    const user = await updateUser(getPool(), by, target.email, {
      role,
      disabled: readYesNo(body.disabled, "disabled"),
      personExternalId: given === undefined ? undefined : given === "" ? null : given,
    });
    return json ? Response.json({ user }) : redirectTo("/users");
  } catch (e) {
    return errorResponse(e);
  }
}
