import { Meilisearch, type Index } from "meilisearch";
import { findReadableChannelIds } from "../../access/service";
import { canSeeDeletedContent } from "../../access/policy";
import type { TDb } from "../../db";
import { getEnv } from "../../env";
import { AppError } from "../../errors";
import { collectPositiveTerms, type TSearchFilter, type TSearchNode } from "../query/ast";
import { extractOpsTokens, isOpsToken, normalizeOpsToken } from "../ops-tokens";
import { isPairToken } from "../phrase-pairs";
import { overlayMessageText } from "../../compliance/message-overlay";
import { hasSecrets } from "../../compliance/secrets";
import type { TSearchBackend, TSearchHit, TSearchRequest, TSearchResult } from "../backend";
import { advanceOutboxCursor, selectLatestOutboxId, selectMessagesForIndex, selectOutboxAfter, type TIndexRow } from "../repository";

/**
 * Meilisearch backend (MEILI_HOST, MEILI_API_KEY). PostgreSQL stays the
 * truth: documents are derived from it, fed incrementally from the
 * `search_outbox` table (written by triggers in the archive's own
 * transactions) and rebuilt by `backscroll reindex`. The viewer's readable
 * channel ids are part of every search's filter, so totals and facets only
 * count readable messages.
 *
 * Query mapping: words and phrases go to the query string (`-word` and
 * `-"phrase"` for exclusions); OR between words becomes "match any word"
 * (Meilisearch has no boolean text operators); every operator becomes part of
 * the filter expression, where AND/OR/NOT are exact.
 */

export const MEILI_INDEX = "backscroll_messages";
export const MEILI_CONSUMER = "meilisearch";

type TDoc = {
  id: number;
  channel_id: number;
  channel_external_id: string;
  channel_name: string;
  channel_kind: string;
  ts: string;
  thread_ts: string | null;
  posted_at: number;
  month: string;
  author_external_id: string | null;
  author_name: string | null;
  author_keys: string[];
  text: string;
  /** The text with separators turned into spaces, so parts of ops tokens match too. */
  words: string;
  ops_tokens: string[];
  deleted: boolean;
  pinned: boolean;
  edited: boolean;
  is_bot: boolean;
  is_thread: boolean;
  has_link: boolean;
  has_reaction: boolean;
  has_file: boolean;
  commands: string[];
  statuses: string[];
  bots: string[];
};

function client(): Meilisearch {
  const env = getEnv();
  if (!env.MEILI_HOST) throw new AppError("internal", "MEILI_HOST is not set");
  return new Meilisearch({ host: env.MEILI_HOST, apiKey: env.MEILI_API_KEY });
}

function toDoc(r: TIndexRow): TDoc {
  const month = new Date(r.posted_epoch * 1000).toISOString().slice(0, 7);
  // The document holds the text readers see: secrets masked, a redacted message only "[redacted: reason]".
  const redaction = r.redaction_reason === null ? null : { reason: r.redaction_reason };
  const text = overlayMessageText(r.search_text, redaction);
  const opsTokens = redaction ? [] : text === r.search_text ? r.ops_tokens : extractOpsTokens(text).filter((t) => !hasSecrets(t));
  return {
    id: r.id,
    channel_id: r.channel_id,
    channel_external_id: r.channel_external_id,
    channel_name: r.channel_name.toLowerCase(),
    channel_kind: r.channel_kind,
    ts: r.ts,
    thread_ts: r.thread_ts,
    posted_at: r.posted_epoch,
    month,
    author_external_id: r.author_external_id,
    author_name: r.author_name,
    author_keys: r.author_keys.split(/\s+/).filter(Boolean),
    text,
    words: text.replace(/[-_./:@=]+/g, " "),
    // Phrase pairs serve PostgreSQL's phrase search only; Meilisearch matches phrases itself.
    ops_tokens: opsTokens.filter((t) => t !== "has:link" && !isPairToken(t)),
    deleted: r.deleted,
    pinned: r.pinned,
    edited: r.edited,
    is_bot: r.is_bot,
    is_thread: r.thread_ts !== null,
    has_link: opsTokens.includes("has:link"),
    has_reaction: r.has_reaction,
    has_file: r.has_file,
    commands: r.commands,
    statuses: r.statuses,
    bots: r.bots,
  };
}

