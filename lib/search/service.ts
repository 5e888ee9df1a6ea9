import { z } from "zod";
import { recordAuditEvent } from "../access/service";
import { hasFullReadAccess } from "../access/policy";
import type { TViewer } from "../access/types";
import type { TDb } from "../db";
import { getEnv } from "../env";
import { AppError } from "../errors";
import type { TSearchBackend, TSearchResult, TSearchSort } from "./backend";
import { buildHighlight } from "./highlight";
import { parseSlackText, toPlainText } from "../archive/render-text";
import { findActiveRedactions, overlayMessageText } from "../compliance/message-overlay";
import { collectPositiveTerms } from "./query/ast";
import { parseSearchQuery } from "./query/parse";
import { postgresSearchBackend } from "./backends/postgres";
import { extractOpsTokens } from "./ops-tokens";
import { isPairToken, PAIRS_UNKNOWN, phrasePairs } from "./phrase-pairs";
import {
  advanceOutboxCursor,
  flushTextIndexPending,
  insertVocabularyFor,
  pruneOutbox,
  rebuildVocabulary,
  selectChannelSuggestions,
  selectLatestOutboxId,
  selectNonPublicChannels,
  selectOutboxAfter,
  selectPersonSuggestions,
  type TSuggestion,
  countMessages,
  selectSearchTextPage,
  updateSearchTokens,
  vacuumMessages,
} from "./repository";
import type pg from "pg";
import { enqueueJob } from "../jobs/enqueue";
import { indexSearchOutboxJob } from "../jobs/definitions/search.index-outbox";

/**
 * Search for every surface (page, API, CLI): validate, parse once, run on the
 * configured backend, add highlights to the returned page, audit privileged
 * searches.
 */

export const ZSearchInput = z.object({
  q: z.string().max(1000),
  sort: z.enum(["relevance", "newest", "oldest"]).default("relevance"),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(2000).nullish(),
  facets: z.boolean().default(true),
  /** Treat the last word as a prefix (search as you type). */
  prefixLast: z.boolean().default(false),
});
export type TSearchInput = z.input<typeof ZSearchInput>;

let meili: TSearchBackend | undefined;

/** The backend chosen by the environment: Meilisearch when MEILI_HOST is set, else PostgreSQL. */
export async function chooseSearchBackend(): Promise<TSearchBackend> {
  if (!getEnv().MEILI_HOST) return postgresSearchBackend;
  if (!meili) {
    const { createMeiliSearchBackend } = await import("./backends/meilisearch");
    meili = createMeiliSearchBackend();
  }
  return meili;
}

/** Run one search for `viewer`. Bad queries throw AppError bad_input (with the column). */
export async function searchMessages(
  db: TDb,
  viewer: TViewer,
  input: TSearchInput,
  opts: { backend?: TSearchBackend; now?: Date; ip?: string | null } = {},
): Promise<TSearchResult & { sort: TSearchSort }> {
  const parsed = ZSearchInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError("bad_input", `Invalid search: ${issue.message}`, { field: issue.path.join(".") });
  }
  const args = parsed.data;
  const query = parseSearchQuery(args.q, { now: opts.now, prefixLast: args.prefixLast });
  if (!query.root) throw new AppError("bad_input", "Type something to search for", { field: "q" });
  const backend = opts.backend ?? (await chooseSearchBackend());
  const result = await backend.search(db, {
    query,
    viewer,
    sort: args.sort,
    limit: args.limit,
    cursor: args.cursor ?? null,
    facets: args.facets,
  });
  const terms = collectPositiveTerms(query.root);
  // Secrets are masked and redactions applied before highlighting, so a highlight never reveals either.
  const redactions = await findActiveRedactions(db, result.hits.map((h) => h.id));
  for (const hit of result.hits) hit.text = overlayMessageText(hit.text, redactions.get(Number(hit.id)));
  // Highlight what a reader sees (Slack markup rendered as plain text), never raw HTML.
  for (const hit of result.hits) hit.highlight = buildHighlight(toPlainText(parseSlackText(hit.text)), terms);
  if (hasFullReadAccess(viewer.role)) {
    const privateIds = await selectNonPublicChannels(db, [...new Set(result.hits.map((h) => h.channelId))]);
    if (privateIds.length) {
      await recordAuditEvent(db, {
        actorId: viewer.userId,
        action: "search.private",
        target: `search:${args.q.slice(0, 200)}`,
        details: { role: viewer.role, q: args.q, channels: privateIds, backend: backend.name },
        ip: opts.ip,
      });
    }
  }
  return { ...result, sort: args.sort };
}

/**
 * Autocomplete for the search box: channels for `in:#…`, people for
 * `from:@…`, both limited to what the viewer may read.
 */
