/**
 * Phrase pairs: every two words that stand next to each other in a message,
 * stored with its operations tokens (message.search_tokens, so part of the
 * indexed search_tsv) as one lexeme "first^second". A phrase of common words
 * ("how to roll back") is then found through the index by its pairs, where
 * its words alone match tens of thousands of messages whose positions would
 * each have to be checked.
 *
 * The pairs are only ever a filter in front of PostgreSQL's own phrase check,
 * so they must never miss a phrase PostgreSQL would match: for every two
 * ASCII words PostgreSQL's 'simple' parse puts at adjacent positions, the
 * pair is here (a superset; extra pairs only make the filter coarser). The
 * words here are the runs of ASCII letters and digits. PostgreSQL's parser
 * gives every such run a position, except inside what it drops: XML tags,
 * entities (&amp;), protocol heads (https://), words over 2047 bytes, and
 * everything after <script or <style. Words inside what it could drop are
 * marked; a pair is stored for two words with only marked words between them.
 * Where this cannot be sure, the message gets PAIRS_UNKNOWN instead, and a
 * phrase search checks it as before: texts over MAX_PAIRED_TEXT characters
 * (positions past 16,383 are clamped), a run of 500 or more characters
 * without a space (a word PostgreSQL may skip), letters that lower-case to
 * ASCII (U+0130, U+212A), a number that PostgreSQL ends before the letters
 * that follow it (NUMBER_THEN_LETTER), <script or <style.
 * test/integration/phrase-pairs.test.ts checks the superset against
 * PostgreSQL on the real exports in ../shared/testdata and on generated text.
 */

/** Separates the two words of a pair lexeme (never part of a word or an operations token). */
export const PAIR_SEPARATOR = "^";
/** The lexeme of a message whose pairs are not known: every phrase search checks it. */
export const PAIRS_UNKNOWN = "^?";
/** Longer texts are PAIRS_UNKNOWN (PostgreSQL clamps positions at 16,383 across the English and simple parts). */
export const MAX_PAIRED_TEXT = 8000;
/** Marked words in a row past this make the text PAIRS_UNKNOWN (bounds the pairs of a large tag). */
const MAX_MARKED_RUN = 16;

const WORD = /[A-Za-z0-9]+/g;
const LONG_RUN = /\S{500}/;
const LOWERS_TO_ASCII = /[\u0130\u212a]/;
const IGNORED_CONTENT = /<(?:script|style)/i;
/**
 * A number PostgreSQL's parser ends before the letters right after it, which
 * then make a word of their own: a decimal or version begun at a word's start
 * (1.5x, 10.0.0.1x), a mantissa (1e5x), a signed number outside a hyphenated
 * word (-5x, 1-5x, 1e5-5x, +5x, a-1.5x, after a host: a.bc-6h), a host's
 * port (example.com:80x). In "now-6h" or "api-gateway-5xx" after a space,
 * a slash or plain punctuation the hyphenated word keeps them together.
 */