/** Create the index and apply its settings (idempotent). */
export async function ensureMeiliIndex(): Promise<Index<TDoc>> {
  const c = client();
  await c.createIndex(MEILI_INDEX, { primaryKey: "id" }).waitTask().catch(() => undefined);
  const index = c.index<TDoc>(MEILI_INDEX);
  await index
    .updateSettings({
      searchableAttributes: ["ops_tokens", "text", "words", "author_name", "channel_name"],
      filterableAttributes: [
        "channel_id", "channel_external_id", "channel_name", "channel_kind", "ts", "posted_at", "author_keys", "deleted", "pinned", "edited",
        "is_bot", "is_thread", "has_link", "has_reaction", "has_file", "commands", "statuses", "bots", "month", "author_name",
      ],
      sortableAttributes: ["posted_at", "id"],
      rankingRules: ["words", "typo", "proximity", "attribute", "exactness", "posted_at:desc"],
      // Operations tokens stay whole: api-gw-03, ERR_CONNECTION_RESET, java.lang.X, exit=1.
      nonSeparatorTokens: ["-", "_", ".", "@", "="],
      typoTolerance: { enabled: true, minWordSizeForTypos: { oneTypo: 5, twoTypos: 9 }, disableOnAttributes: ["ops_tokens"] },
      pagination: { maxTotalHits: 10_000 },
      faceting: { maxValuesPerFacet: 50 },
    })
    .waitTask();
  return index;
}

const quote = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

function filterOf(f: TSearchFilter, canSeeDeleted: boolean, nearRange: Map<string, { channelId: number; at: number }>): string {
  switch (f.op) {
    case "in":
      return `(channel_name = ${quote(f.channel.toLowerCase())} OR channel_external_id = ${quote(f.channel)})`;
    case "from":
      return `author_keys = ${quote(f.person.toLowerCase())}`;
    case "date": {
      const parts: string[] = [];
      if (f.from) parts.push(`posted_at >= ${Date.parse(f.from) / 1000}`);
      if (f.to) parts.push(`posted_at < ${Date.parse(f.to) / 1000}`);
      return parts.length ? `(${parts.join(" AND ")})` : "id >= 0";
    }
    case "has":
      return { link: "has_link = true", reaction: "has_reaction = true", file: "has_file = true", pin: "pinned = true" }[f.what];
    case "is":
      if (f.what === "deleted" && !canSeeDeleted) throw new AppError("bad_input", "is:deleted is only available to auditors and admins", { field: "q" });
      return { thread: "is_thread = true", bot: "is_bot = true", edited: "edited = true", deleted: "deleted = true" }[f.what];
    case "id":
      return `(channel_external_id = ${quote(f.ref.channel)} AND ts = ${quote(f.ref.ts)})`;
    case "near": {
      const r = nearRange.get(`${f.ref.channel}/${f.ref.ts}`);
      if (!r) return "id < 0";
      return `(channel_id = ${r.channelId} AND posted_at ${r.at - 7200} TO ${r.at + 7200})`;
    }
    case "command":
      return `commands STARTS WITH ${quote(f.value)}`;
    case "status":
      return `statuses = ${quote(f.value)}`;
    case "bot":
      return `bots = ${quote(f.value)}`;
  }
}

