import fs from "node:fs";
import path from "node:path";

/**
 * Expected archive figures for a Slack export folder, computed by a plain
 * walk of its JSON — deliberately sharing no code with the importer.
 */

const EVENT_SUBTYPES = new Set([
  "channel_join", "group_join", "channel_leave", "group_leave", "channel_topic", "group_topic",
  "channel_purpose", "group_purpose", "channel_name", "group_name", "channel_archive", "group_archive",
  "channel_unarchive", "group_unarchive", "pinned_item", "unpinned_item",
]);

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function readJson(file: string): J[] {
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as J[]) : [];
}

export interface TExpected {
  workspaces: number;
  channels: number;
  people: number;
  messages: number;
  channelEvents: number;
  versions: number;
  deleted: number;
  reactions: number;
  files: number;
  executions: number;
}

export function expectedCounts(root: string): TExpected {
  const convs: { id: string; folder: string[]; members: string[] }[] = [];
  for (const f of ["channels.json", "groups.json", "dms.json", "mpims.json"]) {
    for (const c of readJson(path.join(root, f))) convs.push({ id: c.id, folder: [c.name, c.id].filter(Boolean), members: c.members ?? [] });
  }
  const users = readJson(path.join(root, "users.json"));
  const people = new Set<string>(users.map((u) => u.id));
  const messages = new Set<string>();
  const versions = new Set<string>();
  const deleted = new Set<string>();
  const reactions = new Set<string>();
  const files = new Set<string>();
  let events = 0;
  for (const c of convs) {
    for (const m of c.members) people.add(m);
    const folder = c.folder.map((n) => path.join(root, n)).find((p) => fs.existsSync(p));
    if (!folder) continue;
    for (const day of fs.readdirSync(folder).filter((f) => f.endsWith(".json")).sort()) {
      for (const e of readJson(path.join(folder, day))) {
        const key = (ts: string) => `${c.id}/${ts}`;
        if (EVENT_SUBTYPES.has(e.subtype)) {
          events++;
          if (e.user) people.add(e.user);
          continue;
        }
        if (e.subtype === "message_changed") {
          messages.add(key(e.message.ts));
          versions.add(`${key(e.message.ts)}/${e.message.text}`);
          if (e.previous_message) versions.add(`${key(e.message.ts)}/${e.previous_message.text}`);
          continue;
        }
        if (e.subtype === "message_deleted") {
          messages.add(key(e.deleted_ts));
          deleted.add(key(e.deleted_ts));
          if (e.previous_message) versions.add(`${key(e.deleted_ts)}/${e.previous_message.text}`);
          continue;
        }
        messages.add(key(e.ts));
        if (e.user) people.add(e.user);
        else if (e.subtype === "file_comment" && e.comment?.user) people.add(e.comment.user);
        if (e.subtype === "tombstone") deleted.add(key(e.ts));
        else versions.add(`${key(e.ts)}/${e.text ?? ""}`);
        for (const r of e.reactions ?? []) for (const u of r.users ?? []) reactions.add(`${key(e.ts)}/${r.name}/${u}`);
        for (const f of [...(e.files ?? []), ...(e.file ? [e.file] : [])]) if (f.id) files.add(f.id);
      }
    }
  }
  return {
    workspaces: 1,
    channels: convs.length,
    people: people.size,
    messages: messages.size,
    channelEvents: events,
    versions: versions.size,
    deleted: deleted.size,
    reactions: reactions.size,
    files: files.size,
    executions: 0,
  };
}
