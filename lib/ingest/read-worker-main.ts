import { parentPort, workerData } from "node:worker_threads";
import { isAppError } from "../errors";
import type { IngestInput } from "./adapter";
import { ADAPTERS } from "./adapters/registry";
import { prepareBatch } from "./prepare";

/**
 * Runs an adapter's `read` on its own thread and posts each batch, prepared
 * (prepare.ts), to the loader, at most `credits` batches ahead of what the
 * loader has written, so memory stays bounded when the database is the
 * slower side.
 */
interface TWorkerData {
  adapter: string;
  input: IngestInput;
  checkpoints: [string, unknown][];
  credits: number;
}

const data = workerData as TWorkerData;
const port = parentPort!;
let credits = data.credits;
let wake: (() => void) | undefined;
let stopped = false;
port.on("message", (m: { type: "credit" | "stop" }) => {
  if (m.type === "credit") credits++;
  else stopped = true;
  wake?.();
});

try {
  const adapter = ADAPTERS.find((a) => a.name === data.adapter);
  if (!adapter) throw new Error(`unknown adapter ${data.adapter}`);
  for await (const batch of adapter.read(data.input, new Map(data.checkpoints))) {
    while (credits === 0 && !stopped) await new Promise<void>((r) => (wake = r));
    if (stopped) break;
    credits--;
    const prepared = prepareBatch(batch);
    port.postMessage({ type: "batch", batch: prepared }, [...prepared.prepared.stage, ...prepared.prepared.versions].map((b) => b.buffer as ArrayBuffer));
  }
  port.postMessage({ type: "done" });
} catch (e) {
  const err = e as Error;
  port.postMessage({
    type: "error",
    error: isAppError(e) ? { app: true, code: e.code, message: e.message, where: e.where } : { app: false, message: err.message, stack: err.stack },
  });
}
