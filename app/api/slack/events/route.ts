import { getPool } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { logger } from "@/lib/logger";
import { MAX_EVENT_BODY_BYTES, receiveSlackEvent } from "@/lib/sources/events-service";

/**
 * POST /api/slack/events — Slack's Events API Request URL. Signed requests
 * only (SLACK_SIGNING_SECRET); answers url_verification; records each event
 * once and archives it in a worker job, so the answer comes at once.
 */

export const dynamic = "force-dynamic";

export async function POST(request: Request): Promise<Response> {
  try {
    const length = Number(request.headers.get("content-length") ?? 0);
    if (length > MAX_EVENT_BODY_BYTES) return Response.json({ error: "too_large" }, { status: 413 });
    const body = await request.text();
    const answer = await receiveSlackEvent(
      getPool(),
      {
        body,
        timestamp: request.headers.get("x-slack-request-timestamp"),
        signature: request.headers.get("x-slack-signature"),
        retryNum: request.headers.get("x-slack-retry-num"),
      },
      { secret: getEnv().SLACK_SIGNING_SECRET, nowSeconds: Math.floor(Date.now() / 1000) },
    );
    return Response.json(answer.body, { status: answer.status, headers: { "Cache-Control": "no-store" } });
  } catch (e) {
    // Slack retries a 5xx delivery; the receipt table makes the retry harmless.
    logger.error("slack event receipt failed", { error: e instanceof Error ? e.message : String(e) });
    return Response.json({ error: "internal" }, { status: 500 });
  }
}
