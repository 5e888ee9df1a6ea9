import { findReadableChannelIds } from "../../access/service";
import { canSeeDeletedContent, canViewRawText, hasFullReadAccess } from "../../access/policy";
import { couldBeMaskedValue, isSecretSearchTerm, SECRET_VALUE_CONTEXT_HINTS, SECRET_VALUE_CONTEXT_PG } from "../../compliance/secrets";
import type { TDb } from "../../db";
import { AppError } from "../../errors";
import { collectFilters, collectPositiveTerms, collectTerms, type TSearchFilter, type TSearchNode } from "../query/ast";
import { isOpsToken, isPunctuationOnly, normalizeOpsToken } from "../ops-tokens";
import { PAIRS_UNKNOWN, phraseQueryPairs } from "../phrase-pairs";
import { pickCorrections } from "../typo";
import { FACET_SAMPLE, TOTAL_CAP, type TSearchBackend, type TSearchHit, type TSearchRequest, type TSearchResult } from "../backend";

/**
 * The default backend: PostgreSQL full-text search over `message.search_tsv`
 * (stemmed English + unstemmed words + operations tokens, see the search
 * migration), typo tolerance from the `search_word` vocabulary (pg_trgm),
 * keyset pagination, bounded totals and facets. The viewer's readable
 * channels are part of every statement's WHERE clause.
 */

/**
 * A relevance search with at most this many matches ranks them all (found
 * through the text index; they are its total too). With more, it ranks the
 * newest RELEVANCE_CANDIDATES and its total is reported as "more than this",
 * the floor every total stops at.
 */
export const RELEVANCE_PROBE = TOTAL_CAP;
/** Relevance is ranked among the newest this-many matches of a common search, which bounds its cost. */
export const RELEVANCE_CANDIDATES = 1_000;
/**
 * A search with a prefix term (typing) counts and ranks this many at most:
 * every read of the text index gathers the matches of each word that starts
 * with the prefix.
 */
export const PREFIX_CAP = 250;
/**
 * How a text search finds its matches (stagedSql). It first reads this many
 * months, newest first (oldest first for sort=oldest), month by month in date
 * order (monthWalk). A common term fills its count there, and its first
 * matches are the relevance candidates or the page: a word in 2% of
 * 1,000,000 messages took 14 ms, where counting its matches through the
 * whole index took 20 ms and reading its newest 1,000 in posted_at order
 * 70 ms more. Otherwise, when those months hold enough matches that the
 * archive's months at that rate would pass the cap, the walk goes on into
 * older months (if they hold a tenth of the cap at least: one stray message
 * dated decades back must not make every term look dense); when they do not
 * (a rarer term), its matches are counted through the whole index at once,
 * up to the cap, and if there are more, the walk goes on after all.
 */
const RECENT_MONTHS = 2;
/** A viewer who may read at most this many channels may have a text search read them through the channel index. */
const NARROW_SCOPE = 10;
/** How far around the reference message near: looks. */
const NEAR_WINDOW = "2 hours";
const TYPO_MIN_LENGTH = 5;
/** Trigram neighbours of a misspelt word looked at before the edit-distance check. */
const TYPO_CANDIDATES = 20;

type TParams = unknown[];

const add = (params: TParams, v: unknown): string => {
  params.push(v);
  return `$${params.length}`;
};
/** A text parameter, typed (functions such as lower() are overloaded). */
const addText = (params: TParams, v: string): string => `${add(params, v)}::text`;

/** tsquery SQL for one word (before typo corrections). */
function wordTsquery(params: TParams, value: string, prefix: boolean, corrections: string[]): string | null {
  if (isPunctuationOnly(value)) return null;
  if (isOpsToken(value)) {
    const p = addText(params, normalizeOpsToken(value));
    // The exact token, or its parts in sequence (tokens the extractor did not keep whole).
    const q = `(quote_literal(${p})::tsquery || phraseto_tsquery('simple', ${p}))`;
    // The prefix as one lexeme: to_tsquery would split "vscode-el" into parts that must all match.
    return prefix ? `(${q} || (quote_literal(${p}) || ':*')::tsquery)` : q;
  }
  const p = addText(params, value);
  const parts = [`plainto_tsquery('english', ${p})`];
  if (prefix) parts.push(`to_tsquery('simple', quote_literal(lower(${p})) || ':*')`);
  else parts.push(`plainto_tsquery('simple', ${p})`);
  for (const c of corrections) parts.push(`plainto_tsquery('simple', ${addText(params, c)})`);
  return `(${parts.join(" || ")})`;
}

