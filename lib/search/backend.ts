import type { TDb } from "../db";
import type { TViewer } from "../access/types";
import type { TSearchQuery } from "./query/ast";
import type { THighlightSegment } from "./highlight";

/**
 * The search backend interface. A backend compiles the parsed query
 * (lib/search/query) for its engine and enforces the viewer's readable scope
 * (from lib/access) *inside* the engine's query, so totals and facets count
 * only what the viewer may read. test/contract/search-backend.test.ts runs
 * one suite against every backend.
 */

export type TSearchSort = "relevance" | "newest" | "oldest";

export type TSearchRequest = {
  query: TSearchQuery;
  viewer: TViewer;
  sort: TSearchSort;
  /** Page size (1–100). */
  limit: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor: string | null;
  /** Compute facets (channel, person, month). */
  facets: boolean;
};

export type TSearchHit = {
  /** message.id */
  id: number;
  channelId: number;
  channelExternalId: string;
  channelName: string;
  channelKind: "public" | "private" | "dm" | "mpdm";
  ts: string;
  threadTs: string | null;
  /** ISO-8601 UTC */
  postedAt: string;
  authorExternalId: string | null;
  authorName: string;
  text: string;
  isDeleted: boolean;
  isBot: boolean;
  /** Filled by the service for the returned page only. */
  highlight: THighlightSegment[];
};

export type TFacetBucket = { key: string; label: string; count: number };

export type TSearchFacets = {
  channels: TFacetBucket[];
  people: TFacetBucket[];
  months: TFacetBucket[];
  /** True when facets were counted over the first FACET_SAMPLE matches only. */
  isSampled: boolean;
};

export type TSearchResult = {
  /** Matches the viewer may read (capped at TOTAL_CAP; see isTotalExact). */
  total: number;
  isTotalExact: boolean;
  hits: TSearchHit[];
  nextCursor: string | null;
  facets: TSearchFacets | null;
};

/**
 * Counting stops here: "1,000+" is as useful as an exact figure and bounded in
 * cost (counting 10,000 matches of `has:reaction` took 122 ms of a 150 ms
 * search on 1,000,000 messages; a text search reads every match it counts).
 * The same bound as a text search's first page (RELEVANCE_PROBE), so every
 * page and sort reports the same total.
 */
export const TOTAL_CAP = 1_000;
/**
 * Facets of a common search are counted over the first this-many matches
 * the database finds (the page says so): reading 10,000 matches of a common
 * word cost ~200 ms on 1,000,000 messages, 2,000 about 60 ms.
 */
export const FACET_SAMPLE = 2_000;

export interface TSearchBackend {
  readonly name: string;
  /** Run a query for a viewer. Throws AppError bad_input for queries it cannot run. */
  search(db: TDb, req: TSearchRequest): Promise<TSearchResult>;
}