/** The filter for the operators in the tree (text nodes count as "true" here). */
function compileFilter(node: TSearchNode, canSeeDeleted: boolean, near: Map<string, { channelId: number; at: number }>): string | null {
  switch (node.kind) {
    case "word":
    case "phrase":
      return null;
    case "filter":
      return filterOf(node.filter, canSeeDeleted, near);
    case "not": {
      const c = compileFilter(node.child, canSeeDeleted, near);
      return c ? `NOT (${c})` : null;
    }
    case "and":
    case "or": {
      const parts = node.children.map((c) => compileFilter(c, canSeeDeleted, near));
      if (node.kind === "or" && parts.some((p) => p === null)) return null;
      const kept = parts.filter((p): p is string => p !== null);
      return kept.length ? `(${kept.join(node.kind === "and" ? " AND " : " OR ")})` : null;
    }
  }
}

function negativeTerms(node: TSearchNode, negated = false): string[] {
  switch (node.kind) {
    case "word":
      return negated ? [`-${isOpsToken(node.value) ? normalizeOpsToken(node.value) : node.value}`] : [];
    case "phrase":
      return negated ? [`-"${node.value.replace(/"/g, "")}"`] : [];
    case "not":
      return negativeTerms(node.child, !negated);
    case "and":
    case "or":
      return node.children.flatMap((c) => negativeTerms(c, negated));
    default:
      return [];
  }
}

const hasTextOr = (n: TSearchNode): boolean =>
  n.kind === "or" ? n.children.filter((c) => c.kind === "word" || c.kind === "phrase").length > 0 : n.kind === "and" || n.kind === "not" ? (n.kind === "and" ? n.children.some(hasTextOr) : hasTextOr(n.child)) : false;

/** Where the referenced messages of near: are, if the viewer may read them. */
async function resolveNear(db: TDb, node: TSearchNode, readable: number[]): Promise<Map<string, { channelId: number; at: number }>> {
  const refs: Array<{ channel: string; ts: string }> = [];
  const walk = (n: TSearchNode) => {
    if (n.kind === "filter" && n.filter.op === "near") refs.push(n.filter.ref);
    if (n.kind === "not") walk(n.child);
    if (n.kind === "and" || n.kind === "or") n.children.forEach(walk);
  };
  walk(node);
  const out = new Map<string, { channelId: number; at: number }>();
  for (const ref of refs) {
    const r = await db.query<{ channel_id: number; at: number }>(
      `SELECT m.channel_id, extract(epoch FROM m.posted_at)::float8 AS at FROM message m JOIN channel c ON c.id = m.channel_id
       WHERE c.external_id = $1 AND m.ts = $2 AND m.channel_id = ANY($3::int[])`,
      [ref.channel, ref.ts, readable],
    );
    if (r.rows[0]) out.set(`${ref.channel}/${ref.ts}`, { channelId: r.rows[0].channel_id, at: r.rows[0].at });
  }
  return out;
}

