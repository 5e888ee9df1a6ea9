import { readableChannelsSql } from "../../access/service";
import { canSeeDeletedContent, canViewRawText } from "../../access/policy";
import { couldBeMaskedValue, isSecretSearchTerm, SECRET_VALUE_CONTEXT_PG } from "../../compliance/secrets";
import type { TDb } from "../../db";
import { AppError } from "../../errors";
import { collectPositiveTerms, type TSearchFilter, type TSearchNode } from "../query/ast";
import { isOpsToken, isPunctuationOnly, normalizeOpsToken } from "../ops-tokens";
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
 * How the newest RELEVANCE_CANDIDATES of a common search are found: up to
 * this many matches as the planner estimates them, all of them through the
 * text index, sorted by date; above it, by reading in posted_at order until
 * enough match. Reading in date order costs 1/density rows per candidate
 * and more when a word's matches lie mostly in the past: `memory` (8,277
 * matches of 1,000,000) took 181 ms that way and 21 ms through the index.
 * Through the index the cost follows the matches (about 3 µs each), so past
 * some tens of thousands reading in order is the cheaper (`error`, 100,474
 * matches: 18 ms against 622). For a single word the planner's estimate is
 * about twice its matches (the stemmed and the exact query are ORed); for
 * phrases and several words it is too low to go by.
 */
const INDEX_CANDIDATES_ESTIMATE = 40_000;
/**
 * A page of a text search sorted by date first takes up to this many matches in
 * whatever order the planner finds cheapest (for a rare word: the text index)
 * and sorts them; only when there are more is the page read in posted_at
 * order. Reading in posted_at order straight away is what the planner picks
 * for "ORDER BY … LIMIT 21" with a text condition, and for a rare word it
 * walks the whole table (757 ms on 100,000 messages for `from:@x word`).
 * Past it the total is a floor, as for relevance: counting 10,000 matches of a
 * common word first cost a date-sorted page 200–500 ms on 1,000,000 messages,
 * where 2,000 already make the ordered read cheap.
 */
const ORDERED_PROBE = RELEVANCE_PROBE;
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

