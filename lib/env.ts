import path from "node:path";
import { z } from "zod";

/**
 * Configuration, validated once. Every setting is an environment variable;
 * the README's configuration table lists them.
 */
const ZEnv = z.object({
  DATABASE_URL: z.string().url().optional(),
  BACKSCROLL_HOME: z.string().min(1).default(".backscroll"),
  MEILI_HOST: z.string().url().optional(),
  MEILI_API_KEY: z.string().optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  /** Secure cookies need HTTPS; off for plain-HTTP local use. */
  COOKIE_SECURE: z.enum(["true", "false", "auto"]).default("auto"),
  SESSION_TTL_HOURS: z.coerce.number().positive().default(24 * 7),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /** Zip-bomb limits for archive import. */
  IMPORT_MAX_TOTAL_BYTES: z.coerce.number().int().positive().default(20 * 1024 ** 3),
  IMPORT_MAX_RATIO: z.coerce.number().positive().default(200),
  IMPORT_MAX_ENTRY_BYTES: z.coerce.number().int().positive().default(512 * 1024 ** 2),
  /** Slack app signing secret: the Events API receiver refuses everything without it. */
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  /** Key (32 bytes, hex or base64) encrypting stored Slack tokens; default: a key file in BACKSCROLL_HOME. */
  SLACK_TOKEN_KEY: z.string().min(1).optional(),
});

export type TEnv = z.infer<typeof ZEnv> & { backscrollHome: string };

let cached: TEnv | undefined;

/** The validated environment; throws a readable error naming the variable. */
export function getEnv(): TEnv {
  if (cached) return cached;
  const parsed = ZEnv.safeParse(process.env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Invalid environment variable ${issue.path.join(".")}: ${issue.message}`);
  }
  cached = { ...parsed.data, backscrollHome: path.resolve(parsed.data.BACKSCROLL_HOME) };
  return cached;
}

/** Forget the cached environment (tests change variables between cases). */
export function resetEnvCache(): void {
  cached = undefined;
}
