import path from "node:path";
import type { IngestAdapter, IngestInput, NExecution, NWorkspace, NormalizedBatch, TCheckpoints } from "../../adapter";
import { BOTS_WORKSPACE, buildExecution, EXECUTIONS_SOURCE, toExecutionExternalId } from "../../../executions/normalize";
import { parseWith, ZExecutionLine } from "../../../executions/schema";
import { fileSourceKey, parseJsonLine, readFirstLines, readLines } from "../../lines";

/**
 * `backscroll import --source executions <file.jsonl>`: one execution per
 * line, in the shape `POST /api/executions` accepts (`ZExecutionLine`; the
 * workspace, when given, as `{platform, externalId, name}`; without it the
 * run goes to the `bots` workspace). Stored under the same source and ids as
 * API posts, so a bot's log imported after it posted live adds nothing twice.
 * Secrets are masked and output bounded before storage.
 */

const DEFAULT_BATCH = 2000;

function workspaceKey(w: NWorkspace): string {
  return `${w.platform}\u0000${w.externalId}`;
}

export const executionsJsonlAdapter: IngestAdapter = {
  name: EXECUTIONS_SOURCE,

  async detect(input: IngestInput): Promise<boolean> {
    if (!/\.(jsonl|ndjson)$/i.test(input.location)) return false;
    const first = (await readFirstLines(input.location, 5)).find((l) => l.trim());
    if (!first) return false;
    try {
      const o = JSON.parse(first) as Record<string, unknown>;
      return typeof o === "object" && o !== null && "command" in o && "startedAt" in o && "bot" in o;
    } catch {
      return false;
    }
  },

  sourceKey: (input) => fileSourceKey(EXECUTIONS_SOURCE, input.location),

  async *read(input: IngestInput, checkpoints: TCheckpoints): AsyncIterable<NormalizedBatch> {
    const file = input.location;
    const label = path.basename(file);
    const batchSize = Number(input.options?.batchSize ?? DEFAULT_BATCH);
    const scope = "file";
    const resumeAt = (checkpoints.get(scope) as { file?: string; line?: number } | undefined)?.file === file ? (checkpoints.get(scope) as { line: number }).line : 0;
    let workspace: NWorkspace | null = null;
    let list: NExecution[] = [];
    let lastLine = resumeAt;
    const flush = (): NormalizedBatch => {
      const b: NormalizedBatch = { workspace: workspace!, executions: list, checkpoint: { scope, position: { file, line: lastLine } }, progress: { done: lastLine, unit: "lines" } };
      list = [];
      return b;
    };
    for await (const { n, text } of readLines(file, label)) {
      if (n <= resumeAt || !text.trim()) continue;
      const raw = parseJsonLine(text, label, n);
      const rec = parseWith(ZExecutionLine, raw, { file: label, line: n });
      const w: NWorkspace = rec.workspace ?? BOTS_WORKSPACE;
      if (workspace && (workspaceKey(w) !== workspaceKey(workspace) || list.length >= batchSize) && list.length) yield flush();
      workspace = w;
      const e = buildExecution(rec);
      e.externalId = toExecutionExternalId(rec.bot, rec.id);
      list.push(e);
      lastLine = n;
    }
    if (list.length) yield flush();
  },
};
