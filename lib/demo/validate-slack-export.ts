import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Checks that an unpacked export folder has the shapes Slack itself writes:
 * id formats, listings, folder naming (channels by name, DMs by id), `ts`
 * format and ordering, day files matching their messages' UTC dates, threads
 * whose replies point at an existing parent that counts them, reactions,
 * edits, files, bot posts, join/topic events and Slack's text escaping.
 *
 * Made to test the generators; it keeps every `ts` of the export in memory,
 * so use it on test-sized exports, not on million-message ones.
 *
 * @returns human-readable problems, empty when the export is well formed
 *   (at most `limit` of them).
 */
export async function findSlackExportProblems(dir: string, limit = 50): Promise<string[]> {
  const problems: string[] = [];
  const report = (message: string) => {
    if (problems.length < limit) problems.push(message);
  };
  const readJsonArray = async (name: string): Promise<Record<string, unknown>[]> => {
    const value: unknown = JSON.parse(await readFile(join(dir, name), "utf8"));
    if (!Array.isArray(value)) {
      report(`${name}: not a JSON array`);
      return [];
    }
    return value as Record<string, unknown>[];
  };

  const users = await readJsonArray("users.json");
  const userIds = new Set<string>();
  const botIds = new Set<string>();
  for (const u of users) {
    const id = String(u.id);
    if (!USER_ID.test(id)) report(`users.json: bad user id ${id}`);
    if (userIds.has(id)) report(`users.json: duplicate id ${id}`);
    userIds.add(id);
    if (!TEAM_ID.test(String(u.team_id))) report(`users.json: ${id} has bad team_id ${String(u.team_id)}`);
    if (typeof u.name !== "string" || u.name === "") report(`users.json: ${id} has no name`);
    if (typeof u.deleted !== "boolean" || typeof u.is_bot !== "boolean") report(`users.json: ${id} lacks deleted/is_bot`);
    const profile = (u.profile ?? {}) as Record<string, unknown>;
    if (u.is_bot === true) {
      if (!BOT_ID.test(String(profile.bot_id))) report(`users.json: bot ${id} has bad profile.bot_id`);
      else botIds.add(String(profile.bot_id));
    }
  }

  const folders = new Map<string, string>();
  const checkConversation = (file: string, c: Record<string, unknown>, idPattern: RegExp, folderOf: "name" | "id") => {
    const id = String(c.id);
    if (!idPattern.test(id)) report(`${file}: bad id ${id}`);
    const members = Array.isArray(c.members) ? (c.members as unknown[]) : null;
    if (!members) report(`${file}: ${id} has no members array`);
    for (const m of members ?? []) if (!userIds.has(String(m))) report(`${file}: ${id} lists unknown member ${String(m)}`);
    if (typeof c.created !== "number") report(`${file}: ${id} created is not a number`);
    const folder = folderOf === "id" ? id : String(c.name);
    if (folders.has(folder)) report(`${file}: folder ${folder} used twice`);
    folders.set(folder, id);
    return members ?? [];
  };
  for (const c of await readJsonArray("channels.json")) checkConversation("channels.json", c, CHANNEL_ID, "name");
  for (const c of await readJsonArray("groups.json")) checkConversation("groups.json", c, GROUP_ID, "name");
  for (const c of await readJsonArray("mpims.json")) {
    checkConversation("mpims.json", c, GROUP_ID, "name");
    if (!String(c.name).startsWith("mpdm-")) report(`mpims.json: ${String(c.id)} name must start with mpdm-`);
  }
  for (const c of await readJsonArray("dms.json")) {
    const members = checkConversation("dms.json", c, DM_ID, "id");
    if (members.length !== 2) report(`dms.json: ${String(c.id)} must have exactly two members`);
  }

  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory()) continue;
    if (!folders.has(entry.name)) report(`folder ${entry.name} matches no conversation (channels by name, DMs by id)`);
    await checkConversationFolder(join(dir, entry.name), entry.name, { userIds, botIds, report });
  }
  return problems;
}

