import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { AppError } from "../errors";
import { toSlackJson } from "./slack-export-format";

/**
 * Writes the files of one generated export folder and counts what it wrote.
 *
 * Output is byte-identical to `toSlackJson(array)` per day file, but is
 * produced one message at a time into reusable buffers (external memory,
 * outside the V8 heap) and written synchronously when a day is complete.
 * Keeping whole days as JavaScript objects or strings until they were written
 * made V8 grow its young generation to >100 MB on long runs (everything that
 * survives a scavenge counts towards growing it); this way almost nothing
 * survives and the process RSS stays flat however many messages are written.
 */
export class ExportWriter {
  /** Bytes written so far (UTF-8). */
  bytes = 0;
  /** Day files written so far. */
  dayFiles = 0;
  private readonly createdFolders = new Set<string>();
  private readonly open = new Map<string, TOpenDayFile>();
  private scratch: TOpenDayFile = { day: "", buffer: Buffer.allocUnsafe(1 << 16), length: 0, count: 0 };

  private constructor(readonly outDir: string) {}

  /**
   * Opens `outDir` for writing, creating it when missing. A folder holding a
   * previous Slack export (users.json and channels.json at its top) is emptied
   * first, so re-running a generator is idempotent; any other non-empty folder
   * is refused: mixing an export into unrelated files would corrupt both.
   *
   * @throws AppError("usage") for a non-empty folder that is not an export.
   */
  static async open(outDir: string): Promise<ExportWriter> {
    await mkdir(outDir, { recursive: true });
    const existing = await readdir(outDir);
    if (existing.length > 0) {
      if (!existing.includes("users.json") || !existing.includes("channels.json")) {
        throw new AppError("usage", `refusing to write a Slack export into non-empty folder ${outDir}`, { file: outDir });
      }
      await rm(outDir, { recursive: true, force: true });
      await mkdir(outDir, { recursive: true });
    }
    return new ExportWriter(outDir);
  }

  /** Writes a top-level listing file (users.json, channels.json, …). */
  writeListing(fileName: string, value: unknown): void {
    const file = this.scratch;
    file.length = 0;
    put(file, toSlackJson(value));
    this.flush(join(this.outDir, fileName), file);
  }

  /** Writes complete day files (`folder/YYYY-MM-DD.json`, each a JSON array of messages). */
  writeDayFiles(files: readonly { folder: string; day: string; messages: readonly unknown[] }[]): void {
    for (const file of files) {
      for (const message of file.messages) this.appendMessage(file.folder, file.day, message);
      this.finishDay(file.folder);
    }
  }

  /**
   * Appends a message to the day file `folder/day.json`. Messages of one day
   * file must arrive in order and together: appending to another day of the
   * same folder finishes the previous one.
   */
  appendMessage(folder: string, day: string, message: unknown): void {
    let file = this.open.get(folder);
    if (file && file.day !== day && file.count > 0) this.finishDay(folder);
    if (!file) {
      file = { day, buffer: Buffer.allocUnsafe(1 << 14), length: 0, count: 0 };
      this.open.set(folder, file);
    }
    file.day = day;
    // An array element is its own pretty-printed text, indented one level.
    const text = INDENT + toSlackJson(message).replace(NEWLINE, NEWLINE_INDENTED);
    put(file, file.count === 0 ? `[\n${text}` : `,\n${text}`);
    file.count++;
  }

  /** Writes out the pending day file of every folder. */
  finishAllDays(): void {
    for (const folder of this.open.keys()) this.finishDay(folder);
  }

  private finishDay(folder: string): void {
    const file = this.open.get(folder);
    if (!file || file.count === 0) return;
    put(file, "\n]");
    const dir = join(this.outDir, folder);
    if (!this.createdFolders.has(folder)) {
      this.createdFolders.add(folder);
      mkdirSync(dir, { recursive: true });
    }
    this.flush(join(dir, `${file.day}.json`), file);
    this.dayFiles++;
    file.length = 0;
    file.count = 0;
  }

  private flush(path: string, file: TOpenDayFile): void {
    const fd = openSync(path, "w");
    try {
      let offset = 0;
      while (offset < file.length) offset += writeSync(fd, file.buffer, offset, file.length - offset);
    } finally {
      closeSync(fd);
    }
    this.bytes += file.length;
  }
}

interface TOpenDayFile {
  day: string;
  buffer: Buffer;
  length: number;
  count: number;
}

const INDENT = "    ";
const NEWLINE = /\n/g;
const NEWLINE_INDENTED = "\n" + INDENT;

/** Appends UTF-8 text to a file's buffer, growing it when needed. */
function put(file: TOpenDayFile, text: string): void {
  // A UTF-16 code unit never needs more than 3 UTF-8 bytes.
  const worstCase = file.length + text.length * 3;
  if (worstCase > file.buffer.length) {
    const bigger = Buffer.allocUnsafe(Math.max(worstCase, file.buffer.length * 2));
    file.buffer.copy(bigger, 0, 0, file.length);
    file.buffer = bigger;
  }
  file.length += file.buffer.write(text, file.length, "utf8");
}
