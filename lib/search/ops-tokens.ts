/**
 * Operations tokens — the words of operations text that ordinary text search
 * breaks apart: hyphenated host names (api-gw-03), ticket keys (OPS-4521),
 * IPv4/IPv6 addresses, URLs, error codes (ERR_CONNECTION_RESET), dotted
 * identifiers (java.lang.NullPointerException), file paths, versions
 * (v2.31.0), key=value pairs (exit=1). A token is a run of word characters
 * and separators holding at least one of - _ . / : @ = between letters or
 * digits, lower-cased, with sentence punctuation trimmed from both ends.
 * The loader stores them with each message (message.search_tokens, part of
 * the indexed search_tsv, with the phrase pairs: searchTokens); queries use
 * the same rules.
 */
import { phrasePairs } from "./phrase-pairs";

const TRIM = /^[.:,;!?-]+|[.:,;!?-]+$/g;

/** The token as the archive stores it: lower-cased, end punctuation trimmed. */
export function normalizeOpsToken(term: string): string {
  return term.toLowerCase().replace(TRIM, "");
}

/** True when `term` is an operations token (api-gw-03, 10.0.0.1, ERR_X, a.b.C, v1.2.3, /var/log, exit=1). */
export function isOpsToken(term: string): boolean {
  const t = normalizeOpsToken(term);
  return t.length >= 3 && t.length <= 200 && /[-_./:@=]/.test(t) && /[a-z0-9].*[-_./:@=].*[a-z0-9]/.test(t);
}

/** True when the term holds no letter or digit at all (nothing to search for). */
export function isPunctuationOnly(term: string): boolean {
  return !/[\p{L}\p{N}]/u.test(term);
}

const RUN = /[/~]?[A-Za-z0-9][A-Za-z0-9_.:/@%+=#~?&-]*/g;
const PIECE_SEPARATORS = /[:/@=,?&]+/;
const MAX_TEXT = 100_000;

const WORD_SEPARATORS = /[^a-z0-9]+/;

/**
 * Every operations token in a text, once each, in first-seen order: each run
 * whole, plus its pieces between ':', '/', '@', '=', ',', '?' and '&' that are
 * tokens themselves ("api-gw-03:8080" also gives "api-gw-03"), the words of
 * every token (2+ letters or digits: "houston-potholes" gives "potholes",
 * "phabricator.miraheze.org/T3621" gives "t3621") — the text parser keeps
 * URLs, paths and file names whole, so without them a word said only inside
 * one is never found — and the pseudo-token "has:link" when the text holds a
 * URL.
 */
export function extractOpsTokens(text: string): string[] {
  const t = text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
  const out = new Set<string>();
  const words = new Set<string>();
  const addWords = (tok: string) => {
    for (const w of tok.split(WORD_SEPARATORS)) if (w.length >= 2 && w.length <= 100) words.add(w);
  };
  for (const m of t.matchAll(RUN)) {
    const tok = normalizeOpsToken(m[0]);
    if (isOpsToken(tok)) {
      out.add(tok);
      addWords(tok);
    }
    if (PIECE_SEPARATORS.test(tok)) {
      for (const p of tok.split(PIECE_SEPARATORS)) {
        const piece = normalizeOpsToken(p);
        if (isOpsToken(piece)) out.add(piece);
      }
    }
  }
  for (const w of words) out.add(w);
  if (/https?:\/\//i.test(t)) out.add("has:link");
  return [...out];
}

/** The message.search_tokens column for a search text: its operations tokens and its phrase pairs (phrase-pairs.ts), space-separated. */
export function searchTokens(text: string): string {
  return [...extractOpsTokens(text), ...phrasePairs(text)].join(" ");
}
