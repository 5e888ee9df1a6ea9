import fs from "node:fs";
import path from "node:path";
import type pg from "pg";
import { z } from "zod";
import { recordAuditEvent } from "../access/service";
import type { TViewer } from "../access/types";
import { withTransaction, type TDb } from "../db";
import { getEnv } from "../env";
import { AppError } from "../errors";
import { enqueueJob } from "../jobs/enqueue";
import { createExportJob } from "../jobs/definitions/export.create-export";
import { resolveExportScope } from "./assemble";
import { EXPORT_FORMATS, findExportFormat } from "./formats/registry";
import {
  insertExportJob,
  selectExportJob,
  selectExportJobs,
  updateExportCancelRequested,
  updateExportQueueJob,
  type TExportJobRow,
  type TExportJobState,
} from "./jobs-repository";
import { ZExportScope, type TExportScope } from "./types";

/**
 * Export jobs: compliance exports asked for from the web app, run by a
 * worker (`export.create-export`) with progress and cancellation, and
 * downloaded later. Only auditors and administrators export; an auditor sees
 * their own jobs, an administrator everyone's. Asking, cancelling and every
 * download are written to the audit log (the export itself is audited by
 * `runExport` as `export.create`).
 */

/** What the web form or API sends to ask for an export. */
export const ZCreateExport = z
  .object({ format: z.string().min(1).max(40), scope: ZExportScope.strict().default({}) })
  .strict()
  .refine((x) => !x.scope.from || !x.scope.to || Date.parse(x.scope.from) <= Date.parse(x.scope.to), { message: "from must not be after to", path: ["scope", "to"] });
export type TCreateExport = z.input<typeof ZCreateExport>;

