import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { AppError } from "../errors";
import { getEnv } from "../env";

/**
 * Stored Slack tokens are encrypted with AES-256-GCM. The key is
 * SLACK_TOKEN_KEY (32 bytes as hex or base64; set it wherever workers run
 * on several machines) or, by default, a key file created in
 * BACKSCROLL_HOME readable only by its owner.
 */

function parseKey(v: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(v) ? Buffer.from(v, "hex") : Buffer.from(v, "base64");
  if (key.length !== 32) throw new AppError("usage", "SLACK_TOKEN_KEY must be 32 bytes, as 64 hex digits or base64", { field: "SLACK_TOKEN_KEY" });
  return key;
}

/** The token encryption key (created on first use when no key is configured). */
export function loadTokenKey(): Buffer {
  const env = getEnv();
  if (env.SLACK_TOKEN_KEY) return parseKey(env.SLACK_TOKEN_KEY);
  const file = path.join(env.backscrollHome, "slack-token.key");
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
      fs.writeFileSync(file, randomBytes(32).toString("hex") + "\n", { mode: 0o600, flag: "wx" });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
  return parseKey(fs.readFileSync(file, "utf8").trim());
}

/** `v1.<iv>.<tag>.<ciphertext>`, base64url parts. */
export function encryptToken(token: string, key: Buffer = loadTokenKey()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const data = Buffer.concat([cipher.update(token, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), data.toString("base64url")].join(".");
}

export function decryptToken(sealed: string, key: Buffer = loadTokenKey()): string {
  const [v, iv, tag, data] = sealed.split(".");
  if (v !== "v1" || !iv || !tag || !data) throw new AppError("internal", "Stored Slack token is not in a known format");
  try {
    const d = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    d.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([d.update(Buffer.from(data, "base64url")), d.final()]).toString("utf8");
  } catch (e) {
    throw new AppError("internal", "Stored Slack token cannot be decrypted with this key (SLACK_TOKEN_KEY changed?)", undefined, { cause: e });
  }
}

/** What may be shown of a token: its kind and last four characters. */
export function tokenHint(token: string): string {
  return `${token.slice(0, 5)}…${token.slice(-4)}`;
}
