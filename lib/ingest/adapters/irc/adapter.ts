import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { IngestAdapter, IngestInput, NChannel, NChannelEvent, NMessage, NPerson, NWorkspace, NormalizedBatch, TCheckpoints } from "../../adapter";
import { AppError } from "../../../errors";
import { logger } from "../../../logger";
import { sha256Json } from "../../../executions/normalize";
import { fileSourceKey, listInputFiles, readFirstLines, readLines } from "../../lines";
import { findDateInFileName, parseIrcLine, type TIrcLine, type TTime } from "./parse";

/**
 * `backscroll import --source irc <file or folder>`: plain IRC logs (see
 * parse.ts for the formats). One network is one workspace (`irc`, or
 * `options.network`); a channel is named by the lines themselves, a `#chan`
 * in the file name, its first join line, or the file name. Dates come from
 * the lines, a date header, or the file name; a log without dates that runs
 * past midnight moves to the next day when the clock goes back by more than
 * an hour. Message ts = the line's second plus a sequence within that second
 * (in file order), so ids are stable. Messages, actions (`me_message`) and
 * notices are messages; joins, parts, quits, kicks, nick and mode changes
 * and topics are channel events; people are nicks (case-insensitive).
 */

const DEFAULT_BATCH = 5000;
const ACCEPT = (n: string) => /\.(log|txt)(\.gz)?$/i.test(n);

