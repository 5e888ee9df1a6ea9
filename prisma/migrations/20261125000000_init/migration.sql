-- Backscroll archive: initial schema.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE TYPE "channel_kind" AS ENUM ('public', 'private', 'dm', 'mpdm');
CREATE TYPE "user_role" AS ENUM ('admin', 'auditor', 'member');
CREATE TYPE "ingest_status" AS ENUM ('running', 'completed', 'failed');
CREATE TYPE "job_status" AS ENUM ('queued', 'running', 'completed', 'failed', 'cancelled');

CREATE TABLE "workspace" (
  "id" SERIAL PRIMARY KEY,
  "platform" TEXT NOT NULL,
  "external_id" TEXT NOT NULL,
  "name" TEXT NOT NULL,
  "domain" TEXT,
  "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX "workspace_platform_external_id_key" ON "workspace" ("platform", "external_id");

CREATE TABLE "person" (
  "id" SERIAL PRIMARY KEY,
  "workspace_id" INTEGER NOT NULL REFERENCES "workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "external_id" TEXT NOT NULL,
  "name" TEXT NOT NULL,
  "real_name" TEXT,
  "display_name" TEXT,
  "email" TEXT,
  "title" TEXT,
  "tz" TEXT,
  "is_bot" BOOLEAN NOT NULL DEFAULT false,
  "bot_id" TEXT,
  "deleted" BOOLEAN NOT NULL DEFAULT false,
  "placeholder" BOOLEAN NOT NULL DEFAULT false,
  "raw" JSONB,
  "source" TEXT NOT NULL,
  "ingest_run_id" INTEGER,
  "raw_sha256" TEXT,
  "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX "person_workspace_id_external_id_key" ON "person" ("workspace_id", "external_id");

CREATE TABLE "channel" (
  "id" SERIAL PRIMARY KEY,
  "workspace_id" INTEGER NOT NULL REFERENCES "workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "external_id" TEXT NOT NULL,
  "name" TEXT NOT NULL,
  "kind" "channel_kind" NOT NULL,
  "topic" TEXT,
  "purpose" TEXT,
  "archived" BOOLEAN NOT NULL DEFAULT false,
  "created_at" TIMESTAMPTZ(6),
  "creator" TEXT,
  "members" JSONB,
  "raw" JSONB,
  "source" TEXT NOT NULL,
  "ingest_run_id" INTEGER,
  "raw_sha256" TEXT,
  "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX "channel_workspace_id_external_id_key" ON "channel" ("workspace_id", "external_id");

CREATE TABLE "membership" (
  "id" BIGSERIAL PRIMARY KEY,
  "channel_id" INTEGER NOT NULL REFERENCES "channel" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "person_id" INTEGER NOT NULL REFERENCES "person" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "joined_at" TIMESTAMPTZ(6),
  "left_at" TIMESTAMPTZ(6)
);
CREATE INDEX "membership_channel_id_person_id_idx" ON "membership" ("channel_id", "person_id");
CREATE INDEX "membership_person_id_idx" ON "membership" ("person_id");

CREATE TABLE "message" (
  "id" BIGSERIAL PRIMARY KEY,
  "channel_id" INTEGER NOT NULL REFERENCES "channel" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "ts" TEXT NOT NULL,
  "thread_ts" TEXT,
  "author_id" INTEGER REFERENCES "person" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
  "bot_id" TEXT,
  "username" TEXT,
  "subtype" TEXT,
  "text" TEXT NOT NULL,
  "search_text" TEXT NOT NULL,
  "attachments" JSONB,
  "blocks" JSONB,
  "posted_at" TIMESTAMPTZ(6) NOT NULL,
  "text_ts" TEXT,
  "text_sha256" TEXT,
  "edited_ts" TEXT,
  "edited_at" TIMESTAMPTZ(6),
  "edited_by" TEXT,
  "deleted_at" TIMESTAMPTZ(6),
  "deleted" BOOLEAN NOT NULL DEFAULT false,
  "reply_count" INTEGER,
  "pinned" BOOLEAN NOT NULL DEFAULT false,
  "raw" JSONB,
  "source" TEXT NOT NULL,
  "ingest_run_id" INTEGER,
  "raw_sha256" TEXT NOT NULL
);
CREATE UNIQUE INDEX "message_channel_id_ts_key" ON "message" ("channel_id", "ts");
CREATE INDEX "message_channel_id_thread_ts_idx" ON "message" ("channel_id", "thread_ts");
CREATE INDEX "message_channel_id_posted_at_idx" ON "message" ("channel_id", "posted_at");
CREATE INDEX "message_author_id_idx" ON "message" ("author_id");

CREATE TABLE "message_version" (
  "id" BIGSERIAL PRIMARY KEY,
  "message_id" BIGINT NOT NULL REFERENCES "message" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "text_sha256" TEXT NOT NULL,
  "text" TEXT NOT NULL,
  "valid_from_ts" TEXT NOT NULL,
  "edited_by" TEXT,
  "source" TEXT NOT NULL,
  "ingest_run_id" INTEGER,
  "recorded_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX "message_version_message_id_text_sha256_key" ON "message_version" ("message_id", "text_sha256");

CREATE TABLE "reaction" (
  "id" BIGSERIAL PRIMARY KEY,
  "message_id" BIGINT NOT NULL REFERENCES "message" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "name" TEXT NOT NULL,
  "user_external" TEXT NOT NULL
);
CREATE UNIQUE INDEX "reaction_message_id_name_user_external_key" ON "reaction" ("message_id", "name", "user_external");

CREATE TABLE "file" (
  "id" BIGSERIAL PRIMARY KEY,
  "workspace_id" INTEGER NOT NULL REFERENCES "workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "external_id" TEXT NOT NULL,
  "name" TEXT,
  "title" TEXT,
  "mimetype" TEXT,
  "filetype" TEXT,
  "size" BIGINT,
  "user_external" TEXT,
  "created_at" TIMESTAMPTZ(6),
  "url_private" TEXT,
  "permalink" TEXT,
  "mode" TEXT,
  "raw" JSONB
);
CREATE UNIQUE INDEX "file_workspace_id_external_id_key" ON "file" ("workspace_id", "external_id");

CREATE TABLE "message_file" (
  "message_id" BIGINT NOT NULL REFERENCES "message" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "file_id" BIGINT NOT NULL REFERENCES "file" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "message_file_pkey" PRIMARY KEY ("message_id", "file_id")
);
CREATE INDEX "message_file_file_id_idx" ON "message_file" ("file_id");

CREATE TABLE "channel_event" (
  "id" BIGSERIAL PRIMARY KEY,
  "channel_id" INTEGER NOT NULL REFERENCES "channel" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "ts" TEXT NOT NULL,
  "kind" TEXT NOT NULL,
  "subtype" TEXT NOT NULL,
  "actor" TEXT,
  "subject" TEXT,
  "value" TEXT,
  "text" TEXT NOT NULL,
  "occurred_at" TIMESTAMPTZ(6) NOT NULL,
  "raw" JSONB,
  "source" TEXT NOT NULL,
  "ingest_run_id" INTEGER,
  "raw_sha256" TEXT NOT NULL
);
CREATE UNIQUE INDEX "channel_event_channel_id_ts_key" ON "channel_event" ("channel_id", "ts");
CREATE INDEX "channel_event_channel_id_occurred_at_idx" ON "channel_event" ("channel_id", "occurred_at");

CREATE TABLE "execution" (
  "id" BIGSERIAL PRIMARY KEY,
  "workspace_id" INTEGER NOT NULL REFERENCES "workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "source" TEXT NOT NULL,
  "external_id" TEXT NOT NULL,
  "bot" TEXT NOT NULL,
  "command" TEXT NOT NULL,
  "arguments" JSONB,
  "invoker" TEXT,
  "channel_id" INTEGER REFERENCES "channel" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
  "message_ts" TEXT,
  "started_at" TIMESTAMPTZ(6) NOT NULL,
  "finished_at" TIMESTAMPTZ(6),
  "status" TEXT NOT NULL,
  "exit_code" INTEGER,
  "output" TEXT,
  "output_truncated" BOOLEAN NOT NULL DEFAULT false,
  "raw" JSONB,
  "ingest_run_id" INTEGER,
  "raw_sha256" TEXT NOT NULL
);
CREATE UNIQUE INDEX "execution_workspace_id_source_external_id_key" ON "execution" ("workspace_id", "source", "external_id");
CREATE INDEX "execution_channel_id_started_at_idx" ON "execution" ("channel_id", "started_at");

CREATE TABLE "ingest_run" (
  "id" SERIAL PRIMARY KEY,
  "source" TEXT NOT NULL,
  "source_key" TEXT NOT NULL,
  "location" TEXT NOT NULL,
  "status" "ingest_status" NOT NULL DEFAULT 'running',
  "started_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "finished_at" TIMESTAMPTZ(6),
  "counts" JSONB NOT NULL DEFAULT '{}',
  "progress" JSONB,
  "error" TEXT,
  "pid" INTEGER
);
CREATE INDEX "ingest_run_source_key_idx" ON "ingest_run" ("source_key");

CREATE TABLE "ingest_checkpoint" (
  "source_key" TEXT NOT NULL,
  "scope" TEXT NOT NULL,
  "position" JSONB NOT NULL,
  "ingest_run_id" INTEGER,
  "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "ingest_checkpoint_pkey" PRIMARY KEY ("source_key", "scope")
);

CREATE TABLE "app_user" (
  "id" SERIAL PRIMARY KEY,
  "email" TEXT NOT NULL,
  "password_hash" TEXT,
  "role" "user_role" NOT NULL DEFAULT 'member',
  "person_id" INTEGER REFERENCES "person" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
  "disabled" BOOLEAN NOT NULL DEFAULT false,
  "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "last_login_at" TIMESTAMPTZ(6)
);
CREATE UNIQUE INDEX "app_user_email_key" ON "app_user" ("email");

CREATE TABLE "session" (
  "token_hash" TEXT PRIMARY KEY,
  "user_id" INTEGER NOT NULL REFERENCES "app_user" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "csrf_token" TEXT NOT NULL,
  "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "expires_at" TIMESTAMPTZ(6) NOT NULL,
  "ip" TEXT,
  "user_agent" TEXT
);
CREATE INDEX "session_user_id_idx" ON "session" ("user_id");

CREATE TABLE "login_attempt" (
  "id" BIGSERIAL PRIMARY KEY,
  "email" TEXT NOT NULL,
  "ip" TEXT,
  "ok" BOOLEAN NOT NULL,
  "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX "login_attempt_email_created_at_idx" ON "login_attempt" ("email", "created_at");
CREATE INDEX "login_attempt_ip_created_at_idx" ON "login_attempt" ("ip", "created_at");

CREATE TABLE "audit_event" (
  "id" BIGSERIAL PRIMARY KEY,
  "at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "actor_id" INTEGER,
  "actor" TEXT,
  "action" TEXT NOT NULL,
  "target" TEXT,
  "details" JSONB NOT NULL DEFAULT '{}',
  "ip" TEXT
);
CREATE INDEX "audit_event_at_idx" ON "audit_event" ("at");
CREATE INDEX "audit_event_action_at_idx" ON "audit_event" ("action", "at");

-- The audit log is append-only: the database itself refuses changes.
CREATE FUNCTION "audit_event_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_event is append-only';
END;
$$;
CREATE TRIGGER "audit_event_no_update" BEFORE UPDATE OR DELETE ON "audit_event"
  FOR EACH ROW EXECUTE FUNCTION "audit_event_refuse_change"();
CREATE TRIGGER "audit_event_no_truncate" BEFORE TRUNCATE ON "audit_event"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_event_refuse_change"();

CREATE TABLE "job" (
  "id" BIGSERIAL PRIMARY KEY,
  "name" TEXT NOT NULL,
  "key" TEXT,
  "payload" JSONB NOT NULL DEFAULT '{}',
  "status" "job_status" NOT NULL DEFAULT 'queued',
  "run_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "attempts" INTEGER NOT NULL DEFAULT 0,
  "max_attempts" INTEGER NOT NULL DEFAULT 5,
  "locked_by" TEXT,
  "locked_at" TIMESTAMPTZ(6),
  "last_error" TEXT,
  "progress" JSONB,
  "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "finished_at" TIMESTAMPTZ(6)
);
CREATE UNIQUE INDEX "job_key_key" ON "job" ("key");
CREATE INDEX "job_status_run_at_idx" ON "job" ("status", "run_at");
