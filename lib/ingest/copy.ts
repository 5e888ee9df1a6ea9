import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import copyStreams from "pg-copy-streams";

/**
 * Bulk rows into PostgreSQL with COPY (text format), the fastest way in:
 * the loader stages each batch this way, then upserts from the stage with
 * one INSERT … SELECT per table.
 */

// COPY text format: backslash escapes for the characters that delimit it.
const ESCAPE = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** One value in COPY text format; objects become JSON. */
export function copyValue(v: unknown): string {
  if (v === null || v === undefined) return "\\N";
  let s: string;
  if (typeof v === "string") s = v;
  else if (typeof v === "number" || typeof v === "bigint") s = String(v);
  else if (typeof v === "boolean") s = v ? "t" : "f";
  else s = JSON.stringify(v);
  // NUL cannot be stored in PostgreSQL text; Slack text never needs it.
  if (s.includes("\u0000")) s = s.replaceAll("\u0000", "");
  return s.replace(ESCAPE, (c) => ESCAPES[c]!);
}

/** `rows` (arrays of values) as COPY text: one line per row, tab-separated. */
function copyText(rows: readonly unknown[][]): string {
  let out = "";
  for (const r of rows) {
    for (let i = 0; i < r.length; i++) out += (i ? "\t" : "") + copyValue(r[i]);
    out += "\n";
  }
  return out;
}

const CHUNK_ROWS = 1000;
const utf8 = new TextEncoder();

/**
 * `rows` as UTF-8 COPY text in pieces of at most CHUNK_ROWS rows, so no
 * single string grows with the batch size. Each piece owns its buffer (it
 * can be transferred to another thread).
 */
export function copyChunks(rows: readonly unknown[][]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < rows.length; i += CHUNK_ROWS) out.push(utf8.encode(copyText(rows.slice(i, i + CHUNK_ROWS))));
  return out;
}

/** COPY ready-made COPY text (`copyChunks`) into `table`'s `columns`. */
export async function copyData(db: pg.ClientBase, table: string, columns: readonly string[], chunks: readonly Uint8Array[]): Promise<void> {
  if (chunks.length === 0) return;
  const sql = `COPY ${table} (${columns.map((c) => `"${c}"`).join(", ")}) FROM STDIN`;
  const buffers = chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength));
  await pipeline(Readable.from(buffers), db.query(copyStreams.from(sql)));
}
