/**
 * Plain IRC log lines, as common clients and loggers write them:
 *
 *   [09:14] <nick> text                 irssi/XChat-style, date from a header or the file name
 *   [21:20:37] <nick> text
 *   2019-09-04 22:44:46 <nick> text     (also with a tab, or a `T`)
 *   rust 2018-05-29 [21:20:37] <nick> text   (a channel word before the date)
 *   [18:14] * nick does something       actions (/me); -nick- text: notices
 *   === nick [user@host]  has joined #chan   -!- …, *** … : joins, parts, quits, nick changes, modes, topics
 *
 * plus date headers: `--- Log opened Sun Dec 25 09:00:00 2004`,
 * `--- Day changed Mon Dec 26 2004`, `**** BEGIN LOGGING AT …`,
 * `Session Start: …`.
 */

export type TIrcLine =
  | { kind: "message" | "action" | "notice"; date: string | null; time: TTime | null; channel: string | null; nick: string; text: string }
  | { kind: "join" | "part" | "quit" | "nick" | "mode" | "topic" | "kick"; date: string | null; time: TTime | null; channel: string | null; nick: string; text: string; value: string | null }
  | { kind: "date"; date: string }
  | { kind: "blank" }
  | { kind: "unknown"; text: string };

export interface TTime {
  h: number;
  m: number;
  s: number | null;
}

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };

const PREFIX = /^(?:([#&]?[\w.-]+)\s+(?=\d{4}-\d{2}-\d{2}[ T\t]))?(?:(\d{4}-\d{2}-\d{2})[ T\t]+)?(?:\[?(\d{1,2}):(\d{2})(?::(\d{2}))?\]?[ \t]+)?/;
const MESSAGE = /^<[ @+%&~]?([^<>]*[^<>\s])\s*>[ \t]?(.*)$/;
const NOTICE = /^-(?!!-)([^\s-][^\s]*)-[ \t](.*)$/;
const TAB_MESSAGE = /^([^\s<>*=-][^\t\s]*)\t(.*)$/;
const ACTION = /^\*[ \t]*([^\s*]+)(?:[ \t]+(.*))?$/;
const SYSTEM = /^(?:===|-!-|\*\*\*|-->|<--|--)[ \t]+(.*)$/;
const DATE_HEADER = /^(?:---\s+(?:Log opened|Day changed)|\*\*\*\*\s+BEGIN LOGGING AT|Session Start:)\s+(?:\w{3},?\s+)?(\w{3})\s+(\d{1,2})\s+(?:[\d:]+\s+)?(\d{4})/i;

function isoDate(y: number, m: number, d: number): string {
  return `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** A system line's meaning (without its time prefix). */
function parseSystem(body: string): { kind: "join" | "part" | "quit" | "nick" | "mode" | "topic" | "kick"; nick: string; value: string | null; channel: string | null } | null {
  let m = /^(\S+)(?:\s+[[(][^\])]*[\])])?\s+has joined\s+([#&]\S+)/.exec(body);
  if (m) return { kind: "join", nick: m[1]!, value: null, channel: m[2]! };
  m = /^(\S+)(?:\s+[[(][^\])]*[\])])?\s+has left\s+([#&]\S+)(?:\s+\[(.*)\])?/.exec(body);
  if (m) return { kind: "part", nick: m[1]!, value: m[3] ?? null, channel: m[2]! };
  m = /^(\S+)(?:\s+[[(][^\])]*[\])])?\s+has quit(?:\s+\[(.*)\])?/.exec(body);
  if (m) return { kind: "quit", nick: m[1]!, value: m[2] ?? null, channel: null };
  m = /^(\S+) is now known as (\S+)/.exec(body);
  if (m) return { kind: "nick", nick: m[1]!, value: m[2]!, channel: null };
  m = /^mode\/([#&]\S+)\s+\[([^\]]*)\]\s+by\s+(\S+)/.exec(body);
  if (m) return { kind: "mode", nick: m[3]!, value: m[2]!, channel: m[1]! };
  m = /^(\S+) changed the topic of ([#&]\S+) to:?\s?(.*)$/.exec(body);
  if (m) return { kind: "topic", nick: m[1]!, value: m[3]!, channel: m[2]! };
  m = /^(\S+) was kicked from ([#&]\S+) by (\S+)/.exec(body);
  if (m) return { kind: "kick", nick: m[1]!, value: m[3]!, channel: m[2]! };
  return null;
}

/** Parse one line of an IRC log. */
export function parseIrcLine(line: string): TIrcLine {
  if (!line.trim()) return { kind: "blank" };
  const dh = DATE_HEADER.exec(line);
  if (dh) {
    const mon = MONTHS[dh[1]!.toLowerCase()];
    if (mon) return { kind: "date", date: isoDate(Number(dh[3]), mon, Number(dh[2])) };
  }
  const p = PREFIX.exec(line);
  let date: string | null = null;
  let time: TTime | null = null;
  let channel: string | null = null;
  let rest = line;
  if (p && p[0]) {
    const h = Number(p[3]);
    const mi = Number(p[4]);
    const s = p[5] === undefined ? null : Number(p[5]);
    const validTime = p[3] !== undefined && h <= 23 && mi <= 59 && (s === null || s <= 60);
    if (validTime || p[2]) {
      channel = p[1] ?? null;
      date = p[2] ?? null;
      time = validTime ? { h, m: mi, s } : null;
      rest = validTime || p[3] === undefined ? line.slice(p[0].length) : line.slice(line.indexOf(p[2]!) + p[2]!.length).trimStart();
    }
  }
  const msg = MESSAGE.exec(rest);
  if (msg && time) return { kind: "message", date, time, channel, nick: msg[1]!, text: msg[2]!.replace(/\s+$/, "") };
  const notice = NOTICE.exec(rest);
  if (notice && time) return { kind: "notice", date, time, channel, nick: notice[1]!, text: notice[2]!.replace(/\s+$/, "") };
  const act = ACTION.exec(rest);
  if (act && time) return { kind: "action", date, time, channel, nick: act[1]!, text: (act[2] ?? "").replace(/\s+$/, "") };
  const sys = SYSTEM.exec(rest);
  if (sys) {
    const s = parseSystem(sys[1]!.trim());
    if (s) return { kind: s.kind, date, time, channel: channel ?? s.channel, nick: s.nick, text: sys[1]!.trim(), value: s.value };
    // Some loggers write /me as `=== nick does something`.
    const me = rest.startsWith("===") ? /^(\S+)\s+(.*)$/.exec(sys[1]!.trim()) : null;
    if (me) return { kind: "action", date, time, channel, nick: me[1]!, text: me[2]!.replace(/\s+$/, "") };
  }
  const tab = time ? TAB_MESSAGE.exec(rest) : null;
  if (tab) return { kind: "message", date, time, channel, nick: tab[1]!, text: tab[2]!.replace(/\s+$/, "") };
  return { kind: "unknown", text: line };
}

/** The date a file name carries (`2004-12-25.log`, `#chan.20041225.log`), if any. */
export function findDateInFileName(name: string): string | null {
  let m = /(\d{4})-(\d{2})-(\d{2})/.exec(name);
  if (m) return `${m[1]}-${m[2]}-${m[3]}`;
  m = /(?:^|\D)(\d{4})(\d{2})(\d{2})(?:\D|$)/.exec(name);
  if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12 && Number(m[3]) >= 1 && Number(m[3]) <= 31) return `${m[1]}-${m[2]}-${m[3]}`;
  return null;
}
