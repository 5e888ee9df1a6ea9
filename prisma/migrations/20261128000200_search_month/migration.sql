-- Text search by date and channel inside the text index. A common term's
-- newest matches are read month by month (lib/search/backends/postgres.ts,
-- monthWalk): GIN intersects the term's entries with one month's, so the rows
-- read are that month's matches only, where reading in posted_at order reads
-- every message between them. `in:#channel` intersects with the channel's
-- entries the same way. The month is a fixed slice of time (1/12 of a year of
-- seconds since the epoch), the same in every time zone.
CREATE EXTENSION IF NOT EXISTS btree_gin;

CREATE FUNCTION "search_month"(t TIMESTAMPTZ) RETURNS INTEGER
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT floor(extract(epoch FROM t) / 2629746)::int $$;

-- Replaces the words-only index: a query on the words alone uses this one as it did that.
DROP INDEX IF EXISTS "message_search_tsv_idx";
CREATE INDEX "message_search_idx" ON "message" USING gin ("search_tsv", "search_month"("posted_at"), "channel_id");
