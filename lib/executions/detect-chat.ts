import type { NExecution } from "../ingest/adapter";
import { sha256Json } from "./normalize";
import { boundOutput } from "./output";
import { maskSecretsInJson, maskSecretsInText } from "./secrets";

/**
 * Recognition of command runs in chat, where a bot echoes them: a person's
 * `!command …` message, the bot's "Running `command` … (job #N)" reply and
 * its "`command` succeeded in 5m37s (exit code 0)" / "failed after …" reply.
 * A deterministic pass over one channel's messages in ts order: the same
 * messages always give the same executions, with stable external ids
 * (`<channel>:<ts of the first message of the run>`), so re-running it
 * changes nothing. A `!command` nobody answered is not an execution (factoid
 * bots answer `!word` too); a bot reply without a visible trigger is one.
 */

/** One archived message, as the detector needs it. */
export interface TChatMessage {
  ts: string;
  /** Author's external id (person), when known. */
  user: string | null;
  /** True for bot posts (a bot user, a `bot_id`, or subtype `bot_message`). */
  isBot: boolean;
  /** Name the bot posted under (username, or its person's name). */
  botName: string | null;
  text: string;
  attachments: unknown;
}

const TRIGGER = /^\s*!([A-Za-z][\w.-]*)(?:\s+([\s\S]*))?$/;
const START = /\b(?:Running|Starting|Started|Executing)\s+`([^`]+)`(?:\s+for\s+<@([A-Z0-9]+)(?:\|[^>]*)?>)?/i;
const FINISH = /`([^`]+)`\s+(succeeded|failed|finished|completed|errored|timed out)\b(?:\s+(?:in|after)\s+((?:\d+\s*[hms]\s*)+))?/i;
const EXIT = /\bexit(?:\s+code|\s+status|\s*=)\s*(-?\d+)/i;
const JOB = /\bjob\s*#?\s*(\d+)/i;

/** How far apart a trigger and the bot's start reply may be. */
const TRIGGER_WINDOW_S = 15 * 60;
/** How long a started run may wait for its finish reply. */
const RUN_WINDOW_S = 24 * 3600;

interface TRun {
  trigger?: TChatMessage;
  start?: TChatMessage;
  finish?: TChatMessage;
  commandLine: string;
  job?: string;
  invoker?: string | null;
  bot?: string | null;
  verdict?: string;
  exitCode?: number | null;
  durationText?: string;
  output?: string | null;
}

const seconds = (ts: string) => Number(ts.split(".")[0]);
const normalizeCommand = (s: string) => s.trim().replace(/^!/, "").replace(/\s+/g, " ");

/** Text of the attachments (title, text, fields), for job ids and output. */
function attachmentTexts(attachments: unknown): { text: string; fields: Record<string, string> } {
  const texts: string[] = [];
  const fields: Record<string, string> = {};
  if (Array.isArray(attachments)) {
    for (const a of attachments) {
      if (!a || typeof a !== "object") continue;
      const o = a as Record<string, unknown>;
      if (typeof o.text === "string") texts.push(o.text);
      if (Array.isArray(o.fields)) {
        for (const f of o.fields) {
          const fo = f as Record<string, unknown>;
          if (typeof fo?.title === "string" && typeof fo.value === "string") fields[fo.title.toLowerCase()] = fo.value;
        }
      }
    }
  }
  return { text: texts.join("\n"), fields };
}

/** The output a finish reply shows: its code block, or its attachment text. */
function extractOutput(m: TChatMessage): string | null {
  const { text } = attachmentTexts(m.attachments);
  const source = text || m.text;
  const block = /```\n?([\s\S]*?)```/.exec(source);
  if (block) return block[1]!.replace(/\n$/, "");
  return text ? text : null;
}

function findJob(m: TChatMessage): string | undefined {
  const a = attachmentTexts(m.attachments);
  const j = JOB.exec(m.text) ?? JOB.exec(a.fields.job ?? "");
  return j?.[1];
}

function statusOf(run: TRun): string {
  if (!run.finish) return "running";
  const v = (run.verdict ?? "").toLowerCase();
  if (v === "timed out") return "timeout";
  if (run.exitCode !== undefined && run.exitCode !== null) return run.exitCode === 0 ? "succeeded" : "failed";
  return v === "failed" || v === "errored" ? "failed" : "succeeded";
}

function durationSeconds(text: string | undefined): number | null {
  if (!text) return null;
  let s = 0;
  for (const m of text.matchAll(/(\d+)\s*([hms])/g)) s += Number(m[1]) * (m[2] === "h" ? 3600 : m[2] === "m" ? 60 : 1);
  return s;
}

const isoOf = (ts: string) => new Date(Math.round(Number(ts) * 1000)).toISOString();

/**
 * Find the command runs in one channel's messages (any order; they are
 * sorted by ts here). `channel` is the channel's external id.
 */
export function detectChatExecutions(channel: string, messages: readonly TChatMessage[]): NExecution[] {
  const sorted = [...messages].sort((a, b) => Number(a.ts) - Number(b.ts) || a.ts.localeCompare(b.ts));
  const triggers: TChatMessage[] = [];
  const runs: TRun[] = [];
  const open: TRun[] = [];
  for (const m of sorted) {
    if (!m.isBot) {
      if (TRIGGER.test(m.text)) triggers.push(m);
      continue;
    }
    const start = START.exec(m.text);
    if (start) {
      const commandLine = normalizeCommand(start[1]!);
      const ti = findLastIndex(triggers, (t) => normalizeCommand(t.text) === commandLine && seconds(m.ts) - seconds(t.ts) <= TRIGGER_WINDOW_S);
      const trigger = ti >= 0 ? triggers.splice(ti, 1)[0] : undefined;
      const run: TRun = { trigger, start: m, commandLine, job: findJob(m), invoker: trigger?.user ?? start[2] ?? null, bot: m.botName };
      runs.push(run);
      open.push(run);
      continue;
    }
    const finish = FINISH.exec(m.text);
    if (!finish) continue;
    const commandLine = normalizeCommand(finish[1]!);
    const job = findJob(m);
    const fits = (r: TRun) => (job && r.job ? r.job === job : r.commandLine === commandLine) && seconds(m.ts) - seconds(r.start!.ts) <= RUN_WINDOW_S;
    const oi = findLastIndex(open, fits);
    let run: TRun;
    if (oi >= 0) run = open.splice(oi, 1)[0]!;
    else {
      const ti = findLastIndex(triggers, (t) => normalizeCommand(t.text) === commandLine && seconds(m.ts) - seconds(t.ts) <= RUN_WINDOW_S);
      const trigger = ti >= 0 ? triggers.splice(ti, 1)[0] : undefined;
      run = { trigger, commandLine, job, invoker: trigger?.user ?? null, bot: m.botName };
      runs.push(run);
    }
    run.finish = m;
    run.verdict = finish[2]!;
    run.durationText = finish[3]?.trim();
    const exit = EXIT.exec(m.text);
    const exitField = attachmentTexts(m.attachments).fields["exit code"];
    run.exitCode = exit ? Number(exit[1]) : exitField && /^-?\d+$/.test(exitField) ? Number(exitField) : null;
    run.output = extractOutput(m);
    run.bot ??= m.botName;
    run.job ??= job;
  }
  return runs.map((r) => toExecution(channel, r));
}

function findLastIndex<T>(a: T[], f: (x: T) => boolean): number {
  for (let i = a.length - 1; i >= 0; i--) if (f(a[i]!)) return i;
  return -1;
}

function toExecution(channel: string, r: TRun): NExecution {
  const first = (r.trigger ?? r.start ?? r.finish)!;
  const masked = maskSecretsInText(r.commandLine);
  const [name = "", ...rest] = masked.value.split(" ");
  const args = maskSecretsInJson(rest);
  const out = r.output ? maskSecretsInText(r.output) : null;
  const bounded = out ? boundOutput(out.value) : null;
  const dur = durationSeconds(r.durationText);
  const startTs = r.start?.ts ?? r.trigger?.ts;
  const startedAt = startTs ? isoOf(startTs) : new Date(Date.parse(isoOf(r.finish!.ts)) - (dur ?? 0) * 1000).toISOString();
  const raw = {
    channel,
    trigger: r.trigger?.ts ?? null,
    start: r.start?.ts ?? null,
    finish: r.finish?.ts ?? null,
    job: r.job ?? null,
    command: masked.value,
    verdict: r.verdict ?? null,
    exitCode: r.exitCode ?? null,
    duration: r.durationText ?? null,
    output: bounded?.output ?? null,
    bot: r.bot ?? null,
    invoker: r.invoker ?? null,
  };
  return {
    externalId: `${channel}:${first.ts}`,
    bot: r.bot || "bot",
    command: name,
    arguments: args.value,
    invoker: r.invoker ?? null,
    channel,
    messageTs: first.ts,
    startedAt,
    finishedAt: r.finish ? isoOf(r.finish.ts) : null,
    status: statusOf(r),
    exitCode: r.exitCode ?? null,
    output: bounded?.output ?? null,
    outputTruncated: bounded?.truncated ?? false,
    outputBytes: bounded?.bytes ?? null,
    secretsMasked: masked.count + args.count + (out?.count ?? 0),
    raw,
    rawSha256: sha256Json(raw),
  };
}