/** An export job as pages and the API show it (no server paths). */
export interface TExportJob {
  id: number;
  requester: string;
  format: string;
  scope: TExportScope;
  state: TExportJobState;
  recordsDone: number;
  totalEstimate: number | null;
  zipName: string | null;
  bytes: number | null;
  sha256: string | null;
  error: string | null;
  cancelRequested: boolean;
  /** ISO-8601 */
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** Whether the viewer may export at all (auditors and administrators). */
export function canExport(viewer: TViewer): boolean {
  return viewer.role === "admin" || viewer.role === "auditor";
}

function assertCanExport(viewer: TViewer): void {
  if (!canExport(viewer)) throw new AppError("forbidden", "Only auditors and administrators can export.");
}

/** The folder export ZIPs are written to: EXPORT_DIR, else BACKSCROLL_HOME/exports. */
export function resolveExportDir(): string {
  const env = getEnv();
  return env.EXPORT_DIR ? path.resolve(env.EXPORT_DIR) : path.join(env.backscrollHome, "exports");
}

/** The names of the formats an export can be made in, for forms. */
export function listExportFormatNames(): string[] {
  return EXPORT_FORMATS.map((f) => f.name);
}

/** A job row as the API and pages show it. */
export function toDto(r: TExportJobRow): TExportJob {
  return {
    id: r.id,
    requester: r.requester,
    format: r.format,
    scope: r.scope as TExportScope,
    state: r.state,
    recordsDone: r.recordsDone,
    totalEstimate: r.totalEstimate,
    zipName: r.zipName,
    bytes: r.bytes,
    sha256: r.sha256,
    error: r.error,
    cancelRequested: r.cancelRequested,
    createdAt: r.createdAt.toISOString(),
    startedAt: r.startedAt?.toISOString() ?? null,
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}

/** Parse an export id from a route parameter (not_found for anything else). */
export function parseExportId(value: string): number {
  if (!/^\d{1,9}$/.test(value)) throw new AppError("not_found", "No such export.");
  return Number(value);
}

/** The job if the viewer may see it; otherwise not_found (members cannot tell which exist). */
async function findVisibleRow(db: TDb, viewer: TViewer, id: number): Promise<TExportJobRow> {
  const row = canExport(viewer) ? await selectExportJob(db, id) : undefined;
  if (!row || (viewer.role !== "admin" && row.requesterId !== viewer.userId)) throw new AppError("not_found", "No such export.");
  return row;
}

/**
 * Ask for an export: validates the format and the scope (unknown channels or
 * people are refused now, not later in the worker), queues the job and
 * audits the request (`export.request`), all in one transaction.
 */
export async function requestExport(db: pg.Pool, viewer: TViewer, input: unknown, ctx: { ip?: string | null } = {}): Promise<TExportJob> {
  assertCanExport(viewer);
  const parsed = ZCreateExport.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.filter((p) => p !== "scope").join(".") || String(issue.path[0] ?? "");
    throw new AppError("bad_input", `${field ? `${field}: ` : ""}${issue.message}`, { field });
  }
  const { format, scope } = parsed.data;
  findExportFormat(format);
  await resolveExportScope(db, viewer, scope);
  const row = await withTransaction(async (tx) => {
    const job = await insertExportJob(tx, { requesterId: viewer.userId, format, scope });
    const queueId = await enqueueJob(tx, createExportJob, { exportId: job.id }, { key: `export:${job.id}` });
    await updateExportQueueJob(tx, job.id, queueId);
    await recordAuditEvent(tx, {
      actorId: viewer.userId,
      action: "export.request",
      target: `export:${job.id}`,
      details: { exportId: job.id, format, scope, role: viewer.role },
      ip: ctx.ip,
    });
    return { ...job, jobId: queueId };
  }, db);
  return toDto(row);
}

/** The viewer's export jobs, newest first (an administrator sees everyone's). */
export async function listExports(db: TDb, viewer: TViewer, opts: { limit?: number } = {}): Promise<TExportJob[]> {
  assertCanExport(viewer);
  const rows = await selectExportJobs(db, { requesterId: viewer.role === "admin" ? null : viewer.userId, limit: opts.limit ?? 50 });
  return rows.map(toDto);
}

/** What the exports page shows: the formats to choose from and the jobs. */
export async function findExportsPage(db: TDb, viewer: TViewer): Promise<{ formats: string[]; jobs: TExportJob[] }> {
  return { formats: listExportFormatNames(), jobs: await listExports(db, viewer) };
}

/** One export job the viewer may see, or not_found. */
export async function findExport(db: TDb, viewer: TViewer, id: number): Promise<TExportJob> {
  return toDto(await findVisibleRow(db, viewer, id));
}

/**
 * Cancel an export: a queued one ends at once, a running one stops at its
 * worker's next look (about a second) and leaves no file. Audited
 * (`export.cancel`); conflict when it had already ended.
 */
export async function cancelExport(db: TDb, viewer: TViewer, id: number, ctx: { ip?: string | null } = {}): Promise<TExportJob> {
  const before = await findVisibleRow(db, viewer, id);
  const row = await updateExportCancelRequested(db, id);
  if (!row) throw new AppError("conflict", `Export ${id} has already ended (${before.state}).`);
  await recordAuditEvent(db, { actorId: viewer.userId, action: "export.cancel", target: `export:${id}`, details: { exportId: id, state: before.state }, ip: ctx.ip });
  return toDto(row);
}

/**
 * A finished export's ZIP for download: its path (checked to lie in the
 * export folder), name, size and SHA-256. Every download is audited
 * (`export.download`).
 */
export async function openExportDownload(
  db: TDb,
  viewer: TViewer,
  id: number,
  ctx: { ip?: string | null } = {},
): Promise<{ path: string; fileName: string; bytes: number; sha256: string }> {
  const row = await findVisibleRow(db, viewer, id);
  if (row.state !== "done" || !row.zipPath || !row.zipName || !row.sha256) throw new AppError("conflict", `Export ${id} is ${row.state}: there is nothing to download.`);
  const root = resolveExportDir();
  const file = path.resolve(row.zipPath);
  if (!file.startsWith(root + path.sep) || !fs.existsSync(file)) throw new AppError("not_found", `The file of export ${id} is no longer in the export folder.`);
  const bytes = fs.statSync(file).size;
  await recordAuditEvent(db, {
    actorId: viewer.userId,
    action: "export.download",
    target: row.zipName,
    details: { exportId: id, bytes, sha256: row.sha256 },
    ip: ctx.ip,
  });
  return { path: file, fileName: row.zipName, bytes, sha256: row.sha256 };
}
