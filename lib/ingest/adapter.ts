/**
 * The contract between ingest adapters and the single loader (`load.ts`).
 *
 * An adapter parses and validates one kind of source (Slack export, Slack Web
 * API, Events API, Mattermost, IRC, bot executions) and yields
 * {@link NormalizedBatch}es. It never touches the database. The loader writes
 * each batch, together with its checkpoint, in one transaction.
 *
 * Every record is an *observation*: the loader merges observations
 * monotonically (latest edit wins for the current text, every distinct text is
 * kept as a version, a deletion is never undone by an older observation), so
 * batches can be replayed in any order, any number of times, with the same end
 * state. That is what makes every ingest path idempotent and resumable.
 *
 * Cross-references use the source's own ids ("external ids": Slack `U…`, `C…`,
 * message `ts`); the loader resolves them to archive ids.
 */

/** Where the batch came from; stored as provenance on every row it writes. */
export interface TSourceRef {
  /** Adapter name, e.g. `slack-export`, `slack-api`, `slack-events`. */
  source: string;
}

export interface NWorkspace {
  /** Source system: `slack`, `mattermost`, `irc`, … */
  platform: string;
  /** The workspace's id in that system (Slack team id) or a stable name. */
  externalId: string;
  name: string;
  domain?: string | null;
}

export interface NPerson {
  externalId: string;
  name: string;
  realName?: string | null;
  displayName?: string | null;
  email?: string | null;
  title?: string | null;
  tz?: string | null;
  isBot: boolean;
  /** Slack `B…` id of the bot user, when known. */
  botId?: string | null;
  deleted: boolean;
  /** Created because something referenced an id that no user list described. */
  placeholder?: boolean;
  raw: unknown;
  rawSha256: string;
}

export type TChannelKind = "public" | "private" | "dm" | "mpdm";

export interface NChannel {
  externalId: string;
  name: string;
  kind: TChannelKind;
  topic?: string | null;
  purpose?: string | null;
  archived: boolean;
  /** ISO-8601 creation time. */
  createdAt?: string | null;
  creator?: string | null;
  /** Current member external ids, when the source lists them (null = unknown). */
  members?: string[] | null;
  raw: unknown;
  rawSha256: string;
}

export interface NFile {
  externalId: string;
  name?: string | null;
  title?: string | null;
  mimetype?: string | null;
  filetype?: string | null;
  size?: number | null;
  user?: string | null;
  /** ISO-8601 */
  createdAt?: string | null;
  urlPrivate?: string | null;
  permalink?: string | null;
  mode?: string | null;
  raw: unknown;
}

export interface NReaction {
  name: string;
  users: string[];
  /** Slack's count; may exceed users.length when Slack truncated the list. */
  count: number;
}

/**
 * One observed state of a message. `text === null` means "this observation
 * says nothing about the text" (a tombstone, a bare deletion).
 */
export interface NMessage {
  channel: string;
  ts: string;
  threadTs?: string | null;
  user?: string | null;
  botId?: string | null;
  /** Display name a bot or integration posted under. */
  username?: string | null;
  subtype?: string | null;
  text: string | null;
  /** Text plus the text of attachments and blocks, for search and alerts. */
  searchText: string;
  attachments?: unknown[] | null;
  blocks?: unknown[] | null;
  files?: NFile[];
  /** null/undefined = unknown (leave as is); [] = no reactions. */
  reactions?: NReaction[] | null;
  /** `edited.ts` of this state, when it is an edited state. */
  editedTs?: string | null;
  editedBy?: string | null;
  /** ts of the deletion when this observation says the message is deleted. */
  deletedTs?: string | null;
  /** true when the message is deleted but the time is unknown (tombstone). */
  deleted?: boolean;
  replyCount?: number | null;
  pinned?: boolean;
  raw: unknown;
  rawSha256: string;
}

export type TChannelEventKind =
  | "join"
  | "leave"
  | "topic"
  | "purpose"
  | "rename"
  | "archive"
  | "unarchive"
  | "pin"
  | "unpin"
  | "other";

export interface NChannelEvent {
  channel: string;
  ts: string;
  kind: TChannelEventKind;
  subtype: string;
  /** Who did it (external id). */
  actor?: string | null;
  /** Who it was done to, e.g. the inviter's invitee (external id). */
  subject?: string | null;
  /** New topic/purpose/name, pinned item ts, … */
  value?: string | null;
  text: string;
  raw: unknown;
  rawSha256: string;
}

export interface NReactionChange {
  channel: string;
  ts: string;
  name: string;
  user: string;
  op: "add" | "remove";
}

export interface NExecution {
  /** Idempotency key within the source. */
  externalId: string;
  bot: string;
  command: string;
  arguments?: unknown;
  invoker?: string | null;
  channel?: string | null;
  messageTs?: string | null;
  startedAt: string;
  finishedAt?: string | null;
  status: string;
  exitCode?: number | null;
  output?: string | null;
  outputTruncated?: boolean;
  /** How many secrets were masked in arguments and output (0 when none). */
  secretsMasked?: number;
  /** Output size in bytes before bounding, when known. */
  outputBytes?: number | null;
  raw: unknown;
  rawSha256: string;
}

export interface TCheckpoint {
  /** What the position is for, e.g. `export`, `channel:C123`. */
  scope: string;
  /** Opaque to the loader; the adapter reads it back on resume. */
  position: unknown;
}

export interface TProgress {
  done: number;
  total?: number | null;
  unit: string;
}

export interface NormalizedBatch {
  workspace: NWorkspace;
  people?: NPerson[];
  channels?: NChannel[];
  messages?: NMessage[];
  events?: NChannelEvent[];
  reactionChanges?: NReactionChange[];
  executions?: NExecution[];
  /**
   * Channels whose membership intervals should be rebuilt from their
   * join/leave events and member list after this batch (external ids).
   */
  finishedChannels?: string[];
  checkpoint?: TCheckpoint;
  progress?: TProgress;
}

/** What `read` is given back on resume: the last committed checkpoints. */
export type TCheckpoints = ReadonlyMap<string, unknown>;

export interface IngestInput {
  /** A path (file or folder) or a source-specific locator. */
  location: string;
  options?: Record<string, unknown>;
}

/** An ingest adapter: parse + validate, no database access. */
export interface IngestAdapter {
  /** Stable name, stored as provenance (`slack-export`, …). */
  readonly name: string;
  /** True when this adapter understands the input. Cheap; no full read. */
  detect(input: IngestInput): Promise<boolean>;
  /**
   * A stable key identifying this input for checkpoints (e.g. a hash of the
   * archive's listing), so a re-run of the same input resumes.
   */
  sourceKey(input: IngestInput): Promise<string>;
  /**
   * Validate what can be validated before anything is written (hostile
   * archive entries, missing metadata). Throws an {@link AppError}.
   */
  preflight?(input: IngestInput): Promise<void>;
  read(input: IngestInput, checkpoints: TCheckpoints): AsyncIterable<NormalizedBatch>;
}
