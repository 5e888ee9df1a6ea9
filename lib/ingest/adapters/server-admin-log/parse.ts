/**
 * Server Admin Log (SAL) pages, as Miraheze and Wikimedia keep them: entries
 * `* HH:MM nick: text` under `## YYYY-MM-DD` headings (times in UTC, newest
 * first). A logging bot records scripted commands as a `… (START)` /
 * `… (END - exit=N)` pair and deploys as `starting deploy of … to …` /
 * `finished deploy of … to … - SUCCESS in 21s` (or `- FAIL: [codes]`).
 */

/** `## 2021-12-31` */
export const DAY_HEADING = /^##\s+(\d{4})-(\d{2})-(\d{2})\s*$/;
/** `* 23:33 nick: text`, also `* ~19:45 nick: …`, `* 22:01-22:46: …`, `* 16:23: text`. */
export const ENTRY = /^\*\s+~?(\d{1,2}):(\d{2})(?:-\d{1,2}:\d{2})?:?\s*(.*)$/;
const NICK = /^([^:\s][^:]{0,39}?)\s?:(?:\s+(.*))?$/;

/** `[user@host] command (START)` / `(END - exit=N)` */
export const RUN = /^\[([^\]@\s]*)@([^\]\s]+)\]\s+(.+?)\s+\((START|END)(?:\s*-\s*exit=(-?\d+))?\)\s*$/;
/** `[user@host] starting deploy of {…} to target` */
export const DEPLOY_START = /^\[([^\]@\s]*)@([^\]\s]+)\]\s+starting deploy of (.+?) to (.+?)\s*$/;
/** `[user@host] finished deploy of {…} to target - SUCCESS in 21s` / `- FAIL: [2, 0] in 50s` */
export const DEPLOY_END = /^\[([^\]@\s]*)@([^\]\s]+)\]\s+finished deploy of (.+?) to (.+?)(?:\s+-\s+(SUCCESS|FAIL)(?::\s*\[([^\]]*)\])?(?:\s+in\s+(\d+)s)?)?\s*$/;

export interface TSalEntry {
  /** 1-based line in the file. */
  line: number;
  /** Minutes since midnight UTC. */
  minute: number;
  nick: string | null;
  text: string;
}

/** Parse one entry line (null when the line is not an entry). */
export function parseSalEntry(text: string, line: number): TSalEntry | null {
  const m = ENTRY.exec(text);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 23 || min > 59) return null;
  const rest = m[3] ?? "";
  const n = NICK.exec(rest);
  return { line, minute: h * 60 + min, nick: n ? n[1]!.trim() : null, text: n ? (n[2] ?? "") : rest };
}

/** What a bot line says about a command run. */
export type TSalRunEvent =
  | { kind: "start"; key: string; user: string | null; host: string; command: string; args: Record<string, string> }
  | {
      kind: "end";
      key: string;
      user: string | null;
      host: string;
      command: string;
      args: Record<string, string>;
      status: "succeeded" | "failed" | "unknown";
      exitCode: number | null;
      durationS: number | null;
    };

/** Recognise a START/END or deploy line (null for anything else). */
export function parseSalRun(text: string): TSalRunEvent | null {
  let m = RUN.exec(text);
  if (m) {
    const [, user, host, command, which, exit] = m;
    const base = { key: `run\u0000${user}@${host}\u0000${command}`, user: user || null, host: host!, command: command!, args: { host: host! } };
    if (which === "START") return { kind: "start", ...base };
    const exitCode = exit === undefined ? null : Number(exit);
    return { kind: "end", ...base, status: exitCode === null ? "unknown" : exitCode === 0 ? "succeeded" : "failed", exitCode, durationS: null };
  }
  m = DEPLOY_START.exec(text);
  if (m) {
    const [, user, host, what, target] = m;
    return { kind: "start", key: `deploy\u0000${user}@${host}\u0000${what}\u0000${target}`, user: user || null, host: host!, command: "deploy", args: { host: host!, what: what!, to: target! } };
  }
  m = DEPLOY_END.exec(text);
  if (m) {
    const [, user, host, what, target, verdict, codes, secs] = m;
    const nonZero = (codes ?? "").split(",").map((x) => Number(x.trim())).find((x) => Number.isInteger(x) && x !== 0);
    return {
      kind: "end",
      key: `deploy\u0000${user}@${host}\u0000${what}\u0000${target}`,
      user: user || null,
      host: host!,
      command: "deploy",
      args: { host: host!, what: what!, to: target! },
      status: verdict === "SUCCESS" ? "succeeded" : verdict === "FAIL" ? "failed" : "unknown",
      exitCode: verdict === "SUCCESS" ? 0 : (nonZero ?? null),
      durationS: secs === undefined ? null : Number(secs),
    };
  }
  return null;
}
