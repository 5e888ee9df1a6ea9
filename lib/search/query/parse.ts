import { AppError } from "../../errors";
import type { TIsWhat, THasWhat, TMessageRef, TSearchFilter, TSearchNode, TSearchQuery } from "./ast";

/**
 * The Slack-like query language, parsed once into a TSearchQuery:
 *
 *   words  "exact phrases"  -exclusion  a OR b  (grouping)
 *   in:#channel  from:@person  before:/after:/on:/during: YYYY | YYYY-MM | YYYY-MM-DD | today | yesterday
 *   has:link|reaction|file|pin  is:thread|bot|edited|deleted
 *   near:<message>  id:<message>      (<message> = <channel id>/<ts> or a Slack permalink)
 *   command:deploy  status:failed  bot:hubot      (bot executions)
 *
 * Adjacent terms are ANDed; OR binds looser than AND. An operator name we do
 * not know (`foo:bar`) is searched as text. Malformed input throws AppError
 * `bad_input` with the 1-based column of the problem in `where.column`.
 */

export const MAX_QUERY_LENGTH = 1000;
const MAX_TERMS = 64;
const MAX_DEPTH = 16;

const HAS_VALUES: readonly THasWhat[] = ["link", "reaction", "file", "pin"];
const IS_VALUES: readonly TIsWhat[] = ["thread", "bot", "edited", "deleted"];
const OPERATORS = new Set(["in", "from", "before", "after", "on", "during", "has", "is", "near", "id", "command", "status", "bot"]);

type TToken =
  | { t: "lparen"; pos: number }
  | { t: "rparen"; pos: number }
  | { t: "or"; pos: number }
  | { t: "minus"; pos: number }
  | { t: "phrase"; value: string; pos: number }
  | { t: "word"; value: string; pos: number; atEnd: boolean };

export type TParseOptions = {
  /** "Now", for today/yesterday (default: the current time). */
  now?: Date;
  /** Match the last bare word as a prefix when the input ends with it (search as you type). */
  prefixLast?: boolean;
};

function fail(message: string, pos: number): never {
  throw new AppError("bad_input", `${message} (at column ${pos + 1})`, { field: "q", column: pos + 1, position: pos });
}

const isSpace = (c: string) => /\s/.test(c);

function tokenize(q: string): TToken[] {
  const out: TToken[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === "(") {
      out.push({ t: "lparen", pos: i++ });
      continue;
    }
    if (c === ")") {
      out.push({ t: "rparen", pos: i++ });
      continue;
    }
    if (c === "-" && i + 1 < q.length && !isSpace(q[i + 1]!) && q[i + 1] !== ")" && (i === 0 || isSpace(q[i - 1]!) || q[i - 1] === "(")) {
      out.push({ t: "minus", pos: i++ });
      continue;
    }
    if (c === '"' || c === "\u201c" || c === "\u201d") {
      const start = i;
      const end = findClosingQuote(q, i + 1);
      if (end < 0) fail("This phrase has no closing quote", start);
      out.push({ t: "phrase", value: q.slice(i + 1, end), pos: start });
      i = end + 1;
      continue;
    }
    // A word runs to whitespace or a parenthesis; `op:"quoted value"` keeps its spaces.
    const start = i;
    let value = "";
    while (i < q.length && !isSpace(q[i]!) && q[i] !== "(" && q[i] !== ")") {
      if ((q[i] === '"' || q[i] === "\u201c") && value.endsWith(":")) {
        const end = findClosingQuote(q, i + 1);
        if (end < 0) fail("This value has no closing quote", i);
        value += q.slice(i + 1, end);
        i = end + 1;
        continue;
      }
      value += q[i];
      i++;
    }
    if (value === "OR" || value === "|") out.push({ t: "or", pos: start });
    else out.push({ t: "word", value, pos: start, atEnd: i === q.length });
  }
  return out;
}

function findClosingQuote(q: string, from: number): number {
  for (let j = from; j < q.length; j++) if (q[j] === '"' || q[j] === "\u201d" || q[j] === "\u201c") return j;
  return -1;
}

