import fs from "node:fs";
import path from "node:path";
import type { IngestAdapter, IngestInput, NChannel, NExecution, NMessage, NPerson, NWorkspace, NormalizedBatch, TCheckpoints } from "../../adapter";
import { sha256Json } from "../../../executions/normalize";
import { maskSecretsInJson, maskSecretsInText } from "../../../executions/secrets";
import { fileSourceKey, listInputFiles, readFirstLines, readLines } from "../../lines";
import { DAY_HEADING, parseSalEntry, parseSalRun, type TSalEntry, type TSalRunEvent } from "./parse";

/**
 * `backscroll import --source sal <file or folder>`: a Server Admin Log
 * (see parse.ts). Every entry becomes a message of the `server-admin-log`
 * channel (ts = the entry's minute plus a per-minute sequence in
 * chronological order, so ids are stable), every nick a person, and every
 * START/END or deploy pair an execution linked to its START message. A START
 * without an END is stored with status `unknown`; an END without a START is
 * stored on its own. Pairs are matched within a day first, then across days
 * (logs are newest-first), by the same user@host and command.
 */

const CHANNEL = "server-admin-log";
const PAIR_WINDOW_S = 7 * 24 * 3600;

interface TRunEnd {
  ev: Extract<TSalRunEvent, { kind: "end" }>;
  ts: string;
  nick: string | null;
}
interface TRunStart {
  ev: Extract<TSalRunEvent, { kind: "start" }>;
  ts: string;
  nick: string | null;
}

const secondsOf = (ts: string) => Number(ts.split(".")[0]);
const iso = (s: number) => new Date(s * 1000).toISOString();

function toExecution(channel: string, start: TRunStart | null, end: TRunEnd | null): NExecution {
  const first = (start ?? end)!;
  const ev = first.ev;
  const command = maskSecretsInText(ev.command);
  const args = maskSecretsInJson(ev.args);
  const startedS = start ? secondsOf(start.ts) : secondsOf(end!.ts) - (end!.ev.durationS ?? 0);
  const status = end ? end.ev.status : "unknown";
  const exitCode = end ? end.ev.exitCode : null;
  const raw = { start: start?.ts ?? null, end: end?.ts ?? null, command: command.value, args: args.value, status, exitCode, durationS: end?.ev.durationS ?? null };
  return {
    externalId: first.ts,
    bot: first.nick ?? "sal",
    command: command.value,
    arguments: args.value,
    invoker: ev.user ?? null,
    channel,
    messageTs: first.ts,
    startedAt: iso(startedS),
    finishedAt: end ? iso(secondsOf(end.ts)) : null,
    status,
    exitCode,
    output: null,
    outputTruncated: false,
    outputBytes: null,
    secretsMasked: command.count + args.count,
    raw,
    rawSha256: sha256Json(raw),
  };
}

/** Pairs START and END events of one log; emits executions as they complete. */
class RunPairer {
  private starts = new Map<string, TRunStart[]>();
  private ends = new Map<string, TRunEnd[]>();
  constructor(private readonly channel: string) {}

  /** One day's events in chronological order: pair within the day, then across days. */
  addDay(events: (TRunStart | TRunEnd)[]): NExecution[] {
    const out: NExecution[] = [];
    const dayStarts = new Map<string, TRunStart[]>();
    const dayEnds: TRunEnd[] = [];
    for (const e of events) {
      if (e.ev.kind === "start") push(dayStarts, e.ev.key, e as TRunStart);
      else {
        const list = dayStarts.get(e.ev.key);
        const s = list?.pop();
        if (s) out.push(toExecution(this.channel, s, e as TRunEnd));
        else dayEnds.push(e as TRunEnd);
      }
    }
    // Ends with no start that day: the latest earlier start (oldest-first logs).
    for (const e of dayEnds) {
      const list = this.starts.get(e.ev.key) ?? [];
      const i = findLast(list, (s) => secondsOf(s.ts) <= secondsOf(e.ts) && secondsOf(e.ts) - secondsOf(s.ts) <= PAIR_WINDOW_S);
      if (i >= 0) out.push(toExecution(this.channel, list.splice(i, 1)[0]!, e));
      else push(this.ends, e.ev.key, e);
    }
    // Starts with no end that day: the earliest later end (newest-first logs).
    for (const [key, list] of dayStarts) {
      for (const s of list) {
        const ends = this.ends.get(key) ?? [];
        let best = -1;
        for (let i = 0; i < ends.length; i++) {
          const d = secondsOf(ends[i]!.ts) - secondsOf(s.ts);
          if (d >= 0 && d <= PAIR_WINDOW_S && (best < 0 || secondsOf(ends[i]!.ts) < secondsOf(ends[best]!.ts))) best = i;
        }
        if (best >= 0) out.push(toExecution(this.channel, s, ends.splice(best, 1)[0]!));
        else push(this.starts, key, s);
      }
    }
    return out;
  }

