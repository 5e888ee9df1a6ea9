import { Worker } from "node:worker_threads";
import type { TZipWriterOptions } from "./zip-writer";

/**
 * An export's ZIP, written on its own thread. The exporting thread is the
 * busy side (reading rows, making records, encoding them); hashing each
 * file for the manifest, checksumming, deflating and writing the ZIP take a
 * fifth of an export's CPU time and run beside it here instead of between
 * its records. The thread is handed each file's bytes in order (the chunk's
 * memory moves to it and back), at most AHEAD chunks ahead of what it has
 * deflated, so memory stays bounded when the disk or the deflater is the
 * slower side.
 */

/** Chunks handed over but not yet deflated before a write waits. */
const AHEAD = 8;

export interface TZipThreadData {
  file: string;
  options: TZipWriterOptions;
}

export type TZipThreadRequest = { type: "open"; name: string } | { type: "data"; chunk: Uint8Array } | { type: "close" } | { type: "finish" };

export type TZipThreadReply =
  | { type: "ack"; chunk: Uint8Array }
  | { type: "closed"; bytes: number; sha256: string }
  | { type: "finished"; sha256: string }
  | { type: "aborted" }
  | { type: "error"; message: string; stack?: string };

/** A file of the ZIP once written: its size and SHA-256 before compression. */
export interface TZipFileDigest {
  bytes: number;
  sha256: string;
}

type TPending = { resolve: (r: TZipThreadReply) => void; reject: (e: Error) => void };

export class ZipFileOnThread {
  private readonly worker: Worker;
  private outstanding = 0;
  private wake: (() => void) | null = null;
  /** Requests waiting for their reply ("closed", "finished", "aborted"), in order. */
  private readonly pending: TPending[] = [];
  private failure: Error | null = null;
  private ended = false;
  /** Memory of deflated chunks, back from the thread to be filled again. */
  private readonly free: ArrayBuffer[] = [];

  /** Writes the ZIP to `file` (created or truncated); `chunkSize`: the size of the chunks `chunk()` gives. */
  constructor(
    file: string,
    options: TZipWriterOptions,
    private readonly chunkSize: number,
  ) {
    this.worker = new Worker(new URL("./zip-thread.mjs", import.meta.url), {
      workerData: { file, options } satisfies TZipThreadData,
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 2 },
    });
    this.worker.on("message", (r: TZipThreadReply) => {
      if (r.type === "ack") {
        this.outstanding--;
        if (r.chunk.buffer.byteLength === this.chunkSize && this.free.length < AHEAD) this.free.push(r.chunk.buffer as ArrayBuffer);
        this.wake?.();
      } else if (r.type === "error") {
        this.fail(Object.assign(new Error(r.message), { stack: r.stack }));
      } else {
        this.pending.shift()?.resolve(r);
      }
    });
    this.worker.on("error", (e) => this.fail(e));
    this.worker.on("exit", (code) => {
      if (!this.ended) this.fail(new Error(`export ZIP thread exited with ${code}`));
    });
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.splice(0)) p.reject(this.failure);
    this.wake?.();
  }

  private request(m: TZipThreadRequest): Promise<TZipThreadReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.worker.postMessage(m);
    });
  }

  /**
   * Memory for the next chunk to fill and `write` with `give`: a chunk the
   * thread has deflated and given back, else a new one (never from the
   * shared pool, so it can move). Reusing them keeps memory flat: chunks
   * left to the garbage collector of a mostly idle thread pile up.
   */
  chunk(): Buffer {
    const b = this.free.pop();
    return b ? Buffer.from(b) : Buffer.allocUnsafeSlow(this.chunkSize);
  }

  /** Start the next file; the previous one must be closed. */
  open(name: string): void {
    if (this.failure) throw this.failure;
    this.worker.postMessage({ type: "open", name } satisfies TZipThreadRequest);
  }

  /**
   * Append bytes to the open file. With `give`, the chunk's memory moves to
   * the thread (the caller must not touch it or anything sharing its
   * ArrayBuffer again); else it is copied. A promise (to await) only when the
   * thread is AHEAD chunks behind.
   */
  write(chunk: Buffer, give: boolean): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    this.outstanding++;
    const view = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.worker.postMessage({ type: "data", chunk: view } satisfies TZipThreadRequest, give ? [chunk.buffer as ArrayBuffer] : []);
    return this.outstanding >= AHEAD ? this.caughtUp() : undefined;
  }

  private async caughtUp(): Promise<void> {
    while (this.outstanding >= AHEAD && !this.failure) await new Promise<void>((r) => (this.wake = r));
    this.wake = null;
    if (this.failure) throw this.failure;
  }

  /** Close the open file: its size and hash once all of it is in the ZIP. */
  async close(): Promise<TZipFileDigest> {
    const r = await this.request({ type: "close" });
    if (r.type !== "closed") throw new Error(`export ZIP thread answered ${r.type} to close`);
    return { bytes: r.bytes, sha256: r.sha256 };
  }

  /** Finish the ZIP (central directory), flush the file and stop the thread: the ZIP's SHA-256. */
  async finish(): Promise<string> {
    const r = await this.request({ type: "finish" });
    if (r.type !== "finished") throw new Error(`export ZIP thread answered ${r.type} to finish`);
    this.ended = true;
    await this.worker.terminate();
    return r.sha256;
  }

  /** Stop writing: the file is closed (the caller removes it) and the thread stopped. */
  async abort(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    const aborted = new Promise<void>((resolve) => {
      this.worker.once("exit", () => resolve());
      this.worker.on("message", (r: TZipThreadReply) => {
        if (r.type === "aborted") resolve();
      });
    });
    this.worker.postMessage({ type: "abort" });
    await Promise.race([aborted, new Promise((r) => setTimeout(r, 5000).unref())]);
    await this.worker.terminate();
    this.fail(new Error("the export's ZIP was aborted"));
  }
}
