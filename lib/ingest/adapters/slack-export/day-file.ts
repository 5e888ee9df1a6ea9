import type { TChannelEventKind } from "../../adapter";
import { AppError } from "../../../errors";
import { entryError, parseJsonFile } from "./json-file";
import { EVENT_SUBTYPES } from "./normalize";
import { ZSlackEventEntry, ZSlackMessage, type TSlackEventEntry, type TSlackMessage } from "./schemas";

/** A validated day-file entry, with the JSON it came from. */
export type TDayEntry =
  | { raw: unknown; kind: "event"; e: TSlackEventEntry; eventKind: TChannelEventKind }
  | { raw: unknown; kind: "message"; m: TSlackMessage };

function subtypeOf(v: unknown): string | undefined {
  const s = typeof v === "object" && v !== null ? (v as { subtype?: unknown }).subtype : undefined;
  return typeof s === "string" ? s : undefined;
}

/**
 * Parses and validates a whole day file before any of it is normalised, so a
 * bad entry fails the file before a batch with part of it is yielded.
 */
export function parseDayFile(buf: Uint8Array, file: string): TDayEntry[] {
  const { value, text } = parseJsonFile(buf, file);
  if (!Array.isArray(value)) {
    const found = value === null ? "null" : typeof value === "object" ? "an object" : `a ${typeof value}`;
    throw new AppError("bad_input", `${file}: expected a JSON array of messages, found ${found}`, { file, line: 1 });
  }
  const out: TDayEntry[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const raw: unknown = value[i];
    const subtype = subtypeOf(raw);
    const eventKind = subtype === undefined ? undefined : EVENT_SUBTYPES.get(subtype);
    if (eventKind !== undefined) {
      const r = ZSlackEventEntry.safeParse(raw);
      if (!r.success) throw entryError(file, text, i, [i, ...r.error.issues[0]!.path], r.error.issues[0]!.message);
      out[i] = { raw, kind: "event", e: r.data, eventKind };
      continue;
    }
    const r = ZSlackMessage.safeParse(raw);
    if (!r.success) throw entryError(file, text, i, [i, ...r.error.issues[0]!.path], r.error.issues[0]!.message);
    const m = r.data;
    if (m.subtype === "message_changed" && !m.message) {
      throw entryError(file, text, i, [i, "message"], "message_changed without the changed `message`");
    }
    if (m.subtype === "message_deleted" && !m.previous_message && !m.deleted_ts) {
      throw entryError(file, text, i, [i, "deleted_ts"], "message_deleted names neither `deleted_ts` nor `previous_message`");
    }
    out[i] = { raw, kind: "message", m };
  }
  return out;
}
