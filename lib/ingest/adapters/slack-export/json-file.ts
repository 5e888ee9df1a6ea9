import type { z } from "zod";
import { AppError } from "../../../errors";

/**
 * Decoding and validating the JSON files of an export, with errors that name
 * the file and the line, column, byte, entry and field. The locating code
 * only runs after a failure, so the happy path costs one TextDecoder pass, one
 * JSON.parse and one schema check.
 */

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** Byte offset of the first invalid UTF-8 sequence, or -1. */
export function findInvalidUtf8(buf: Uint8Array): number {
  const n = buf.length;
  let i = 0;
  while (i < n) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0; // overlong
      if (b === 0xed) hi = 0x9f; // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90; // overlong
      if (b === 0xf4) hi = 0x8f; // above U+10FFFF
    } else return i;
    const b1 = buf[i + 1];
    if (b1 === undefined || b1 < lo || b1 > hi) return i;
    for (let k = 2; k <= need; k++) {
      const bk = buf[i + k];
      if (bk === undefined || bk < 0x80 || bk > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** 1-based line and column (UTF-16 code units) of a string offset. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = text.indexOf("\n"); i !== -1 && i < end; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: end - lineStart + 1 };
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * Where and why `text` is not JSON (RFC 8259), or null if it is. V8's
 * SyntaxError does not always carry a position (and quotes the input), so we
 * find it ourselves; iterative, so deep nesting cannot overflow the stack.
 */
export function findJsonSyntaxError(text: string): { offset: number; reason: string } | null {
  const n = text.length;
  let i = 0;
  const stack: Array<"a" | "o"> = [];
  const skipWs = (): void => {
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    }
  };
  const describe = (): string => (i >= n ? "unexpected end of input" : `unexpected character ${JSON.stringify(text[i])}`);
  const scanString = (): string | null => {
    i++; // opening quote
    for (;;) {
      if (i >= n) return "unterminated string";
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return null;
      }
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else return "invalid escape sequence in string";
      } else if (c < 0x20) return "control character in string (must be escaped)";
      else i++;
    }
  };
  // state: expecting a value (true) or just after one (false)
  let expectValue = true;
  for (;;) {
    skipWs();
    if (expectValue) {
      if (i >= n) return { offset: i, reason: "unexpected end of input" };
      const c = text[i]!;
      if (c === "{") {
        i++;
        skipWs();
        if (text[i] === "}") {
          i++;
          expectValue = false;
          continue;
        }
        stack.push("o");
        if (text[i] !== '"') return { offset: i, reason: `expected a property name in double quotes, ${describe()}` };
        const err = scanString();
        if (err) return { offset: i, reason: err };
        skipWs();
        if (text[i] !== ":") return { offset: i, reason: `expected ':' after property name, ${describe()}` };
        i++;
        continue;
      }
      if (c === "[") {
        i++;
        skipWs();
        if (text[i] === "]") {
          i++;
          expectValue = false;
          continue;
        }
        stack.push("a");
        continue;
      }
      if (c === '"') {
        const err = scanString();
        if (err) return { offset: i, reason: err };
      } else if (c === "-" || (c >= "0" && c <= "9")) {
        NUMBER.lastIndex = i;
        const m = NUMBER.exec(text);
        if (!m) return { offset: i, reason: "invalid number" };
        i += m[0].length;
      } else if (text.startsWith("true", i)) i += 4;
      else if (text.startsWith("false", i)) i += 5;
      else if (text.startsWith("null", i)) i += 4;
      else return { offset: i, reason: `expected a value, ${describe()}` };
      expectValue = false;
      continue;
    }
    const top = stack[stack.length - 1];
    if (top === undefined) return i < n ? { offset: i, reason: "unexpected data after the JSON value" } : null;
    const c = text[i];
    if (c === ",") {
      i++;
      if (top === "o") {
        skipWs();
        if (text[i] !== '"') return { offset: i, reason: `expected a property name in double quotes, ${describe()}` };
        const err = scanString();
        if (err) return { offset: i, reason: err };
        skipWs();
        if (text[i] !== ":") return { offset: i, reason: `expected ':' after property name, ${describe()}` };
        i++;
      }
      expectValue = true;
    } else if ((top === "a" && c === "]") || (top === "o" && c === "}")) {
      i++;
      stack.pop();
    } else {
      return { offset: i, reason: `expected ',' or '${top === "a" ? "]" : "}"}', ${describe()}` };
    }
  }
}