function channelId(name: string): string {
  return "#" + name.replace(/^[#&]+/, "").toLowerCase();
}

async function guessChannel(file: string, options: Record<string, unknown> | undefined): Promise<string | null> {
  if (typeof options?.channel === "string" && options.channel) return channelId(options.channel);
  const base = path.basename(file);
  const named = /([#&][\w.-]+?)(?:[._-]\d{4}|\.log|\.txt|$)/.exec(base);
  if (named) return channelId(named[1]!);
  for (const l of await readFirstLines(file, 500)) {
    const p = parseIrcLine(l);
    if ("channel" in p && p.channel) return channelId(p.channel);
  }
  return null;
}

function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export const ircAdapter: IngestAdapter = {
  name: "irc",

  async detect(input: IngestInput): Promise<boolean> {
    const files = await listInputFiles(input.location, ACCEPT).catch(() => []);
    const first = files[0];
    if (!first || !ACCEPT(path.basename(first))) return false;
    const lines = (await readFirstLines(first, 20)).filter((l) => l.trim());
    if (!lines.length) return false;
    const parsed = lines.map(parseIrcLine);
    return parsed.filter((p) => p.kind !== "unknown").length >= Math.ceil(lines.length * 0.8) && parsed.some((p) => p.kind === "message");
  },

  async sourceKey(input: IngestInput): Promise<string> {
    const files = await listInputFiles(input.location, ACCEPT);
    if (files.length === 1) return fileSourceKey("irc", files[0]!);
    const h = createHash("sha256");
    for (const f of files) h.update(`${f}\u0000${(await fs.promises.stat(f)).size}\u0000`);
    return `irc:${h.digest("hex").slice(0, 32)}`;
  },

  async *read(input: IngestInput, _checkpoints: TCheckpoints): AsyncIterable<NormalizedBatch> {
    void _checkpoints;
    const files = await listInputFiles(input.location, ACCEPT);
    const batchSize = Number(input.options?.batchSize ?? DEFAULT_BATCH);
    const warn = (input.options?.onWarning as ((m: string) => void) | undefined) ?? ((m: string) => logger.warn(m));
    const network = typeof input.options?.network === "string" ? input.options.network : "irc";
    const workspace: NWorkspace = { platform: "irc", externalId: network, name: network === "irc" ? "IRC" : network };
    const people = new Set<string>();
    const channels = new Set<string>();
    const seq = new Map<string, number>();
    let newPeople: NPerson[] = [];
    let newChannels: NChannel[] = [];
    let messages: NMessage[] = [];
    let events: NChannelEvent[] = [];
    let finished: string[] = [];
    let lines = 0;

    const person = (nick: string): string => {
      const id = nick.toLowerCase();
      if (!people.has(id)) {
        people.add(id);
        // Keyed by the case-folded nick, so the spelling a later log uses does not rewrite the row.
        const raw = { nick: id };
        newPeople.push({ externalId: id, name: nick, isBot: /bot$/i.test(nick), deleted: false, raw, rawSha256: sha256Json(raw) });
      }
      return id;
    };
    const channel = (id: string): string => {
      if (!channels.has(id)) {
        channels.add(id);
        const raw = { name: id };
        newChannels.push({ externalId: id, name: id.slice(1), kind: "public", archived: false, raw, rawSha256: sha256Json(raw) });
      }
      return id;
    };
    const batch = (): NormalizedBatch => {
      const b: NormalizedBatch = { workspace, people: newPeople, channels: newChannels, messages, events, finishedChannels: finished, progress: { done: lines, unit: "lines" } };
      newPeople = [];
      newChannels = [];
      messages = [];
      events = [];
      finished = [];
      return b;
    };

    for (const file of files) {
      const label = path.basename(file);
      const fileChannel = await guessChannel(file, input.options);
      let date = findDateInFileName(label);
      let last: TTime | null = null;
      let lastChannel: string | null = null;
      const touched = new Set<string>();
      for await (const { n, text } of readLines(file, label)) {
        lines++;
        const p: TIrcLine = parseIrcLine(text);
        if (p.kind === "blank") continue;
        if (p.kind === "date") {
          date = p.date;
          last = null;
          continue;
        }
        const lineChannel = p.kind !== "unknown" && p.channel && (p.kind === "message" || p.kind === "action" || p.kind === "notice" || !fileChannel) ? channelId(p.channel) : null;
        const ch: string = lineChannel ?? fileChannel ?? lastChannel ?? channelId(label.replace(/\.(log|txt)(\.gz)?$/i, ""));
        lastChannel = ch;
        if (p.kind !== "unknown" && p.date) {
          if (p.date !== date) last = null;
          date = p.date;
        }
        // A line without a time (a join logged without one, the first line of a day) takes the
        // previous line's time, or the start of its day.
        const time: TTime = (p.kind !== "unknown" ? (p.time ?? last) : last) ?? { h: 0, m: 0, s: 0 };
        if (!date) throw new AppError("bad_input", `${label}: line ${n}: no date for this line: give it in a header ("--- Log opened …") or the file name (YYYY-MM-DD)`, { file: label, line: n, field: "date" });
        // A log without date lines that crosses midnight.
        if (last && p.kind !== "unknown" && !p.date && p.time && time.h * 60 + time.m < last.h * 60 + last.m - 60) date = addDays(date, 1);
        last = time;
        const sec = Date.parse(`${date}T00:00:00Z`) / 1000 + time.h * 3600 + time.m * 60 + (time.s ?? 0);
        const key = `${ch}\u0000${sec}`;
        const k = (seq.get(key) ?? 0) + 1;
        seq.set(key, k);
        const ts = `${sec}.${String(k).padStart(6, "0")}`;
        channel(ch);
        touched.add(ch);
        const raw = { line: text };
        if (p.kind === "unknown") warn(`${label}: line ${n}: not a recognised IRC line: kept as text`);
        if (p.kind === "message" || p.kind === "action" || p.kind === "notice" || p.kind === "unknown") {
          const user = p.kind === "unknown" ? null : person(p.nick);
          const body = p.text;
          messages.push({
            channel: ch,
            ts,
            user,
            subtype: p.kind === "action" ? "me_message" : p.kind === "notice" ? "notice" : p.kind === "unknown" ? "irc_unparsed" : null,
            text: body,
            searchText: body,
            raw,
            rawSha256: sha256Json(raw),
          });
        } else {
          const ev = p as Extract<TIrcLine, { value: string | null }>;
          const actor = person(ev.nick);
          const kind: NChannelEvent["kind"] = ev.kind === "join" ? "join" : ev.kind === "part" || ev.kind === "quit" || ev.kind === "kick" ? "leave" : ev.kind === "topic" ? "topic" : "other";
          if (ev.kind === "nick" && ev.value) person(ev.value);
          events.push({
            channel: ch,
            ts,
            kind,
            subtype: ev.kind,
            actor,
            subject: ev.kind === "kick" && ev.value ? person(ev.value) : null,
            value: ev.value,
            text: ev.text,
            raw,
            rawSha256: sha256Json(raw),
          });
        }
        if (messages.length + events.length >= batchSize) yield batch();
      }
      finished.push(...touched);
    }
    yield batch();
  },
};