/** Parse a query string; see the module comment for the language. */
export function parseSearchQuery(input: string, opts: TParseOptions = {}): TSearchQuery {
  if (input.length > MAX_QUERY_LENGTH) fail(`The query is too long (at most ${MAX_QUERY_LENGTH} characters)`, MAX_QUERY_LENGTH);
  const tokens = tokenize(input);
  const now = opts.now ?? new Date();
  let i = 0;
  let terms = 0;

  const peek = () => tokens[i];

  function parseOr(depth: number): TSearchNode | null {
    if (depth > MAX_DEPTH) fail("Too many nested parentheses", peek()?.pos ?? input.length);
    const parts: TSearchNode[] = [];
    let first = parseAnd(depth);
    if (!first && peek()?.t === "or") fail("OR needs a term before it", peek()!.pos);
    if (first) parts.push(first);
    while (peek()?.t === "or") {
      const orTok = tokens[i++]!;
      const next = parseAnd(depth);
      if (!next) fail("OR needs a term after it", orTok.pos);
      parts.push(next);
      first = next;
    }
    if (parts.length === 0) return null;
    return parts.length === 1 ? parts[0]! : { kind: "or", children: parts };
  }

  function parseAnd(depth: number): TSearchNode | null {
    const parts: TSearchNode[] = [];
    for (;;) {
      const tok = peek();
      if (!tok || tok.t === "or" || tok.t === "rparen") break;
      parts.push(parseUnary(depth));
    }
    if (parts.length === 0) return null;
    return parts.length === 1 ? parts[0]! : { kind: "and", children: parts };
  }

  function parseUnary(depth: number): TSearchNode {
    const tok = peek()!;
    if (tok.t === "minus") {
      i++;
      const next = peek();
      if (!next || next.t === "or" || next.t === "rparen") fail("Nothing to exclude after '-'", tok.pos);
      return { kind: "not", child: parsePrimary(depth), pos: tok.pos };
    }
    return parsePrimary(depth);
  }

  function parsePrimary(depth: number): TSearchNode {
    const tok = tokens[i++]!;
    if (++terms > MAX_TERMS) fail(`Too many terms (at most ${MAX_TERMS})`, tok.pos);
    switch (tok.t) {
      case "lparen": {
        const inner = parseOr(depth + 1);
        const close = peek();
        if (!close || close.t !== "rparen") fail("This parenthesis is never closed", tok.pos);
        i++;
        if (!inner) fail("Empty parentheses", tok.pos);
        return inner;
      }
      case "phrase": {
        const value = tok.value.trim();
        if (!value) fail("Empty phrase", tok.pos);
        return { kind: "phrase", value, pos: tok.pos };
      }
      case "word":
        return parseWord(tok);
      case "rparen":
        return fail("Unexpected ')'", tok.pos);
      default:
        return fail("Unexpected OR", tok.pos);
    }
  }

  function parseWord(tok: Extract<TToken, { t: "word" }>): TSearchNode {
    const colon = tok.value.indexOf(":");
    if (colon > 0) {
      const name = tok.value.slice(0, colon).toLowerCase();
      const value = tok.value.slice(colon + 1);
      // "https://…", "10:30" and unknown names are text.
      if (OPERATORS.has(name) && !value.startsWith("//")) {
        if (!value.trim()) fail(`${name}: needs a value`, tok.pos);
        return { kind: "filter", filter: parseFilter(name, value.trim(), tok.pos + colon + 1, now), pos: tok.pos };
      }
    }
    const prefix = Boolean(opts.prefixLast) && tok.atEnd && i === tokens.length && tok.value.length >= 2;
    return { kind: "word", value: tok.value, prefix, pos: tok.pos };
  }

  const root = parseOr(0);
  if (i < tokens.length) {
    const tok = tokens[i]!;
    fail(tok.t === "rparen" ? "Unexpected ')': no '(' to close" : "Unexpected token", tok.pos);
  }
  return { root, source: input };
}

