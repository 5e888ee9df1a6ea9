import type pg from "pg";
import type { TJobDefinition } from "../lib/jobs/define-job";
import { importArchiveJob } from "../lib/jobs/definitions/ingest.import-archive";
import { handleImportArchive } from "./handlers/ingest.import-archive";
import { processSlackEventJob } from "../lib/jobs/definitions/sources.process-slack-event";
import { syncSlackJob } from "../lib/jobs/definitions/sources.sync-slack";
import { handleProcessSlackEvent } from "./handlers/sources.process-slack-event";
import { handleSyncSlack } from "./handlers/sources.sync-slack";
import { indexSearchOutboxJob } from "../lib/jobs/definitions/search.index-outbox";
import { handleIndexSearchOutbox } from "./handlers/search.index-outbox";
import { createExportJob } from "../lib/jobs/definitions/export.create-export";
import { handleCreateExport } from "./handlers/export.create-export";
import { purgeExpiredJob } from "../lib/jobs/definitions/compliance.purge-expired";
import { handlePurgeExpired } from "./handlers/compliance.purge-expired";
import { scheduleNextRetentionRun } from "../lib/compliance/retention-schedule";

export interface TJobContext {
  pool: pg.Pool;
  jobId: number;
  /** Record progress on the job row (shown in the admin pages). */
  progress(p: unknown): Promise<void>;
}

export type TJobHandler = (payload: unknown, ctx: TJobContext) => Promise<void>;

interface TRegistered {
  definition: TJobDefinition;
  handler: TJobHandler;
}

/** Every job the worker runs, by name. Add new jobs here (lib/jobs/README.md). */
export const JOBS: ReadonlyMap<string, TRegistered> = new Map<string, TRegistered>([
  [importArchiveJob.name, { definition: importArchiveJob, handler: handleImportArchive as TJobHandler }],
  [processSlackEventJob.name, { definition: processSlackEventJob, handler: handleProcessSlackEvent as TJobHandler }],
  [syncSlackJob.name, { definition: syncSlackJob, handler: handleSyncSlack as TJobHandler }],
  [indexSearchOutboxJob.name, { definition: indexSearchOutboxJob, handler: handleIndexSearchOutbox as TJobHandler }],
  [createExportJob.name, { definition: createExportJob, handler: handleCreateExport as TJobHandler }],
  [purgeExpiredJob.name, { definition: purgeExpiredJob, handler: handlePurgeExpired as TJobHandler }],
]);

/** Recurring jobs whose next run a starting worker makes sure is queued (idempotent: one job per slot). */
export async function scheduleRecurringJobs(pool: pg.Pool): Promise<void> {
  await scheduleNextRetentionRun(pool);
}