const NUMBER_THEN_LETTER = new RegExp(
  [
    String.raw`(?<![A-Za-z0-9])[0-9]+(?:\.[0-9]+)+[A-Za-z]`,
    String.raw`(?<![A-Za-z0-9])[0-9]+(?:\.[0-9]+)?[eE][-+]?[0-9]+[A-Za-z]`,
    String.raw`[-+][0-9]+(?:\.[0-9]+|[eE][-+]?[0-9]+)+[A-Za-z]`,
    String.raw`(?<!(?:^|[\s=("',;|[\]{}*\`!>/])[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z][A-Za-z0-9]*)*)-[0-9]+[A-Za-z]`,
    String.raw`\+[0-9]+[A-Za-z]`,
    String.raw`\.[A-Za-z]{2}[^\s:]*:[0-9]+[A-Za-z]`,
  ].join("|"),
);
const ENTITY = /&(?:#[xX][0-9A-Fa-f]+|#[0-9]+|[A-Za-z:_][A-Za-z0-9:_.\u0080-\uffff-]*);/g;

/** True when `t` is a pair lexeme or PAIRS_UNKNOWN (not a word of the text). */
export function isPairToken(t: string): boolean {
  return t.includes(PAIR_SEPARATOR);
}

const isAsciiLetter = (c: string) => (c >= "a" && c <= "z") || (c >= "A" && c <= "Z");
const isDigit = (c: string) => c >= "0" && c <= "9";
/** PostgreSQL's p_isalnum in a tag name; every non-ASCII character counts (as in the C locale). */
const isTagNameChar = (c: string) => isAsciiLetter(c) || isDigit(c) || c > "\u007f" || ":_.-".includes(c);
const TAG_CHARS = "=-_#/:.&?%~";
const isSpace = (c: string) => /\s/.test(c);

/**
 * Where the tag PostgreSQL's parser would read from the "<" at `i` ends (the
 * index after its ">"), or -1: its tag states (wparser_def.c, TPS_InTagFirst
 * to TPS_InCommentEnd), with every non-ASCII character taken as a letter, so
 * it accepts at least what PostgreSQL accepts.
 */
export function tagEnd(s: string, i: number): number {
  type State = "first" | "xml" | "close" | "name" | "beginEnd" | "tag" | "q1" | "q2" | "c1" | "c2" | "comment" | "cc1" | "cc2";
  let st: State = "first";
  for (let k = i + 1; k < s.length; k++) {
    const c = s[k]!;
    switch (st) {
      case "first":
        if (c === "/") st = "close";
        else if (c === "!") st = "c1";
        else if (c === "?") st = "xml";
        else if (isAsciiLetter(c) || c === ":" || c === "_") st = "name";
        else return -1;
        break;
      case "xml":
        if (c === "x" || c === "X") st = "tag";
        else return -1;
        break;
      case "close":
        if (isAsciiLetter(c)) st = "name";
        else return -1;
        break;
      case "name":
        if (c === "/") st = "beginEnd";
        else if (c === ">") return k + 1;
        else if (isSpace(c)) st = "tag";
        else if (!isTagNameChar(c)) return -1;
        break;
      case "beginEnd":
        if (c === ">") return k + 1;
        return -1;
      case "tag":
        if (c === ">") return k + 1;
        if (c === "'") st = "q1";
        else if (c === '"') st = "q2";
        else if (!(isAsciiLetter(c) || isDigit(c) || TAG_CHARS.includes(c) || isSpace(c))) return -1;
        break;
      case "q1":
      case "q2":
        if (c === "\\") k++;
        else if (c === (st === "q1" ? "'" : '"')) st = "tag";
        break;
      case "c1":
        if (c === "-") st = "c2";
        else if (c === "D" || c === "d") st = "tag";
        else return -1;
        break;
      case "c2":
        if (c === "-") st = "comment";
        else return -1;
        break;
      case "comment":
        if (c === "-") st = "cc1";
        break;
      case "cc1":
        st = c === "-" ? "cc2" : "comment";
        break;
      case "cc2":
        if (c === ">") return k + 1;
        if (c !== "-") st = "comment";
        break;
    }
  }
  return -1;
}

/** Spans [start, end) of the text PostgreSQL's parser may drop: tags and entities. */
function droppableSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  for (let i = text.indexOf("<"); i >= 0; i = text.indexOf("<", i + 1)) {
    const end = tagEnd(text, i);
    if (end > 0) spans.push([i, end]);
  }
  if (text.includes("&")) for (const m of text.matchAll(ENTITY)) spans.push([m.index, m.index + m[0].length]);
  return spans;
}

/**
 * The pair lexemes of a message's search text ("how^to", "to^roll", …), once
 * each, or [PAIRS_UNKNOWN] (see the top of this file).
 */
export function phrasePairs(text: string): string[] {
  if (text.length > MAX_PAIRED_TEXT || LONG_RUN.test(text) || LOWERS_TO_ASCII.test(text) || NUMBER_THEN_LETTER.test(text)) return [PAIRS_UNKNOWN];
  const mayHaveTags = text.includes("<");
  if (mayHaveTags && IGNORED_CONTENT.test(text)) return [PAIRS_UNKNOWN];
  const spans = mayHaveTags || text.includes("&") ? droppableSpans(text) : [];
  const words: string[] = [];
  const marked: boolean[] = [];
  for (const m of text.matchAll(WORD)) {
    const start = m.index;
    const end = start + m[0].length;
    words.push(m[0].toLowerCase());
    // A word right before "://" may be a protocol head.
    let drop = text.startsWith("://", end);
    for (let s = 0; !drop && s < spans.length; s++) drop = spans[s]![0] <= start && end <= spans[s]![1];
    marked.push(drop);
  }
  const out = new Set<string>();
  for (let i = 0; i < words.length; i++) {
    for (let j = i + 1; j < words.length; j++) {
      out.add(words[i] + PAIR_SEPARATOR + words[j]);
      if (!marked[j]) break;
      if (j - i > MAX_MARKED_RUN) return [PAIRS_UNKNOWN];
    }
  }
  return [...out];
}

/** A word of a phrase that PostgreSQL parses as one token: ASCII letters and digits, no mantissa followed by letters. */
const PAIRABLE_WORD = /^[A-Za-z0-9]{1,499}$/;

/**
 * For a quoted phrase of two or more such words separated by spaces: its
 * words and the pair lexemes every message holding it must have. Otherwise
 * null (the phrase is searched without pairs).
 */
export function phraseQueryPairs(value: string): { words: string[]; pairs: string[] } | null {
  const words = value.trim().split(/\s+/);
  if (words.length < 2 || !words.every((w) => PAIRABLE_WORD.test(w) && !/^[0-9]+[eE][0-9]+[A-Za-z]/.test(w))) return null;
  const lower = words.map((w) => w.toLowerCase());
  const pairs = new Set<string>();
  for (let i = 1; i < lower.length; i++) pairs.add(lower[i - 1] + PAIR_SEPARATOR + lower[i]);
  return { words, pairs: [...pairs] };
}
