import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type {
  IngestAdapter,
  IngestInput,
  NChannel,
  NChannelEvent,
  NMessage,
  NPerson,
  NWorkspace,
  NormalizedBatch,
  TCheckpoints,
  TProgress,
} from "../../adapter";
import { AppError, badInput } from "../../../errors";
import { logger } from "../../../logger";
import { looksLikeZip, openArchive } from "../../archive/open-archive";
import type { TArchive, TArchiveLimits } from "../../archive/types";
import { parseDayFile } from "./day-file";
import { parseJsonFile, validateArrayFile } from "./json-file";
import { CONVERSATION_FILES, USER_FILES, hasSlackMetadata, listDayFiles, type TDayFileRef } from "./layout";
import { folderConversation, normalizeConversation, normalizeEntry, normalizePerson, type TConversationContext } from "./normalize";
import { ZSlackConversation, ZSlackUser } from "./schemas";

/**
 * The Slack export adapter: a Slack export ZIP or unpacked folder (standard
 * or Enterprise Grid) → normalised batches. Parsing and validation only; the
 * loader writes. Memory is bounded by the metadata files plus one day file
 * plus one batch, whatever the size of the export.
 *
 * Batches: first the workspace with its people and conversations (always,
 * also on resume: they are cheap and idempotent), then the day files in a
 * fixed order (folder, then date), cut into batches of at most `batchSize`
 * messages + events. Every batch carries the checkpoint
 * `{ scope: "export", position: { file, entry, path } }`: everything before
 * entry `entry` of day file number `file` (whose path is `path`) is in this
 * or an earlier batch.
 */

export const SLACK_EXPORT_SOURCE = "slack-export";
export const SLACK_EXPORT_CHECKPOINT_SCOPE = "export";
/**
 * Messages + events per batch. Each batch costs some twenty statements and a
 * commit besides its rows; on 1,000,000 messages, written one batch at a
 * time, 5,000 imported in 174–178 s where 2,000 took 203 s (10,000: 185 s).
 */
export const DEFAULT_BATCH_SIZE = 5000;

/** Something the import carries on with but the operator should know. */
export interface TIngestWarning {
  code: "unlisted_folder" | "checkpoint_ignored";
  message: string;
  file?: string;
}

/** `IngestInput.options` understood by this adapter. */
export interface TSlackExportOptions {
  /** Most messages + events per batch (default DEFAULT_BATCH_SIZE). */
  batchSize?: number;
  /** Receives warnings; default: logged at `warn`. */
  onWarning?: (w: TIngestWarning) => void;
  /** Overrides of the IMPORT_MAX_* archive limits. */
  limits?: Partial<TArchiveLimits>;
  /** Workspace display name; default: the archive's file or folder name. */
  workspaceName?: string;
}

/** The checkpoint position (see the module comment). */
export interface TSlackExportPosition {
  file: number;
  entry: number;
  path?: string;
}

const ZPosition = z.object({
  file: z.number().int().nonnegative(),
  entry: z.number().int().nonnegative(),
  path: z.string().optional(),
});

const ZLimits = z
  .object({
    maxTotalBytes: z.number().positive(),
    maxEntryBytes: z.number().positive(),
    maxRatio: z.number().positive(),
    ratioMinBytes: z.number().nonnegative(),
  })
  .partial();

const ZOptions = z.looseObject({
  batchSize: z.number().int().min(1).max(1_000_000).optional(),
  onWarning: z.custom<(w: TIngestWarning) => void>((v) => typeof v === "function", { message: "expected a function" }).optional(),
  limits: ZLimits.optional(),
  workspaceName: z.string().min(1).optional(),
});

interface TResolvedOptions {
  batchSize: number;
  warn: (w: TIngestWarning) => void;
  limits: Partial<TArchiveLimits> | undefined;
  workspaceName: string | undefined;
}

function resolveOptions(input: IngestInput): TResolvedOptions {
  const r = ZOptions.safeParse(input.options ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new AppError("usage", `slack-export option ${issue.path.join(".")}: ${issue.message}`, { field: issue.path.join(".") });
  }
  const o = r.data;
  return {
    batchSize: o.batchSize ?? DEFAULT_BATCH_SIZE,
    warn: o.onWarning ?? ((w) => logger.warn(w.message, { adapter: SLACK_EXPORT_SOURCE, code: w.code, file: w.file })),
    limits: o.limits,
    workspaceName: o.workspaceName,
  };
}