function phraseTsquery(params: TParams, value: string): string | null {
  if (isPunctuationOnly(value)) return null;
  return `phraseto_tsquery('simple', ${addText(params, value)})`;
}

/**
 * SQL matching a quoted phrase: a tsquery for the text index and, for a
 * phrase of plain words, a check on the rows it finds. Such a phrase is its
 * words in order, as written (the unstemmed positions: weight D), found by
 * its pair lexemes (phrase-pairs.ts): "how to roll back" reads the messages
 * holding "how^to", "to^roll" and "roll^back", where its words alone are in
 * tens of thousands whose positions would each be checked. Messages whose
 * pairs are not known (PAIRS_UNKNOWN) are checked too. Other phrases
 * (punctuation, other scripts) are PostgreSQL's phrase of their words.
 */
function phraseMatch(params: TParams, value: string): { tsquery: string; check?: string } | null {
  const paired = phraseQueryPairs(value);
  if (!paired) {
    const q = phraseTsquery(params, value);
    return q ? { tsquery: q } : null;
  }
  const filter = `(${paired.pairs.map((p) => `'${p}'`).join(" & ")}) | '${PAIRS_UNKNOWN}'`;
  const exact = paired.words.map((w) => `${w}:D`).join(" <-> ");
  // The index reads the pairs alone (the words' own entries hold most messages and add nothing to them);
  // the words in order are checked on the rows it finds (ts_match_vq: the same match, not an index condition).
  return { tsquery: `${add(params, filter)}::tsquery`, check: `ts_match_vq(m.search_tsv, to_tsquery('simple', ${addText(params, exact)}))` };
}

type TCompileContext = {
  params: TParams;
  names: TNames;
  /** SQL: the message aliased `alias` is in a channel the viewer may read. */
  scope: (alias: string) => string;
  corrections: Map<string, string[]>;
  canSeeDeleted: boolean;
  /** Whether a term that is a secret may match (auditors and admins, who may see raw text anyway). */
  canMatchSecrets: boolean;
};

/**
 * Content matching: the text search, except in redacted messages (they are
 * found only by their properties: channel, person, date, id) — a redaction
 * is an overlay, so the indexed row is unchanged and excluded here.
 */
function contentMatch(tsquery: string, check?: string): string {
  return `(m.search_tsv @@ ${tsquery}${check ? ` AND ${check}` : ""} AND NOT EXISTS (SELECT 1 FROM message_redaction sx WHERE sx.message_id = m.id AND sx.reverted_at IS NULL))`;
}

/**
 * SQL: the message holds `term` (typing: a word starting with it) where the
 * masker hides a value — after a secret-looking key, a `--key` flag, URL
 * credentials, Bearer or Basic. Readers who may not see raw text do not find
 * such a message by that term: a hit would confirm a guessed password. Only
 * terms that could be such a value are checked (couldBeMaskedValue): the
 * regular expression costs tens of microseconds a row, and ordinary words
 * and numbers are never masked there.
 */
function asMaskedValue(params: TParams, term: string, prefix: boolean): string {
  const literal = term.replace(/[\\^$.|?*+()[\]{}]/g, "\\$&");
  // A value ends where the masker's rules end it: whitespace, quotes, separators, or the @ after URL credentials.
  const end = prefix ? "" : String.raw`(?![^\s"'\`,;&(){}<>\[\]@])`;
  // The hints are constants without LIKE wildcards; lower() once for all of them.
  const hints = `lower(m.search_text) LIKE ANY (ARRAY[${SECRET_VALUE_CONTEXT_HINTS.map((h) => `'%${h}%'`).join(", ")}])`;
  // regexp_like, not ~*: the planner estimates an operator's selectivity by running its pattern
  // over the column's statistics, once per read of the statement (17–30 ms of planning here).
  return `(${hints} AND regexp_like(m.search_text, ${addText(params, SECRET_VALUE_CONTEXT_PG + literal + end)}, 'i'))`;
}

