import { z } from "zod";

/**
 * Incident detection settings. `INCIDENT_CHANNEL_PATTERNS` is a comma
 * separated list of channel name globs (`*` = anything); default `inc-*,incident-*`.
 */

const ZPatterns = z
  .string()
  .trim()
  .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^[\w*.-]+$/, "channel name globs use letters, digits, - _ . and *")).min(1));

/** The default channel name globs for incident channels. */
export const DEFAULT_INCIDENT_PATTERNS = ["inc-*", "incident-*"];

/** The configured globs. */
export function findIncidentPatterns(env: Record<string, string | undefined> = process.env): string[] {
  const raw = env.INCIDENT_CHANNEL_PATTERNS;
  if (!raw) return DEFAULT_INCIDENT_PATTERNS;
  return ZPatterns.parse(raw);
}

/** A glob as a SQL LIKE pattern (`_` and `%` escaped). */
export function globToLike(glob: string): string {
  return glob.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, "%");
}

/** Whether a channel name matches one of the globs. */
export function matchesIncidentPattern(name: string, globs: string[]): boolean {
  return globs.some((g) => new RegExp(`^${g.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i").test(name));
}
