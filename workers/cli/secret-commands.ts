import type { TCommand } from "./commands";
import { getPool } from "../../lib/db";
import { prepareDatabase } from "../../lib/database/prepare";
import { findCliViewer } from "../../lib/auth/users";
import { findRawMessage, redactMessage, revertRedaction } from "../../lib/compliance/redactions";
import { AppError } from "../../lib/errors";

const out = (s: string) => process.stdout.write(s + "\n");

/** CLI commands for the raw text of masked messages and for redaction (both audited). */
export const SECRET_COMMANDS: TCommand[] = [
  {
    name: "message raw",
    usage: "message raw <channel> <ts> [--as <email>] [--json]",
    summary: "Print the raw (unmasked, unredacted) text of one message; auditors and admins only, audited.",
    details:
      "<channel> is a channel id, its Slack id or its name. Messages are shown everywhere with secrets masked " +
      "(xoxb-••••[slack token]) and redactions applied; this prints what was archived and writes a message.unmask audit event. " +
      "Without --as it runs as a local administrator.",
    options: {
      as: { type: "string", help: "run as this account (must be an auditor or admin)" },
      json: { type: "boolean", help: "print the message as JSON" },
    },
    positionals: { min: 2, max: 2 },
    async run({ args, opts }) {
      await prepareDatabase();
      const { viewer } = await findCliViewer(getPool(), opts.as as string | undefined);
      const raw = await findRawMessage(getPool(), viewer, { channel: args[0]!, ts: args[1]! });
      if (opts.json) {
        out(JSON.stringify(raw, null, 2));
        return;
      }
      out(raw.text);
      if (raw.attachmentsText) out(`\n${raw.attachmentsText}`);
      if (raw.redaction) process.stderr.write(`(redacted by ${raw.redaction.redactedBy ?? "an admin"} at ${raw.redaction.redactedAt}: ${raw.redaction.reason})\n`);
    },
  },
  {
    name: "redact",
    usage: "redact <channel> <ts> --reason <text> [--as <admin email>] | redact --revert <channel> <ts> [--reason <text>] [--as <admin email>]",
    summary: "Redact a message (shown as [redacted: reason] everywhere, not found by its content), or revert a redaction; admins only, audited.",
    details:
      "The archived message itself is not altered (a redaction is an overlay): --revert restores everything. " +
      "Audited as message.redact / message.unredact. Without --as it runs as a local administrator.",
    options: {
      reason: { type: "string", help: "why (required to redact; optional when reverting)" },
      revert: { type: "boolean", help: "revert the message's active redaction" },
      as: { type: "string", help: "run as this account (must be an admin)" },
      json: { type: "boolean", help: "print the result as JSON" },
    },
    positionals: { min: 2, max: 2 },
    async run({ args, opts }) {
      const reason = opts.reason as string | undefined;
      if (!opts.revert && !reason?.trim()) throw new AppError("usage", "--reason is required to redact a message", { field: "reason" });
      await prepareDatabase();
      const { viewer } = await findCliViewer(getPool(), opts.as as string | undefined);
      const ref = { channel: args[0]!, ts: args[1]! };
      const r = opts.revert ? await revertRedaction(getPool(), viewer, ref, { reason: reason ?? null }) : await redactMessage(getPool(), viewer, ref, { reason: reason! });
      if (opts.json) out(JSON.stringify({ action: opts.revert ? "unredact" : "redact", ...r }));
      else out(opts.revert ? `Reverted the redaction of ${r.channelExternalId}/${r.ts} ("${r.reason}").` : `Redacted ${r.channelExternalId}/${r.ts}: ${r.reason}`);
    },
  },
];
