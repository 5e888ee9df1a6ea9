import type { NExecution, NWorkspace } from "../ingest/adapter";
import { sha256Json } from "../ingest/merge";
import { boundOutput } from "./output";
import type { TCreateExecution } from "./schema";
import { collectSecretValues, maskSecretsInJson, maskSecretsInText } from "./secrets";

/** Source name of executions posted to the API or imported as JSON lines (the same records). */
export const EXECUTIONS_SOURCE = "executions";
/** Source name of executions recognised in chat messages. */
export const CHAT_SOURCE = "chat";

/** Where executions that name no workspace go. */
export const BOTS_WORKSPACE: NWorkspace = { platform: "bots", externalId: "bots", name: "Bots" };

/** The external id of an API/JSON-lines execution: the bot's own id, per bot. */
export function toExecutionExternalId(bot: string, id: string): string {
  return `${bot}:${id}`;
}

export { sha256Json };

/**
 * Turn a validated execution record into the loader's `NExecution`: secrets
 * masked in command, arguments and output (the values of declared secret
 * parameters wherever they appear, and well-known credential shapes), output
 * bounded. `raw` is the masked record, so nothing unmasked is stored.
 */
export function buildExecution(rec: Omit<TCreateExecution, "workspace"> & { workspace?: unknown }, opts: { maxOutputBytes?: number } = {}): NExecution {
  const secretKeys = rec.secretParameters ?? [];
  const known = collectSecretValues(rec.arguments, secretKeys);
  const command = maskSecretsInText(rec.command, known);
  const args = rec.arguments === undefined ? { value: undefined, count: 0 } : maskSecretsInJson(rec.arguments, { secretKeys, knownSecrets: known });
  const masked = rec.output == null ? null : maskSecretsInText(rec.output, known);
  const bounded = masked ? boundOutput(masked.value, opts.maxOutputBytes) : null;
  const secretsMasked = command.count + args.count + (masked?.count ?? 0);
  const raw = {
    ...rec,
    command: command.value,
    ...(rec.arguments === undefined ? {} : { arguments: args.value }),
    ...(bounded ? { output: bounded.output } : {}),
  };
  return {
    externalId: rec.id,
    bot: rec.bot,
    command: command.value,
    arguments: args.value ?? null,
    invoker: rec.invoker ?? null,
    channel: rec.channel ?? null,
    messageTs: rec.messageTs ?? null,
    startedAt: new Date(rec.startedAt).toISOString(),
    finishedAt: rec.finishedAt ? new Date(rec.finishedAt).toISOString() : null,
    status: rec.status,
    exitCode: rec.exitCode ?? null,
    output: bounded?.output ?? null,
    outputTruncated: bounded?.truncated ?? false,
    outputBytes: bounded?.bytes ?? null,
    secretsMasked,
    raw,
    rawSha256: sha256Json(raw),
  };
}
