import v8 from "node:v8";
import { Worker } from "node:worker_threads";
import { AppError, type TErrorCode, type TErrorLocation } from "../errors";
import type { IngestInput, TCheckpoints } from "./adapter";
import type { TPreparedBatch } from "./prepare";

/** The reader thread's starting and largest old-generation sizes (MB); see readInWorker. */
const READER_INITIAL_OLD_SPACE_MB = 128;
const READER_MAX_OLD_SPACE_MB = 256;

/**
 * An adapter's batches, parsed and prepared for the loader (prepare.ts) on a
 * worker thread. Parsing, validating (JSON, zod, hashing), merging and
 * encoding then run on one core while this thread and the database write the
 * previous batch; this thread receives the COPY text as transferred buffers,
 * not as object graphs to clone and encode again.
 */
export function readInWorker(adapterName: string, input: IngestInput, checkpoints: TCheckpoints, credits = 1): AsyncIterable<TPreparedBatch> {
  return {
    [Symbol.asyncIterator]() {
      // Every batch the reader builds outlives the small young generation
      // (--max-semi-space-size) and is promoted; from V8's small starting
      // old-generation limit that meant a full mark-compact every ~700
      // messages, a quarter of the reader's CPU time. So this thread's heap
      // starts larger: V8 reads the flag when the thread's isolate is
      // created, and it is put back as soon as the thread runs. From 64 MB
      // to 128 MB halved the CPU of V8's helper threads (concurrent marking),
      // about 4 s per 100,000 messages, which the database writers use
      // instead; the import's peak RSS went from ~270 MB to 330–390 MB.
      v8.setFlagsFromString(`--initial-old-space-size=${READER_INITIAL_OLD_SPACE_MB}`);
      const worker = new Worker(new URL("./read-worker.mjs", import.meta.url), {
        workerData: { adapter: adapterName, input, checkpoints: [...checkpoints], credits },
        // The reader holds one day file and a batch or two; a capped heap keeps
        // the process's peak memory flat however large the export.
        resourceLimits: { maxOldGenerationSizeMb: READER_MAX_OLD_SPACE_MB },
      });
      const restoreFlag = () => v8.setFlagsFromString("--initial-old-space-size=0");
      worker.once("online", restoreFlag);
      worker.once("exit", restoreFlag);
      const queue: ({ type: "batch"; batch: TPreparedBatch } | { type: "done" } | { type: "error"; error: Error })[] = [];
      let notify: (() => void) | undefined;
      const push = (m: (typeof queue)[number]) => {
        queue.push(m);
        notify?.();
      };
      worker.on("message", (m: { type: string; batch?: TPreparedBatch; error?: { app: boolean; code?: TErrorCode; message: string; where?: TErrorLocation; stack?: string } }) => {
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
        async next(): Promise<IteratorResult<TPreparedBatch>> {
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
        async return(): Promise<IteratorResult<TPreparedBatch>> {
          await finish();
          return { done: true, value: undefined };
        },
      };
    },
  };
}
