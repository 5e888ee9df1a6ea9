import { z } from "zod";
import { canRedactMessages, canViewRawText } from "../access/policy";
import { recordAuditEvent } from "../access/service";
import type { TViewer } from "../access/types";
import type { TDb } from "../db";
import { AppError } from "../errors";
import { requestSearchIndexing } from "../search/service";
import {
  insertRedaction,
  insertSearchOutboxUpsert,
  selectActiveRedactions,
  selectMessageTargetById,
  selectMessageTargetByRef,
  updateRedactionReverted,
  type TMessageTarget,
} from "./redaction-repository";
import { hasSecrets } from "./secrets";

/**
 * Redaction by admins and raw text for auditors. A redaction is an overlay
 * (lib/compliance/message-overlay.ts shows it) — the archived row is never
 * altered, so its digest stays verifiable — and is reversible. Auditors and
 * admins may read the raw text of one message; every raw read, redaction and
 * revert is audited.
 */

/** A message named by id (web) or by channel and ts (CLI). */
export type TMessageRef = { messageId: number } | { channel: string; ts: string };

/** Why a redaction is made (or reverted). */
export const ZRedactInput = z.object({ reason: z.string().trim().min(1, "a reason is required").max(500, "reason too long") });
export const ZRevertInput = z.object({ reason: z.string().trim().max(500, "reason too long").nullish() });

function parse<T extends z.ZodTypeAny>(schema: T, input: unknown): z.infer<T> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new AppError("bad_input", issue.message, { field: issue.path.join(".") || "reason" });
  }
  return r.data;
}

async function findTarget(db: TDb, ref: TMessageRef): Promise<TMessageTarget> {
  let target: TMessageTarget | null = null;
  if ("messageId" in ref) {
    if (Number.isSafeInteger(ref.messageId) && ref.messageId > 0) target = await selectMessageTargetById(db, ref.messageId);
  } else if (/^[0-9A-Za-z._:-]{1,64}$/.test(ref.ts)) {
    target = await selectMessageTargetByRef(db, ref.channel, ref.ts);
  }
  if (!target) throw new AppError("not_found", "message not found");
  return target;
}

function auditTarget(t: TMessageTarget): string {
  return `channel:${t.channel_id}`;
}

function auditDetails(viewer: TViewer, t: TMessageTarget): Record<string, unknown> {
  return { role: viewer.role, channel: t.channel_external_id, channelName: t.channel_name, ts: t.ts, messageId: Number(t.id) };
}

/** The raw (unmasked, unredacted) text of one message, for auditors and admins. */
export type TRawMessage = {
  messageId: number;
  channelId: number;
  channelExternalId: string;
  channelName: string;
  ts: string;
  threadTs: string | null;
  text: string;
  /** Text of attachments and blocks (alerts), when it differs from `text`. */
  attachmentsText: string | null;
  attachments: unknown;
  blocks: unknown;
  isDeleted: boolean;
  hasSecrets: boolean;
  redaction: { reason: string; redactedBy: string | null; redactedAt: string } | null;
};

/**
 * The raw text of one message. Auditors and admins only (others get
 * AppError forbidden, whether or not the message exists); every read is
 * audited as `message.unmask` with the channel and ts.
 */
export async function findRawMessage(db: TDb, viewer: TViewer, ref: TMessageRef, opts: { ip?: string | null } = {}): Promise<TRawMessage> {
  if (!canViewRawText(viewer.role)) throw new AppError("forbidden", "only auditors and admins may see the raw text of a message");
  const t = await findTarget(db, ref);
  const redaction = (await selectActiveRedactions(db, [Number(t.id)])).get(Number(t.id)) ?? null;
  await recordAuditEvent(db, { actorId: viewer.userId || null, action: "message.unmask", target: auditTarget(t), details: auditDetails(viewer, t), ip: opts.ip });
  return {
    messageId: Number(t.id),
    channelId: t.channel_id,
    channelExternalId: t.channel_external_id,
    channelName: t.channel_name,
    ts: t.ts,
    threadTs: t.thread_ts,
    text: t.text,
    attachmentsText: t.search_text && t.search_text !== t.text ? t.search_text : null,
    attachments: t.attachments,
    blocks: t.blocks,
    isDeleted: t.deleted,
    hasSecrets: hasSecrets(t.text) || hasSecrets(t.search_text),
    redaction: redaction ? { reason: redaction.reason, redactedBy: redaction.redactedBy, redactedAt: redaction.redactedAt.toISOString() } : null,
  };
}

/** The outcome of a redaction or revert. */
export type TRedactionResult = { messageId: number; channelId: number; channelExternalId: string; ts: string; reason: string; redactionId: number };

async function afterOverlayChange(db: TDb, t: TMessageTarget): Promise<void> {
  // The Meilisearch document is rewritten with the text readers now see.
  await insertSearchOutboxUpsert(db, [Number(t.id)]);
  await requestSearchIndexing(db);
}

/**
 * Redact a message (admins only): everywhere it shows `[redacted: reason]`
 * and search no longer finds it by its content. The archive row is not
 * altered. Audited as `message.redact`. A message already redacted is a
 * conflict.
 */
export async function redactMessage(db: TDb, viewer: TViewer, ref: TMessageRef, input: z.input<typeof ZRedactInput>, opts: { ip?: string | null } = {}): Promise<TRedactionResult> {
  if (!canRedactMessages(viewer.role)) throw new AppError("forbidden", "only admins may redact messages");
  const { reason } = parse(ZRedactInput, input);
  const t = await findTarget(db, ref);
  const id = await insertRedaction(db, { messageId: Number(t.id), reason, redactedBy: viewer.userId || null });
  if (id === null) throw new AppError("conflict", "this message is already redacted");
  await recordAuditEvent(db, { actorId: viewer.userId || null, action: "message.redact", target: auditTarget(t), details: { ...auditDetails(viewer, t), reason, redactionId: id }, ip: opts.ip });
  await afterOverlayChange(db, t);
  return { messageId: Number(t.id), channelId: t.channel_id, channelExternalId: t.channel_external_id, ts: t.ts, reason, redactionId: id };
}

/**
 * Revert a message's active redaction (admins only): it reads as before
 * again, and search finds it. Audited as `message.unredact`. A message that
 * is not redacted is "not found".
 */
export async function revertRedaction(db: TDb, viewer: TViewer, ref: TMessageRef, input: z.input<typeof ZRevertInput> = {}, opts: { ip?: string | null } = {}): Promise<TRedactionResult> {
  if (!canRedactMessages(viewer.role)) throw new AppError("forbidden", "only admins may revert redactions");
  const { reason } = parse(ZRevertInput, input);
  const t = await findTarget(db, ref);
  const reverted = await updateRedactionReverted(db, { messageId: Number(t.id), revertedBy: viewer.userId || null, reason: reason ?? null });
  if (!reverted) throw new AppError("not_found", "this message is not redacted");
  await recordAuditEvent(db, {
    actorId: viewer.userId || null,
    action: "message.unredact",
    target: auditTarget(t),
    details: { ...auditDetails(viewer, t), reason: reason ?? null, redactionReason: reverted.reason, redactionId: reverted.id },
    ip: opts.ip,
  });
  await afterOverlayChange(db, t);
  return { messageId: Number(t.id), channelId: t.channel_id, channelExternalId: t.channel_external_id, ts: t.ts, reason: reverted.reason, redactionId: reverted.id };
}
