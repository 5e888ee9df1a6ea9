-- Chatbot executions: where the channel came from, masking and size facts,
-- and per-bot API tokens (only their SHA-256 is stored).

-- The channel as the source named it: an execution can arrive (API, JSON
-- lines) before its channel is archived; the trigger below links it later.
ALTER TABLE "execution" ADD COLUMN "channel_external" TEXT;
-- How many secrets were masked in arguments and output before storage (only
-- the masked copy is stored).
ALTER TABLE "execution" ADD COLUMN "secrets_masked" INTEGER NOT NULL DEFAULT 0;
-- Size in bytes of the output as the bot sent it, before bounding.
ALTER TABLE "execution" ADD COLUMN "output_bytes" INTEGER;

UPDATE "execution" e SET "channel_external" = c."external_id" FROM "channel" c WHERE c."id" = e."channel_id";

-- The triggering message is (channel, message_ts): found by this index.
CREATE INDEX "execution_channel_id_message_ts_idx" ON "execution" ("channel_id", "message_ts");
CREATE INDEX "execution_workspace_id_command_idx" ON "execution" ("workspace_id", "command");

CREATE FUNCTION "execution_link_new_channel"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "execution" SET "channel_id" = NEW."id"
  WHERE "workspace_id" = NEW."workspace_id" AND "channel_id" IS NULL AND "channel_external" = NEW."external_id";
  RETURN NULL;
END;
$$;

CREATE TRIGGER "channel_link_executions" AFTER INSERT ON "channel"
  FOR EACH ROW EXECUTE FUNCTION "execution_link_new_channel"();

CREATE TABLE "bot_token" (
  "id" SERIAL PRIMARY KEY,
  "bot" TEXT NOT NULL,
  "token_hash" TEXT NOT NULL,
  -- The first characters of the token, to recognise it in listings.
  "token_prefix" TEXT NOT NULL,
  "workspace_id" INTEGER REFERENCES "workspace" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
  "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "last_used_at" TIMESTAMPTZ(6),
  "revoked_at" TIMESTAMPTZ(6)
);
CREATE UNIQUE INDEX "bot_token_token_hash_key" ON "bot_token" ("token_hash");
CREATE INDEX "bot_token_bot_idx" ON "bot_token" ("bot");
