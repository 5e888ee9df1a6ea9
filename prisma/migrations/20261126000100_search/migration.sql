-- Search: full-text column, operations tokens, vocabulary for typo tolerance,
-- and an outbox that feeds external search engines (Meilisearch).

-- The operations tokens of each message (api-gw-03, OPS-4521, 10.0.0.1,
-- ERR_CONNECTION_RESET, v2.31.0, exit=1, …; see lib/search/ops-tokens.ts),
-- space-separated, as the loader extracts them: the default text-search
-- parser breaks such tokens apart, and extracting them in SQL would cost the
-- database more per row than storing the row.
ALTER TABLE "message" ADD COLUMN "search_tokens" TEXT;

-- Stemmed English (weight A: ranks first) plus unstemmed words plus the
-- operations tokens, in one indexed column PostgreSQL keeps current.
ALTER TABLE "message" ADD COLUMN "search_tsv" tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('english', left("search_text", 100000)), 'A')
  || to_tsvector('simple', left("search_text", 100000))
  || array_to_tsvector(string_to_array(coalesce("search_tokens", ''), ' '))
) STORED;
CREATE INDEX "message_search_tsv_idx" ON "message" USING gin ("search_tsv");
CREATE INDEX "message_posted_at_id_idx" ON "message" ("posted_at", "id");

-- Words seen in messages, for typo tolerance (pg_trgm similarity on longer
-- words). Filled from the outbox and rebuilt by `backscroll reindex`.
CREATE TABLE "search_word" (
  "word" TEXT PRIMARY KEY,
  "ndoc" INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX "search_word_word_trgm_idx" ON "search_word" USING gin ("word" gin_trgm_ops);

-- Messages changed since the search side last looked: one row per statement
-- (a JSON array of message ids), written by statement-level triggers in the same
-- transaction as the archive change, so no change is ever missed and a bulk
-- import pays one small row per batch.
CREATE TABLE "search_outbox" (
  "id" BIGSERIAL PRIMARY KEY,
  "op" TEXT NOT NULL,
  "message_ids" JSONB NOT NULL,
  "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- Where each consumer of the outbox (vocabulary, meilisearch) has got to.
CREATE TABLE "search_cursor" (
  "consumer" TEXT PRIMARY KEY,
  "outbox_id" BIGINT NOT NULL DEFAULT 0,
  "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE FUNCTION "search_outbox_capture"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO search_outbox (op, message_ids) SELECT 'delete', jsonb_agg(id) FROM old_rows HAVING count(*) > 0;
  ELSE
    INSERT INTO search_outbox (op, message_ids) SELECT 'upsert', jsonb_agg(id) FROM new_rows HAVING count(*) > 0;
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER "message_search_outbox_insert" AFTER INSERT ON "message"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "search_outbox_capture"();
CREATE TRIGGER "message_search_outbox_update" AFTER UPDATE ON "message"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "search_outbox_capture"();
CREATE TRIGGER "message_search_outbox_delete" AFTER DELETE ON "message"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "search_outbox_capture"();
