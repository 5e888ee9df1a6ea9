import type { TCommand } from "./commands";
import { AppError } from "../../lib/errors";
import { getPool } from "../../lib/db";
import { prepareDatabase } from "../../lib/database/prepare";
import { findCliViewer } from "../../lib/auth/users";
import { formatHighlightPlain } from "../../lib/search/highlight";
import { chooseSearchBackend, drainSearchOutbox, rebuildSearchIndex, searchMessages } from "../../lib/search/service";
import { createProgressBar } from "./progress";

const out = (s: string) => process.stdout.write(s + "\n");

/** CLI commands for search and reindex. */
export const SEARCH_COMMANDS: TCommand[] = [
  {
    name: "search",
    usage: 'search "<query>" [--as <email>] [--json] [--limit N] [--sort relevance|newest|oldest]',
    summary: "Search the archive with the query language of the search page.",
    details:
      'Operators: "phrase", -word, a OR b, (…), in:#channel, from:@person, before:/after:/on:/during: YYYY[-MM[-DD]]|today|yesterday, ' +
      "has:link|reaction|file|pin, is:thread|bot|edited|deleted, near:<channel id>/<ts>, id:<channel id>/<ts>, command:, status:, bot:. " +
      "Without --as the search runs as a local administrator.",
    options: {
      as: { type: "string", help: "search as this account (its access rules apply)" },
      json: { type: "boolean", help: 'print {"total", "results": [{id, channel, user, ts, text, highlight}]}' },
      limit: { type: "string", help: "results to print (1–100, default 20)" },
      sort: { type: "string", help: "relevance (default), newest or oldest" },
    },
    positionals: { min: 1, max: 1 },
    async run({ args, opts }) {
      const limit = opts.limit === undefined ? 20 : Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new AppError("usage", "--limit must be an integer from 1 to 100", { field: "limit" });
      const sort = String(opts.sort ?? "relevance");
      if (!["relevance", "newest", "oldest"].includes(sort)) throw new AppError("usage", "--sort must be relevance, newest or oldest", { field: "sort" });
      await prepareDatabase();
      const { viewer } = await findCliViewer(getPool(), opts.as as string | undefined);
      const r = await searchMessages(getPool(), viewer, { q: args[0]!, limit, sort: sort as "relevance", facets: false });
      if (opts.json) {
        out(
          JSON.stringify({
            total: r.total,
            results: r.hits.map((h) => ({
              id: `${h.channelExternalId}/${h.ts}`,
              channel: h.channelName,
              user: h.authorName,
              ts: h.ts,
              text: h.text,
              highlight: formatHighlightPlain(h.highlight),
            })),
          }),
        );
        return;
      }
      out(`${r.total}${r.isTotalExact ? "" : "+"} results`);
      for (const h of r.hits) {
        out(`#${h.channelName}  ${h.postedAt.replace("T", " ").slice(0, 19)} UTC  ${h.authorName}  (id:${h.channelExternalId}/${h.ts})`);
        out(`  ${formatHighlightPlain(h.highlight)}`);
      }
    },
  },
  {
    name: "reindex",
    usage: "reindex [--json]",
    summary: "Rebuild the search structures from PostgreSQL (operations tokens, vocabulary; the Meilisearch index when MEILI_HOST is set).",
    options: { json: { type: "boolean", help: "print JSON" } },
    async run({ opts }) {
      await prepareDatabase();
      const backend = await chooseSearchBackend();
      const bar = createProgressBar("reindexing");
      const client = await getPool().connect();
      const started = Date.now();
      try {
        const r = await rebuildSearchIndex(client, (done, total) => bar.update(done, total, "messages"));
        bar.done();
        await drainSearchOutbox(client);
        const seconds = (Date.now() - started) / 1000;
        if (opts.json) out(JSON.stringify({ backend: backend.name, ...r, seconds }));
        else {
          out(
            `Rebuilt ${backend.name} search: ${r.tokensUpdated} messages' operations tokens refreshed, ${r.words} vocabulary words${r.documents === null ? "" : `, ${r.documents} documents`} in ${seconds.toFixed(1)} s.`,
          );
        }
      } finally {
        client.release();
      }
    },
  },
];