/** contentMatch(tsquery), and, for readers without raw text when `value` could be masked, not where it stands masked. */
function unmaskedMatch(ctx: TCompileContext, tsquery: string, value: string, probe: string, prefix: boolean, check?: string): string {
  if (ctx.canMatchSecrets || !couldBeMaskedValue(probe)) return contentMatch(tsquery, check);
  return `(${contentMatch(tsquery, check)} AND NOT ${asMaskedValue(ctx.params, value, prefix)})`;
}

/** The ids `in:` and `from:` name, by the lowercased name. */
type TNames = { channels: Map<string, number[]>; people: Map<string, number[]> };

/** Resolve every `in:` channel and `from:` person among `filters` (negated ones too) to ids, in one query. */
async function resolveNames(db: TDb, filters: TSearchFilter[]): Promise<TNames> {
  const channels = [...new Set(filters.flatMap((f) => (f.op === "in" ? [f.channel.toLowerCase()] : [])))];
  const people = [...new Set(filters.flatMap((f) => (f.op === "from" ? [f.person.toLowerCase()] : [])))];
  const names: TNames = { channels: new Map(), people: new Map() };
  if (channels.length + people.length === 0) return names;
  const r = await db.query<{ kind: "channel" | "person"; name: string; ids: number[] }>(
    `SELECT 'channel' AS kind, q.name, array_agg(sc.id ORDER BY sc.id) AS ids FROM unnest($1::text[]) AS q(name)
       JOIN channel sc ON lower(sc.name) = q.name OR lower(sc.external_id) = q.name GROUP BY q.name
     UNION ALL
     SELECT 'person', q.name, array_agg(sp.id ORDER BY sp.id) FROM unnest($2::text[]) AS q(name)
       JOIN person sp ON lower(sp.name) = q.name OR lower(sp.display_name) = q.name OR lower(sp.real_name) = q.name
         OR lower(sp.external_id) = q.name OR lower(sp.email) = q.name
       GROUP BY q.name`,
    [channels, people],
  );
  for (const row of r.rows) (row.kind === "channel" ? names.channels : names.people).set(row.name, row.ids);
  return names;
}

function compileFilter(ctx: TCompileContext, f: TSearchFilter): string {
  const { params } = ctx;
  switch (f.op) {
    // Channels and people come resolved to ids (resolveNames): as values, not subqueries, the
    // planner knows how many messages they hold (a person's 1,000 messages: 420 ms read in
    // table order where it expected them spread evenly, 10 ms through the author index).
    case "in": {
      const ids = ctx.names.channels.get(f.channel.toLowerCase()) ?? [];
      // One channel as "=": the text index holds channel ids too, and GIN takes no arrays.
      return ids.length === 1 ? `m.channel_id = ${add(params, ids[0])}::int` : `m.channel_id = ANY (${add(params, ids)}::int[])`;
    }
    case "from": {
      const p = addText(params, f.person.toLowerCase());
      return `(m.author_id = ANY (${add(params, ctx.names.people.get(f.person.toLowerCase()) ?? [])}::int[])
               OR (m.author_id IS NULL AND lower(m.username) = ${p}))`;
    }
    case "date": {
      const parts: string[] = [];
      if (f.from) parts.push(`m.posted_at >= ${add(params, f.from)}::timestamptz`);
      if (f.to) parts.push(`m.posted_at < ${add(params, f.to)}::timestamptz`);
      return parts.length ? `(${parts.join(" AND ")})` : "TRUE";
    }
    case "has":
      switch (f.what) {
        case "link":
          return `m.search_tsv @@ '''has:link'''::tsquery`;
        case "reaction":
          return "EXISTS (SELECT 1 FROM reaction sr WHERE sr.message_id = m.id)";
        case "file":
          return "EXISTS (SELECT 1 FROM message_file sf WHERE sf.message_id = m.id)";
        case "pin":
          // Candidates (flagged by the source, or pinned by an event) first, so a lone has:pin does not test every message.
          return `(m.id IN (SELECT pm.id FROM message pm WHERE pm.pinned
                            UNION SELECT pm.id FROM channel_event pe JOIN message pm ON pm.channel_id = pe.channel_id AND pm.ts = pe.value WHERE pe.kind = 'pin')
                   AND message_pinned_now(m.channel_id, m.ts, m.pinned))`;
      }
      break;
    case "is":
      switch (f.what) {
        case "thread":
          // Not "thread_ts IS NOT NULL": the planner would AND a scan of every threaded message's
          // entry in (channel_id, thread_ts) into a text search's few matches (18 ms a month).
          return "coalesce(m.thread_ts, '') <> ''";
        case "bot":
          return "(m.bot_id IS NOT NULL OR m.subtype = 'bot_message' OR EXISTS (SELECT 1 FROM person sb WHERE sb.id = m.author_id AND sb.is_bot))";
        case "edited":
          return "m.edited_ts IS NOT NULL";
        case "deleted":
          if (!ctx.canSeeDeleted) throw new AppError("bad_input", "is:deleted is only available to auditors and admins", { field: "q" });
          return "m.deleted";
      }
      break;
    case "near":
    case "id": {
      const ch = addText(params, f.ref.channel);
      const ts = addText(params, f.ref.ts);
      // The reference itself must be readable: the same scope as the outer query.
      const ref = `SELECT rm.channel_id, rm.posted_at FROM message rm JOIN channel rc ON rc.id = rm.channel_id
                   WHERE rc.external_id = ${ch} AND rm.ts = ${ts} AND ${ctx.scope("rm")}`;
      if (f.op === "id") return `(m.channel_id, m.ts) IN (SELECT rc.id, ${ts} FROM channel rc WHERE rc.external_id = ${ch})`;
      return `EXISTS (SELECT 1 FROM (${ref}) r WHERE m.channel_id = r.channel_id
                AND m.posted_at BETWEEN r.posted_at - interval '${NEAR_WINDOW}' AND r.posted_at + interval '${NEAR_WINDOW}')`;
    }
    case "command":
    case "status":
    case "bot": {
      const p = addText(params, f.value);
      const test =
        f.op === "command"
          ? `(lower(e.command) = ${p} OR lower(e.command) LIKE ${p} || ' %' OR regexp_replace(lower(e.command), '^[!/.]', '') LIKE ${p} || '%')`
          : f.op === "status"
            ? `lower(e.status) = ${p}`
            : `lower(e.bot) = ${p}`;
      return `EXISTS (SELECT 1 FROM execution e WHERE e.channel_id = m.channel_id AND e.message_ts = m.ts AND ${test})`;
    }
  }
  throw new Error("unreachable filter");
}

