-- Live sources: a stored Slack Web API connection (token encrypted at rest)
-- for the scheduled sync, and the receipts of Slack Events API deliveries
-- (one row per event_id, so Slack's retries are processed once).

CREATE TABLE "slack_connection" (
  "id" SERIAL PRIMARY KEY,
  "team_id" TEXT NOT NULL,
  "team_name" TEXT,
  "api_url" TEXT,
  "token_ciphertext" TEXT NOT NULL,
  "token_hint" TEXT NOT NULL,
  "options" JSONB NOT NULL DEFAULT '{}',
  "enabled" BOOLEAN NOT NULL DEFAULT true,
  "last_sync_at" TIMESTAMPTZ(6),
  "last_error" TEXT,
  "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX "slack_connection_team_id_key" ON "slack_connection" ("team_id");

CREATE TABLE "slack_event_receipt" (
  "id" BIGSERIAL PRIMARY KEY,
  "event_id" TEXT NOT NULL,
  "team_id" TEXT,
  "event_type" TEXT NOT NULL,
  "event_time" TIMESTAMPTZ(6),
  "retry_num" INTEGER NOT NULL DEFAULT 0,
  "retries_seen" INTEGER NOT NULL DEFAULT 0,
  "payload" JSONB NOT NULL,
  "received_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "processed_at" TIMESTAMPTZ(6),
  "error" TEXT
);
CREATE UNIQUE INDEX "slack_event_receipt_event_id_key" ON "slack_event_receipt" ("event_id");
CREATE INDEX "slack_event_receipt_received_at_idx" ON "slack_event_receipt" ("received_at");
