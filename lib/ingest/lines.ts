import { createHash } from "node:crypto";
import fs from "node:fs";
import readline from "node:readline";
import { createGunzip } from "node:zlib";
import { AppError } from "../errors";

/**
 * Line-oriented file reading shared by the line-based adapters (execution
 * JSON lines, Server Admin Log, Mattermost JSONL, IRC logs, StackStorm):
 * streaming, so memory does not grow with the file; `.gz` files are inflated
 * on the fly; strict UTF-8 (a bad byte is reported with its line); lines
 * longer than a bound are refused.
 */

/** One line with its 1-based number. */
export interface TLine {
  n: number;
  text: string;
}

/**
 * The longest line accepted (characters). A longer one — a file without line
 * breaks, or a hostile one — is refused naming its line instead of being held
 * in memory whole.
 */
export const MAX_LINE_CHARS = 16 * 1024 * 1024;

/** The lines of `file` (gzip when it ends in `.gz`), without line endings. */
export async function* readLines(file: string, label = file, maxLineChars = MAX_LINE_CHARS): AsyncGenerator<TLine> {
  const raw = fs.createReadStream(file);
  const input = file.endsWith(".gz") ? raw.pipe(createGunzip()) : raw;
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let n = 0;
  let pending = "";
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      let text: string;
      try {
        text = pending + decoder.decode(chunk, { stream: true });
      } catch {
        throw new AppError("bad_input", `${label}: line ${n + 1 + (pending.match(/\n/g)?.length ?? 0)}: invalid UTF-8`, { file: label, line: n + 1 });
      }
      const parts = text.split("\n");
      pending = parts.pop()!;
      const long = parts.findIndex((p) => p.length > maxLineChars);
      if (long >= 0 || pending.length > maxLineChars) {
        const at = n + 1 + (long >= 0 ? long : parts.length);
        throw new AppError("bad_input", `${label}: line ${at}: longer than ${maxLineChars.toLocaleString("en-US")} characters`, { file: label, line: at });
      }
      for (const p of parts) yield { n: ++n, text: p.endsWith("\r") ? p.slice(0, -1) : p };
    }
    const rest = pending + decoder.decode();
    if (rest.length) yield { n: ++n, text: rest.endsWith("\r") ? rest.slice(0, -1) : rest };
  } finally {
    raw.destroy();
  }
}

/** The first `max` lines (cheap, for detect). */
export async function readFirstLines(file: string, max: number): Promise<string[]> {
  const out: string[] = [];
  const rl = readline.createInterface({ input: file.endsWith(".gz") ? fs.createReadStream(file).pipe(createGunzip()) : fs.createReadStream(file, { end: 64 * 1024 }) });
  try {
    for await (const line of rl) {
      out.push(line);
      if (out.length >= max) break;
    }
  } catch {
    return out;
  } finally {
    rl.close();
  }
  return out;
}

/** A stable key for a file input: its adapter, absolute path, size and content hash of the first 1 MiB. */
export async function fileSourceKey(adapter: string, file: string): Promise<string> {
  const st = await fs.promises.stat(file);
  const h = createHash("sha256").update(`${file}\u0000${st.size}\u0000`);
  const fd = await fs.promises.open(file, "r");
  try {
    const buf = Buffer.alloc(Math.min(st.size, 1024 * 1024));
    await fd.read(buf, 0, buf.length, 0);
    h.update(buf);
  } finally {
    await fd.close();
  }
  return `${adapter}:${h.digest("hex").slice(0, 32)}`;
}

/** The files of an input: the file itself, or the regular files of a folder (sorted) matching `accept`. */
export async function listInputFiles(location: string, accept: (name: string) => boolean): Promise<string[]> {
  const st = await fs.promises.stat(location);
  if (st.isFile()) return [location];
  const names = (await fs.promises.readdir(location, { withFileTypes: true }))
    .filter((d) => d.isFile() && !d.name.startsWith(".") && accept(d.name))
    .map((d) => `${location}/${d.name}`);
  return names.sort();
}

/** Parse one JSON line; syntax errors name file, line and column. */
export function parseJsonLine(text: string, file: string, line: number): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    const column = m ? Number(m[1]) + 1 : undefined;
    throw new AppError("bad_input", `${file}: line ${line}${column ? `, column ${column}` : ""}: invalid JSON (${(e as Error).message})`, {
      file,
      line,
      column,
    });
  }
}