export async function suggestSearchTerms(db: TDb, viewer: TViewer, input: { kind: "channel" | "person"; prefix: string }): Promise<TSuggestion[]> {
  const prefix = input.prefix.replace(/^[#@]/, "").slice(0, 80);
  return input.kind === "channel" ? selectChannelSuggestions(db, viewer, prefix) : selectPersonSuggestions(db, viewer, prefix);
}

const VOCABULARY = "vocabulary";
let lastDrainRequest = 0;

/**
 * Ask a worker to feed recent archive changes into the derived search
 * structures (vocabulary, Meilisearch). Called by writers after they commit;
 * at most once a minute per process (one job per minute key).
 */
export async function requestSearchIndexing(db: TDb): Promise<void> {
  const now = Date.now();
  if (now - lastDrainRequest < 60_000) return;
  lastDrainRequest = now;
  await enqueueJob(db, indexSearchOutboxJob, {}, { key: `search.index-outbox:${Math.floor(now / 60_000)}` }).catch(() => undefined);
}

/**
 * Feed the outbox into the PostgreSQL vocabulary (typo tolerance) and, when
 * configured, Meilisearch. Returns how many outbox entries were consumed.
 */
export async function drainSearchOutbox(db: TDb, opts: { maxEntries?: number } = {}): Promise<number> {
  const entries = await selectOutboxAfter(db, VOCABULARY, opts.maxEntries ?? 1000);
  if (entries.length === 0) return 0;
  const ids = entries.filter((e) => e.op === "upsert").flatMap((e) => e.messageIds);
  for (let i = 0; i < ids.length; i += 5000) await insertVocabularyFor(db, ids.slice(i, i + 5000));
  await advanceOutboxCursor(db, VOCABULARY, entries.at(-1)!.id);
  const consumers = [VOCABULARY];
  if (getEnv().MEILI_HOST) {
    const { syncMeiliFromOutbox, MEILI_CONSUMER } = await import("./backends/meilisearch");
    await syncMeiliFromOutbox(db);
    consumers.push(MEILI_CONSUMER);
  }
  await pruneOutbox(db, consumers);
  await flushTextIndexPending(db);
  return entries.length;
}

/**
 * Rebuild every derived search structure from PostgreSQL: the vocabulary,
 * and the Meilisearch index when configured. `onProgress` gets done/total.
 */
export async function rebuildSearchIndex(
  client: pg.PoolClient,
  onProgress?: (done: number, total: number | null) => void,
): Promise<{ words: number; documents: number | null; tokensUpdated: number }> {
  const tokensUpdated = await refreshSearchTokens(client, onProgress);
  if (tokensUpdated > 0) await vacuumMessages(client);
  const start = await selectLatestOutboxId(client);
  const words = await rebuildVocabulary(client);
  await advanceOutboxCursor(client, VOCABULARY, start);
  let documents: number | null = null;
  if (getEnv().MEILI_HOST) {
    const { rebuildMeiliIndex } = await import("./backends/meilisearch");
    documents = await rebuildMeiliIndex(client, onProgress);
  } else onProgress?.(1, 1);
  return { words, documents, tokensUpdated };
}

/**
 * A message's search tokens as they should be stored now, or null when the
 * stored ones need no refresh: its operations tokens are the extractor's,
 * and its phrase pairs are there. Stored pairs are kept: the loader's are a
 * superset of PostgreSQL's adjacent words, and the phrase_pairs migration's
 * are exactly those (refreshing them would rewrite every row of an archive
 * stored before pairs, for nothing). A message stored as "pairs not known"
 * gets its pairs when the loader now knows them.
 */
function refreshedTokens(text: string, stored: string | null): string | null {
  const ops = extractOpsTokens(text);
  const parts = stored === null ? null : stored ? stored.split(" ") : [];
  const opsCurrent = parts !== null && parts.filter((t) => !isPairToken(t)).join(" ") === ops.join(" ");
  const storedPairs = parts?.filter(isPairToken) ?? [];
  if (opsCurrent && storedPairs.length > 0 && !storedPairs.includes(PAIRS_UNKNOWN)) return null;
  // As searchTokens(text) writes them, from the operations tokens found above.
  const tokens = [...ops, ...phrasePairs(text)].join(" ");
  return tokens === stored ? null : tokens;
}

/**
 * Recompute every message's operations tokens (hostnames, addresses, paths,
 * versions…) from its stored search text with the current extractor, in
 * pages, writing only rows whose tokens changed — so an archive imported
 * before an extractor improvement finds what a fresh import would. The
 * archived content itself (and with it the content digest chain) is untouched.
 */
export async function refreshSearchTokens(db: TDb, onProgress?: (done: number, total: number | null) => void): Promise<number> {
  const total = await countMessages(db);
  let after = 0;
  let done = 0;
  let updated = 0;
  for (;;) {
    const page = await selectSearchTextPage(db, after, 5000);
    if (page.length === 0) break;
    updated += await updateSearchTokens(
      db,
      page.flatMap((r) => {
        const tokens = refreshedTokens(r.search_text, r.search_tokens);
        return tokens === null ? [] : [{ id: r.id, tokens }];
      }),
    );
    after = page[page.length - 1]!.id;
    done += page.length;
    onProgress?.(done, total);
  }
  return updated;
}
