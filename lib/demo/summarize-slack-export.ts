import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { EVENT_SUBTYPES, emptyExportSummary, type TGeneratedExportSummary } from "./slack-export-format";

/**
 * Counts what an unpacked Slack export folder contains by reading and parsing
 * every file — independently of whatever wrote it. Tests compare this with the
 * generators' own summaries, and benchmarks use it to report what they loaded.
 *
 * Reads one day file at a time, so it works on exports of any size.
 */
export async function summarizeSlackExportFolder(dir: string): Promise<TGeneratedExportSummary> {
  const summary: TGeneratedExportSummary = emptyExportSummary();
  const listing = async (name: string): Promise<unknown[]> => {
    try {
      const text = await readFile(join(dir, name), "utf8");
      const value: unknown = JSON.parse(text);
      return Array.isArray(value) ? value : [];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
  };
  summary.users = (await listing("users.json")).length;
  for (const name of ["channels.json", "groups.json", "dms.json", "mpims.json"]) {
    summary.channels += (await listing(name)).length;
  }

  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isFile()) {
      summary.bytes += (await stat(path)).size;
      continue;
    }
    if (!entry.isDirectory()) continue;
    for (const file of (await readdir(path)).sort()) {
      const filePath = join(path, file);
      summary.bytes += (await stat(filePath)).size;
      if (!/^\d{4}-\d{2}-\d{2}\.json$/.test(file)) continue;
      summary.dayFiles++;
      const messages: unknown = JSON.parse(await readFile(filePath, "utf8"));
      if (!Array.isArray(messages)) throw new Error(`${filePath}: a day file must hold a JSON array`);
      for (const raw of messages) countMessage(summary, raw as Record<string, unknown>);
    }
  }
  return summary;
}

function countMessage(summary: TGeneratedExportSummary, m: Record<string, unknown>): void {
  summary.messages++;
  const subtype = typeof m.subtype === "string" ? m.subtype : undefined;
  if (subtype && EVENT_SUBTYPES.has(subtype)) summary.events++;
  if (subtype === "bot_message") summary.botMessages++;
  if (typeof m.thread_ts === "string") {
    if (m.thread_ts === m.ts) {
      if (typeof m.reply_count === "number" && m.reply_count > 0) summary.threads++;
    } else {
      summary.replies++;
    }
  }
  if (m.edited && typeof m.edited === "object") summary.edits++;
  if (Array.isArray(m.reactions)) {
    for (const r of m.reactions as { users?: unknown }[]) {
      if (Array.isArray(r.users)) summary.reactions += r.users.length;
    }
  }
  if (Array.isArray(m.files)) summary.files += m.files.length;
}