type TCompileContext = {
  params: TParams;
  scopeSql: string;
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
function contentMatch(tsquery: string): string {
  return `(m.search_tsv @@ ${tsquery} AND NOT EXISTS (SELECT 1 FROM message_redaction sx WHERE sx.message_id = m.id AND sx.reverted_at IS NULL))`;
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
  return `m.search_text ~* ${addText(params, SECRET_VALUE_CONTEXT_PG + literal + end)}`;
}

/** contentMatch(tsquery), and, for readers without raw text when `value` could be masked, not where it stands masked. */
function unmaskedMatch(ctx: TCompileContext, tsquery: string, value: string, probe: string, prefix: boolean): string {
  if (ctx.canMatchSecrets || !couldBeMaskedValue(probe)) return contentMatch(tsquery);
  return `(${contentMatch(tsquery)} AND NOT ${asMaskedValue(ctx.params, value, prefix)})`;
}

function compileFilter(ctx: TCompileContext, f: TSearchFilter): string {
  const { params } = ctx;
  switch (f.op) {
    case "in": {
      const p = addText(params, f.channel.toLowerCase());
      return `m.channel_id IN (SELECT sc.id FROM channel sc WHERE lower(sc.name) = ${p} OR lower(sc.external_id) = ${p})`;
    }
    case "from": {
      const p = addText(params, f.person.toLowerCase());
      // An array (not IN (subquery)) so both sides of the OR can use an index (message_username_lower_idx).
      return `(m.author_id = ANY (ARRAY(SELECT sp.id FROM person sp WHERE lower(sp.name) = ${p} OR lower(sp.display_name) = ${p}
                 OR lower(sp.real_name) = ${p} OR lower(sp.external_id) = ${p} OR lower(sp.email) = ${p}))
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
          return "m.thread_ts IS NOT NULL";
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
                   WHERE rc.external_id = ${ch} AND rm.ts = ${ts} AND rm.channel_id IN (${ctx.scopeSql})`;
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
      const q = phraseTsquery(ctx.params, node.value);
      if (!q) return "TRUE";
      // A masked value is one token: a phrase stands where one was masked only if it starts with it.
      return unmaskedMatch(ctx, q, node.value, node.value.trim().split(/\s+/)[0] ?? "", false);
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

/** The planner's estimate of the rows of `message m` matching `where`. */
async function estimateRows(db: TDb, where: string, params: TParams): Promise<number> {
  const r = await db.query<{ "QUERY PLAN": [{ Plan: { "Plan Rows": number } }] }>(`EXPLAIN (FORMAT JSON) SELECT 1 FROM message m WHERE ${where}`, params);
  return r.rows[0]!["QUERY PLAN"][0].Plan["Plan Rows"];
}

export const postgresSearchBackend: TSearchBackend = {
  name: "postgres",

  async search(db: TDb, req: TSearchRequest): Promise<TSearchResult> {
    const root = req.query.root;
    const positive = collectPositiveTerms(root);
    const corrections = await findCorrections(
      db,
      positive.filter((t) => t.kind === "word" && !t.prefix && !isOpsToken(t.value)).map((t) => t.value),
    );
    const params: TParams = [];
    const scope = readableChannelsSql(req.viewer, 1);
    params.push(...scope.params);
    const canSeeDeleted = canSeeDeletedContent(req.viewer.role);
    const ctx: TCompileContext = { params, scopeSql: scope.sql, corrections, canSeeDeleted, canMatchSecrets: canViewRawText(req.viewer.role) };
    const where = [`m.channel_id IN (${scope.sql})`];
    if (root) where.push(compileNode(ctx, root));
    const deletedWanted = JSON.stringify(root ?? {}).includes('"what":"deleted"');
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
    const cursor = req.cursor ? decodeCursor(req.cursor, sort) : null;
    const asOf = cursor?.asOf ?? new Date().toISOString();
    const limit = Math.max(1, Math.min(100, req.limit));

    let pageSql: string;
    const pageParams = sort === "relevance" ? [...params] : [...baseParams];
    if (sort === "relevance") {
      const rankq = rankParts.join(" || ");
      // Only a single word's estimate is trusted: for phrases and several words the planner
      // multiplies selectivities, and words that go together ("roll back") match far more.
      const throughIndex =
        positive.length === 1 && positive[0]!.kind === "word" && (await estimateRows(db, baseWhere, baseParams)) <= INDEX_CANDIDATES_ESTIMATE;
      // OFFSET 0 keeps the planner from reading the matches in posted_at order.
      const newest = throughIndex
        ? `SELECT x.id FROM (SELECT m.id, m.posted_at FROM message m WHERE (SELECT n FROM n) > ${RELEVANCE_PROBE} AND ${baseWhere} OFFSET 0) x
           ORDER BY x.posted_at DESC, x.id DESC LIMIT ${RELEVANCE_CANDIDATES}`
        : `SELECT m.id FROM message m WHERE (SELECT n FROM n) > ${RELEVANCE_PROBE} AND ${baseWhere}
           ORDER BY m.posted_at DESC, m.id DESC LIMIT ${RELEVANCE_CANDIDATES}`;
      const asOfP = add(pageParams, asOf);
      // Text relevance blended with recency: a year-old message keeps ~70% of its score.
      const score = `(ts_rank_cd(m.search_tsv, ${rankq}, 1) * (0.4 + 0.6 / (1 + greatest(0, date_part('epoch', ${asOfP}::timestamptz - m.posted_at)) / 31557600.0)))::float8`;
      let after = "";
      if (cursor) after = `WHERE (s.score, s.id) < (${add(pageParams, Number(cursor.k))}::float8, ${add(pageParams, cursor.id)}::bigint)`;
      // Candidates: every match when there are at most RELEVANCE_PROBE (found through the text
      // index), else the newest RELEVANCE_CANDIDATES (see INDEX_CANDIDATES_ESTIMATE). Only the
      // candidates are scored, once: ranking reads each one's tsvector, the dominant cost.
      pageSql = `WITH probe AS MATERIALIZED (SELECT m.id FROM message m WHERE ${baseWhere} LIMIT ${RELEVANCE_PROBE + 1}),
        n AS MATERIALIZED (SELECT count(*) AS n FROM probe),
        cand AS MATERIALIZED (
          SELECT p.id FROM probe p WHERE (SELECT n FROM n) <= ${RELEVANCE_PROBE}
          UNION ALL
          (${newest})),
        s AS MATERIALIZED (SELECT m.id, ${score} AS score FROM cand c JOIN message m ON m.id = c.id)
        SELECT s.id, s.score::text AS k, (SELECT n FROM n)::int AS n FROM s ${after} ORDER BY s.score DESC, s.id DESC LIMIT ${limit + 1}`;
    } else {
      const dir = sort === "newest" ? "DESC" : "ASC";
      const cmp = sort === "newest" ? "<" : ">";
      let after = "";
      if (cursor) after = ` AND (m.posted_at, m.id) ${cmp} (${add(pageParams, cursor.k)}::timestamptz, ${add(pageParams, cursor.id)}::bigint)`;
      const ordered = `SELECT m.id, m.posted_at::text AS k FROM message m WHERE ${baseWhere}${after}
        ORDER BY m.posted_at ${dir}, m.id ${dir} LIMIT ${limit + 1}`;
      // See ORDERED_PROBE: few matches of a text condition are sorted, many are read in
      // posted_at order. Filters alone (channel, person, date, has:) keep the ordered read.
      pageSql = rankParts.length === 0 ? ordered : `WITH probe AS MATERIALIZED (SELECT m.id, m.posted_at FROM message m WHERE ${baseWhere}${after} LIMIT ${ORDERED_PROBE + 1}),
        n AS MATERIALIZED (SELECT count(*) AS n FROM probe)
        SELECT u.id, u.posted_at::text AS k, (SELECT n FROM n)::int AS n FROM (
          (SELECT p.id, p.posted_at FROM probe p WHERE (SELECT n FROM n) <= ${ORDERED_PROBE} ORDER BY p.posted_at ${dir}, p.id ${dir} LIMIT ${limit + 1})
          UNION ALL
          (SELECT m.id, m.posted_at FROM message m WHERE (SELECT n FROM n) > ${ORDERED_PROBE} AND ${baseWhere}${after}
           ORDER BY m.posted_at ${dir}, m.id ${dir} LIMIT ${limit + 1})) u
        ORDER BY u.posted_at ${dir}, u.id ${dir}`;
    }

    const totalSql = `SELECT count(*)::int AS n FROM (SELECT 1 FROM message m WHERE ${baseWhere} LIMIT ${TOTAL_CAP + 1}) t`;
    // A first page of a text search counts its matches in its probe (as far as TOTAL_CAP + 1):
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
    // A first page's probe stops counting at RELEVANCE_PROBE (relevance) or ORDERED_PROBE (by date): past it the total is a floor.
    const cap = totalInPage ? (sort === "relevance" ? RELEVANCE_PROBE : ORDERED_PROBE) : TOTAL_CAP;
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