/**
 * Offset of the `index`-th element of a top-level JSON array (the text is
 * assumed valid JSON), or undefined. Used to give the line of a bad entry.
 */
export function locateArrayElement(text: string, index: number): number | undefined {
  let depth = 0;
  let inString = false;
  let expecting = false;
  let count = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    const isWs = c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
    if (depth === 1 && expecting && !isWs && c !== 0x5d) {
      count++;
      expecting = false;
      if (count === index) return i;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth === 1) expecting = true;
    } else if (c === 0x5d || c === 0x7d) depth--;
    else if (c === 0x2c && depth === 1) expecting = true;
  }
  return undefined;
}

/**
 * Decodes a file as strict UTF-8 (a BOM is dropped) and parses it as JSON.
 * Returns the text too, so a later validation error can find the entry's line.
 */
export function parseJsonFile(buf: Uint8Array, file: string): { value: unknown; text: string } {
  let text: string;
  try {
    text = decoder.decode(buf);
  } catch {
    const offset = findInvalidUtf8(buf);
    let line = 1;
    for (let k = 0; k < offset; k++) if (buf[k] === 0x0a) line++;
    throw new AppError("bad_input", `${file} is not valid UTF-8: invalid byte sequence at byte ${offset} (line ${line})`, {
      file,
      line,
      position: offset,
    });
  }
  try {
    return { value: JSON.parse(text), text };
  } catch (e) {
    const found = findJsonSyntaxError(text) ?? { offset: positionFromV8(e) ?? 0, reason: "invalid JSON" };
    const { line, column } = lineColumnAt(text, found.offset);
    throw new AppError("bad_input", `${file} is not valid JSON: ${found.reason} at line ${line}, column ${column}`, {
      file,
      line,
      column,
      position: found.offset,
    });
  }
}

function positionFromV8(e: unknown): number | undefined {
  const m = e instanceof Error ? /at position (\d+)/.exec(e.message) : null;
  return m ? Number(m[1]) : undefined;
}

/** `[3].reactions[0].users` from a zod issue path. */
export function formatFieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else if (typeof p === "string" && /^[A-Za-z_$][\w$]*$/.test(p)) out += `.${p}`;
    else out += `[${JSON.stringify(String(p))}]`;
  }
  return out.startsWith(".") ? out.slice(1) : out;
}

/**
 * Validates every element of a top-level JSON array against `schema`.
 * The first failure becomes a `bad_input` naming file, entry index, line and
 * field, e.g. `general/2016-01-02.json: entry 3 (line 41), field [3].ts: …`.
 */
export function validateArrayFile<S extends z.ZodType>(
  value: unknown,
  text: string,
  file: string,
  schema: S,
  what: string,
): Array<z.output<S>> {
  if (!Array.isArray(value)) {
    const found = value === null ? "null" : typeof value === "object" ? "an object" : `a ${typeof value}`;
    throw new AppError("bad_input", `${file}: expected a JSON array of ${what}, found ${found}`, { file, line: 1 });
  }
  const out: Array<z.output<S>> = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const r = schema.safeParse(value[i]);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw entryError(file, text, i, [i, ...issue.path], issue.message);
    }
    out[i] = r.data;
  }
  return out;
}

/** A `bad_input` for entry `index` of an array file, with the entry's line when it can be found. */
export function entryError(file: string, text: string | null, index: number, path: ReadonlyArray<PropertyKey>, message: string): AppError {
  const offset = text === null ? undefined : locateArrayElement(text, index);
  const line = offset === undefined || text === null ? undefined : lineColumnAt(text, offset).line;
  const field = formatFieldPath(path);
  const where = line === undefined ? "" : ` (line ${line})`;
  return new AppError("bad_input", `${file}: entry ${index}${where}, field ${field}: ${message}`, {
    file,
    ...(line === undefined ? {} : { line }),
    field,
  });
}