/**
 * Opens a Slack export with all hostile-archive checks. A single top folder
 * is stripped only when the metadata files sit directly inside it, so an
 * archive of one conversation folder keeps its folder name.
 */
export function openSlackExport(location: string, limits?: Partial<TArchiveLimits>): Promise<TArchive> {
  return openArchive(location, { limits, stripCommonRoot: (stripped) => hasSlackMetadata(stripped) });
}

interface TPlannedDayFile extends TDayFileRef {
  channel: string;
}

/** Everything known before the first day file is read. */
interface TSlackExportPlan {
  workspace: NWorkspace;
  people: NPerson[];
  channels: NChannel[];
  dayFiles: TPlannedDayFile[];
  /** Conversation external id → index of its last day file. */
  lastDayFile: Map<string, number>;
  /** Conversation external id → ts listed in its `pins`. */
  pins: Map<string, Set<string>>;
  /** offsets[i] = bytes of day files before file i; offsets[length] = total. */
  offsets: number[];
}

const SLACK_CONVERSATION_ID = /^[CGD][A-Z0-9]{6,}$/;

function mostCommon(counts: Map<string, number>): string | null {
  let best: string | null = null;
  let bestN = 0;
  for (const [k, n] of counts) {
    if (n > bestN || (n === bestN && best !== null && k < best)) {
      best = k;
      bestN = n;
    }
  }
  return best;
}

function bump(counts: Map<string, number>, key: string | null | undefined): void {
  if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
}

async function readArrayFile<S extends z.ZodType>(archive: TArchive, file: string, schema: S, what: string) {
  const { value, text } = parseJsonFile(await archive.readEntry(file), file);
  const items = validateArrayFile(value, text, file, schema, what);
  return { raw: value as unknown[], items };
}

/**
 * Reads and validates the metadata files and maps every day-file folder to
 * a conversation. A folder no metadata file lists becomes a public channel
 * named after it (with a warning) rather than an error: partial exports and
 * hand-assembled folders are common, and refusing them would lose history.
 */
async function planSlackExport(archive: TArchive, opts: TResolvedOptions): Promise<TSlackExportPlan> {
  const listed = new Set(archive.list().map((e) => e.path));
  if (!hasSlackMetadata(listed)) {
    throw badInput(
      `${archive.label} is not a Slack export: no users.json, org_users.json, channels.json, groups.json, dms.json or mpims.json at its top level`,
      { file: archive.label },
    );
  }

  const people: NPerson[] = [];
  const knownPeople = new Set<string>();
  const teams = new Map<string, number>();
  for (const file of USER_FILES) {
    if (!listed.has(file)) continue;
    const { raw, items } = await readArrayFile(archive, file, ZSlackUser, "users");
    items.forEach((u, i) => {
      if (knownPeople.has(u.id)) return; // org_users.json repeats users.json
      knownPeople.add(u.id);
      people.push(normalizePerson(raw[i], u));
      bump(teams, u.team_id);
    });
  }

  const channels: NChannel[] = [];
  const byId = new Map<string, NChannel>();
  const pins = new Map<string, Set<string>>();
  const names = new Map<string, string>();
  for (const [file, kind] of CONVERSATION_FILES) {
    if (!listed.has(file)) continue;
    const { raw, items } = await readArrayFile(archive, file, ZSlackConversation, "conversations");
    items.forEach((c, i) => {
      if (byId.has(c.id)) return;
      const ch = normalizeConversation(raw[i], c, kind);
      channels.push(ch);
      byId.set(c.id, ch);
      const pinned = (c.pins ?? []).map((p) => p.id).filter((id): id is string => typeof id === "string");
      if (pinned.length > 0) pins.set(c.id, new Set(pinned));
      if (c.name && !names.has(c.name)) names.set(c.name, c.id);
    });
  }

  const dayFiles: TPlannedDayFile[] = [];
  const lastDayFile = new Map<string, number>();
  const inferred = new Map<string, string>();
  for (const ref of listDayFiles(archive.list())) {
    // Folders are named after the conversation's name, or its id (DMs; some exporters).
    let channel = names.get(ref.folder) ?? (byId.has(ref.folder) ? ref.folder : inferred.get(ref.folder));
    if (channel === undefined) {
      channel = SLACK_CONVERSATION_ID.test(ref.folder) ? ref.folder : `folder:${ref.folder}`;
      inferred.set(ref.folder, channel);
      const ch = folderConversation(channel, ref.folder);
      channels.push(ch);
      byId.set(channel, ch);
      opts.warn({
        code: "unlisted_folder",
        file: ref.folder,
        message: `${archive.label}: folder "${ref.folder}" has day files but no metadata file lists it; importing it as public channel "${ref.folder}" (${channel})`,
      });
    }
    lastDayFile.set(channel, dayFiles.length);
    dayFiles.push({ ...ref, channel });
  }
  const offsets = [0];
  for (const f of dayFiles) offsets.push(offsets[offsets.length - 1]! + f.size);

  let team = mostCommon(teams);
  if (team === null) team = await teamFromMessages(archive, dayFiles.slice(0, 3));
  const name = opts.workspaceName ?? archive.label.replace(/\.zip$/i, "");
  const workspace: NWorkspace = { platform: "slack", externalId: team ?? `export:${name}`, name, domain: null };
  return { workspace, people, channels, dayFiles, lastDayFile, pins, offsets };
}

