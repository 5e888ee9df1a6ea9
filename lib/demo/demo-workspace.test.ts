import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  DEMO_ADMIN_PERSON_ID,
  DEMO_AUDITOR_PERSON_ID,
  DEMO_CHANNELS,
  DEMO_INCIDENT_CHANNEL_ID,
  DEMO_INCIDENT_CHANNEL_NAME,
  DEMO_MEMBER_PERSON_ID,
  DEMO_PEOPLE,
  DEMO_TEAM,
  writeDemoExport,
} from "./demo-workspace";
import type { TGeneratedExportSummary } from "./slack-export-format";
import { summarizeSlackExportFolder } from "./summarize-slack-export";
import { findSlackExportProblems } from "./validate-slack-export";

type TMessage = {
  ts: string;
  text: string;
  type: string;
  subtype?: string;
  user?: string;
  bot_id?: string;
  username?: string;
  thread_ts?: string;
  reply_count?: number;
  edited?: { user: string; ts: string };
  reactions?: { name: string; users: string[]; count: number }[];
  files?: unknown[];
  pinned_to?: string[];
  topic?: string;
  attachments?: { color: string; fallback: string; title: string; text: string; fields?: { title: string; value: string }[] }[];
};
type TListing = { id: string; name: string; members: string[]; is_archived?: boolean; topic?: { value: string } };

let root: string;
let dir: string;
let summary: TGeneratedExportSummary;

before(async () => {
  root = await mkdtemp(join(tmpdir(), "backscroll-demo-"));
  dir = join(root, "demo");
  summary = await writeDemoExport(dir);
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, "utf8")) as T;
}

/** Day files of one folder, in order. */
async function readFolder(folder: string): Promise<{ day: string; messages: TMessage[] }[]> {
  const out: { day: string; messages: TMessage[] }[] = [];
  for (const file of (await readdir(join(dir, folder))).sort()) {
    out.push({ day: file.slice(0, 10), messages: await readJson<TMessage[]>(join(dir, folder, file)) });
  }
  return out;
}

async function readAll(): Promise<{ folder: string; message: TMessage }[]> {
  const out: { folder: string; message: TMessage }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    for (const day of await readFolder(entry.name)) for (const message of day.messages) out.push({ folder: entry.name, message });
  }
  return out;
}

async function hashTree(d: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (p: string) => {
    for (const entry of await readdir(p, { withFileTypes: true })) {
      const q = join(p, entry.name);
      if (entry.isDirectory()) await walk(q);
      else out[relative(d, q)] = createHash("sha256").update(await readFile(q)).digest("hex");
    }
  };
  await walk(d);
  return out;
}

