import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { IngestAdapter, IngestInput, NExecution, NormalizedBatch, TCheckpoints } from "../../adapter";
import { AppError } from "../../../errors";
import { BOTS_WORKSPACE, buildExecution } from "../../../executions/normalize";
import { formatIssuePath, parseWith, ZCreateExecution } from "../../../executions/schema";
import { fileSourceKey, parseJsonLine, readFirstLines, readLines } from "../../lines";

/**
 * StackStorm executions as `st2 execution get -j <id>` (or `st2 execution
 * list -j`) prints them: one JSON object, a JSON array of them, or one per
 * line. Both layouts are read: current StackStorm (status, parameters,
 * result, timestamps at the top) and the older one nesting them under
 * `liveaction`. Parameters the action declares `secret: true` are masked in
 * the arguments and wherever their values show up in the output.
 */

const ZTimestamp = z.string().min(1);

const ZParamSpec = z.looseObject({ secret: z.boolean().optional() });

const ZAction = z.looseObject({
  ref: z.string().optional(),
  pack: z.string().optional(),
  name: z.string().optional(),
  parameters: z.record(z.string(), ZParamSpec).optional(),
});

const ZLiveAction = z.looseObject({
  action: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  status: z.string().optional(),
  start_timestamp: ZTimestamp.optional(),
  end_timestamp: ZTimestamp.nullish(),
  result: z.unknown().optional(),
  context: z.record(z.string(), z.unknown()).optional(),
});

/** One st2 execution record (fields read; everything else kept in raw). */
export const ZSt2Execution = z.looseObject({
  id: z.string().min(1),
  action: ZAction.optional(),
  runner: z.looseObject({ name: z.string().optional(), runner_parameters: z.record(z.string(), ZParamSpec).optional() }).optional(),
  liveaction: ZLiveAction.optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  status: z.string().optional(),
  start_timestamp: ZTimestamp.optional(),
  end_timestamp: ZTimestamp.nullish(),
  result: z.unknown().optional(),
  context: z.record(z.string(), z.unknown()).optional(),
});
export type TSt2Execution = z.infer<typeof ZSt2Execution>;

const str = (v: unknown): string | null => (typeof v === "string" && v ? v : null);

/** The output of a result: stdout and stderr when the runner gives them, else the result as JSON. */
function outputOf(result: unknown): { output: string | null; exitCode: number | null } {
  if (result === undefined || result === null) return { output: null, exitCode: null };
  if (typeof result === "string") return { output: result, exitCode: null };
  if (typeof result !== "object") return { output: String(result), exitCode: null };
  const r = result as Record<string, unknown>;
  const code = [r.return_code, r.exit_code, r.returncode].find((x) => typeof x === "number" && Number.isInteger(x)) as number | undefined;
  const parts = [str(r.stdout), str(r.stderr)].filter((x): x is string => x !== null).map((x) => x.replace(/\n$/, ""));
  const output = parts.length ? parts.join("\n") : Object.keys(r).length ? JSON.stringify(r, null, 2) : null;
  return { output, exitCode: code ?? null };
}

/** Convert one st2 execution to the archive's execution (masked, bounded). */
export function convertSt2Execution(rec: TSt2Execution, where: { file: string; line?: number }): NExecution {
  const live = rec.liveaction ?? {};
  const context = rec.context ?? live.context ?? {};
  // The requested ref (liveaction.action) before the pack/name of the action record, which older
  // st2 versions fill with the runner's own action.
  const ref = rec.action?.ref ?? live.action ?? (rec.action?.pack && rec.action.name ? `${rec.action.pack}.${rec.action.name}` : undefined);
  if (!ref) throw new AppError("bad_input", `${where.file}${where.line ? `:${where.line}` : ""}: field action.ref: missing`, { ...where, field: "action.ref" });
  const secretParameters = [
    ...Object.entries(rec.action?.parameters ?? {}),
    ...Object.entries(rec.runner?.runner_parameters ?? {}),
  ]
    .filter(([, spec]) => spec.secret === true)
    .map(([name]) => name);
  const { output, exitCode } = outputOf(rec.result ?? live.result);
  const chatops = (context.chatops ?? {}) as Record<string, unknown>;
  const body = {
    id: rec.id,
    bot: "stackstorm",
    command: ref,
    arguments: rec.parameters ?? live.parameters ?? {},
    secretParameters,
    invoker: str(context.api_user) ?? str(chatops.user) ?? str(context.user),
    channel: str(context.source_channel) ?? str(chatops.channel),
    startedAt: rec.start_timestamp ?? live.start_timestamp,
    finishedAt: rec.end_timestamp ?? live.end_timestamp ?? null,
    status: rec.status ?? live.status,
    exitCode,
    output,
  };
  const parsed = parseWith(ZCreateExecution, body, where);
  const e = buildExecution(parsed);
  e.externalId = rec.id;
  return e;
}

async function* readRecords(file: string, label: string): AsyncGenerator<{ value: unknown; line: number }> {
  const head = (await readFirstLines(file, 1))[0]?.trimStart() ?? "";
  // One record per line when the first line is a whole object; else the file is one JSON document.
  let whole = false;
  if (head.startsWith("{")) {
    try {
      JSON.parse(head);
    } catch {
      whole = true;
    }
  } else whole = true;
  if (!whole) {
    for await (const { n, text } of readLines(file, label)) if (text.trim()) yield { value: parseJsonLine(text, label, n), line: n };
    return;
  }
  const doc = parseJsonLine(await fs.promises.readFile(file, "utf8"), label, 1);
  if (Array.isArray(doc)) for (const [i, v] of doc.entries()) yield { value: v, line: i };
  else yield { value: doc, line: 1 };
}

export const stackstormAdapter: IngestAdapter = {
  name: "stackstorm",

  async detect(input: IngestInput): Promise<boolean> {
    if (!/\.(json|jsonl)$/i.test(input.location)) return false;
    const head = (await readFirstLines(input.location, 40)).join("\n");
    return /"(liveaction|runner)"\s*:/.test(head) && /"action"\s*:/.test(head);
  },

  sourceKey: (input) => fileSourceKey("stackstorm", input.location),

  async *read(input: IngestInput, _checkpoints: TCheckpoints): AsyncIterable<NormalizedBatch> {
    void _checkpoints;
    const file = input.location;
    const label = path.basename(file);
    const batchSize = Number(input.options?.batchSize ?? 1000);
    let list: NExecution[] = [];
    let done = 0;
    for await (const { value, line } of readRecords(file, label)) {
      const r = ZSt2Execution.safeParse(value);
      if (!r.success) {
        const issue = r.error.issues[0]!;
        const field = formatIssuePath(issue.path) || "(record)";
        throw new AppError("bad_input", `${label}:${line}: field ${field}: ${issue.message}`, { file: label, line, field });
      }
      list.push(convertSt2Execution(r.data, { file: label, line }));
      done++;
      if (list.length >= batchSize) {
        yield { workspace: BOTS_WORKSPACE, executions: list, progress: { done, unit: "executions" } };
        list = [];
      }
    }
    if (list.length) yield { workspace: BOTS_WORKSPACE, executions: list, progress: { done, unit: "executions" } };
  },
};