const USER_ID = /^(U[A-Z0-9]{8,10}|USLACKBOT)$/;
const TEAM_ID = /^T[A-Z0-9]{8,10}$/;
const BOT_ID = /^B[A-Z0-9]{8,10}$/;
const CHANNEL_ID = /^C[A-Z0-9]{8,10}$/;
const GROUP_ID = /^G[A-Z0-9]{8,10}$/;
const DM_ID = /^D[A-Z0-9]{8,10}$/;
const FILE_ID = /^F[A-Z0-9]{8,10}$/;
const TS = /^\d{10}\.\d{6}$/;
const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.json$/;
const SLACK_TOKEN = /<(@U[A-Z0-9]+|#[CG][A-Z0-9]+(\|[^<>]*)?|![a-z]+(\|[^<>]*)?|(https?|mailto):[^<>|\s]+(\|[^<>]*)?)>/g;
const ENTITY = /&(amp|lt|gt);/g;

interface TThreadParent {
  ts: string;
  replyCount: number;
  replyTs: string[];
  latest: string;
  file: string;
}

async function checkConversationFolder(
  path: string,
  folder: string,
  ctx: { userIds: Set<string>; botIds: Set<string>; report: (m: string) => void },
): Promise<void> {
  const { userIds, botIds, report } = ctx;
  const seen = new Set<string>();
  const parents = new Map<string, TThreadParent>();
  const replies = new Map<string, { ts: string; where: string }[]>();
  let previousTs = "";

  for (const file of (await readdir(path)).sort()) {
    const where = `${folder}/${file}`;
    const day = DAY_FILE.exec(file)?.[1];
    if (!day) {
      report(`${where}: not a YYYY-MM-DD.json day file`);
      continue;
    }
    const parsed: unknown = JSON.parse(await readFile(join(path, file), "utf8"));
    if (!Array.isArray(parsed)) {
      report(`${where}: not a JSON array`);
      continue;
    }
    for (const raw of parsed as Record<string, unknown>[]) {
      const ts = String(raw.ts);
      const at = `${where} ts ${ts}`;
      if (raw.type !== "message") report(`${at}: type must be "message"`);
      if (!TS.test(ts)) {
        report(`${at}: ts must look like 1700000000.000100`);
        continue;
      }
      if (new Date(Number(ts.slice(0, 10)) * 1000).toISOString().slice(0, 10) !== day) report(`${at}: ts is not on ${day} (UTC)`);
      if (seen.has(ts)) report(`${at}: duplicate ts in ${folder}`);
      seen.add(ts);
      if (previousTs && compareTs(ts, previousTs) < 0) report(`${at}: out of order`);
      previousTs = ts;

      const subtype = typeof raw.subtype === "string" ? raw.subtype : undefined;
      const user = typeof raw.user === "string" ? raw.user : undefined;
      if (user !== undefined && !userIds.has(user)) report(`${at}: unknown user ${user}`);
      if (typeof raw.text !== "string") report(`${at}: text must be a string`);
      checkEscaping(String(raw.text ?? ""), at, report);

      if (subtype === "bot_message") {
        if (!botIds.has(String(raw.bot_id))) report(`${at}: bot_message with unknown bot_id ${String(raw.bot_id)}`);
        if (typeof raw.username !== "string") report(`${at}: bot_message without username`);
      } else if (subtype === "channel_join") {
        if (raw.text !== `<@${user}> has joined the channel`) report(`${at}: channel_join text must be "<@U…> has joined the channel"`);
      } else if (subtype === "channel_topic") {
        if (typeof raw.topic !== "string" || !String(raw.text).includes(String(raw.topic))) report(`${at}: channel_topic needs topic in text`);
      } else if (subtype === "tombstone") {
        if (raw.hidden !== true || raw.thread_ts !== ts) report(`${at}: tombstone must be a hidden thread parent`);
      } else if (subtype === undefined && user === undefined) {
        report(`${at}: a person's message needs a user`);
      }

      for (const a of (raw.attachments as Record<string, unknown>[] | undefined) ?? []) {
        for (const key of ["color", "fallback", "title", "text"]) {
          if (typeof a[key] !== "string") report(`${at}: attachment.${key} must be a string`);
        }
        for (const f of (a.fields as Record<string, unknown>[] | undefined) ?? []) {
          if (typeof f.title !== "string" || typeof f.value !== "string" || typeof f.short !== "boolean") {
            report(`${at}: attachment field must be {title, value, short}`);
          }
        }
        checkEscaping(String(a.text ?? ""), `${at} attachment`, report);
      }
      if (raw.edited !== undefined) {
        const e = raw.edited as Record<string, unknown>;
        if (!userIds.has(String(e.user)) || !TS.test(String(e.ts)) || compareTs(String(e.ts), ts) <= 0) {
          report(`${at}: edited must be {user, ts} with a later ts`);
        }
      }
      for (const r of (raw.reactions as Record<string, unknown>[] | undefined) ?? []) {
        const us = Array.isArray(r.users) ? (r.users as string[]) : [];
        if (typeof r.name !== "string" || r.count !== us.length || new Set(us).size !== us.length) {
          report(`${at}: reaction must be {name, users (distinct), count = users.length}`);
        }
        for (const u of us) if (!userIds.has(u)) report(`${at}: reaction by unknown user ${u}`);
      }
      for (const f of (raw.files as Record<string, unknown>[] | undefined) ?? []) {
        const ok =
          FILE_ID.test(String(f.id)) &&
          typeof f.name === "string" &&
          typeof f.title === "string" &&
          typeof f.mimetype === "string" &&
          typeof f.filetype === "string" &&
          typeof f.size === "number" &&
          userIds.has(String(f.user)) &&
          typeof f.created === "number" &&
          String(f.url_private).startsWith("https://") &&
          String(f.permalink).startsWith("https://");
        if (!ok) report(`${at}: file metadata incomplete`);
      }
      for (const channelId of (raw.pinned_to as unknown[] | undefined) ?? []) {
        if (!/^[CG][A-Z0-9]{8,10}$/.test(String(channelId))) report(`${at}: pinned_to must hold channel ids`);
      }

      if (typeof raw.thread_ts === "string") {
        if (raw.thread_ts === ts) {
          const listed = Array.isArray(raw.replies) ? (raw.replies as { ts: string }[]).map((r) => r.ts) : [];
          parents.set(ts, {
            ts,
            replyCount: Number(raw.reply_count),
            replyTs: listed,
            latest: String(raw.latest_reply),
            file: where,
          });
        } else {
          if (!userIds.has(String(raw.parent_user_id))) report(`${at}: reply without a known parent_user_id`);
          const list = replies.get(raw.thread_ts) ?? [];
          list.push({ ts, where });
          replies.set(raw.thread_ts, list);
        }
      }
    }
  }

  for (const [threadTs, list] of replies) {
    const parent = parents.get(threadTs);
    if (!parent) {
      report(`${list[0]?.where ?? folder}: reply to missing parent ${threadTs}`);
      continue;
    }
    const found = list.map((r) => r.ts).sort(compareTs);
    if (parent.replyCount !== found.length) report(`${parent.file}: parent ${threadTs} says ${parent.replyCount} replies, found ${found.length}`);
    if ([...parent.replyTs].sort(compareTs).join(",") !== found.join(",")) report(`${parent.file}: parent ${threadTs} replies list does not match its replies`);
    if (found[found.length - 1] !== parent.latest) report(`${parent.file}: parent ${threadTs} latest_reply is not its last reply`);
    if (found.some((t) => compareTs(t, threadTs) <= 0)) report(`${parent.file}: a reply to ${threadTs} is not later than its parent`);
  }
  for (const parent of parents.values()) {
    if (!replies.has(parent.ts)) report(`${parent.file}: parent ${parent.ts} has no replies`);
  }
}

/** Numeric comparison of two well-formed `ts` strings (equal widths compare lexically). */
function compareTs(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Slack stores `&`, `<`, `>` as entities; only its own markup uses angle brackets. */
function checkEscaping(text: string, at: string, report: (m: string) => void): void {
  const rest = text.replace(SLACK_TOKEN, "").replace(ENTITY, "");
  if (/[<>&]/.test(rest)) report(`${at}: unescaped <, > or & in text`);
}
