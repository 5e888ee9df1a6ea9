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

/** COPY `rows` (arrays in `columns` order) into `table`. */
export async function copyRows(db: pg.ClientBase, table: string, columns: readonly string[], rows: readonly unknown[][]): Promise<void> {
  if (rows.length === 0) return;
  const sql = `COPY ${table} (${columns.map((c) => `"${c}"`).join(", ")}) FROM STDIN`;
  const CHUNK = 500;
  async function* lines() {
    for (let i = 0; i < rows.length; i += CHUNK) {
      let out = "";
      for (const r of rows.slice(i, i + CHUNK)) out += r.map(copyValue).join("\t") + "\n";
      yield out;
    }
  }
  await pipeline(Readable.from(lines()), db.query(copyStreams.from(sql)));
}