  /** Whatever never found its other half. */
  finish(): NExecution[] {
    const out: NExecution[] = [];
    for (const list of this.starts.values()) for (const s of list) out.push(toExecution(this.channel, s, null));
    for (const list of this.ends.values()) for (const e of list) out.push(toExecution(this.channel, null, e));
    this.starts.clear();
    this.ends.clear();
    return out.sort((a, b) => a.externalId.localeCompare(b.externalId));
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V) {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}
function findLast<T>(a: T[], f: (x: T) => boolean): number {
  for (let i = a.length - 1; i >= 0; i--) if (f(a[i]!)) return i;
  return -1;
}

const isBotNick = (nick: string) => /bot$/i.test(nick);

export const salAdapter: IngestAdapter = {
  name: "sal",

  async detect(input: IngestInput): Promise<boolean> {
    let file = input.location;
    const st = await fs.promises.stat(file).catch(() => null);
    if (!st) return false;
    if (st.isDirectory()) {
      const files = await listInputFiles(file, (n) => /\.md(\.gz)?$/.test(n));
      if (!files.length) return false;
      file = files[0]!;
    }
    if (!/\.(md|txt)(\.gz)?$/.test(file)) return false;
    const head = await readFirstLines(file, 60);
    return head.some((l) => DAY_HEADING.test(l)) && head.some((l) => parseSalEntry(l, 0) !== null);
  },

  async sourceKey(input: IngestInput): Promise<string> {
    const files = await listInputFiles(input.location, (n) => /\.(md|txt)(\.gz)?$/.test(n));
    return fileSourceKey("sal", files[0] ?? input.location);
  },

  async *read(input: IngestInput, _checkpoints: TCheckpoints): AsyncIterable<NormalizedBatch> {
    void _checkpoints;
    const files = await listInputFiles(input.location, (n) => /\.(md|txt)(\.gz)?$/.test(n));
    const wsId = typeof input.options?.workspace === "string" ? input.options.workspace : "server-admin-log";
    const workspace: NWorkspace = { platform: "sal", externalId: wsId, name: "Server admin log" };
    const channelRaw = { name: CHANNEL };
    const channel: NChannel = { externalId: CHANNEL, name: CHANNEL, kind: "public", archived: false, raw: channelRaw, rawSha256: sha256Json(channelRaw) };
    yield { workspace, channels: [channel] };
    const pairer = new RunPairer(CHANNEL);
    const perMinute = new Map<number, number>();
    const knownPeople = new Set<string>();
    let newestFirst = true;
    const batchSize = Number(input.options?.batchSize ?? 5000);
    const empty = (): NormalizedBatch => ({ workspace, people: [], messages: [], executions: [] });
    // Days are gathered into batches of about batchSize messages.
    let pending = empty();
    let lines = 0;

    const dayBatch = (file: string, day: number, entries: TSalEntry[]): NormalizedBatch | null => {
      if (!entries.length) return null;
      const first = entries[0]!.minute;
      const last = entries[entries.length - 1]!.minute;
      if (first !== last) newestFirst = first > last;
      const ordered = entries.map((e, i) => ({ e, i })).sort((a, b) => a.e.minute - b.e.minute || (newestFirst ? b.i - a.i : a.i - b.i));
      const people: NPerson[] = [];
      const messages: NMessage[] = [];
      const events: (TRunStart | TRunEnd)[] = [];
      for (const { e } of ordered) {
        const sec = day + e.minute * 60;
        const seq = (perMinute.get(sec) ?? 0) + 1;
        perMinute.set(sec, seq);
        const ts = `${sec}.${String(seq).padStart(6, "0")}`;
        if (e.nick && !knownPeople.has(e.nick)) {
          knownPeople.add(e.nick);
          const praw = { nick: e.nick };
          people.push({ externalId: e.nick, name: e.nick, isBot: isBotNick(e.nick), deleted: false, raw: praw, rawSha256: sha256Json(praw) });
        }
        const raw = { file: path.basename(file), line: e.line, nick: e.nick, text: e.text };
        const bot = e.nick !== null && isBotNick(e.nick);
        messages.push({
          channel: CHANNEL,
          ts,
          user: e.nick,
          username: bot ? e.nick : null,
          subtype: bot ? "bot_message" : null,
          text: e.text,
          searchText: e.text,
          raw,
          rawSha256: sha256Json(raw),
        });
        const ev = parseSalRun(e.text);
        if (ev) events.push({ ev, ts, nick: e.nick } as TRunStart | TRunEnd);
      }
      pending.people!.push(...people);
      pending.messages!.push(...messages);
      pending.executions!.push(...pairer.addDay(events));
      if (pending.messages!.length < batchSize) return null;
      const full = { ...pending, progress: { done: lines, unit: "lines" } };
      pending = empty();
      return full;
    };

    for (const file of files) {
      let day: number | null = null;
      let entries: TSalEntry[] = [];
      for await (const { n, text } of readLines(file, path.basename(file))) {
        lines++;
        const h = DAY_HEADING.exec(text);
        if (h) {
          if (day !== null) {
            const b = dayBatch(file, day, entries);
            if (b) yield b;
          }
          day = Date.UTC(Number(h[1]), Number(h[2]) - 1, Number(h[3])) / 1000;
          entries = [];
          continue;
        }
        if (day === null) continue;
        const e = parseSalEntry(text, n);
        if (e) entries.push(e);
      }
      if (day !== null) {
        const b = dayBatch(file, day, entries);
        if (b) yield b;
      }
    }
    if (pending.messages!.length || pending.executions!.length) yield { ...pending, progress: { done: lines, unit: "lines" } };
    const rest = pairer.finish();
    for (let i = 0; i < rest.length; i += 2000) yield { workspace, executions: rest.slice(i, i + 2000), finishedChannels: i + 2000 >= rest.length ? [CHANNEL] : undefined };
    if (!rest.length) yield { workspace, finishedChannels: [CHANNEL] };
  },
};
