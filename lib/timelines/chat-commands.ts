/**
 * Command runs recognised from a chatbot's replies in chat, for channels
 * whose bot does not (yet) post execution records: "Running `restart x` for
 * @bob (job #12) …" and "`restart x` failed after 2m 3s (exit code 1)".
 */

/** A bot reply about a command. */
export type TBotReply =
  | { type: "start"; command: string; invoker: string | null; job: string | null; selfReported?: boolean }
  | { type: "finish"; command: string; status: "succeeded" | "failed"; exitCode: number | null; durationMs: number | null };

/** "2m 3s", "1h 2m", "45s", "3 min" → milliseconds. */
export function parseDuration(s: string): number | null {
  let ms = 0;
  let any = false;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)\s*(ms|hours?|h|minutes?|mins?|m|seconds?|secs?|s)(?![a-z])/gi)) {
    const n = Number(m[1]);
    const u = m[2]!.toLowerCase();
    any = true;
    if (u === "ms") ms += n;
    else if (u.startsWith("h")) ms += n * 3_600_000;
    else if (u.startsWith("m")) ms += n * 60_000;
    else ms += n * 1000;
  }
  return any ? Math.round(ms) : null;
}

/** What a bot message says about a command, or null. `raw` is its Slack text. */
export function recognizeBotReply(raw: string): TBotReply | null {
  const start = /^(?:Running|Starting|Executing|Started)\s+`([^`]+)`(?:\s+for\s+<@([A-Z0-9]+)(?:\|[^>]*)?>)?(?:\s*\(job #?([\w-]+)\))?/i.exec(raw);
  if (start) return { type: "start", command: start[1]!.trim(), invoker: start[2] ?? null, job: start[3] ?? null };
  // Logging bots that report both ends themselves: "[alice@host] cmd (START)" … "(END - exit=0)".
  const logged = /^(?:\[([\w.-]+)@[\w.-]+\]\s*)?(.+?)\s+\((START|END - exit=(-?\d+))\)\s*$/.exec(raw);
  if (logged) {
    const command = logged[2]!.trim();
    if (logged[3] === "START") return { type: "start", command, invoker: logged[1] ?? null, job: null, selfReported: true };
    const exitCode = Number(logged[4]);
    return { type: "finish", command, status: exitCode === 0 ? "succeeded" : "failed", exitCode, durationMs: null };
  }
  const finish =
    /`([^`]+)`\s+(succeeded|completed|finished|failed|errored)(?:\s+(?:in|after)\s+([^()]+?))?\s*(?:\((?:exit (?:code|status)\s*(-?\d+))\))?\s*$/im.exec(raw);
  if (finish) {
    const word = finish[2]!.toLowerCase();
    const exitCode = finish[4] === undefined ? null : Number(finish[4]);
    const failed = word === "failed" || word === "errored" || (exitCode !== null && exitCode !== 0);
    return {
      type: "finish",
      command: finish[1]!.trim(),
      status: failed ? "failed" : "succeeded",
      exitCode,
      durationMs: finish[3] ? parseDuration(finish[3]) : null,
    };
  }
  return null;
}

/** The command a person's chatops message asks for ("!rollback x" → "rollback x"), or null. */
export function findRequestedCommand(raw: string): string | null {
  const m = /^\s*[!.](\w[\w-]*(?:\s+[^\n]*)?)$/m.exec(raw.split("\n")[0] ?? "");
  return m ? m[1]!.trim() : null;
}

/** Normalise an execution status to succeeded / failed / running, else keep it. */
export function normalizeExecutionStatus(status: string, exitCode: number | null): string {
  const s = status.toLowerCase();
  if (exitCode !== null && exitCode !== 0) return "failed";
  if (/fail|error|timeout|timed_out|abort|cancel|reject/.test(s)) return "failed";
  if (/succe|ok|complete|done|finished/.test(s)) return "succeeded";
  if (/run|pending|queued|started|scheduled/.test(s)) return "running";
  return s;
}
