import { AppError } from "../../lib/errors";
import { getPool } from "../../lib/db";
import { prepareDatabase } from "../../lib/database/prepare";
import { findAuditEvents } from "../../lib/compliance/audit-repository";
import { verifyAuditChain } from "../../lib/compliance/audit";
import { verifyContentChain } from "../../lib/compliance/content-digest";
import path from "node:path";
import { findCliViewer } from "../../lib/auth/users";
import { findExportFormat } from "../../lib/export/formats/registry";
import { runExport } from "../../lib/export/service";
import { ZExportScope } from "../../lib/export/types";
import type { TCommand } from "./commands";

/** CLI commands for the audit log and tamper evidence. */
export const COMPLIANCE_COMMANDS: TCommand[] = [
  {
    name: "audit",
    usage: "audit [--json] [--action sign_in*] [--actor email] [--since YYYY-MM-DD] [--limit N]",
    summary: "Show the audit log (newest first).",
    options: {
      json: { type: "boolean", help: "print JSON" },
      action: { type: "string", help: "action, * as wildcard" },
      actor: { type: "string", help: "who did it" },
      since: { type: "string", help: "from this date (UTC)" },
      limit: { type: "string", help: "at most N rows (default 100)" },
    },
    async run({ opts }) {
      const limit = opts.limit ? Number(opts.limit) : 100;
      if (!Number.isInteger(limit) || limit < 1) throw new AppError("usage", "--limit must be a positive integer", { field: "limit" });
      const since = opts.since ? new Date(String(opts.since)) : undefined;
      if (since && Number.isNaN(since.getTime())) throw new AppError("usage", "--since must be a date (YYYY-MM-DD)", { field: "since" });
      await prepareDatabase();
      const rows = await findAuditEvents(getPool(), { action: opts.action as string | undefined, actor: opts.actor as string | undefined, since, limit });
      if (opts.json) process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
      else for (const r of rows) process.stdout.write(`${r.at.toISOString()}  ${(r.actor ?? "-").padEnd(28)} ${r.action.padEnd(28)} ${r.target ?? ""}\n`);
    },
  },
  {
    name: "verify",
    usage: "verify [--json] [--expect-head <hash>]",
    summary: "Check the audit log's and the archived content's hash chains; exit 1 naming every altered, removed or inserted row.",
    details:
      "Content: every message and version is hashed again from its current row and compared with what the ingest batch that wrote it recorded; " +
      "batches are checked for gaps, their Merkle roots and chained hashes recomputed. Write the printed content head down elsewhere " +
      "and pass it as --expect-head later: verify then also fails when the chain no longer contains it.",
    options: {
      json: { type: "boolean", help: "print JSON" },
      "expect-head": { type: "string", help: "a content chain head hash recorded earlier (64 hex digits)" },
    },
    async run({ opts }) {
      const expectHead = opts["expect-head"] as string | undefined;
      if (expectHead !== undefined && !/^[0-9a-fA-F]{64}$/.test(expectHead)) {
        throw new AppError("usage", "--expect-head must be a SHA-256 hash (64 hex digits)", { field: "expect-head" });
      }
      await prepareDatabase();
      const v = await verifyAuditChain(getPool());
      const c = await verifyContentChain(getPool(), { expectHead });
      if (opts.json) process.stdout.write(JSON.stringify({ ok: v.ok && c.ok, auditLog: v, content: c }, null, 2) + "\n");
      else {
        process.stdout.write(`audit log: ${v.rows} rows, ${v.ok ? "OK" : `${v.problems.length} problem(s)`}\n`);
        if (v.head) process.stdout.write(`head: #${v.head.chainSeq} ${v.head.hash}\n`);
        for (const p of v.problems) process.stdout.write(`  row ${p.id} (chain #${p.chainSeq ?? "-"}): ${p.problem}: ${p.detail}\n`);
        process.stdout.write(
          `content: ${c.messages} messages, ${c.versions} versions, ${c.purged} purged, ${c.batches} batches, ${c.ok ? "OK" : `${c.problemCount} problem(s)`}\n`,
        );
        if (c.head) process.stdout.write(`content head: #${c.head.seq} ${c.head.hash}\n`);
        if (expectHead) process.stdout.write(`expected head ${expectHead}: ${c.expectedHeadFound ? "present" : "NOT in the chain"}\n`);
        for (const p of c.problems) process.stdout.write(`  ${p.problem}: ${p.detail}\n`);
        if (c.problemCount > c.problems.length) process.stdout.write(`  … and ${c.problemCount - c.problems.length} more\n`);
      }
      return v.ok && c.ok ? 0 : 1;
    },
  },
];

COMPLIANCE_COMMANDS.push({
  name: "export",
  usage: "export --format csv|jsonl|eml|actiance|html|slack --out <dir> [--from DATE] [--to DATE] [--channel C …] [--user U …] [--kind public|private|dm|mpdm …] [--as email] [--json]",
  summary: "Export messages (with versions, deletions and who could see them) into a ZIP with a SHA-256 manifest.",
  details: "Dates are UTC (YYYY-MM-DD or ISO-8601; --to is inclusive of a bare date). Channels by name or id, people by id, name or e-mail.",
  options: {
    format: { type: "string", help: "csv, jsonl, eml (mbox per channel), actiance (XML), html (transcripts) or slack (Slack export)" },
    out: { type: "string", help: "folder for the ZIP" },
    from: { type: "string", help: "from this date/time" },
    to: { type: "string", help: "up to this date/time" },
    channel: { type: "string", multiple: true, help: "a channel (repeatable)" },
    user: { type: "string", multiple: true, help: "a person (repeatable)" },
    kind: { type: "string", multiple: true, help: "conversation kind (repeatable)" },
    as: { type: "string", help: "export as this account (default: local administrator)" },
    json: { type: "boolean", help: "print a JSON summary" },
  },
  async run({ opts }) {
    if (!opts.format) throw new AppError("usage", "--format is required", { field: "format" });
    if (!opts.out) throw new AppError("usage", "--out is required", { field: "out" });
    const scope = ZExportScope.safeParse({
      from: opts.from,
      to: opts.to,
      channels: opts.channel,
      users: opts.user,
      kinds: opts.kind,
    });
    if (!scope.success) {
      const i = scope.error.issues[0]!;
      throw new AppError("usage", `--${String(i.path[0])}: ${i.message}`, { field: String(i.path[0]) });
    }
    findExportFormat(String(opts.format));
    await prepareDatabase();
    const pool = getPool();
    const who = await findCliViewer(pool, opts.as as string | undefined);
    const started = Date.now();
    const r = await runExport(pool, who.viewer, {
      format: String(opts.format),
      scope: scope.data,
      outDir: path.resolve(String(opts.out)),
      requester: { userId: who.userId, email: who.actor },
    });
    const summary = { ...r, seconds: (Date.now() - started) / 1000, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
    if (opts.json) process.stdout.write(JSON.stringify(summary, null, 2) + "\n");
    else process.stdout.write(`Exported ${r.records} messages to ${r.zipPath} (sha256 ${r.zipSha256})\n`);
  },
});
