import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, before, describe, test } from "node:test";
import { generateSlackExport } from "./generate-slack-export";
import type { TGeneratedExportSummary } from "./slack-export-format";
import { summarizeSlackExportFolder } from "./summarize-slack-export";
import { findSlackExportProblems } from "./validate-slack-export";

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), "backscroll-gen-"));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** sha256 of every file under dir, keyed by relative path. */
async function hashTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string) => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else out[relative(dir, p)] = createHash("sha256").update(await readFile(p)).digest("hex");
    }
  };
  await walk(dir);
  return out;
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, "utf8")) as T;
}

type TMessage = Record<string, unknown> & { ts: string; text: string };

async function readAllMessages(dir: string): Promise<{ folder: string; day: string; message: TMessage }[]> {
  const out: { folder: string; day: string; message: TMessage }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    for (const file of (await readdir(join(dir, entry.name))).sort()) {
      for (const message of await readJson<TMessage[]>(join(dir, entry.name, file))) {
        out.push({ folder: entry.name, day: file.slice(0, 10), message });
      }
    }
  }
  return out;
}

describe("generateSlackExport", () => {
  const opts = { messages: 20_000, seed: 42, channels: 24, users: 80 };
  let dirA: string;
  let summaryA: TGeneratedExportSummary;

  before(async () => {
    dirA = join(root, "a");
    summaryA = await generateSlackExport(dirA, opts);
  });

  test("same seed and options give byte-identical files", async () => {
    const dirB = join(root, "b");
    const summaryB = await generateSlackExport(dirB, opts);
    const [a, b] = await Promise.all([hashTree(dirA), hashTree(dirB)]);
    assert.ok(Object.keys(a).length > 10);
    assert.deepEqual(b, a);
    assert.deepEqual(summaryB, summaryA);
  });

  test("another seed gives a different export", async () => {
    const dirC = join(root, "c");
    await generateSlackExport(dirC, { ...opts, seed: 43 });
    const [a, c] = await Promise.all([hashTree(dirA), hashTree(dirC)]);
    assert.notDeepEqual(c["users.json"], a["users.json"]);
    assert.notDeepEqual(c, a);
  });

  test("writes exactly the requested number of entries and the summary matches a walk of the files", async () => {
    assert.equal(summaryA.messages, opts.messages);
    assert.equal(summaryA.channels, opts.channels);
    assert.equal(summaryA.users, opts.users);
    assert.deepEqual(await summarizeSlackExportFolder(dirA), summaryA);
  });

  test("counts stay exact for tiny and odd sizes", async () => {
    for (const [i, o] of [
      { messages: 0 },
      { messages: 1 },
      { messages: 3 },
      { messages: 777, channels: 1, users: 7 },
      { messages: 1_500, channels: 90, users: 9, start: "2024-02-28" },
    ].entries()) {
      const dir = join(root, `tiny-${i}`);
      const summary = await generateSlackExport(dir, o);
      assert.equal(summary.messages, o.messages, JSON.stringify(o));
      assert.deepEqual(await summarizeSlackExportFolder(dir), summary, JSON.stringify(o));
      assert.deepEqual(await findSlackExportProblems(dir), [], JSON.stringify(o));
    }
  });

  test("every file has Slack's export shapes", async () => {
    assert.deepEqual(await findSlackExportProblems(dirA), []);
    const dms = await readJson<{ id: string }[]>(join(dirA, "dms.json"));
    assert.ok(dms.length > 0, "default mix includes DMs");
    const folders = new Set((await readdir(dirA, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name));
    assert.ok(dms.some((d) => folders.has(d.id)), "a DM folder is named by its D id");
    assert.ok(folders.has("general"), "channel folders are named by channel name");
    const groups = await readJson<{ name: string; id: string }[]>(join(dirA, "groups.json"));
    assert.ok(groups.length > 0 && groups.every((g) => g.id.startsWith("G")));
    const mpims = await readJson<{ name: string }[]>(join(dirA, "mpims.json"));
    assert.ok(mpims.length > 0 && mpims.every((m) => /^mpdm-[a-z0-9.]+(--[a-z0-9.]+)+-1$/.test(m.name)));
    // The raw text escapes slashes and indents by four spaces, as Slack's exporter does.
    const sample = await readFile(join(dirA, "general", (await readdir(join(dirA, "general")))[0] ?? ""), "utf8");
    assert.match(sample, /^\[\n {4}\{\n {8}"/);
  });

  test("the mix of threads, edits, reactions, files, bots and events is realistic", () => {
    const s = summaryA;
    const inThreads = (s.threads + s.replies) / s.messages;
    assert.ok(inThreads > 0.06 && inThreads < 0.15, `in threads ${inThreads}`);
    assert.ok(s.edits / s.messages > 0.012 && s.edits / s.messages < 0.035, `edits ${s.edits}`);
    assert.ok(s.files / s.messages > 0.005 && s.files / s.messages < 0.02, `files ${s.files}`);
    assert.ok(s.botMessages / s.messages > 0.03 && s.botMessages / s.messages < 0.08, `bots ${s.botMessages}`);
    assert.ok(s.events > 10 && s.events / s.messages < 0.02, `events ${s.events}`);
    assert.ok(s.reactions > 0);
  });

  test("messages with reactions are about 8% and contain operations vocabulary", async () => {
    const all = await readAllMessages(dirA);
    const withReactions = all.filter((m) => Array.isArray(m.message.reactions)).length / all.length;
    assert.ok(withReactions > 0.05 && withReactions < 0.12, `reactions on ${withReactions}`);
    const text = all
      .map((m) => {
        const attachments = (m.message.attachments as { fallback?: string; text?: string }[] | undefined) ?? [];
        return [m.message.text, ...attachments.map((a) => `${a.fallback ?? ""} ${a.text ?? ""}`)].join(" ");
      })
      .join("\n");
    for (const pattern of [
      /\b[a-z]+(-[a-z0-9]+)*-\d{2}\b/, // api-gw-03
      /\bOPS-\d{3,5}\b/,
      /\b10\.\d+\.\d+\.\d+\b/,
      /2001:db8:/,
      /<https:\/\/github\.com\/acme\/[a-z-]+\/pull\/\d+/,
      /grafana\.acme\.internal\/d\//,
      /wiki\.acme\.internal\/runbooks\//,
      /ERR_CONNECTION_RESET|HTTP 503|0x80004005/,
      /java\.lang\.NullPointerException|java\.net\.SocketTimeoutException/,
      /\bv\d+\.\d+\.\d+\b/,
      /`[^`]+`/,
      /how do we roll back [a-z-]+/,
      /!(deploy|rollback|restart|scale) /,
      /\[FIRING:\d+\] [A-Za-z]+/,
      /\[RESOLVED\] [A-Za-z]+/,
      /Triggered #\d+|Acknowledged #\d+|Resolved #\d+/,
      /exit code [1-9]/,
    ]) {
      // Not assert.match: its failure message would print megabytes of text.
      assert.ok(pattern.test(text), `no text matches ${String(pattern)}`);
    }
  });

  test("commands are followed by the bot's start and finish replies", async () => {
    const all = await readAllMessages(dirA);
    const byFolder = new Map<string, TMessage[]>();
    for (const m of all) byFolder.set(m.folder, [...(byFolder.get(m.folder) ?? []), m.message]);
    let commands = 0;
    for (const messages of byFolder.values()) {
      for (const m of messages) {
        if (typeof m.text !== "string" || !m.text.startsWith("!") || m.subtype) continue;
        commands++;
        const command = m.text.slice(1);
        const later = messages.filter((x) => x.ts > m.ts && x.subtype === "bot_message" && x.text.includes(`\`${command}\``));
        assert.ok(later.some((x) => x.text.startsWith("Running")), `start reply for ${command}`);
        assert.ok(later.some((x) => /exit code \d+/.test(x.text)), `finish reply for ${command}`);
      }
    }
    assert.ok(commands > 50, `commands ${commands}`);
  });

  test("entries of each channel-day are in time order and times start at the start date", async () => {
    const dir = join(root, "dated");
    await generateSlackExport(dir, { messages: 3_000, seed: 5, start: "2025-06-01" });
    const all = await readAllMessages(dir);
    const days = all.map((m) => m.day).sort();
    assert.equal(days[0], "2025-06-01");
    for (const m of all) assert.equal(new Date(Number(m.message.ts) * 1000).toISOString().slice(0, 10), m.day);
  });

  test("rejects bad options with a usage error naming the field", async () => {
    await assert.rejects(generateSlackExport(join(root, "bad1"), { messages: -1 }), { code: "usage" });
    await assert.rejects(generateSlackExport(join(root, "bad2"), { messages: 10, start: "yesterday" }), (e: unknown) => {
      assert.equal((e as { code?: string }).code, "usage");
      assert.equal((e as { where?: { field?: string } }).where?.field, "start");
      return true;
    });
    await assert.rejects(generateSlackExport(join(root, "bad3"), { messages: 10, users: 3 }), { code: "usage" });
  });

  test("refuses a non-empty folder that is not an export, replaces a previous export", async () => {
    const dir = join(root, "occupied");
    await generateSlackExport(dir, { messages: 500, seed: 1 });
    const first = await hashTree(dir);
    await generateSlackExport(dir, { messages: 200, seed: 2, channels: 5 });
    const second = await hashTree(dir);
    assert.deepEqual(await summarizeSlackExportFolder(dir).then((s) => s.messages), 200);
    assert.notDeepEqual(second, first);
    const other = join(root, "unrelated");
    await generateSlackExport(join(other, "x"), { messages: 1 });
    await writeFile(join(other, "notes.txt"), "keep me");
    await assert.rejects(generateSlackExport(other, { messages: 10 }), { code: "usage" });
    assert.equal(await readFile(join(other, "notes.txt"), "utf8"), "keep me");
  });
});

describe("findSlackExportProblems", () => {
  test("reports broken threads, bad ts, misnamed DM folders and unescaped text", async () => {
    const dir = join(root, "broken");
    await generateSlackExport(dir, { messages: 3_000, seed: 9, channels: 12 });
    const all = await readAllMessages(dir);
    const parentTs = all.find((m) => m.message.thread_ts === m.message.ts && Number(m.message.reply_count) >= 2)?.message.ts;
    const reply = all.find((m) => m.message.thread_ts === parentTs && m.message.ts !== parentTs);
    assert.ok(reply, "fixture has a thread with two replies");
    const path = join(dir, reply.folder, `${reply.day}.json`);
    const messages = await readJson<TMessage[]>(path);
    for (const m of messages) {
      if (m.ts === reply.message.ts) {
        m.thread_ts = "1000000000.000001";
        m.text = "a < b";
      }
    }
    messages.push({ type: "message", user: "USLACKBOT", text: "x", ts: "17000.1" } as TMessage);
    await writeFile(path, JSON.stringify(messages));
    const dms = await readJson<{ id: string }[]>(join(dir, "dms.json"));
    const dm = dms.find((d) => all.some((m) => m.folder === d.id));
    assert.ok(dm, "fixture has a DM with messages");
    await writeFile(join(dir, "dms.json"), JSON.stringify(dms.map((d) => (d.id === dm.id ? { ...d, id: "D0RENAMED01" } : d))));

    const problems = (await findSlackExportProblems(dir)).join("\n");
    assert.match(problems, /reply to missing parent 1000000000\.000001/);
    assert.match(problems, new RegExp(`parent ${parentTs?.replace(".", "\\.") ?? ""} says \\d+ replies, found \\d+`));
    assert.match(problems, /ts must look like/);
    assert.match(problems, /unescaped <, > or &/);
    assert.match(problems, new RegExp(`folder ${dm.id} matches no conversation`));
  });
});
