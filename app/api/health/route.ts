import { getPool } from "@/lib/db";
import { logger } from "@/lib/logger";

/**
 * GET /api/health — {"status":"ok","database":"ok"}, or 503 when the
 * database does not answer `SELECT 1` within a few seconds. No sign-in.
 */

export const dynamic = "force-dynamic";

const TIMEOUT_MS = 3000;

export async function GET(): Promise<Response> {
  const headers = { "Cache-Control": "no-store" };
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      getPool().query("SELECT 1"),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      }),
    ]);
    return Response.json({ status: "ok", database: "ok" }, { headers });
  } catch (e) {
    logger.warn("health check: database unavailable", { error: e instanceof Error ? e.message : String(e) });
    return Response.json({ status: "error", database: "unavailable" }, { status: 503, headers });
  } finally {
    clearTimeout(timer);
  }
}
