import type pg from "pg";
import type { TJobDefinition } from "../lib/jobs/define-job";
import { importArchiveJob } from "../lib/jobs/definitions/ingest.import-archive";
import { handleImportArchive } from "./handlers/ingest.import-archive";

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
]);