function compileNode(ctx: TCompileContext, node: TSearchNode): string {
  switch (node.kind) {
    case "word": {
      // A secret typed as a term finds nothing: search must not confirm a guessed secret.
      if (!ctx.canMatchSecrets && isSecretSearchTerm(node.value)) return "FALSE";
      const q = wordTsquery(ctx.params, node.value, node.prefix, ctx.corrections.get(node.value.toLowerCase()) ?? []);
      return q ? unmaskedMatch(ctx, q, node.value, node.value, node.prefix) : "TRUE";
    }
    case "phrase": {
      if (!ctx.canMatchSecrets && isSecretSearchTerm(node.value)) return "FALSE";
      const q = phraseMatch(ctx.params, node.value);
      if (!q) return "TRUE";
      // A masked value is one token: a phrase stands where one was masked only if it starts with it.
      return unmaskedMatch(ctx, q.tsquery, node.value, node.value.trim().split(/\s+/)[0] ?? "", false, q.check);
    }
    case "filter":
      return compileFilter(ctx, node.filter);
    case "not":
      return `NOT coalesce(${compileNode(ctx, node.child)}, false)`;
    case "and":
      return `(${node.children.map((c) => compileNode(ctx, c)).join(" AND ")})`;
    case "or":
      return `(${node.children.map((c) => compileNode(ctx, c)).join(" OR ")})`;
  }
}

type TCursor = { s: string; k: string; id: number; asOf: string };

