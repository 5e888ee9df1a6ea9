-- Retention policies, legal holds and retention runs (lib/compliance/retention.ts, holds.ts).

-- How long messages are kept: per workspace (channel_id NULL) or per channel
-- (which overrides its workspace's). keep_days NULL = forever.
CREATE TABLE "retention_policy" (
  "id" SERIAL PRIMARY KEY,
  "workspace_id" INTEGER NOT NULL REFERENCES "workspace" ("id") ON DELETE CASCADE,
  "channel_id" INTEGER REFERENCES "channel" ("id") ON DELETE CASCADE,
  "keep_days" INTEGER CHECK ("keep_days" IS NULL OR "keep_days" > 0),
  "keep_pinned" BOOLEAN NOT NULL DEFAULT false,
  "updated_by" TEXT,
  "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
-- One policy per workspace and one per channel.
CREATE UNIQUE INDEX "retention_policy_scope_key" ON "retention_policy" ("workspace_id", coalesce("channel_id", 0));

-- A legal hold keeps every message in its scope from being purged while it is
-- active (released_at NULL). Empty channel/person lists mean "any"; the time
-- range is [from_at, to_at) on the message's posting time, open where NULL.
CREATE TABLE "legal_hold" (
  "id" SERIAL PRIMARY KEY,
  "name" TEXT NOT NULL,
  "reason" TEXT NOT NULL,
  "channel_ids" JSONB NOT NULL DEFAULT '[]',
  "person_ids" JSONB NOT NULL DEFAULT '[]',
  "from_at" TIMESTAMPTZ(6),
  "to_at" TIMESTAMPTZ(6),
  "created_by" TEXT,
  "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "released_by" TEXT,
  "released_at" TIMESTAMPTZ(6),
  "release_reason" TEXT
);
CREATE INDEX "legal_hold_released_at_idx" ON "legal_hold" ("released_at");

-- Every retention run, dry runs included, with its report.
CREATE TABLE "retention_run" (
  "id" SERIAL PRIMARY KEY,
  "dry_run" BOOLEAN NOT NULL,
  "status" TEXT NOT NULL DEFAULT 'running',
  "requested_by" TEXT,
  "started_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "finished_at" TIMESTAMPTZ(6),
  "report" JSONB,
  "error" TEXT
);
CREATE INDEX "retention_run_started_at_idx" ON "retention_run" ("started_at");
