-- Incidents, human marks on their timelines, and versioned postmortem drafts.

CREATE TABLE "incident" (
  "id" SERIAL PRIMARY KEY,
  "channel_id" INTEGER NOT NULL REFERENCES "channel" ("id") ON DELETE CASCADE,
  -- 'detected' (from the channel name) or 'manual' (created for a channel and time range).
  "origin" TEXT NOT NULL,
  "title" TEXT NOT NULL,
  "severity" TEXT,
  "status" TEXT NOT NULL DEFAULT 'investigating',
  -- Person external id of the incident commander.
  "commander" TEXT,
  -- [{ "person": external id, "role": text }]
  "participants" JSONB NOT NULL DEFAULT '[]',
  -- The part of the channel that belongs to the incident (null = unbounded).
  "range_from" TIMESTAMPTZ(6),
  "range_to" TIMESTAMPTZ(6),
  "started_at" TIMESTAMPTZ(6),
  "detected_at" TIMESTAMPTZ(6),
  "acknowledged_at" TIMESTAMPTZ(6),
  "mitigated_at" TIMESTAMPTZ(6),
  "resolved_at" TIMESTAMPTZ(6),
  -- Times set by a person: { field: { "at", "reason", "by" } }; a rebuild keeps them.
  "overrides" JSONB NOT NULL DEFAULT '{}',
  "version" INTEGER NOT NULL DEFAULT 1,
  "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX "incident_channel_id_idx" ON "incident" ("channel_id");
-- One detected incident per channel: detection is idempotent.
CREATE UNIQUE INDEX "incident_detected_channel_key" ON "incident" ("channel_id") WHERE "origin" = 'detected';

-- Every state an incident has had (version 1 = as created).
CREATE TABLE "incident_version" (
  "id" BIGSERIAL PRIMARY KEY,
  "incident_id" INTEGER NOT NULL REFERENCES "incident" ("id") ON DELETE CASCADE,
  "version" INTEGER NOT NULL,
  "snapshot" JSONB NOT NULL,
  "changed_by" INTEGER,
  "reason" TEXT,
  "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX "incident_version_incident_id_version_key" ON "incident_version" ("incident_id", "version");

-- Human marks on timeline events, append-only: each change is a new version
-- and the current state of a mark is its highest version.
CREATE TABLE "timeline_mark" (
  "id" BIGSERIAL PRIMARY KEY,
  "incident_id" INTEGER NOT NULL REFERENCES "incident" ("id") ON DELETE CASCADE,
  -- 'message' (key = ts), 'execution' (key = execution id) or 'channel_event' (key = ts).
  "source_kind" TEXT NOT NULL,
  "source_key" TEXT NOT NULL,
  -- 'key_event', 'note' or 'hide'.
  "kind" TEXT NOT NULL,
  "note" TEXT,
  "active" BOOLEAN NOT NULL DEFAULT true,
  "version" INTEGER NOT NULL,
  "author_id" INTEGER,
  "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX "timeline_mark_incident_id_source_kind_source_key_kind_version_key"
  ON "timeline_mark" ("incident_id", "source_kind", "source_key", "kind", "version");

-- Postmortem drafts, one row per version: generated ones and human edits.
CREATE TABLE "postmortem_draft" (
  "id" BIGSERIAL PRIMARY KEY,
  "incident_id" INTEGER NOT NULL REFERENCES "incident" ("id") ON DELETE CASCADE,
  "version" INTEGER NOT NULL,
  -- 'generated' or 'edited'.
  "origin" TEXT NOT NULL,
  "markdown" TEXT NOT NULL,
  "based_on_version" INTEGER,
  "author_id" INTEGER,
  "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX "postmortem_draft_incident_id_version_key" ON "postmortem_draft" ("incident_id", "version");
