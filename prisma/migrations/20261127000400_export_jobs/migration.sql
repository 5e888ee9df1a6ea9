-- Export jobs: compliance exports requested from the web app and run by a
-- worker. The row is the job's state and progress (the queue's `job` row only
-- says which worker holds it); the ZIP lives in the export folder.

CREATE TYPE "export_job_state" AS ENUM ('queued', 'running', 'done', 'failed', 'cancelled');

CREATE TABLE "export_job" (
  "id" SERIAL PRIMARY KEY,
  -- The account that asked; its rights at run time decide what is exported.
  "requester_id" INTEGER NOT NULL REFERENCES "app_user" ("id"),
  -- Its e-mail when it asked (kept as written, like the audit log's actor).
  "requester" TEXT NOT NULL,
  "format" TEXT NOT NULL,
  -- The validated scope (lib/export/types.ts ZExportScope).
  "scope" JSONB NOT NULL DEFAULT '{}',
  "state" "export_job_state" NOT NULL DEFAULT 'queued',
  "records_done" INTEGER NOT NULL DEFAULT 0,
  -- Messages in scope when the run started (null until then).
  "total_estimate" INTEGER,
  "zip_path" TEXT,
  "zip_name" TEXT,
  "bytes" BIGINT,
  "sha256" TEXT,
  "error" TEXT,
  -- The queue job that runs it.
  "job_id" BIGINT,
  -- Set by a cancel while running; the worker sees it and stops.
  "cancel_requested" BOOLEAN NOT NULL DEFAULT false,
  "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "started_at" TIMESTAMPTZ(6),
  "finished_at" TIMESTAMPTZ(6)
);
CREATE INDEX "export_job_requester_id_created_at_idx" ON "export_job" ("requester_id", "created_at");
CREATE INDEX "export_job_created_at_idx" ON "export_job" ("created_at");