function parseFilter(name: string, value: string, pos: number, now: Date): TSearchFilter {
  switch (name) {
    case "in":
      return { op: "in", channel: value.replace(/^#/, "") };
    case "from":
      return { op: "from", person: value.replace(/^@/, "") };
    case "before":
    case "after":
    case "on":
    case "during": {
      const range = parseDateRange(value, now);
      if (!range) fail(`${name}: wants a date: YYYY, YYYY-MM, YYYY-MM-DD, today or yesterday (got "${value}")`, pos);
      if (name === "before") return { op: "date", name, from: null, to: range.from };
      if (name === "after") return { op: "date", name, from: range.to, to: null };
      return { op: "date", name, from: range.from, to: range.to };
    }
    case "has": {
      const what = value.toLowerCase() as THasWhat;
      if (!HAS_VALUES.includes(what)) fail(`has: wants one of ${HAS_VALUES.join(", ")} (got "${value}")`, pos);
      return { op: "has", what };
    }
    case "is": {
      const what = value.toLowerCase() as TIsWhat;
      if (!IS_VALUES.includes(what)) fail(`is: wants one of ${IS_VALUES.join(", ")} (got "${value}")`, pos);
      return { op: "is", what };
    }
    case "near":
    case "id": {
      const ref = parseMessageRef(value);
      if (!ref) fail(`${name}: wants a message as <channel id>/<ts> or a Slack permalink (got "${value}")`, pos);
      return { op: name, ref };
    }
    case "command":
    case "status":
    case "bot":
      return { op: name, value: value.replace(/^[!/]/, "").toLowerCase() };
    default:
      return fail(`Unknown operator ${name}:`, pos);
  }
}

/**
 * A message reference: `C024BE91L/1709632800.000100`, or a Slack permalink
 * `https://x.slack.com/archives/C024BE91L/p1709632800000100`.
 */
export function parseMessageRef(value: string): TMessageRef | null {
  const plain = /^([A-Za-z0-9_-]{1,64})\/(\d{1,12}\.\d{1,6})$/.exec(value);
  if (plain) return { channel: plain[1]!, ts: plain[2]! };
  const link = /\/archives\/([A-Za-z0-9_-]{1,64})\/p(\d{7,12})(\d{6})(?:[?#].*)?$/.exec(value);
  if (link) return { channel: link[1]!, ts: `${link[2]}.${link[3]}` };
  return null;
}

/** Format a message reference for `near:` / `id:`. */
export function formatMessageRef(ref: TMessageRef): string {
  return `${ref.channel}/${ref.ts}`;
}

/** [from, to) in UTC for YYYY, YYYY-MM, YYYY-MM-DD, today, yesterday; null when invalid. */
export function parseDateRange(value: string, now: Date): { from: string; to: string } | null {
  const v = value.toLowerCase();
  const day = (y: number, m: number, d: number) => new Date(Date.UTC(y, m, d));
  const iso = (d: Date) => d.toISOString();
  if (v === "today" || v === "yesterday") {
    const offset = v === "today" ? 0 : -1;
    const start = day(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + offset);
    return { from: iso(start), to: iso(day(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate() + 1)) };
  }
  let m = /^(\d{4})$/.exec(v);
  if (m) {
    const y = Number(m[1]);
    return { from: iso(day(y, 0, 1)), to: iso(day(y + 1, 0, 1)) };
  }
  m = /^(\d{4})-(\d{2})$/.exec(v);
  if (m) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    if (mo < 1 || mo > 12) return null;
    return { from: iso(day(y, mo - 1, 1)), to: iso(day(y, mo, 1)) };
  }
  m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (m) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    const d = Number(m[3]);
    const start = day(y, mo - 1, d);
    if (start.getUTCMonth() !== mo - 1 || start.getUTCDate() !== d) return null;
    return { from: iso(start), to: iso(day(y, mo - 1, d + 1)) };
  }
  return null;
}
