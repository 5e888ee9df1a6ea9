-- Phrase pairs: message.search_tokens also holds "first^second" for every
-- two words that stand next to each other, so a phrase search finds its
-- messages through the text index by their pairs (lib/search/phrase-pairs.ts;
-- the loader and `backscroll reindex` compute them). A message without
-- search_tokens is indexed as "^?" (pairs not known: every phrase search
-- checks it), so a row written some other way is never missed.
--
-- Messages stored before get their pairs here, from PostgreSQL's own parse of
-- their text: the pairs of adjacent ASCII words of to_tsvector('simple'), or
-- "^?" under the loader's size conditions. The rows are rewritten with the
-- indexed column dropped, the column is added back (computed once per row)
-- and the text index built after; the search outbox is not told (no
-- searchable text changed, and Meilisearch does not index pairs).
CREATE FUNCTION "search_phrase_pairs_backfill"(t TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
  WITH w AS (
    SELECT u.lexeme AS l, p FROM unnest(to_tsvector('simple', t)) u, unnest(u.positions) p
    WHERE u.lexeme ~ '^[a-z0-9]+$'
  )
  SELECT CASE WHEN length(t) > 8000 OR t ~ '\S{250}\S{250}' THEN '^?'
    ELSE (SELECT string_agg(DISTINCT a.l || '^' || b.l, ' ') FROM w a JOIN w b ON b.p = a.p + 1) END
$$;

ALTER TABLE "message" DISABLE TRIGGER "message_search_outbox_update";
DROP INDEX IF EXISTS "message_search_idx";
ALTER TABLE "message" DROP COLUMN "search_tsv";
UPDATE "message" SET "search_tokens" = concat_ws(' ', nullif("search_tokens", ''), "search_phrase_pairs_backfill"("search_text"));
ALTER TABLE "message" ADD COLUMN "search_tsv" tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('english', left("search_text", 100000)), 'A')
  || to_tsvector('simple', left("search_text", 100000))
  || array_to_tsvector(string_to_array(coalesce("search_tokens", '^?'), ' '))
) STORED;
CREATE INDEX "message_search_idx" ON "message" USING gin ("search_tsv", "search_month"("posted_at"), "channel_id");
ALTER TABLE "message" ENABLE TRIGGER "message_search_outbox_update";
DROP FUNCTION "search_phrase_pairs_backfill"(TEXT);