/** Exports without users.json: the team named most often by the first messages. */
async function teamFromMessages(archive: TArchive, files: readonly TDayFileRef[]): Promise<string | null> {
  const teams = new Map<string, number>();
  for (const f of files) {
    for (const entry of parseDayFile(await archive.readEntry(f.path), f.path)) {
      if (entry.kind === "message") bump(teams, entry.m.team ?? entry.m.user_team);
    }
  }
  return mostCommon(teams);
}

function resolveResume(saved: unknown, plan: TSlackExportPlan, label: string, warn: TResolvedOptions["warn"]): { file: number; entry: number } {
  if (saved === undefined || saved === null) return { file: 0, entry: 0 };
  const r = ZPosition.safeParse(saved);
  const n = plan.dayFiles.length;
  let reason: string | null = null;
  if (!r.success) reason = "it is not a slack-export position";
  else if (r.data.file > n) reason = `it names day file ${r.data.file} of ${n}`;
  else if (r.data.file < n && r.data.path !== undefined && plan.dayFiles[r.data.file]!.path !== r.data.path) {
    reason = `day file ${r.data.file} is now ${plan.dayFiles[r.data.file]!.path}, not ${r.data.path}`;
  }
  if (reason !== null || !r.success) {
    // Everything is idempotent, so starting over is always safe; only slower.
    warn({ code: "checkpoint_ignored", message: `${label}: ignoring the saved checkpoint (${reason}); reading the export from the start` });
    return { file: 0, entry: 0 };
  }
  return { file: r.data.file, entry: r.data.entry };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * All batches of one export (see the module comment). `checkpoints` holds
 * what the loader committed last time; the metadata batches are yielded
 * again, then reading continues at the saved position.
 */
async function* readSlackExport(input: IngestInput, checkpoints: TCheckpoints): AsyncGenerator<NormalizedBatch> {
  const opts = resolveOptions(input);
  const archive = await openSlackExport(input.location, opts.limits);
  try {
    const plan = await planSlackExport(archive, opts);
    const { workspace, dayFiles, offsets } = plan;
    const total = offsets[dayFiles.length]!;
    const resume = resolveResume(checkpoints.get(SLACK_EXPORT_CHECKPOINT_SCOPE), plan, archive.label, opts.warn);

    const checkpointAt = (file: number, entry: number): NormalizedBatch["checkpoint"] => {
      const position: TSlackExportPosition = file < dayFiles.length ? { file, entry, path: dayFiles[file]!.path } : { file, entry };
      return { scope: SLACK_EXPORT_CHECKPOINT_SCOPE, position };
    };
    const progressAt = (file: number, entry: number, entries: number): TProgress => {
      const size = dayFiles[file]?.size ?? 0;
      const within = entries > 0 ? Math.floor((size * Math.min(entry, entries)) / entries) : 0;
      return { done: offsets[file]! + within, total, unit: "bytes" };
    };

    // Metadata: people before channels (members refer to people).
    const meta: NormalizedBatch[] = [
      ...chunk(plan.people, opts.batchSize).map((people) => ({ workspace, people })),
      ...chunk(plan.channels, opts.batchSize).map((channels) => ({ workspace, channels })),
    ];
    if (meta.length === 0) meta.push({ workspace });
    const empty = plan.channels.filter((c) => !plan.lastDayFile.has(c.externalId)).map((c) => c.externalId);
    if (empty.length > 0) meta[meta.length - 1]!.finishedChannels = empty;
    for (const b of meta) {
      yield { ...b, checkpoint: checkpointAt(resume.file, resume.entry), progress: progressAt(resume.file, 0, 0) };
    }

    let messages: NMessage[] = [];
    let events: NChannelEvent[] = [];
    let finished: string[] = [];
    const flush = (file: number, entry: number, entries: number): NormalizedBatch => {
      const b: NormalizedBatch = {
        workspace,
        messages,
        events,
        checkpoint: checkpointAt(file, entry),
        progress: progressAt(file, entry, entries),
      };
      if (finished.length > 0) b.finishedChannels = finished;
      messages = [];
      events = [];
      finished = [];
      return b;
    };

    for (let fi = resume.file; fi < dayFiles.length; fi++) {
      const df = dayFiles[fi]!;
      const entries = parseDayFile(await archive.readEntry(df.path), df.path);
      const ctx: TConversationContext = { channel: df.channel, pinned: plan.pins.get(df.channel) ?? new Set() };
      for (let ei = fi === resume.file ? resume.entry : 0; ei < entries.length; ei++) {
        const entry = entries[ei]!;
        const out = normalizeEntry(entry.raw, entry, ctx);
        const n = out.messages.length + out.events.length;
        const pending = messages.length + events.length;
        // An entry is atomic for checkpoints: cut before it, never inside it.
        if (pending > 0 && pending + n > opts.batchSize) yield flush(fi, ei, entries.length);
        messages.push(...out.messages);
        events.push(...out.events);
        // A full batch goes out now, so damage further on cannot hold it back.
        if (messages.length + events.length >= opts.batchSize) yield flush(fi, ei + 1, entries.length);
      }
      // Only after the file is read: the batch carrying this is cut at or after its end.
      if (plan.lastDayFile.get(df.channel) === fi) finished.push(df.channel);
    }
    if (messages.length > 0 || events.length > 0 || finished.length > 0) yield flush(dayFiles.length, 0, 0);
  } finally {
    await archive.close();
  }
}

/** A folder holding Slack metadata at its top, or inside its single subfolder. No full walk. */
async function looksLikeSlackFolder(dir: string): Promise<boolean> {
  const names = await fs.readdir(dir);
  if (hasSlackMetadata(names)) return true;
  const visible = names.filter((n) => !n.startsWith(".") && n !== "__MACOSX");
  if (visible.length !== 1) return false;
  const sub = path.join(dir, visible[0]!);
  const st = await fs.lstat(sub);
  return st.isDirectory() && hasSlackMetadata(await fs.readdir(sub));
}

/** The Slack export ingest adapter (`slack-export`). */
export const slackExportAdapter: IngestAdapter = {
  name: SLACK_EXPORT_SOURCE,

  /**
   * A folder with Slack metadata files, or a ZIP whose listing has them.
   * A ZIP is opened (central directory only), so a hostile or corrupt ZIP
   * throws here rather than being reported as "not a Slack export".
   */
  async detect(input) {
    const { location } = input;
    const opts = resolveOptions(input);
    let st;
    try {
      st = await fs.stat(location);
    } catch {
      return false;
    }
    if (st.isDirectory()) return looksLikeSlackFolder(location);
    if (!st.isFile() || !(await looksLikeZip(location))) return false;
    const archive = await openSlackExport(location, opts.limits);
    try {
      return hasSlackMetadata(archive.list().map((e) => e.path));
    } finally {
      await archive.close();
    }
  },

  /**
   * "slack-export:" + SHA-256 over the sorted listing (path and size). The
   * same export gives the same key whether zipped or unpacked (directory
   * entries, dotfiles and a wrapping folder do not count).
   */
  async sourceKey(input) {
    const { location } = input;
    const opts = resolveOptions(input);
    const archive = await openSlackExport(location, opts.limits);
    try {
      const h = createHash("sha256");
      for (const e of archive.list()) h.update(`${e.path}\u0000${e.size}\n`);
      return `${SLACK_EXPORT_SOURCE}:${h.digest("hex")}`;
    } finally {
      await archive.close();
    }
  },

  /** Hostile-archive checks, then every metadata file parsed and validated. */
  async preflight(input) {
    const { location } = input;
    // read() plans again and reports the warnings; saying them twice helps nobody.
    const opts = { ...resolveOptions(input), warn: () => undefined };
    const archive = await openSlackExport(location, opts.limits);
    try {
      await planSlackExport(archive, opts);
    } finally {
      await archive.close();
    }
  },

  read(input, checkpoints) {
    return readSlackExport(input, checkpoints);
  },
};
