/**
 * The one error type of Backscroll. `code` is stable and machine-readable,
 * `status` is the HTTP status a route returns, `exitCode` what the CLI exits
 * with (2 for bad input or usage, 1 for internal errors), and `where` names the
 * file, line and field of bad input.
 */
export interface TErrorLocation {
  file?: string;
  line?: number;
  column?: number;
  /** Byte or character position, for JSON syntax errors. */
  position?: number;
  field?: string;
}

export type TErrorCode =
  | "bad_input"
  | "hostile_archive"
  | "usage"
  | "not_found"
  | "unauthenticated"
  | "forbidden"
  | "conflict"
  | "rate_limited"
  | "csrf"
  | "internal";

const STATUS: Record<TErrorCode, number> = {
  bad_input: 400,
  hostile_archive: 400,
  usage: 400,
  not_found: 404,
  unauthenticated: 401,
  forbidden: 403,
  conflict: 409,
  rate_limited: 429,
  csrf: 403,
  internal: 500,
};

export class AppError extends Error {
  readonly code: TErrorCode;
  readonly status: number;
  readonly where?: TErrorLocation;

  constructor(code: TErrorCode, message: string, where?: TErrorLocation, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AppError";
    this.code = code;
    this.status = STATUS[code];
    this.where = where;
  }

  /** CLI exit code: 2 for anything the caller got wrong, 1 for our faults. */
  get exitCode(): number {
    return this.status >= 500 ? 1 : 2;
  }

  /** "file:line field: message" — the form printed by the CLI. */
  describe(): string {
    const w = this.where;
    // Messages that already name their file need no prefix.
    if (!w || (w.file && this.message.includes(w.file))) return this.message;
    let loc = w.file ?? "";
    if (w.line !== undefined) loc += `:${w.line}`;
    if (w.column !== undefined) loc += `:${w.column}`;
    if (w.position !== undefined && w.line === undefined) loc += ` (position ${w.position})`;
    if (w.field) loc += `${loc ? " " : ""}field ${w.field}`;
    return loc ? `${loc}: ${this.message}` : this.message;
  }

  toJSON(): Record<string, unknown> {
    return { error: this.code, message: this.message, ...(this.where ? { where: this.where } : {}) };
  }
}

/** Shorthand for bad input with a location. */
export function badInput(message: string, where?: TErrorLocation): AppError {
  return new AppError("bad_input", message, where);
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
