import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { TViewer } from "../../lib/access/types";
import { toPlainText } from "../../lib/archive/render-text";
import {
  findChannelDays,
  findChannelForViewer,
  findChannelHighlights,
  findMessagesOnDay,
  findThread,
  listChannelsForViewer,
} from "../../lib/archive/service";
import { AppError } from "../../lib/errors";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { seedArchive, type TSeed } from "../helpers/seed";

/** The browsing readers (lib/archive) enforce lib/access and shape messages for display. */

let t: TTestDatabase;
let s: TSeed;
let alice: TViewer;
let auditor: TViewer;

before(async () => {
  t = await createTestDatabase();
  s = await seedArchive(t.pool);
  alice = { userId: s.users.alice.id, role: "member", personId: s.people.alice };
  auditor = { userId: s.users.auditor.id, role: "auditor", personId: null };
});

after(async () => {
  await t?.drop();
});

async function isNotFound(p: Promise<unknown>): Promise<void> {
  await assert.rejects(p, (e) => e instanceof AppError && e.code === "not_found");
}

describe("listChannelsForViewer", () => {
  it("lists only readable channels, with counts, activity and DM labels", async () => {
    const list = await listChannelsForViewer(t.pool, alice);
    assert.deepEqual(
      list.map((c) => [c.kind, c.label]),
      [
        ["public", "general"],
        ["public", "random"],
        ["private", "ops-leads"],
        ["dm", "Alice Anders, Bob Brown"],
        ["mpdm", "Alice Anders, Bob Brown, Carol Chen"],
      ],
    );
    const general = list.find((c) => c.name === "general")!;
    assert.equal(general.messageCount, 9);
    assert.equal(general.memberCount, 4);
    assert.equal(general.topic, "Company-wide chat");
    assert.equal(general.lastActivityAt, "2024-03-05T10:30:00.000Z");
    const random = list.find((c) => c.name === "random")!;
    assert.equal(random.archived, true);
    assert.equal(random.lastActivityAt, null);
  });

  it("finds one channel only when readable", async () => {
    assert.equal((await findChannelForViewer(t.pool, alice, s.channels.general))?.name, "general");
    assert.equal(await findChannelForViewer(t.pool, alice, s.channels.secret), null);
    assert.equal((await findChannelForViewer(t.pool, auditor, s.channels.secret))?.name, "secret-plans");
  });
});

describe("findChannelDays", () => {
  it("lists days with top-level messages", async () => {
    assert.deepEqual(await findChannelDays(t.pool, alice, s.channels.general), [
      { day: "2024-03-04", messageCount: 2 },
      { day: "2024-03-05", messageCount: 5 },
    ]);
  });

  it("answers not found for unreadable channels", async () => {
    await isNotFound(findChannelDays(t.pool, alice, s.channels.secret));
  });
});

describe("findMessagesOnDay", () => {
  it("returns the day's top-level messages with names, replies, reactions, files and flags", async () => {
    const msgs = await findMessagesOnDay(t.pool, alice, s.channels.general, "2024-03-05");
    assert.equal(msgs.length, 5);
    const [root, xss, bot, deleted, edited] = msgs;
    assert.equal(root!.author.name, "Alice Anders");
    assert.equal(root!.replyCount, 2);
    assert.equal(root!.lastReplyAt, "2024-03-05T10:02:00.000Z");
    assert.equal(toPlainText(root!.body), "Deploying api-gw-03 now, see the runbook");
    assert.deepEqual(root!.body.find((n) => n.type === "link"), { type: "link", url: "https://example.com/runbook", label: "the runbook" });
    assert.deepEqual(xss!.body, [{ type: "text", text: `<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">` }]);
    assert.equal(bot!.author.name, "deploybot");
    assert.equal(bot!.author.isBot, true);
    assert.equal(toPlainText(bot!.body), "Deploy finished: api 1.2.3 (attachment)");
    assert.equal(deleted!.isDeleted, true);
    assert.equal(deleted!.isContentHidden, true);
    assert.deepEqual(deleted!.body, []);
    assert.equal(edited!.isEdited, true);
    assert.equal(edited!.editedAt, "2024-03-05T10:31:00.000Z");
    assert.deepEqual(
      edited!.files.map((f) => [f.name, f.size, f.url]),
      [["deploy.log", 2048, "https://acme.slack.com/files/U0ALICE/F0LOG/deploy.log"]],
    );
  });

  it("aggregates reactions and resolves mentions", async () => {
    const [, sounds] = await findMessagesOnDay(t.pool, alice, s.channels.general, "2024-03-04");
    assert.deepEqual(sounds!.reactions, [
      { name: "tada", char: "🎉", count: 2, users: ["Alice Anders", "Carol Chen"] },
      { name: "eyes", char: "👀", count: 1, users: ["Carol Chen"] },
    ]);
    assert.equal(toPlainText(sounds!.body), "Sounds good, @Alice Anders 👍");
  });

  it("shows auditors what deleted messages said", async () => {
    const msgs = await findMessagesOnDay(t.pool, auditor, s.channels.general, "2024-03-05");
    const deleted = msgs.find((m) => m.isDeleted)!;
    assert.equal(deleted.isContentHidden, false);
    assert.equal(toPlainText(deleted.body), "the staging password is hunter2");
  });

  it("refuses unreadable channels and malformed days", async () => {
    await isNotFound(findMessagesOnDay(t.pool, alice, s.channels.secret, "2024-03-05"));
    await isNotFound(findMessagesOnDay(t.pool, alice, 999_999, "2024-03-05"));
    await assert.rejects(findMessagesOnDay(t.pool, alice, s.channels.general, "2024-3-5"), (e) => e instanceof AppError && e.code === "bad_input");
  });

  it("audits an auditor's read of a private conversation", async () => {
    await findMessagesOnDay(t.pool, auditor, s.channels.dmBobCarol, "2024-03-05");
    const r = await t.pool.query("SELECT details FROM audit_event WHERE action = 'archive.read_private' AND actor_id = $1", [auditor.userId]);
    assert.deepEqual(r.rows.at(-1)?.details, { role: "auditor", day: "2024-03-05" });
  });
});

