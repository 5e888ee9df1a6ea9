/**
 * Structured logs: one JSON object per line on stderr, so stdout stays free
 * for command output (`--json`). Level from `LOG_LEVEL` (default `info`).
 */
type TLevel = "debug" | "info" | "warn" | "error";
const ORDER: Record<TLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function threshold(): number {
  const l = (process.env.LOG_LEVEL ?? "info") as TLevel;
  return ORDER[l] ?? ORDER.info;
}

function write(level: TLevel, msg: string, fields?: Record<string, unknown>): void {
  if (ORDER[level] < threshold()) return;
  const line = JSON.stringify({ t: new Date().toISOString(), level, msg, ...fields });
  process.stderr.write(line + "\n");
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/** A logger whose lines all carry `base` fields. */
export function createLogger(base: Record<string, unknown> = {}): Logger {
  return {
    debug: (m, f) => write("debug", m, { ...base, ...f }),
    info: (m, f) => write("info", m, { ...base, ...f }),
    warn: (m, f) => write("warn", m, { ...base, ...f }),
    error: (m, f) => write("error", m, { ...base, ...f }),
    child: (f) => createLogger({ ...base, ...f }),
  };
}

export const logger = createLogger();
