-- Redaction of messages by admins: an overlay over the archive. The message
-- row is never altered (its digest chain stays verifiable); readers show
-- "[redacted: <reason>]" while a redaction is active. Reverting keeps the row
-- and records who reverted it, when and why, so the history stays complete.

CREATE TABLE "message_redaction" (
  "id" BIGSERIAL PRIMARY KEY,
  "message_id" BIGINT NOT NULL REFERENCES "message" ("id") ON DELETE CASCADE,
  "reason" TEXT NOT NULL,
  "redacted_by" INTEGER REFERENCES "app_user" ("id") ON DELETE SET NULL,
  "redacted_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "reverted_by" INTEGER REFERENCES "app_user" ("id") ON DELETE SET NULL,
  "reverted_at" TIMESTAMPTZ(6),
  "revert_reason" TEXT
);
CREATE INDEX "message_redaction_message_id_idx" ON "message_redaction" ("message_id");
-- At most one active redaction per message.
CREATE UNIQUE INDEX "message_redaction_active_key" ON "message_redaction" ("message_id") WHERE "reverted_at" IS NULL;
