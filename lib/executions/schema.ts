import { z } from "zod";
import { AppError, type TErrorLocation } from "../errors";

/**
 * The one shape of an execution record, shared by `POST /api/executions` and
 * `backscroll import --source executions` (one JSON object per line).
 */

/** Statuses an execution can have in the archive. */
export const EXECUTION_STATUSES = ["pending", "running", "succeeded", "failed", "timeout", "cancelled", "unknown"] as const;
export type TExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** Spellings bots use for the same thing. */
const STATUS_ALIASES: Record<string, TExecutionStatus> = {
  success: "succeeded",
  successful: "succeeded",
  ok: "succeeded",
  completed: "succeeded",
  done: "succeeded",
  passed: "succeeded",
  failure: "failed",
  error: "failed",
  errored: "failed",
  abandoned: "failed",
  canceled: "cancelled",
  canceling: "cancelled",
  aborted: "cancelled",
  timed_out: "timeout",
  timedout: "timeout",
  queued: "pending",
  scheduled: "pending",
  requested: "pending",
  delayed: "pending",
  started: "running",
  in_progress: "running",
};

/** A status as bots write it, normalised (`"Success"` → `succeeded`). */
export const ZExecutionStatus = z.preprocess(
  (v) => (typeof v === "string" ? (STATUS_ALIASES[v.trim().toLowerCase()] ?? v.trim().toLowerCase()) : v),
  z.enum(EXECUTION_STATUSES),
);

const ZTimestamp = z.iso.datetime({ offset: true });

/** A Slack-style message timestamp: seconds, a dot, microseconds. */
export const ZMessageTs = z.string().regex(/^\d{1,12}\.\d{1,6}$/, "expected a message ts like 1700000000.000100");

/** The fields of an execution record (without cross-field checks). */
export const ZExecutionFields = z.object({
    /** The bot's own id for this run: sending it again updates, never duplicates. */
    id: z.string().trim().min(1).max(200),
    bot: z.string().trim().min(1).max(100),
    command: z.string().trim().min(1).max(2000),
    /** Anything JSON: a list of words or an object of named parameters. */
    arguments: z.unknown().optional(),
    /** Names of parameters whose values are secrets (masked before storage). */
    secretParameters: z.array(z.string().max(200)).max(200).optional(),
    invoker: z.string().trim().max(200).nullish(),
    /** The channel's id in the chat system (Slack `C…`). */
    channel: z.string().trim().max(200).nullish(),
    /** The triggering message's ts in that channel. */
    messageTs: ZMessageTs.nullish(),
    startedAt: ZTimestamp,
    finishedAt: ZTimestamp.nullish(),
    status: ZExecutionStatus,
    exitCode: z.number().int().min(-2147483648).max(2147483647).nullish(),
    /** Any length: stored bounded (head and tail kept, flagged truncated). */
    output: z.string().nullish(),
    /** The workspace's id in its chat system, when the bot knows it. */
    workspace: z.string().trim().min(1).max(200).nullish(),
  });

/** finishedAt, when given, is not before startedAt. */
export function isInOrder(x: { startedAt: string; finishedAt?: string | null }): boolean {
  return !x.finishedAt || Date.parse(x.finishedAt) >= Date.parse(x.startedAt);
}

const ORDER_ISSUE = { message: "finishedAt is before startedAt", path: ["finishedAt"] };

/** The body of `POST /api/executions`. */
export const ZCreateExecution = ZExecutionFields.refine(isInOrder, ORDER_ISSUE);

export type TCreateExecution = z.infer<typeof ZCreateExecution>;

/** A zod issue path as `a.b[2].c`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let s = "";
  for (const p of path) s += typeof p === "number" ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s;
}

/**
 * Parse an execution record; bad input throws `bad_input` naming the field
 * (and the file and line when given).
 */
export function parseCreateExecution(raw: unknown, where: Omit<TErrorLocation, "field"> = {}): TCreateExecution {
  return parseWith(ZCreateExecution, raw, where);
}

/** An execution as one line of a JSON-lines file: the workspace, if any, is described in full. */
export const ZExecutionLine = ZExecutionFields.extend({
  workspace: z
    .object({ platform: z.string().min(1).max(100), externalId: z.string().min(1).max(200), name: z.string().min(1).max(500) })
    .nullish(),
}).refine(isInOrder, ORDER_ISSUE);

export type TExecutionLine = z.infer<typeof ZExecutionLine>;

/** Parse with `schema`; bad input throws `bad_input` naming file, line and field. */
export function parseWith<T>(schema: z.ZodType<T>, raw: unknown, where: Omit<TErrorLocation, "field"> = {}): T {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = formatIssuePath(issue.path) || "(record)";
  const prefix = where.file ? `${where.file}${where.line !== undefined ? `:${where.line}` : ""}: ` : "";
  throw new AppError("bad_input", `${prefix}field ${field}: ${issue.message}`, { ...where, field });
}
