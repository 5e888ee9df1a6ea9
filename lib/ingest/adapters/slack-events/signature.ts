import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Slack's request signing, version 0: `v0=` + hex HMAC-SHA256 of
 * `v0:<X-Slack-Request-Timestamp>:<raw body>` with the app's signing secret.
 * A request older (or newer) than five minutes is refused, so a captured
 * request cannot be replayed later.
 */

export const SIGNATURE_MAX_SKEW_SECONDS = 5 * 60;

export type TSignatureVerdict = "ok" | "missing" | "stale" | "bad";

/** The `X-Slack-Signature` value for a body (for tests, benchmarks and clients). */
export function signSlackRequest(secret: string, timestamp: number | string, body: string): string {
  return "v0=" + createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex");
}

/** Checks a request's signature headers against its raw body, in constant time. */
export function verifySlackSignature(args: {
  secret: string;
  timestamp: string | null;
  signature: string | null;
  body: string;
  nowSeconds: number;
}): TSignatureVerdict {
  const { timestamp, signature } = args;
  if (!timestamp || !signature) return "missing";
  if (!/^\d{1,12}$/.test(timestamp)) return "bad";
  if (Math.abs(args.nowSeconds - Number(timestamp)) > SIGNATURE_MAX_SKEW_SECONDS) return "stale";
  const expected = Buffer.from(signSlackRequest(args.secret, timestamp, args.body), "utf8");
  const given = Buffer.from(signature, "utf8");
  if (given.length !== expected.length) return "bad";
  return timingSafeEqual(given, expected) ? "ok" : "bad";
}