/** The Meilisearch backend. */
export function createMeiliSearchBackend(): TSearchBackend {
  return {
    name: "meilisearch",
    async search(db: TDb, req: TSearchRequest): Promise<TSearchResult> {
      const root = req.query.root;
      const readable = await findReadableChannelIds(db, req.viewer);
      const canSeeDeleted = canSeeDeletedContent(req.viewer.role);
      const near = root ? await resolveNear(db, root, readable) : new Map();
      const filters = [`channel_id IN [${readable.join(",") || "-1"}]`];
      const f = root ? compileFilter(root, canSeeDeleted, near) : null;
      if (f) filters.push(f);
      if (!f?.includes("deleted = true")) filters.push("deleted = false");
      const positive = collectPositiveTerms(root).map((t) =>
        t.kind === "phrase" ? `"${t.value.replace(/"/g, "")}"` : isOpsToken(t.value) ? normalizeOpsToken(t.value) : t.value,
      );
      const q = [...positive, ...(root ? negativeTerms(root) : [])].join(" ");
      let offset = 0;
      if (req.cursor) {
        const n = Number(Buffer.from(req.cursor, "base64url").toString("utf8"));
        if (!Number.isInteger(n) || n < 0) throw new AppError("bad_input", "Invalid cursor", { field: "cursor" });
        offset = n;
      }
      const sort = req.sort === "newest" ? ["posted_at:desc", "id:desc"] : req.sort === "oldest" ? ["posted_at:asc", "id:asc"] : positive.length ? undefined : ["posted_at:desc"];
      const res = await client()
        .index<TDoc>(MEILI_INDEX)
        .search(q, {
          filter: filters.join(" AND "),
          offset,
          limit: req.limit + 1,
          sort,
          matchingStrategy: root && hasTextOr(root) ? "last" : "all",
          facets: req.facets ? ["channel_name", "author_name", "month"] : undefined,
        });
      const docs = res.hits.slice(0, req.limit);
      const hits: TSearchHit[] = docs.map((d) => ({
        id: d.id,
        channelId: d.channel_id,
        channelExternalId: d.channel_external_id,
        channelName: d.channel_name,
        channelKind: d.channel_kind as TSearchHit["channelKind"],
        ts: d.ts,
        threadTs: d.thread_ts,
        postedAt: new Date(d.posted_at * 1000).toISOString(),
        authorExternalId: d.author_external_id,
        authorName: d.author_name ?? "unknown",
        text: d.text,
        isDeleted: d.deleted,
        isBot: d.is_bot,
        highlight: [],
      }));
      const total = res.estimatedTotalHits ?? hits.length;
      const bucket = (name: string) =>
        Object.entries(res.facetDistribution?.[name] ?? {})
          .sort((a, b) => b[1] - a[1])
          .slice(0, name === "month" ? 24 : 10)
          .map(([key, count]) => ({ key, label: key, count }));
      return {
        total,
        isTotalExact: total < 10_000,
        hits,
        nextCursor: res.hits.length > req.limit ? Buffer.from(String(offset + req.limit)).toString("base64url") : null,
        facets: req.facets ? { channels: bucket("channel_name"), people: bucket("author_name"), months: bucket("month"), isSampled: false } : null,
      };
    },
  };
}

/** Push outbox changes since the Meilisearch consumer's cursor. */
export async function syncMeiliFromOutbox(db: TDb): Promise<number> {
  const index = client().index<TDoc>(MEILI_INDEX);
  let n = 0;
  for (;;) {
    const entries = await selectOutboxAfter(db, MEILI_CONSUMER, 200);
    if (entries.length === 0) return n;
    const deleted = entries.filter((e) => e.op === "delete").flatMap((e) => e.messageIds);
    const changed = [...new Set(entries.filter((e) => e.op === "upsert").flatMap((e) => e.messageIds))];
    for (let i = 0; i < changed.length; i += 5000) {
      const rows = await selectMessagesForIndex(db, 0, 5000, changed.slice(i, i + 5000));
      if (rows.length) await index.addDocuments(rows.map(toDoc)).waitTask();
      n += rows.length;
    }
    if (deleted.length) await index.deleteDocuments(deleted).waitTask();
    await advanceOutboxCursor(db, MEILI_CONSUMER, entries.at(-1)!.id);
  }
}

/** Rebuild the Meilisearch index from PostgreSQL, reporting progress. */
export async function rebuildMeiliIndex(db: TDb, onProgress?: (done: number, total: number | null) => void): Promise<number> {
  const start = await selectLatestOutboxId(db);
  const c = client();
  await c.deleteIndex(MEILI_INDEX).waitTask().catch(() => undefined);
  const index = await ensureMeiliIndex();
  const total = Number((await db.query<{ n: number }>("SELECT count(*)::int AS n FROM message")).rows[0]!.n);
  let after = 0;
  let done = 0;
  for (;;) {
    const rows = await selectMessagesForIndex(db, after, 5000);
    if (rows.length === 0) break;
    await index.addDocuments(rows.map(toDoc)).waitTask({ timeout: 600_000 });
    done += rows.length;
    after = rows.at(-1)!.id;
    onProgress?.(done, total);
  }
  await advanceOutboxCursor(db, MEILI_CONSUMER, start);
  return done;
}
