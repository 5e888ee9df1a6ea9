import { Worker } from "node:worker_threads";
import { AppError, type TErrorCode, type TErrorLocation } from "../errors";
import type { IngestInput, NormalizedBatch, TCheckpoints } from "./adapter";

/**
 * An adapter's batches, parsed on a worker thread. Parsing and validating
 * (JSON, zod, hashing) then runs on one core while this thread and the
 * database write the previous batch on the other.
 */
export function readInWorker(adapterName: string, input: IngestInput, checkpoints: TCheckpoints, credits = 1): AsyncIterable<NormalizedBatch> {
  return {
    [Symbol.asyncIterator]() {
      const worker = new Worker(new URL("./read-worker.mjs", import.meta.url), {
        workerData: { adapter: adapterName, input, checkpoints: [...checkpoints], credits },
        // The reader holds one day file and a batch or two; a capped heap keeps
        // the process's peak memory flat however large the export.
        resourceLimits: { maxOldGenerationSizeMb: 192 },
      });
      const queue: ({ type: "batch"; batch: NormalizedBatch } | { type: "done" } | { type: "error"; error: Error })[] = [];
      let notify: (() => void) | undefined;
      const push = (m: (typeof queue)[number]) => {
        queue.push(m);
        notify?.();
      };
      worker.on("message", (m: { type: string; batch?: NormalizedBatch; error?: { app: boolean; code?: TErrorCode; message: string; where?: TErrorLocation; stack?: string } }) => {
        if (m.type === "batch") push({ type: "batch", batch: m.batch! });
        else if (m.type === "done") push({ type: "done" });
        else {
          const e = m.error!;
          const err = e.app ? new AppError(e.code!, e.message, e.where) : Object.assign(new Error(e.message), { stack: e.stack });
          push({ type: "error", error: err });
        }
      });
      worker.on("error", (error) => push({ type: "error", error }));
      worker.on("exit", (code) => push(code === 0 ? { type: "done" } : { type: "error", error: new Error(`ingest reader thread exited with ${code}`) }));
      let finished = false;
      const finish = async () => {
        if (finished) return;
        finished = true;
        worker.postMessage({ type: "stop" });
        await worker.terminate();
      };
      return {
        async next(): Promise<IteratorResult<NormalizedBatch>> {
          while (queue.length === 0) await new Promise<void>((r) => (notify = r));
          const m = queue.shift()!;
          if (m.type === "batch") {
            worker.postMessage({ type: "credit" });
            return { done: false, value: m.batch };
          }
          await finish();
          if (m.type === "error") throw m.error;
          return { done: true, value: undefined };
        },
        async return(): Promise<IteratorResult<NormalizedBatch>> {
          await finish();
          return { done: true, value: undefined };
        },
      };
    },
  };
}
