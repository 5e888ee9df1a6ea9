import type { NMessage, NormalizedBatch } from "./adapter";
import { copyChunks } from "./copy";
import { mergeBatch } from "./merge";
import { searchTokens } from "../search/ops-tokens";

/**
 * A batch's messages in the form the loader writes them (load.ts): merged to
 * one state per (channel, ts) (merge.ts), with their operations tokens, as
 * UTF-8 COPY text for the stage tables and JSON for the smaller tables. Pure
 * (no database, no clock), so the same batch always prepares to the same
 * bytes, wherever it is prepared: an import does it on the reader thread
 * (read-worker-main.ts) while this thread and the database write the batch
 * before; everything else lets applyBatch do it.
 */
export interface TPreparedMessages {
  /** Merged messages (rows of `stage`). */
  count: number;
  /** COPY text of stage_message (columns STAGE_MESSAGE_COLUMNS), in pieces (copy.ts). */
  stage: Uint8Array[];
  /** COPY text of stage_version (STAGE_VERSION_COLUMNS); empty when no message has two or more texts. */
  versions: Uint8Array[];
  /** JSON arrays for jsonb_to_recordset; null when empty. */
  reactions: string | null;
  files: string | null;
  links: string | null;
  /** Authors of the messages (external ids, once each): placeholder people when described nowhere. */
  authors: string[];
  /**
   * The natural keys this batch's message rows write: "channel\tts" of each
   * message, "\u0001" + the external id of each file. Two batches with no
   * key in common can be written side by side (run.ts).
   */
  keys: string[];
}

/** A batch whose messages were prepared (see TPreparedMessages). */
export type TPreparedBatch = Omit<NormalizedBatch, "messages"> & { messages?: undefined; prepared: TPreparedMessages };

/** What the loader accepts: a batch as adapters yield it, or prepared. */
export type TLoadBatch = NormalizedBatch | TPreparedBatch;

export const STAGE_MESSAGE_COLUMNS = [
  "channel", "ts", "thread_ts", "author", "bot_id", "username", "subtype", "text", "text_ts", "text_sha256", "search_text",
  "search_tokens", "attachments", "blocks", "edited_ts", "edited_by", "deleted", "deleted_ts", "reply_count", "pinned", "raw", "raw_sha256",
] as const;

export const STAGE_VERSION_COLUMNS = ["channel", "ts", "text", "text_sha256", "valid_from_ts", "edited_by"] as const;

export function prepareMessages(messages: readonly NMessage[]): TPreparedMessages {
  const merged = mergeBatch(messages);
  const stage: unknown[][] = [];
  const versions: unknown[][] = [];
  const reactions: unknown[] = [];
  const files: unknown[] = [];
  const links: unknown[] = [];
  const authors = new Set<string>();
  const keys: string[] = [];
  for (const o of messages) if (o.user) authors.add(o.user);
  for (const m of merged) {
    keys.push(`${m.channel}\t${m.ts}`);
    stage.push([
      m.channel, m.ts, m.threadTs, m.user, m.botId, m.username, m.subtype, m.text, m.textTs, m.textSha256, m.searchText,
      searchTokens(m.searchText), m.attachments, m.blocks, m.editedTs, m.editedBy, m.deleted, m.deletedTs, m.replyCount, m.pinned, m.raw, m.rawSha256,
    ]);
    // Only messages with two or more texts get version rows (see supersededVersions in load.ts).
    if (m.versions.size > 1) for (const v of m.versions.values()) versions.push([m.channel, m.ts, v.text, v.textSha256, v.validFromTs, v.editedBy]);
    for (const r of m.reactions.values()) for (const u of r.users) reactions.push({ channel: m.channel, ts: m.ts, name: r.name, user_external: u });
    for (const f of m.files.values()) {
      files.push({
        external_id: f.externalId,
        name: f.name ?? null,
        title: f.title ?? null,
        mimetype: f.mimetype ?? null,
        filetype: f.filetype ?? null,
        size: f.size ?? null,
        user_external: f.user ?? null,
        created_at: f.createdAt ?? null,
        url_private: f.urlPrivate ?? null,
        permalink: f.permalink ?? null,
        mode: f.mode ?? null,
        raw: f.raw,
      });
      links.push({ channel: m.channel, ts: m.ts, file: f.externalId });
      keys.push(`\u0001${f.externalId}`);
    }
  }
  const json = (rows: unknown[]) => (rows.length ? JSON.stringify(rows) : null);
  return {
    count: merged.length,
    stage: copyChunks(stage),
    versions: copyChunks(versions),
    reactions: json(reactions),
    files: json(files),
    links: json(links),
    authors: [...authors],
    keys,
  };
}

/** `batch` with its messages prepared. */
export function prepareBatch(batch: TLoadBatch): TPreparedBatch {
  if ("prepared" in batch && batch.prepared) return batch;
  const { messages, ...rest } = batch as NormalizedBatch;
  return { ...rest, prepared: prepareMessages(messages ?? []) };
}
