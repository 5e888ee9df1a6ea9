import type { TDb } from "../db";
import { selectActiveRedactions, selectActiveRedactionsInChannel, type TActiveRedaction } from "./redaction-repository";
import { maskSecrets, maskSecretsInValue } from "./secrets";

export type { TActiveRedaction } from "./redaction-repository";

/**
 * What readers show of a message: secrets masked (lib/compliance/secrets.ts)
 * and, while an admin's redaction is active, `[redacted: reason]` instead of
 * anything it said. Every reader that lets message text leave the archive
 * (pages, search, timelines, postmortems, exports) goes through here.
 */

/** The text shown for a redacted message. */
export function formatRedactedText(reason: string): string {
  return `[redacted: ${reason}]`;
}

/** A message's text as readers see it: redacted, else with secrets masked. */
export function overlayMessageText(text: string, redaction?: Pick<TActiveRedaction, "reason"> | null): string {
  return redaction ? formatRedactedText(redaction.reason) : maskSecrets(text);
}

/** A message's JSON (attachments, blocks) as readers see it: null when redacted, else with secrets masked. */
export function overlayMessageValue<T>(value: T, redaction?: Pick<TActiveRedaction, "reason"> | null): T | null {
  if (redaction) return null;
  return value === null || value === undefined ? value : maskSecretsInValue(value);
}

/** Active redactions of these messages, by message id (for readers). */
export async function findActiveRedactions(db: TDb, messageIds: number[]): Promise<Map<number, TActiveRedaction>> {
  return selectActiveRedactions(db, [...new Set(messageIds.map(Number))]);
}

/** Active redactions in one channel, by message ts (for readers that key messages by ts). */
export async function findActiveRedactionsInChannel(db: TDb, channelId: number): Promise<Map<string, TActiveRedaction>> {
  return selectActiveRedactionsInChannel(db, channelId);
}


