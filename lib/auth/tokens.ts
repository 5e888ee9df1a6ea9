import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Session and CSRF tokens. The browser holds a random 32-byte token; the
 * database only its SHA-256, so a leaked session table cannot be replayed.
 */

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A fresh random token: 32 bytes, base64url (43 characters). */
export function generateToken(): string {
  return randomBytes(32).toString("base64url");
}

/** True when `token` has the shape of one of our tokens (cheap pre-check). */
export function isWellFormedToken(token: string | null | undefined): token is string {
  return typeof token === "string" && TOKEN_PATTERN.test(token);
}

/** The SHA-256 (hex) stored for a session token. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Constant-time string comparison (false when lengths differ). */
export function areTokensEqual(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== "string") return false;
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(given, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}
