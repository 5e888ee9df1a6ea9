import { AppError } from "../../lib/errors";
import { getPool } from "../../lib/db";
import { prepareDatabase } from "../../lib/database/prepare";
import { findCliViewer } from "../../lib/auth/users";
import { listRetentionPolicies, runRetention, setRetentionPolicy } from "../../lib/compliance/retention";
import { createLegalHold, listLegalHolds, releaseLegalHold, type TComplianceActor } from "../../lib/compliance/holds";
import type { TCommand } from "./commands";

/** CLI commands for retention policies, retention runs and legal holds. */

const out = (s: string) => process.stdout.write(s + "\n");
const printJson = (v: unknown) => out(JSON.stringify(v, null, 2));
const day = (d: Date | null) => (d ? d.toISOString().replace(".000Z", "Z") : "-");

async function actor(as: unknown): Promise<TComplianceActor> {
  const who = await findCliViewer(getPool(), as as string | undefined);
  if (who.viewer.role !== "admin") throw new AppError("forbidden", `${who.actor} is not an administrator`, { field: "as" });
  return { userId: who.userId, actor: who.actor };
}

const AS = { as: { type: "string" as const, help: "act as this administrator account (default: local administrator)" } };

export const RETENTION_COMMANDS: TCommand[] = [
  {
    name: "retention set",
    usage: "retention set --days N|--forever [--channel C] [--workspace W] [--keep-pinned] [--as email]",
    summary: "Set how long messages are kept, for the workspace or one channel (a channel's policy overrides its workspace's).",
    options: {
      days: { type: "string", help: "keep messages N days after they were posted" },
      forever: { type: "boolean", help: "keep messages forever" },
      channel: { type: "string", help: "a channel (name or id); default: the workspace" },
      workspace: { type: "string", help: "workspace (id or name) when several are archived" },
      "keep-pinned": { type: "boolean", help: "never purge pinned messages" },
      json: { type: "boolean", help: "print JSON" },
      ...AS,
    },
    async run({ opts }) {
      if (opts.days === undefined && !opts.forever) throw new AppError("usage", "give --days N or --forever", { field: "days" });
      if (opts.days !== undefined && opts.forever) throw new AppError("usage", "give --days N or --forever, not both", { field: "days" });
      if (opts.days !== undefined && !/^[1-9]\d*$/.test(String(opts.days))) throw new AppError("usage", "--days must be a positive integer", { field: "days" });
      await prepareDatabase();
      const p = await setRetentionPolicy(getPool(), await actor(opts.as), {
        days: opts.days === undefined ? undefined : Number(opts.days),
        forever: Boolean(opts.forever),
        channel: opts.channel as string | undefined,
        workspace: opts.workspace as string | undefined,
        keepPinned: Boolean(opts["keep-pinned"]),
      });
      if (opts.json) printJson(p);
      else out(`${p.channel ? `#${p.channelName} (${p.channel})` : `workspace ${p.workspace}`}: ${p.keepDays === null ? "keep forever" : `keep ${p.keepDays} days`}${p.keepPinned ? ", pinned kept" : ""}`);
    },
  },
  {
    name: "retention list",
    usage: "retention list [--json]",
    summary: "List retention policies.",
    options: { json: { type: "boolean", help: "print JSON" } },
    async run({ opts }) {
      await prepareDatabase();
      const rows = await listRetentionPolicies(getPool());
      if (opts.json) return void printJson(rows);
      if (rows.length === 0) out("No retention policies: every message is kept forever.");
      for (const p of rows) {
        const scope = p.channel ? `  #${p.channelName} (${p.channel})` : `${p.workspace} (workspace)`;
        out(`${scope.padEnd(40)} ${p.keepDays === null ? "forever" : `${p.keepDays} days`}${p.keepPinned ? ", pinned kept" : ""}  set by ${p.updatedBy ?? "-"} ${day(p.updatedAt)}`);
      }
    },
  },
  {
    name: "retention run",
    usage: "retention run [--dry-run] [--json] [--as email]",
    summary: "Purge messages past their retention that no legal hold keeps (--dry-run: only report), recorded in the content chain.",
    options: { "dry-run": { type: "boolean", help: "report counts, delete nothing" }, json: { type: "boolean", help: "print JSON" }, ...AS },
    async run({ opts }) {
      await prepareDatabase();
      const r = await runRetention(getPool(), await actor(opts.as), { dryRun: Boolean(opts["dry-run"]) });
      if (opts.json) return void printJson(r);
      out(`${r.dryRun ? "Dry run" : "Retention run"} #${r.runId} as of ${r.asOf}`);
      for (const c of r.channels) out(`  #${c.channelName.padEnd(30)} expired ${c.expired}, held back ${c.heldBack}${r.dryRun ? "" : `, purged ${c.purged}`}`);
      for (const h of r.holds) out(`  hold ${h.holdId} "${h.name}": holds back ${h.heldBack}`);
      const t = r.totals;
      out(`expired ${t.expired}, held back ${t.heldBack}, ${r.dryRun ? `would purge ${t.expired - t.heldBack}` : `purged ${t.purged} (versions ${t.versions}, reactions ${t.reactions}, files ${t.files})`}`);
    },
  },
  {
    name: "hold add",
    usage: "hold add --name N --reason R [--channel C …] [--user U …] [--from DATE] [--to DATE] [--json] [--as email]",
    summary: "Place a legal hold: matching messages are never purged until it is released.",
    details: "Channels by name or id, people (authors) by id, name or e-mail; none = all. --to is exclusive (a bare date includes that day).",
    options: {
      name: { type: "string", help: "short name" },
      reason: { type: "string", help: "why (matter, request)" },
      channel: { type: "string", multiple: true, help: "a channel (repeatable)" },
      user: { type: "string", multiple: true, help: "a person (repeatable)" },
      from: { type: "string", help: "messages posted from this date/time" },
      to: { type: "string", help: "messages posted up to this date/time" },
      json: { type: "boolean", help: "print JSON" },
      ...AS,
    },
    async run({ opts }) {
      if (!opts.name) throw new AppError("usage", "--name is required", { field: "name" });
      if (!opts.reason) throw new AppError("usage", "--reason is required", { field: "reason" });
      await prepareDatabase();
      const h = await createLegalHold(getPool(), await actor(opts.as), {
        name: String(opts.name),
        reason: String(opts.reason),
        channels: (opts.channel as string[] | undefined) ?? [],
        people: (opts.user as string[] | undefined) ?? [],
        from: opts.from as string | undefined,
        to: opts.to as string | undefined,
      });
      if (opts.json) printJson(h);
      else out(`Legal hold ${h.id} "${h.name}" is active.`);
    },
  },
  {
    name: "hold list",
    usage: "hold list [--json]",
    summary: "List legal holds (active first) with the messages each covers.",
    options: { json: { type: "boolean", help: "print JSON" } },
    async run({ opts }) {
      await prepareDatabase();
      const rows = await listLegalHolds(getPool());
      if (opts.json) return void printJson(rows);
      if (rows.length === 0) out("No legal holds.");
      for (const h of rows) {
        const scope = [
          h.channelIds.length ? `${h.channelIds.length} channel(s)` : "all channels",
          h.personIds.length ? `${h.personIds.length} person(s)` : "everyone",
          `${day(h.fromAt)} → ${day(h.toAt)}`,
        ].join(", ");
        out(
          `${String(h.id).padStart(4)}  ${h.active ? "ACTIVE  " : "released"}  ${h.name}: ${scope}; ${h.active ? `${h.messages} messages` : `released ${day(h.releasedAt)} by ${h.releasedBy ?? "-"}`}  (${h.reason})`,
        );
      }
    },
  },
  {
    name: "hold release",
    usage: "hold release <id> --reason R [--as email]",
    summary: "Release a legal hold (kept on record, audited).",
    positionals: { min: 1 },
    options: { reason: { type: "string", help: "why it is released" }, json: { type: "boolean", help: "print JSON" }, ...AS },
    async run({ args, opts }) {
      if (!opts.reason) throw new AppError("usage", "--reason is required", { field: "reason" });
      if (!/^\d+$/.test(args[0]!)) throw new AppError("usage", "the hold id is a number", { field: "id" });
      await prepareDatabase();
      const h = await releaseLegalHold(getPool(), await actor(opts.as), Number(args[0]), String(opts.reason));
      if (opts.json) printJson(h);
      else out(`Legal hold ${h.id} "${h.name}" released.`);
    },
  },
];
