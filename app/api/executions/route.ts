import { getPool } from "@/lib/db";
import { AppError, isAppError } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { verifyBotAuthorization } from "@/lib/bots/service";
import { recordExecution } from "@/lib/executions/service";

/**
 * POST /api/executions — a chatbot records a command it ran.
 * `Authorization: Bearer <bot token>` (from `backscroll token create --bot`);
 * a JSON body as `ZCreateExecution` describes (id, bot, command, arguments,
 * invoker, channel, messageTs, startedAt, finishedAt, status, exitCode,
 * output). Idempotent by (bot, id): 201 when stored or changed, 200 when the
 * same record was already there. 401 without a valid token, 400 naming the
 * field for a bad body. Secrets are masked and output bounded before storage.
 */

export const dynamic = "force-dynamic";

/** Larger bodies are refused before parsing; output is bounded far below this. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

const NO_STORE = { "Cache-Control": "no-store" };

function fail(e: unknown): Response {
  if (isAppError(e)) {
    const headers: Record<string, string> = { ...NO_STORE };
    if (e.status === 401) headers["WWW-Authenticate"] = 'Bearer realm="backscroll"';
    return Response.json(e.toJSON(), { status: e.status, headers });
  }
  logger.error("POST /api/executions failed", { error: e instanceof Error ? e.message : String(e) });
  return Response.json({ error: "internal", message: "Internal error" }, { status: 500, headers: NO_STORE });
}

async function readJsonBody(request: Request): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) throw new AppError("bad_input", `Body larger than ${MAX_BODY_BYTES} bytes`);
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new AppError("bad_input", `Body larger than ${MAX_BODY_BYTES} bytes`);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new AppError("bad_input", `Body is not JSON: ${(e as Error).message}`);
  }
}

export async function POST(request: Request): Promise<Response> {
  try {
    const pool = getPool();
    const bot = await verifyBotAuthorization(pool, request.headers.get("authorization"));
    const body = await readJsonBody(request);
    const r = await recordExecution(pool, bot, body);
    return Response.json({ ok: true, id: r.id, changed: r.changed }, { status: r.changed ? 201 : 200, headers: NO_STORE });
  } catch (e) {
    return fail(e);
  }
}
