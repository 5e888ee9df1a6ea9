import { AppError } from "../../lib/errors";
import { getPool } from "../../lib/db";
import { prepareDatabase } from "../../lib/database/prepare";
import { findAuditEvents } from "../../lib/compliance/audit-repository";
import { verifyAuditChain } from "../../lib/compliance/audit";
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
    usage: "verify [--json]",
    summary: "Check the audit log's hash chain; exit 1 naming every altered, removed or inserted row.",
    options: { json: { type: "boolean", help: "print JSON" } },
    async run({ opts }) {
      await prepareDatabase();
      const v = await verifyAuditChain(getPool());
      if (opts.json) process.stdout.write(JSON.stringify({ auditLog: v }, null, 2) + "\n");
      else {
        process.stdout.write(`audit log: ${v.rows} rows, ${v.ok ? "OK" : `${v.problems.length} problem(s)`}\n`);
        if (v.head) process.stdout.write(`head: #${v.head.chainSeq} ${v.head.hash}\n`);
        for (const p of v.problems) process.stdout.write(`  row ${p.id} (chain #${p.chainSeq ?? "-"}): ${p.problem}: ${p.detail}\n`);
      }
      return v.ok ? 0 : 1;
    },
  },
];
