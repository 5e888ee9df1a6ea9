import Link from "next/link";
import type { Metadata } from "next";
import { getPool } from "@/lib/db";
import { isAppError } from "@/lib/errors";
import { formatUtcDateTime } from "@/lib/archive/format-time";
import { buildChannelPath } from "@/lib/archive/service";
import { FACET_SAMPLE, type TSearchHit, type TSearchResult } from "@/lib/search/backend";
import { searchMessages } from "@/lib/search/service";
import { requireViewer } from "@/app/_lib/session";
import { SearchBoxClient } from "./search-box-client";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Search" };

type TProps = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const one = (v: string | string[] | undefined) => (typeof v === "string" ? v : undefined);
const SORTS = ["relevance", "newest", "oldest"] as const;

function searchHref(q: string, sort: string, cursor?: string | null): string {
  const p = new URLSearchParams({ q });
  if (sort !== "relevance") p.set("sort", sort);
  if (cursor) p.set("cursor", cursor);
  return `/search?${p.toString()}`;
}

/** The channel page at this message: its day, scrolled to it, with its thread open when it is in one. */
function contextHref(h: TSearchHit): string {
  const p = new URLSearchParams({ day: h.postedAt.slice(0, 10), at: h.ts });
  if (h.threadTs) p.set("thread", h.threadTs);
  return `${buildChannelPath(h.channelId)}?${p.toString()}#m-${h.ts}`;
}

const HELP: Array<[string, string]> = [
  ["deploy failed", "both words (stemmed: deploying, deployed)"],
  ['"HTTP 503"', "the exact phrase"],
  ["rollback -staging", "without a word"],
  ["(restart OR rollback) api", "either word; parentheses group"],
  ["api-gw-03 OPS-4521 10.0.0.1", "host names, tickets, IPs, URLs, error codes, versions, paths, whole"],
  ["in:#ops from:@alice", "a channel, a person"],
  ["after:2024-01 before:2024-03-15 on:today during:2024", "dates (UTC): YYYY, YYYY-MM, YYYY-MM-DD, today, yesterday"],
  ["has:link has:reaction has:file has:pin", "messages with …"],
  ["is:thread is:bot is:edited", "replies in threads, bot messages, edited messages (is:deleted for auditors)"],
  ["near:C024BE91L/1709632800.000100 id:…", "messages around one message, or that message (channel id/ts or a Slack permalink)"],
  ["command:deploy status:failed bot:hubot", "messages of bot command runs"],
];

/** Search: the URL (q, sort, cursor) is the search's permalink. */
export default async function SearchPage({ searchParams }: TProps) {
  const { viewer } = await requireViewer();
  const params = await searchParams;
  const q = one(params.q)?.trim() ?? "";
  const sortParam = one(params.sort);
  const sort = SORTS.find((s) => s === sortParam) ?? "relevance";
  const cursor = one(params.cursor) ?? null;
  let result: TSearchResult | null = null;
  let error: string | null = null;
  if (q) {
    try {
      result = await searchMessages(getPool(), viewer, { q, sort, cursor, limit: 20 });
    } catch (e) {
      if (!isAppError(e) || e.status >= 500) throw e;
      error = e.message;
    }
  }

  return (
    <div className="search-page">
      <h1>Search</h1>
      <SearchBoxClient key={q} defaultValue={q} sort={sort} autoFocus={!q} />
      {error && (
        <p className="error" role="alert" data-testid="search-error">
          {error}
        </p>
      )}
      {result && (
        <div className="search-results-layout">
          <section aria-label="Results" className="search-results">
            <div className="search-toolbar">
              <p data-testid="search-total">
                {result.total.toLocaleString("en-US")}
                {result.isTotalExact ? "" : "+"} {result.total === 1 ? "result" : "results"}
              </p>
              <nav className="search-sort" aria-label="Sort">
                {SORTS.map((s) =>
                  s === sort ? (
                    <strong key={s}>{s}</strong>
                  ) : (
                    <Link key={s} href={searchHref(q, s)}>
                      {s}
                    </Link>
                  ),
                )}
              </nav>
            </div>
            {result.hits.length === 0 ? (
              <p className="empty">Nothing found. Check the spelling, remove a filter, or try fewer words.</p>
            ) : (
              <ol className="search-hits" data-testid="search-hits">
                {result.hits.map((h) => (
                  <li key={h.id} className={`search-hit${h.isDeleted ? " deleted" : ""}`} data-testid="search-hit">
                    <div className="message-meta">
                      <Link href={buildChannelPath(h.channelId)} className="channel-link">
                        {h.channelKind === "public" || h.channelKind === "private" ? `#${h.channelName}` : h.channelName}
                      </Link>
                      <span className="author">{h.authorName}</span>
                      {h.isBot && <span className="badge">bot</span>}
                      {h.isDeleted && <span className="badge danger">deleted</span>}
                      <time dateTime={h.postedAt}>{formatUtcDateTime(h.postedAt)}</time>
                      <Link href={contextHref(h)} className="button subtle" data-testid="open-in-context">
                        Open in context
                      </Link>
                    </div>
                    <p className="search-snippet">
                      {h.highlight.map((s, i) => (s.hit ? <mark key={i}>{s.text}</mark> : <span key={i}>{s.text}</span>))}
                    </p>
                  </li>
                ))}
              </ol>
            )}
            {result.nextCursor && (
              <p>
                <Link href={searchHref(q, sort, result.nextCursor)} className="button" rel="next" data-testid="search-next">
                  More results →
                </Link>
              </p>
            )}
          </section>
          {result.facets && result.total > 0 && (
            <aside className="search-facets" aria-label="Refine" data-testid="search-facets">
              <h2>Channels</h2>
              <ul>
                {result.facets.channels.map((f) => (
                  <li key={f.key}>
                    <Link href={searchHref(`${q} in:#${f.label}`, sort)}>#{f.label}</Link> <span className="muted">{f.count}</span>
                  </li>
                ))}
              </ul>
              <h2>People</h2>
              <ul>
                {result.facets.people.map((f) => (
                  <li key={f.key}>
                    <Link href={searchHref(`${q} from:@${f.key}`, sort)}>{f.label}</Link> <span className="muted">{f.count}</span>
                  </li>
                ))}
              </ul>
              <h2>Months</h2>
              <ul>
                {result.facets.months.map((f) => (
                  <li key={f.key}>
                    <Link href={searchHref(`${q} during:${f.key}`, sort)}>{f.label}</Link> <span className="muted">{f.count}</span>
                  </li>
                ))}
              </ul>
              {result.facets.isSampled && <p className="muted small">Counted over the first {FACET_SAMPLE.toLocaleString("en-US")} matches.</p>}
            </aside>
          )}
        </div>
      )}
      <details className="search-help" open={!q}>
        <summary>Search syntax</summary>
        <table>
          <tbody>
            {HELP.map(([example, meaning]) => (
              <tr key={example}>
                <td>
                  <code>{example}</code>
                </td>
                <td>{meaning}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}