describe("findThread", () => {
  it("returns the root and its replies in order", async () => {
    const th = await findThread(t.pool, alice, s.channels.general, s.threadTs);
    assert.equal(th.root?.ts, s.threadTs);
    assert.deepEqual(
      th.replies.map((m) => toPlainText(m.body)),
      ["Reply one: health checks are green", "Reply two: kubectl rollout status done"],
    );
  });

  it("answers not found for unknown threads and unreadable channels", async () => {
    await isNotFound(findThread(t.pool, alice, s.channels.general, "1.000000"));
    await isNotFound(findThread(t.pool, alice, s.channels.secret, s.threadTs));
  });
});

describe("findChannelHighlights", () => {
  const pinEvent = (channelId: number, ts: string, kind: "pin" | "unpin", at: string, itemTs: string) =>
    t.pool.query(
      `INSERT INTO channel_event (channel_id, ts, kind, subtype, actor, value, text, occurred_at, source, raw_sha256)
       VALUES ($1, $2, $3, $4, 'U0ALICE', $5, '', $6, 'test', 'x')`,
      [channelId, ts, kind, kind === "pin" ? "pinned_item" : "unpinned_item", itemTs, at],
    );
  const messageTs = async (text: string) =>
    (await t.pool.query<{ ts: string }>("SELECT ts FROM message WHERE channel_id = $1 AND text LIKE $2", [s.channels.general, `${text}%`])).rows[0]!.ts;

  it("shows what is pinned now: an unpin after a pin clears it, a later pin brings it back", async () => {
    const morning = await messageTs("Good morning");
    const rollout = await messageTs("Rollout complete");
    await t.pool.query("UPDATE message SET pinned = true WHERE channel_id = $1 AND ts = $2", [s.channels.general, morning]);
    await pinEvent(s.channels.general, "1709640000.000100", "pin", "2024-03-05T12:00:00Z", rollout);
    let h = await findChannelHighlights(t.pool, alice, s.channels.general, await findChannelDays(t.pool, alice, s.channels.general));
    assert.deepEqual(h.pinned.map((m) => m.ts), [rollout, morning], "newest first");
    await pinEvent(s.channels.general, "1709643600.000100", "unpin", "2024-03-05T13:00:00Z", morning);
    h = await findChannelHighlights(t.pool, alice, s.channels.general, await findChannelDays(t.pool, alice, s.channels.general));
    assert.deepEqual(h.pinned.map((m) => m.ts), [rollout]);
    const day = await findMessagesOnDay(t.pool, alice, s.channels.general, s.days.first);
    assert.equal(day.find((m) => m.ts === morning)!.isPinned, false, "the day view agrees");
    await pinEvent(s.channels.general, "1709647200.000100", "pin", "2024-03-05T14:00:00Z", morning);
    h = await findChannelHighlights(t.pool, alice, s.channels.general, await findChannelDays(t.pool, alice, s.channels.general));
    assert.deepEqual(h.pinned.map((m) => m.ts).sort(), [morning, rollout].sort());
  });

  it("ranks messages by reactions, lists current members and fills empty months", async () => {
    const h = await findChannelHighlights(t.pool, alice, s.channels.general, await findChannelDays(t.pool, alice, s.channels.general));
    const counts = (
      await t.pool.query<{ ts: string; n: number }>(
        `SELECT m.ts, count(*)::int AS n FROM reaction x JOIN message m ON m.id = x.message_id
         WHERE m.channel_id = $1 AND NOT m.deleted GROUP BY m.ts ORDER BY n DESC, m.ts DESC`,
        [s.channels.general],
      )
    ).rows;
    assert.ok(counts.length > 0);
    assert.deepEqual(h.mostReacted.map((m) => m.ts), counts.slice(0, 5).map((c) => c.ts));
    assert.equal(h.mostReacted[0]!.reactions.reduce((n, r) => n + r.count, 0), counts[0]!.n);
    assert.deepEqual(h.memberNames, ["Alice Anders", "Bob Brown", "Carol Chen", "Deploy Bot"]);
    assert.deepEqual(h.activityByMonth, [{ month: "2024-03", messageCount: h.activityByMonth[0]!.messageCount }]);
    await t.pool.query(
      `INSERT INTO message (channel_id, ts, text, search_text, posted_at, text_ts, text_sha256, source, raw_sha256)
       VALUES ($1, '1717200000.000100', 'June hello', '', '2024-06-01T00:00:00Z', '1717200000.000100', 'x', 'test', 'x')`,
      [s.channels.general],
    );
    const later = await findChannelHighlights(t.pool, alice, s.channels.general, await findChannelDays(t.pool, alice, s.channels.general));
    assert.deepEqual(later.activityByMonth.map((x) => x.month), ["2024-03", "2024-04", "2024-05", "2024-06"]);
    assert.deepEqual(later.activityByMonth.slice(1).map((x) => x.messageCount), [0, 0, 1]);
  });

  it("is not found for channels the viewer may not read", async () => {
    await isNotFound(findChannelHighlights(t.pool, alice, s.channels.secret, []));
    const h = await findChannelHighlights(t.pool, auditor, s.channels.secret, await findChannelDays(t.pool, auditor, s.channels.secret));
    assert.deepEqual(h.memberNames.length, 2);
  });
});
