/**
 * Every table of the database, classified for compliance: whether
 * exports carry it, what retention does to it, whether legal holds keep it.
 * test/integration/data-classification.test.ts fails when a table exists that
 * is not listed here, so a new table cannot silently escape retention (or be
 * purged when it must not be). Add yours when you add a migration.
 */

export type TDataClass =
  /** What people said: purged by retention, kept by holds, in exports. */
  | "message content"
  /** Who and where (workspaces, channels, people, memberships): context for content. */
  | "archive directory"
  /** Chatbot command runs and channel activity. */
  | "archive activity"
  /** Work products built from the archive (incidents, timelines, postmortems). */
  | "derived work"
  /** Evidence that must outlive any purge: audit log, content digest chain. */
  | "evidence"
  /** Retention and hold configuration and runs. */
  | "compliance configuration"
  /** Accounts, sessions, tokens, connections. */
  | "app accounts"
  /** Queues, checkpoints, caches and indexes the application rebuilds or consumes. */
  | "app operations";

export interface TTableClassification {
  class: TDataClass;
  /** Whether compliance exports (lib/export) include it. */
  export: "exported" | "exported as context" | "not exported";
  /** What a retention run does to its rows. */
  retention: "purged" | "purged with its message" | "pruned" | "kept" | "not applicable";
  /** Whether an active legal hold keeps its rows. */
  legalHold: "held" | "held with its message" | "not applicable";
  note?: string;
}

const content = (note?: string): TTableClassification => ({ class: "message content", export: "exported", retention: "purged with its message", legalHold: "held with its message", note });
const app = (klass: TDataClass, note: string): TTableClassification => ({ class: klass, export: "not exported", retention: "not applicable", legalHold: "not applicable", note });

/** Table name → classification. */
export const TABLE_CLASSIFICATION: Readonly<Record<string, TTableClassification>> = {
  message: { class: "message content", export: "exported", retention: "purged", legalHold: "held", note: "policies and holds are evaluated per message" },
  message_version: content("every earlier text"),
  reaction: content(),
  message_file: content("file links"),
  file: content("file metadata; deleted when no remaining message links it"),
  message_redaction: content("overlay on a message (cascade)"),

  workspace: { class: "archive directory", export: "exported as context", retention: "kept", legalHold: "not applicable" },
  channel: { class: "archive directory", export: "exported as context", retention: "kept", legalHold: "not applicable" },
  person: { class: "archive directory", export: "exported as context", retention: "kept", legalHold: "not applicable" },
  membership: { class: "archive directory", export: "exported as context", retention: "kept", legalHold: "not applicable", note: "who could see each message" },

  channel_event: { class: "archive activity", export: "exported as context", retention: "kept", legalHold: "not applicable", note: "joins, topics, pins; retention policies cover messages" },
  execution: { class: "archive activity", export: "not exported", retention: "kept", legalHold: "not applicable", note: "bot command runs (secrets masked at ingest)" },

  incident: app("derived work", "built from the archive; refers to messages by channel and time"),
  incident_version: app("derived work", "incident history"),
  timeline_mark: app("derived work", "human marks on timeline events"),
  postmortem_draft: app("derived work", "postmortem drafts (may quote messages)"),

  audit_event: { class: "evidence", export: "not exported", retention: "kept", legalHold: "not applicable", note: "append-only, hash-chained; `backscroll audit`" },
  content_batch: { class: "evidence", export: "not exported", retention: "kept", legalHold: "not applicable", note: "append-only; a purge appends a batch" },
  content_leaf: { class: "evidence", export: "not exported", retention: "kept", legalHold: "not applicable", note: "hashes only, no content" },

  retention_policy: app("compliance configuration", "policy changes are audited"),
  legal_hold: app("compliance configuration", "released, never deleted"),
  retention_run: app("compliance configuration", "every run and dry run with its report"),
  export_job: app("compliance configuration", "export requests and their ZIPs"),

  app_user: app("app accounts", "sign-in accounts"),
  session: app("app accounts", "signed-in browsers"),
  user_identity: app("app accounts", "OIDC identities"),
  login_attempt: app("app accounts", "rate limiting"),
  bot_token: app("app accounts", "chatbot API tokens (hashed)"),
  slack_connection: app("app accounts", "Slack API connection (token encrypted)"),

  slack_event_receipt: {
    class: "app operations",
    export: "not exported",
    retention: "pruned",
    legalHold: "not applicable",
    note: "raw Events API deliveries (message text): processed ones are pruned by retention runs after the shortest policy",
  },
  ingest_run: app("app operations", "import/sync runs"),
  ingest_checkpoint: app("app operations", "resume positions"),
  job: app("app operations", "job queue"),
  search_word: { class: "app operations", export: "not exported", retention: "purged with its message", legalHold: "held with its message", note: "vocabulary: purged messages' words are removed" },
  search_outbox: app("app operations", "change feed for search (message ids only)"),
  search_cursor: app("app operations", "search consumers' positions"),
};

/** The classification of a table, or undefined when it has none (a bug the completeness test catches). */
export function classifyTable(table: string): TTableClassification | undefined {
  return Object.hasOwn(TABLE_CLASSIFICATION, table) ? TABLE_CLASSIFICATION[table] : undefined;
}