describe("writeDemoExport", () => {
  test("is deterministic: two runs write the same bytes", async () => {
    const again = join(root, "again");
    const summary2 = await writeDemoExport(again);
    assert.deepEqual(await hashTree(again), await hashTree(dir));
    assert.deepEqual(summary2, summary);
  });

  test("summary matches an independent walk of the files, with a few hundred entries", async () => {
    assert.deepEqual(await summarizeSlackExportFolder(dir), summary);
    assert.ok(summary.messages >= 200 && summary.messages <= 600, `messages ${summary.messages}`);
    assert.equal(summary.channels, DEMO_CHANNELS.length);
    assert.ok(summary.edits >= 1 && summary.files >= 1 && summary.threads >= 3 && summary.events >= 5);
  });

  test("has valid Slack export shapes", async () => {
    assert.deepEqual(await findSlackExportProblems(dir), []);
  });

  test("users: team Acme Ops, people, bots, a deleted user and the admin person", async () => {
    const users = await readJson<{ id: string; team_id: string; name: string; deleted: boolean; is_bot: boolean; profile: { bot_id?: string } }[]>(join(dir, "users.json"));
    assert.ok(users.every((u) => u.team_id === DEMO_TEAM.id));
    assert.equal(DEMO_TEAM.id, "T0DEMO0001");
    assert.equal(DEMO_TEAM.name, "Acme Ops");
    const admin = users.find((u) => u.id === DEMO_ADMIN_PERSON_ID);
    assert.ok(admin && !admin.deleted && !admin.is_bot);
    assert.ok(users.some((u) => u.id === DEMO_AUDITOR_PERSON_ID));
    assert.ok(users.some((u) => u.deleted && !u.is_bot), "a deleted user");
    const bots = users.filter((u) => u.is_bot).map((u) => u.name);
    for (const b of ["deploybot", "alertmanager", "pagerduty"]) assert.ok(bots.includes(b), b);
    assert.ok(users.length >= 10 && users.length <= 16);
    for (const p of DEMO_PEOPLE) assert.ok(users.some((u) => u.id === p.id && u.name === p.username), p.id);
  });

  test("conversations: public channels, a private channel, a DM folder named by id, an MPIM", async () => {
    const channels = await readJson<TListing[]>(join(dir, "channels.json"));
    for (const name of ["general", "engineering", "deploys", "random", "help-ops", DEMO_INCIDENT_CHANNEL_NAME]) {
      assert.ok(channels.some((c) => c.name === name), name);
    }
    assert.ok(channels.some((c) => c.id === DEMO_INCIDENT_CHANNEL_ID && c.name === DEMO_INCIDENT_CHANNEL_NAME));
    const groups = await readJson<TListing[]>(join(dir, "groups.json"));
    assert.deepEqual(groups.map((g) => g.name), ["sre-oncall"]);
    assert.ok((await readFolder("sre-oncall")).length > 0);
    const dms = await readJson<{ id: string; members: string[] }[]>(join(dir, "dms.json"));
    assert.equal(dms.length, 1);
    const dm = dms[0];
    assert.ok(dm && /^D[A-Z0-9]{8,10}$/.test(dm.id));
    assert.ok((await readFolder(dm.id)).length > 0, "DM folder is named by its D id");
    const mpims = await readJson<TListing[]>(join(dir, "mpims.json"));
    assert.equal(mpims.length, 1);
    assert.ok((await readFolder(mpims[0]?.name ?? "")).length > 0);
    // The access-control fixture: the new hire is in none of the private conversations.
    for (const c of [...groups, ...mpims]) assert.ok(!c.members.includes(DEMO_MEMBER_PERSON_ID));
    assert.ok(!dm.members.includes(DEMO_MEMBER_PERSON_ID));
    // DEMO_CHANNELS describes exactly what the listings hold.
    const listed = [...channels, ...groups, ...mpims, ...dms.map((d) => ({ ...d, name: d.id }))];
    assert.deepEqual(
      listed.map((c) => `${c.id}:${c.members.join(",")}`).sort(),
      DEMO_CHANNELS.map((c) => `${c.id}:${c.members.join(",")}`).sort(),
    );
  });

  test("the incident channel tells a ~2 hour story that crosses midnight UTC", async () => {
    const days = await readFolder(DEMO_INCIDENT_CHANNEL_NAME);
    assert.deepEqual(days.map((d) => d.day), ["2026-11-03", "2026-11-04"]);
    const messages = days.flatMap((d) => d.messages);
    const first = Number(messages[0]?.ts);
    const last = Number(messages[messages.length - 1]?.ts);
    const hours = (last - first) / 3600;
    assert.ok(hours >= 1.8 && hours <= 3, `spans ${hours.toFixed(2)} h`);

    const texts = messages.map((m) => [m.text, ...(m.attachments ?? []).map((a) => `${a.title} ${a.fallback} ${a.text}`)].join(" "));
    const indexOf = (re: RegExp) => texts.findIndex((t) => re.test(t));
    const firing = messages.find((m) => m.subtype === "bot_message" && m.attachments?.some((a) => /^\[FIRING:1\] HighErrorRate api-gw-03/.test(a.title)));
    assert.ok(firing, "a FIRING alert in attachments");
    assert.ok(messages.some((m) => m.subtype === "bot_message" && m.attachments?.some((a) => a.title.startsWith("[RESOLVED]"))), "a RESOLVED alert");
    assert.ok(messages.some((m) => m.subtype === "bot_message" && m.attachments?.some((a) => /^(Acknowledged|Resolved) #4521/.test(a.fallback))), "PagerDuty-style notifications");
    const ordered = [
      /\[FIRING:1\] HighErrorRate api-gw-03/,
      /^ack, looking/,
      /^root cause: connection pool exhausted on db4 caused by/,
      /\[RESOLVED\] HighErrorRate/,
      /^action item: <@U[A-Z0-9]+> add alert on pool saturation/,
    ];
    const positions = ordered.map(indexOf);
    assert.ok(positions.every((p) => p >= 0), `found ${positions.join(",")}`);
    assert.deepEqual([...positions].sort((a, b) => a - b), positions, "story order");
    for (const re of [
      /OPS-4521/,
      /\b10\.20\.\d+\.\d+\b/,
      /2001:db8:/,
      /<https:\/\/grafana\.acme\.internal\/d\//,
      /<https:\/\/github\.com\/acme\/api-gateway\/pull\/\d+/,
      /Status page/,
      /^we should /,
      /^TODO: /,
      /how do we roll back api-gateway/,
      /java\.net\.SocketTimeoutException/,
      /ERR_CONNECTION_RESET/,
    ]) {
      assert.ok(indexOf(re) >= 0, String(re));
    }
  });

  test("incident commands are each followed by the bot's start and finish, one failing with exit code 1", async () => {
    const messages = (await readFolder(DEMO_INCIDENT_CHANNEL_NAME)).flatMap((d) => d.messages);
    const commands = ["!deploy api-gateway v2.31.1 to prod", "!rollback api-gateway to v2.31.0", "!restart api-gw-03", "!scale api-gateway 6"];
    const exitCodes: number[] = [];
    for (const command of commands) {
      const i = messages.findIndex((m) => m.text === command && m.user);
      assert.ok(i >= 0, command);
      const start = messages[i + 1];
      const finish = messages[i + 2];
      assert.equal(start?.subtype, "bot_message");
      assert.equal(start?.username, "deploybot");
      assert.match(start?.text ?? "", /^Running `/);
      assert.equal(finish?.subtype, "bot_message");
      const exit = finish?.attachments?.[0]?.fields?.find((f) => f.title === "Exit code")?.value;
      assert.ok(exit !== undefined, `exit code field for ${command}`);
      assert.ok(finish?.attachments?.[0]?.fields?.some((f) => f.title === "Duration"));
      exitCodes.push(Number(exit));
      if (Number(exit) !== 0) assert.equal(finish?.attachments?.[0]?.color, "danger");
    }
    assert.deepEqual(exitCodes, [0, 0, 1, 0]);
  });

  test("the incident has a thread, an edit, a tombstoned parent with replies, reactions, a file and a pin", async () => {
    const messages = (await readFolder(DEMO_INCIDENT_CHANNEL_NAME)).flatMap((d) => d.messages);
    const parents = messages.filter((m) => m.thread_ts === m.ts && (m.reply_count ?? 0) > 0);
    assert.ok(parents.some((p) => !p.subtype && (p.reply_count ?? 0) >= 3));
    const edited = messages.find((m) => m.edited);
    assert.ok(edited && edited.edited?.user === edited.user && Number(edited.edited?.ts) > Number(edited.ts));
    assert.match(edited.text, /498\/500/);
    const tombstone = messages.find((m) => m.subtype === "tombstone");
    assert.ok(tombstone && tombstone.thread_ts === tombstone.ts);
    const kept = messages.filter((m) => m.thread_ts === tombstone.ts && m.ts !== tombstone.ts);
    assert.equal(kept.length, tombstone.reply_count);
    assert.ok(kept.length >= 1);
    assert.ok(messages.filter((m) => m.reactions).length >= 5);
    assert.ok(messages.some((m) => m.files && m.files.length > 0));
    assert.ok(messages.some((m) => m.pinned_to?.includes(DEMO_INCIDENT_CHANNEL_ID)));
    assert.ok(messages.filter((m) => m.subtype === "channel_join").length >= 4);
    assert.ok(messages.filter((m) => m.subtype === "channel_topic").length >= 2);
  });

  test("other channels carry team chat: questions, deploys, joins, a topic change, a pinned runbook link", async () => {
    const all = await readAll();
    const outside = all.filter((m) => m.folder !== DEMO_INCIDENT_CHANNEL_NAME);
    assert.ok(outside.some((m) => m.folder === "help-ops" && /^how do we roll back /.test(m.message.text)));
    assert.ok(outside.some((m) => m.folder === "deploys" && /^!deploy /.test(m.message.text)));
    assert.ok(outside.some((m) => m.folder === "help-ops" && m.message.subtype === "channel_topic"));
    const pinnedRunbook = outside.find((m) => m.folder === "help-ops" && m.message.pinned_to && /runbooks/.test(m.message.text));
    assert.ok(pinnedRunbook, "a pinned runbook link in #help-ops");
    const channels = await readJson<(TListing & { pins?: { id: string }[] })[]>(join(dir, "channels.json"));
    assert.ok(channels.find((c) => c.name === "help-ops")?.pins?.some((p) => p.id === pinnedRunbook.message.ts));
    assert.ok(outside.filter((m) => m.message.subtype === "channel_join").length >= 20);
    assert.ok(channels.some((c) => c.is_archived), "an archived channel");
    for (const m of all) {
      const day = new Date(Number(m.message.ts) * 1000).toISOString().slice(0, 10);
      assert.ok(day >= "2026-10-26" && day <= "2026-11-06", `${m.folder} ${day}`);
    }
  });
});
