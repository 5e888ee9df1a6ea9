/**
 * Output bounding. Bots can print megabytes; the archive keeps the head and
 * the tail (where errors usually are) up to a byte bound, and flags the rest
 * as truncated.
 */

/** Default bound on stored output, in UTF-8 bytes. */
export const DEFAULT_OUTPUT_MAX_BYTES = 64 * 1024;

/** The bound in force: `EXECUTION_OUTPUT_MAX_BYTES` or the default. */
export function findOutputMaxBytes(): number {
  const v = Number(process.env.EXECUTION_OUTPUT_MAX_BYTES);
  return Number.isInteger(v) && v >= 256 ? v : DEFAULT_OUTPUT_MAX_BYTES;
}

export interface TBoundedOutput {
  output: string;
  truncated: boolean;
  /** Size of the original output in UTF-8 bytes. */
  bytes: number;
}

/** Cut a UTF-8 buffer to at most `max` bytes without splitting a character. */
function cutUtf8(buf: Buffer, max: number, fromEnd: boolean): string {
  if (buf.length <= max) return buf.toString("utf8");
  if (!fromEnd) {
    let end = max;
    while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
    return buf.subarray(0, end).toString("utf8");
  }
  let start = buf.length - max;
  while (start < buf.length && (buf[start]! & 0xc0) === 0x80) start++;
  return buf.subarray(start).toString("utf8");
}

/**
 * Bound `output` to `maxBytes` UTF-8 bytes: when longer, keep the first and
 * last parts with a marker saying how much was left out.
 */
export function boundOutput(output: string, maxBytes: number = findOutputMaxBytes()): TBoundedOutput {
  const buf = Buffer.from(output, "utf8");
  if (buf.length <= maxBytes) return { output, truncated: false, bytes: buf.length };
  const marker = `\n… [${buf.length} bytes; output truncated] …\n`;
  const room = Math.max(0, maxBytes - Buffer.byteLength(marker));
  const head = cutUtf8(buf, Math.floor(room / 2), false);
  const tail = cutUtf8(buf, room - Buffer.byteLength(head), true);
  return { output: head + marker + tail, truncated: true, bytes: buf.length };
}