function encodeCursor(c: TCursor): string {
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

function decodeCursor(raw: string, sort: string): TCursor {
  try {
    const c = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as TCursor;
    if (c.s !== sort || typeof c.k !== "string" || !Number.isSafeInteger(c.id) || Number.isNaN(Date.parse(c.asOf))) throw new Error("shape");
    return c;
  } catch {
    throw new AppError("bad_input", "Invalid cursor (it belongs to another search or sort)", { field: "cursor" });
  }
}

/** Typo corrections for longer words missing from the vocabulary. */
async function findCorrections(db: TDb, words: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const candidates = [...new Set(words.map((w) => w.toLowerCase()))].filter((w) => w.length >= TYPO_MIN_LENGTH && /^[\p{L}]+$/u.test(w));
  if (candidates.length === 0) return out;
  // Trigram neighbours (the index's default threshold, 0.3), kept only within a small edit distance (lib/search/typo.ts).
  const r = await db.query<{ q: string; words: string[] | null; ndocs: number[] | null }>(
    `SELECT w.q, array_agg(s.word) AS words, array_agg(s.ndoc) AS ndocs
     FROM unnest($1::text[]) AS w(q)
     CROSS JOIN LATERAL (SELECT sw.word, sw.ndoc FROM search_word sw WHERE sw.word % w.q ORDER BY sw.word <-> w.q LIMIT ${TYPO_CANDIDATES}) s
     WHERE NOT EXISTS (SELECT 1 FROM search_word x WHERE x.word = w.q)
     GROUP BY w.q`,
    [candidates],
  );
  for (const row of r.rows) {
    const fixes = pickCorrections(
      row.q,
      (row.words ?? []).map((word, i) => ({ word, ndoc: row.ndocs?.[i] ?? 0 })),
    );
    if (fixes.length) out.set(row.q, fixes);
  }
  return out;
}

type THitRow = {
  id: number;
  channel_id: number;
  channel_external_id: string;
  channel_name: string;
  channel_kind: TSearchHit["channelKind"];
  ts: string;
  thread_ts: string | null;
  posted_at: Date;
  author_external_id: string | null;
  author_name: string | null;
  text: string;
  search_text: string;
  deleted: boolean;
  is_bot: boolean;
  k: string;
};

/**
 * SQL: up to `n` messages matching `where` (id, posted_at) in date order
 * (`dir`), from month `from` to month `to` (SQL), read only when `gate`
 * holds. Month by month: message_search_idx keeps each message's
 * month (search_month) beside its words, so GIN finds one month's matches
 * without reading anyone else's; they are sorted, and the walk stops once n
 * are found. The cost follows the matches read, where reading in posted_at
 * order costs every message between them.
 */
function monthWalk(where: string, dir: "ASC" | "DESC", n: number, gate: string, from: string, to: string, tsv: boolean): string {
  return `SELECT w.* FROM generate_series(${from}, ${to}, ${dir === "DESC" ? -1 : 1}) AS mo(v) CROSS JOIN LATERAL (
      SELECT m.id, m.posted_at${tsv ? ", m.search_tsv" : ""} FROM message m WHERE ${where} AND search_month(m.posted_at) = mo.v
      ORDER BY m.posted_at ${dir}, m.id ${dir}) w
    WHERE ${gate} LIMIT ${n}`;
}

/**
 * The CTEs a text search starts with: its matches counted as far as
 * `cap` + 1 (`n`), and either all of them (`probe`, when `useprobe`) or at
 * least the first `need` of them in date order (`ordered`), read as
 * RECENT_MONTHS says. `fromMonth` (SQL) is where a next page's walk starts.
 * With `tsv`, each row carries its search_tsv, for ranking without reading
 * the message again.
 */
function stagedSql(where: string, dir: "ASC" | "DESC", fromMonth: string | null, cap: number, need: number, tsv: boolean): string {
  const newest = "(SELECT search_month(max(posted_at)) FROM message)";
  const oldest = "(SELECT search_month(min(posted_at)) FROM message)";
  const step = dir === "DESC" ? "-" : "+";
  const first = "(SELECT first FROM bounds)";
  const last = "(SELECT last FROM bounds)";
  const rn = "(SELECT n FROM rn)";
  const dense = "(SELECT v FROM dense)";
  return `WITH bounds AS MATERIALIZED (SELECT ${fromMonth ?? (dir === "DESC" ? newest : oldest)} AS first, ${dir === "DESC" ? oldest : newest} AS last),
    recent AS MATERIALIZED (${monthWalk(where, dir, cap + 1, "TRUE", first, `${first} ${step} ${RECENT_MONTHS - 1}`, tsv)}),
    rn AS MATERIALIZED (SELECT count(*) AS n FROM recent),
    dense AS MATERIALIZED (SELECT r.n <= ${cap} AND r.n >= ${Math.ceil(cap / 10)} AND r.n * (abs(b.last - b.first) + 1) >= ${cap * RECENT_MONTHS} AS v
                           FROM rn r, bounds b),
    older AS MATERIALIZED (${monthWalk(where, dir, cap + 1, dense, `${first} ${step} ${RECENT_MONTHS}`, last, tsv)}),
    probe AS MATERIALIZED (SELECT m.id, m.posted_at${tsv ? ", m.search_tsv" : ""} FROM message m WHERE ${rn} <= ${cap} AND NOT ${dense} AND ${where} LIMIT ${cap + 1}),
    n AS MATERIALIZED (SELECT CASE WHEN ${rn} > ${cap} THEN ${cap + 1}
                                   WHEN ${dense} THEN least(${cap + 1}, ${rn} + (SELECT count(*) FROM older))
                                   ELSE (SELECT count(*) FROM probe) END AS n),
    useprobe AS MATERIALIZED (SELECT NOT ${dense} AND ${rn} <= ${cap} AND (SELECT n FROM n) <= ${cap} AS v),
    older2 AS MATERIALIZED (${monthWalk(where, dir, need, `NOT ${dense} AND ${rn} < ${need} AND (SELECT n FROM n) > ${cap}`, `${first} ${step} ${RECENT_MONTHS}`, last, tsv)}),
    ordered AS (SELECT * FROM recent UNION ALL SELECT * FROM older UNION ALL SELECT * FROM older2)`;
}

export const postgresSearchBackend: TSearchBackend = {
  name: "postgres",

  async search(db: TDb, req: TSearchRequest): Promise<TSearchResult> {
    const root = req.query.root;
    const positive = collectPositiveTerms(root);
    // Every filter, negated ones too.
    const filters = collectFilters(root).map((x) => x.filter);
    // The viewer's readable channels come from lib/access once, as an array: written as its
    // subquery, the scope was planned again in each read of the statement (22 ms for a member).
    const [corrections, readable, names] = await Promise.all([
      findCorrections(
        db,
        positive.filter((t) => t.kind === "word" && !t.prefix && !isOpsToken(t.value)).map((t) => t.value),
      ),
      hasFullReadAccess(req.viewer.role) ? Promise.resolve(null) : findReadableChannelIds(db, req.viewer),
      resolveNames(db, filters),
    ]);
    const params: TParams = [];
    const readableP = readable === null ? null : add(params, readable);
    // With a text term a wide scope is checked on the rows the text index finds: the planner would otherwise AND in a
    // bitmap of every message in the viewer's channels (680,000 for 50 of 90 channels: 56 ms, more than the rows it
    // saves). A few channels' messages may still be worth reading through the channel index.
    const checkScopeOnly = positive.length > 0 && readable !== null && readable.length > NARROW_SCOPE;
    const scopeColumn = (alias: string) => (checkScopeOnly ? `(${alias}.channel_id + 0)` : `${alias}.channel_id`);
    const scope = (alias: string) => (readableP === null ? "TRUE" : `${scopeColumn(alias)} = ANY (${readableP}::int[])`);
    const canSeeDeleted = canSeeDeletedContent(req.viewer.role);
    const ctx: TCompileContext = { params, scope, names, corrections, canSeeDeleted, canMatchSecrets: canViewRawText(req.viewer.role) };
    const where = [scope("m")];
    if (root) where.push(compileNode(ctx, root));
    const deletedWanted = filters.some((f) => f.op === "is" && f.what === "deleted");
    if (!canSeeDeleted || !deletedWanted) where.push("NOT m.deleted");

    const baseWhere = where.join(" AND ");
    const baseParams = [...params];
    // The ranking query: every positive word and phrase, ORed (its parameters follow the WHERE's).
    const rankParts: string[] = [];
    for (const t of positive) {
      const q = t.kind === "word" ? wordTsquery(params, t.value, t.prefix, corrections.get(t.value.toLowerCase()) ?? []) : phraseTsquery(params, t.value);
      if (q) rankParts.push(q);
    }

    const sort = req.sort === "relevance" && rankParts.length === 0 ? "newest" : req.sort;
    // Any prefix term, negated ones too (see PREFIX_CAP).
    const hasPrefix = collectTerms(root).some((x) => x.prefix);
    // Totals count as far as `cap`; past it they are a floor.
    const cap = hasPrefix ? PREFIX_CAP : TOTAL_CAP;
    const candidates = hasPrefix ? PREFIX_CAP : RELEVANCE_CANDIDATES;
    const cursor = req.cursor ? decodeCursor(req.cursor, sort) : null;
    const asOf = cursor?.asOf ?? new Date().toISOString();
    const limit = Math.max(1, Math.min(100, req.limit));

    let pageSql: string;
    const pageParams = sort === "relevance" ? [...params] : [...baseParams];
    if (sort === "relevance") {
      const rankq = rankParts.join(" || ");
      const asOfP = add(pageParams, asOf);
      // Text relevance blended with recency: a year-old message keeps ~70% of its score.
      const score = `(ts_rank_cd(m.search_tsv, ${rankq}, 1) * (0.4 + 0.6 / (1 + greatest(0, date_part('epoch', ${asOfP}::timestamptz - m.posted_at)) / 31557600.0)))::float8`;
      let after = "";
      if (cursor) after = `WHERE (s.score, s.id) < (${add(pageParams, Number(cursor.k))}::float8, ${add(pageParams, cursor.id)}::bigint)`;
      // Candidates: every match when there are at most `cap`, else the newest `candidates`
      // (see RECENT_MONTHS). Only the candidates are scored, once: ranking reads each one's
      // tsvector, the dominant cost.
      pageSql = `${stagedSql(baseWhere, "DESC", null, cap, candidates, true)},
        cand AS MATERIALIZED (
          SELECT p.* FROM probe p WHERE (SELECT v FROM useprobe)
          UNION ALL
          (SELECT o.* FROM ordered o WHERE NOT (SELECT v FROM useprobe) ORDER BY o.posted_at DESC, o.id DESC LIMIT ${candidates})),
        s AS MATERIALIZED (SELECT m.id, ${score} AS score FROM cand m)
        SELECT s.id, s.score::text AS k, (SELECT n FROM n)::int AS n FROM s ${after} ORDER BY s.score DESC, s.id DESC LIMIT ${limit + 1}`;
    } else {
      const dir = sort === "newest" ? "DESC" : "ASC";
      const cmp = sort === "newest" ? "<" : ">";
      let after = "";
      if (cursor) after = ` AND (m.posted_at, m.id) ${cmp} (${add(pageParams, cursor.k)}::timestamptz, ${add(pageParams, cursor.id)}::bigint)`;
      const ordered = `SELECT m.id, m.posted_at::text AS k FROM message m WHERE ${baseWhere}${after}
        ORDER BY m.posted_at ${dir}, m.id ${dir} LIMIT ${limit + 1}`;
      const fromMonth = cursor ? `search_month(${add(pageParams, cursor.k)}::timestamptz)` : null;
      const pageRows = limit + 1;
      // See RECENT_MONTHS. Filters alone (channel, person, date, has:) keep the ordered read.
      pageSql = rankParts.length === 0 ? ordered : `${stagedSql(baseWhere + after, dir, fromMonth, cap, pageRows, false)}
        SELECT u.id, u.posted_at::text AS k, (SELECT n FROM n)::int AS n FROM (
          (SELECT p.id, p.posted_at FROM probe p WHERE (SELECT v FROM useprobe) ORDER BY p.posted_at ${dir}, p.id ${dir} LIMIT ${pageRows})
          UNION ALL
          (SELECT o.id, o.posted_at FROM ordered o WHERE NOT (SELECT v FROM useprobe) ORDER BY o.posted_at ${dir}, o.id ${dir} LIMIT ${pageRows})) u
        ORDER BY u.posted_at ${dir}, u.id ${dir}`;
    }

    // A member's search by filters alone is counted in date order, as its page is read: in no
    // order, the planner may pick a join that reads most of the table before the first match in
    // the member's channels (has:reaction: 177 ms, in date order 50; for an administrator 14 ms
    // in no order, 50 in date order). A channel or person is counted through its own index, a
    // text search (on a later page) through the text index.
    const inDateOrder =
      readable !== null && rankParts.length === 0 && !filters.some((f) => f.op === "in" || f.op === "from");
    const totalSql = `SELECT count(*)::int AS n FROM (SELECT 1 FROM message m WHERE ${baseWhere}
      ${inDateOrder ? "ORDER BY m.posted_at DESC, m.id DESC" : ""} LIMIT ${cap + 1}) t`;
    // A first page of a text search counts its matches in its first CTEs (as far as cap + 1):
    // the same count, without a second pass over them.
    const totalInPage = rankParts.length > 0 && !cursor;
    const [page, total, facets] = await Promise.all([
      db.query<{ id: number; k: string; n?: number }>(pageSql, pageParams),
      totalInPage ? Promise.resolve(null) : db.query<{ n: number }>(totalSql, baseParams),
      req.facets ? findFacets(db, baseWhere, baseParams) : Promise.resolve(null),
    ]);
    const more = page.rows.length > limit;
    const ids = page.rows.slice(0, limit);
    const hits = await loadHits(
      db,
      ids.map((r) => r.id),
    );
    const last = ids.at(-1);
    const n = total ? total.rows[0]!.n : (page.rows[0]?.n ?? 0);
    return {
      total: Math.min(n, cap),
      isTotalExact: n <= cap,
      hits,
      nextCursor: more && last ? encodeCursor({ s: sort, k: last.k, id: last.id, asOf }) : null,
      facets,
    };
  },
};

async function findFacets(db: TDb, where: string, params: unknown[]): Promise<TSearchResult["facets"]> {
  const r = await db.query<{ facet: string; key: string; label: string; count: number; sampled: boolean }>(
    `WITH h AS MATERIALIZED (SELECT m.channel_id, m.author_id, m.username, m.posted_at FROM message m WHERE ${where} LIMIT ${FACET_SAMPLE + 1}),
     sampled AS (SELECT count(*) > ${FACET_SAMPLE} AS v FROM h)
     (SELECT 'channel' AS facet, h.channel_id::text AS key, max(c.name) AS label, count(*)::int AS count, (SELECT v FROM sampled) AS sampled
        FROM h JOIN channel c ON c.id = h.channel_id GROUP BY h.channel_id ORDER BY 4 DESC, 3 LIMIT 10)
     UNION ALL
     (SELECT 'person', coalesce(p.external_id, h.username, '?'), max(coalesce(p.display_name, p.real_name, p.name, h.username, '?')), count(*)::int, (SELECT v FROM sampled)
        FROM h LEFT JOIN person p ON p.id = h.author_id GROUP BY 2 ORDER BY 4 DESC, 3 LIMIT 10)
     UNION ALL
     (SELECT 'month', to_char(h.posted_at AT TIME ZONE 'UTC', 'YYYY-MM'), to_char(h.posted_at AT TIME ZONE 'UTC', 'YYYY-MM'), count(*)::int, (SELECT v FROM sampled)
        FROM h GROUP BY 2 ORDER BY 2 DESC LIMIT 24)`,
    params,
  );
  const pick = (f: string) => r.rows.filter((x) => x.facet === f).map((x) => ({ key: x.key, label: x.label, count: x.count }));
  return { channels: pick("channel"), people: pick("person"), months: pick("month"), isSampled: r.rows.some((x) => x.sampled) };
}

/** The page's messages with their channel and author, in the given order. */
async function loadHits(db: TDb, ids: number[]): Promise<TSearchHit[]> {
  if (ids.length === 0) return [];
  const r = await db.query<THitRow>(
    `SELECT m.id, m.channel_id, c.external_id AS channel_external_id, c.name AS channel_name, c.kind AS channel_kind, m.ts, m.thread_ts,
            m.posted_at, p.external_id AS author_external_id,
            coalesce(nullif(p.display_name, ''), nullif(p.real_name, ''), p.name, m.username) AS author_name,
            m.text, m.search_text, m.deleted,
            (m.bot_id IS NOT NULL OR m.subtype = 'bot_message' OR coalesce(p.is_bot, false)) AS is_bot, '' AS k
     FROM message m JOIN channel c ON c.id = m.channel_id LEFT JOIN person p ON p.id = m.author_id
     WHERE m.id = ANY($1::bigint[])`,
    [ids],
  );
  const byId = new Map(r.rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    if (!row) return [];
    return [
      {
        id: row.id,
        channelId: row.channel_id,
        channelExternalId: row.channel_external_id,
        channelName: row.channel_name,
        channelKind: row.channel_kind,
        ts: row.ts,
        threadTs: row.thread_ts,
        postedAt: row.posted_at.toISOString(),
        authorExternalId: row.author_external_id,
        authorName: row.author_name ?? "unknown",
        // Alerts keep their text in attachments: show that when the message text is empty.
        text: row.text.trim() ? row.text : row.search_text,
        isDeleted: row.deleted,
        isBot: row.is_bot,
        highlight: [],
      },
    ];
  });
}
