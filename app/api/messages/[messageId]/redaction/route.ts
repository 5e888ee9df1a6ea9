import { getPool } from "@/lib/db";
import { redactMessage, revertRedaction } from "@/lib/compliance/redactions";
import { errorResponse, findClientIp, redirectTo, wantsJson } from "@/app/_lib/http";
import { backTo, readForm, readJsonObject, requireMutatingUser } from "@/app/_lib/route-user";
import { readMessageId } from "../../_lib/request";

export const dynamic = "force-dynamic";
type TCtx = { params: Promise<{ messageId: string }> };

/**
 * POST /api/messages/:id/redaction — redact a message (admins; JSON
 * `{ "reason" }` or a form with `reason` and `back`; a form with
 * `action=revert` reverts instead). CSRF-protected and audited.
 */
export async function POST(request: Request, { params }: TCtx): Promise<Response> {
  try {
    const { viewer } = await requireMutatingUser(request);
    const id = await readMessageId(params);
    const opts = { ip: findClientIp(request) };
    if (wantsJson(request)) {
      const body = await readJsonObject(request);
      const result = await redactMessage(getPool(), viewer, { messageId: id }, { reason: body.reason as string }, opts);
      return Response.json(result, { status: 201 });
    }
    const f = await readForm(request);
    if (f.action === "revert") await revertRedaction(getPool(), viewer, { messageId: id }, { reason: f.reason || null }, opts);
    else await redactMessage(getPool(), viewer, { messageId: id }, { reason: f.reason ?? "" }, opts);
    return redirectTo(backTo(f.back, "/"));
  } catch (e) {
    return errorResponse(e);
  }
}

/** DELETE /api/messages/:id/redaction — revert the active redaction (admins; optional JSON `{ "reason" }`). CSRF-protected and audited. */
export async function DELETE(request: Request, { params }: TCtx): Promise<Response> {
  try {
    const { viewer } = await requireMutatingUser(request);
    const id = await readMessageId(params);
    // The body is optional: none (or not an object) gives no reason.
    const body: unknown = await request.json().catch(() => null);
    const reason = body !== null && typeof body === "object" && !Array.isArray(body) ? (body as { reason?: unknown }).reason : undefined;
    const result = await revertRedaction(getPool(), viewer, { messageId: id }, { reason: (reason as string | undefined) ?? null }, { ip: findClientIp(request) });
    return Response.json(result);
  } catch (e) {
    return errorResponse(e);
  }
}
