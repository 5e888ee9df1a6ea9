import { z } from "zod";
import { recordAuditEvent } from "../access/service";
import type { TViewer } from "../access/types";
import type { TDb } from "../db";
import { AppError } from "../errors";
import { csvCell } from "../export/formats/csv";
import { verifyAuditChain, type TAuditVerification } from "./audit";
import { selectAuditLogPage, type TAuditLogFilter, type TAuditLogRow } from "./audit-log-repository";

/**
 * The audit log for auditors and administrators: filtered by action, actor
 * and date range, newest first, in pages; with the hash chain's verification;
 * as CSV. Looking at it is itself audited (`audit.view`, `audit.download`).
 */

const optionalText = z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : typeof v === "string" ? v.trim() : v), z.string().max(200).optional());
const optionalDate = z.preprocess(
  (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
  z.string().date().or(z.string().datetime({ offset: true })).optional(),
);

/** The audit page's query: `action` and `actor` take `*` as a wildcard; dates are UTC, `to` includes a bare date's whole day. */
export const ZAuditLogQuery = z.object({
  action: optionalText,
  actor: optionalText,
  from: optionalDate,
  to: optionalDate,
  before: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().positive().optional()),
});
export type TAuditLogQuery = z.infer<typeof ZAuditLogQuery>;

/** One audit row as the page shows it. */
export interface TAuditEntry {
  id: number;
  chainSeq: number | null;
  /** ISO-8601 */
  at: string;
  actor: string | null;
  action: string;
  target: string | null;
  /** The details as compact JSON. */
  details: string;
  ip: string | null;
}

export interface TAuditLogPage {
  query: TAuditLogQuery;
  entries: TAuditEntry[];
  /** `before` of the next (older) page, null on the last one. */
  nextBefore: number | null;
  verification: TAuditVerification;
}

const PAGE_SIZE = 50;

/** Whether the viewer may read the audit log (auditors and administrators). */
export function canReadAuditLog(viewer: TViewer): boolean {
  return viewer.role === "admin" || viewer.role === "auditor";
}

function assertCanRead(viewer: TViewer): void {
  if (!canReadAuditLog(viewer)) throw new AppError("forbidden", "Only auditors and administrators can read the audit log.");
}

/** Parse the query (URL search parameters or an object); bad input names the field. */
export function parseAuditLogQuery(input: unknown): TAuditLogQuery {
  const r = ZAuditLogQuery.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new AppError("bad_input", `${String(i.path[0])}: ${i.message}`, { field: String(i.path[0]) });
  }
  if (r.data.from && r.data.to && toTime(r.data.from, false) > toTime(r.data.to, true)) {
    throw new AppError("bad_input", "from must not be after to", { field: "to" });
  }
  return r.data;
}

function toTime(date: string, end: boolean): Date {
  const bare = /^\d{4}-\d{2}-\d{2}$/.test(date);
  const t = Date.parse(bare ? `${date}T00:00:00Z` : date);
  return new Date(end && bare ? t + 86_400_000 : t);
}

/** `*` is the wildcard; LIKE's own % and _ match themselves. */
function toLike(pattern: string | undefined): string | null {
  if (!pattern) return null;
  return pattern.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, "%");
}

function toFilter(q: TAuditLogQuery, limit: number): TAuditLogFilter {
  return {
    actionLike: toLike(q.action),
    actorLike: toLike(q.actor),
    since: q.from ? toTime(q.from, false) : null,
    until: q.to ? toTime(q.to, true) : null,
    beforeId: q.before ?? null,
    limit,
  };
}

function toEntry(r: TAuditLogRow): TAuditEntry {
  return { id: r.id, chainSeq: r.chainSeq, at: r.at.toISOString(), actor: r.actor, action: r.action, target: r.target, details: JSON.stringify(r.details), ip: r.ip };
}

/** The query as it was asked for (for the audit row), without empty fields. */
function describeQuery(q: TAuditLogQuery): Record<string, unknown> {
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined));
}

/**
 * One page of the audit log (newest first) and the chain's verification;
 * the viewing is audited (`audit.view`) before it is read, so it shows.
 */
export async function findAuditLogPage(db: TDb, viewer: TViewer, input: unknown, ctx: { ip?: string | null } = {}): Promise<TAuditLogPage> {
  assertCanRead(viewer);
  const query = parseAuditLogQuery(input);
  await recordAuditEvent(db, { actorId: viewer.userId, action: "audit.view", target: null, details: { query: describeQuery(query) }, ip: ctx.ip });
  const rows = await selectAuditLogPage(db, toFilter(query, PAGE_SIZE + 1));
  const entries = rows.slice(0, PAGE_SIZE).map(toEntry);
  const verification = await verifyAuditChain(db, { maxProblems: 20 });
  return { query, entries, nextBefore: rows.length > PAGE_SIZE ? entries[entries.length - 1]!.id : null, verification };
}

const CSV_COLUMNS = ["id", "chain_seq", "at", "actor", "action", "target", "details", "ip", "hash"] as const;

/**
 * The filtered audit log as CSV (RFC 4180, spreadsheet formulas neutralised),
 * newest first, streamed by pages. Authorisation, validation and the audit
 * row (`audit.download`) happen before the first line, so errors surface as
 * HTTP errors, not as a broken file.
 */
export async function streamAuditLogCsv(db: TDb, viewer: TViewer, input: unknown, ctx: { ip?: string | null } = {}): Promise<AsyncGenerator<string>> {
  assertCanRead(viewer);
  const query = parseAuditLogQuery(input);
  await recordAuditEvent(db, { actorId: viewer.userId, action: "audit.download", target: null, details: { query: describeQuery(query), format: "csv" }, ip: ctx.ip });
  async function* lines(): AsyncGenerator<string> {
    yield CSV_COLUMNS.join(",") + "\r\n";
    // Keyset pages going down by id: rows written meanwhile (higher ids) never slip in.
    let before = query.before;
    for (;;) {
      const rows = await selectAuditLogPage(db, toFilter({ ...query, before }, 1000));
      let chunk = "";
      for (const r of rows) {
        chunk += [r.id, r.chainSeq, r.at.toISOString(), r.actor, r.action, r.target, JSON.stringify(r.details), r.ip, r.hash].map(csvCell).join(",") + "\r\n";
      }
      if (chunk) yield chunk;
      if (rows.length < 1000) return;
      before = rows[rows.length - 1]!.id;
    }
  }
  return lines();
}
