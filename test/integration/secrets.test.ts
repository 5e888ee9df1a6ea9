import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { TViewer } from "../../lib/access/types";
import { findMessagesOnDay } from "../../lib/archive/service";
import { toPlainText } from "../../lib/archive/render-text";
import { createUser } from "../../lib/auth/users";
import { findRawMessage, redactMessage, revertRedaction } from "../../lib/compliance/redactions";
import { AppError } from "../../lib/errors";
import { assembleExport, resolveExportScope } from "../../lib/export/assemble";
import type { TExportRecord } from "../../lib/export/types";
import { syncDetectedIncidents } from "../../lib/incidents/service";
import { resolveAdapter } from "../../lib/ingest/adapters/registry";
import { runIngest } from "../../lib/ingest/run";
import { findPostmortem, generatePostmortem } from "../../lib/postmortems/service";
import { formatHighlightPlain } from "../../lib/search/highlight";
import { searchMessages } from "../../lib/search/service";
import { findChannelTimeline } from "../../lib/timelines/service";
import { runCli } from "../helpers/cli";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";

/**
 * Secrets pasted into chat are masked wherever text leaves the archive;
 * auditors may read the raw text (audited); admins may redact a message
 * (audited, reversible) and it then reads "[redacted: …]" everywhere and is
 * not found by its content.
 */

// Example credentials built from parts, so this file is not itself flagged by secret scanners.
const AWS_KEY = "AKIA" + "Q3EGRIXGVBCD7PLM";
const SLACK_TOKEN = "xoxb-" + "482916573021-5839201746385-Zq8rTfLm2VbN6xKw4HjPd9Cs";
const CHANNEL = "inc-key-leak";
const DAY = "2024-05-01";
const T = (hh: string, mm: string) => `${Date.parse(`${DAY}T${hh}:${mm}:00Z`) / 1000}.000100`;
const LEAK_TS = T("10", "05");
const REDACT_TS = T("10", "20");
const REDACTED_WORD = "ultramarine";

let t: TTestDatabase;
let dir: string;
let channelId: number;
let leakId: number;
let redactId: number;
let incidentId: number;
const viewers = {} as Record<"member" | "auditor" | "admin", TViewer>;
const emails = { member: "member@example.com", auditor: "auditor@example.com", admin: "admin@example.com" };

function writeExport(root: string): void {
  fs.writeFileSync(path.join(root, "users.json"), JSON.stringify([
    { id: "U0ANNA", name: "anna", real_name: "Anna Ops" },
    { id: "U0BEN", name: "ben", real_name: "Ben Sre" },
  ]));
  fs.writeFileSync(path.join(root, "channels.json"), JSON.stringify([
    { id: "C0LEAK", name: CHANNEL, created: 1714550000, members: ["U0ANNA", "U0BEN"], topic: { value: "key leak" }, purpose: { value: "" } },
  ]));
  fs.mkdirSync(path.join(root, CHANNEL));
  fs.writeFileSync(path.join(root, CHANNEL, `${DAY}.json`), JSON.stringify([
    { type: "message", user: "U0ANNA", ts: T("10", "00"), text: "api-gw-03 is throwing 503s, looking" },
    { type: "message", user: "U0BEN", ts: LEAK_TS, text: `oops, pasted the deploy creds: AWS ${AWS_KEY} and bot ${SLACK_TOKEN} - please rotate` },
    { type: "message", user: "U0ANNA", ts: T("10", "10"), text: "rotating both now, will revoke the old ones" },
    { type: "message", user: "U0BEN", ts: REDACT_TS, text: `action item: we should tell customer ${REDACTED_WORD} their account was exposed` },
    { type: "message", user: "U0ANNA", ts: T("10", "30"), text: "resolved: keys rotated, 503s gone" },
  ]));
}

async function audits(action: string): Promise<{ target: string; details: Record<string, unknown>; actor: string | null }[]> {
  const r = await t.pool.query<{ target: string; details: Record<string, unknown>; actor: string | null }>(
    "SELECT target, details, actor FROM audit_event WHERE action = $1 ORDER BY id",
    [action],
  );
  return r.rows;
}

async function exportRecords(viewer: TViewer): Promise<TExportRecord[]> {
  const out: TExportRecord[] = [];
  for await (const r of assembleExport(t.pool, await resolveExportScope(t.pool, viewer, { channels: [CHANNEL] }), { includeDeleted: true })) out.push(r);
  return out;
}

async function channelTexts(viewer: TViewer): Promise<Map<string, string>> {
  const views = await findMessagesOnDay(t.pool, viewer, channelId, DAY);
  return new Map(views.map((v) => [v.ts, toPlainText(v.body)]));
}

async function timelineText(viewer: TViewer): Promise<string> {
  const tl = await findChannelTimeline(t.pool, viewer, channelId);
  return tl.events.map((e) => e.text).join("\n");
}

before(async () => {
  t = await createTestDatabase();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "secrets-"));
  writeExport(dir);
  const input = { location: dir };
  await runIngest({ adapter: await resolveAdapter(input), input, pool: t.pool });
  for (const role of ["member", "auditor", "admin"] as const) {
    const { user } = await createUser(t.pool, { email: emails[role], role, password: "correct horse battery", personExternalId: role === "member" ? "U0ANNA" : undefined });
    viewers[role] = { userId: user.id, role, personId: user.personId };
  }
  const ids = await t.pool.query<{ id: string; ts: string; channel_id: number }>("SELECT id, ts, channel_id FROM message ORDER BY ts");
  channelId = ids.rows[0]!.channel_id;
  leakId = Number(ids.rows.find((r) => r.ts === LEAK_TS)!.id);
  redactId = Number(ids.rows.find((r) => r.ts === REDACT_TS)!.id);
  const incidents = await syncDetectedIncidents(t.pool);
  assert.equal(incidents.length, 1, "inc-* is an incident channel");
  incidentId = incidents[0]!;
});

after(async () => {
  await t?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("secrets in chat are masked where text leaves the archive", () => {
  it("the archive itself keeps the original text", async () => {
    const r = await t.pool.query<{ text: string }>("SELECT text FROM message WHERE id = $1", [leakId]);
    assert.ok(r.rows[0]!.text.includes(AWS_KEY) && r.rows[0]!.text.includes(SLACK_TOKEN));
  });

  it("search by an ordinary word shows the message masked, in text and highlight", async () => {
    for (const viewer of [viewers.member, viewers.admin]) {
      const r = await searchMessages(t.pool, viewer, { q: "pasted creds" });
      const hit = r.hits.find((h) => h.ts === LEAK_TS);
      assert.ok(hit, "found by its ordinary words");
      assert.match(hit.text, /AKIA••••\[aws key\]/);
      assert.match(hit.text, /xoxb-••••\[slack token\]/);
      const shown = JSON.stringify(hit);
      assert.ok(!shown.includes(AWS_KEY) && !shown.includes(SLACK_TOKEN.slice(5)), "no part of the hit reveals a secret");
    }
  });

  it("searching for the secret value finds nothing for a member (any letter case), and no highlight reveals it", async () => {
    for (const q of [AWS_KEY, AWS_KEY.toLowerCase(), SLACK_TOKEN, `"${AWS_KEY}"`]) {
      const r = await searchMessages(t.pool, viewers.member, { q });
      assert.equal(r.total, 0, `member search ${q}`);
    }
    // Auditors may still find where a leaked key was pasted — shown masked.
    const r = await searchMessages(t.pool, viewers.auditor, { q: AWS_KEY });
    for (const h of r.hits) assert.ok(!formatHighlightPlain(h.highlight).includes(AWS_KEY) && !h.text.includes(AWS_KEY));
  });

  it("channel view, timeline, postmortem draft and export are masked", async () => {
    const view = (await channelTexts(viewers.member)).get(LEAK_TS)!;
    assert.match(view, /AKIA••••\[aws key\] and bot xoxb-••••\[slack token\]/);
    const dto = (await findMessagesOnDay(t.pool, viewers.member, channelId, DAY)).find((m) => m.ts === LEAK_TS)!;
    assert.equal(dto.hasMaskedSecrets, true);
    assert.ok(!JSON.stringify(dto).includes(AWS_KEY));

    const timeline = await timelineText(viewers.member);
    assert.match(timeline, /AKIA••••\[aws key\]/);
    assert.ok(!timeline.includes(AWS_KEY) && !timeline.includes(SLACK_TOKEN));

    const pm = await generatePostmortem(t.pool, viewers.admin, incidentId);
    assert.ok(pm.generated.includes(REDACTED_WORD), "the action item is in the draft (before any redaction)");
    assert.ok(!pm.generated.includes(AWS_KEY) && !pm.generated.includes(SLACK_TOKEN));
    assert.ok(!pm.state.current!.markdown.includes(AWS_KEY));

    const rec = (await exportRecords(viewers.auditor)).find((r) => r.ts === LEAK_TS)!;
    assert.match(rec.text, /AKIA••••\[aws key\]/);
    assert.ok(!JSON.stringify(rec).includes(AWS_KEY) && !JSON.stringify(rec).includes(SLACK_TOKEN));
  });
});

describe("raw text for auditors", () => {
  it("auditors and admins read the raw text, and every read is audited with channel and ts", async () => {
    const before = (await audits("message.unmask")).length;
    const raw = await findRawMessage(t.pool, viewers.auditor, { messageId: leakId });
    assert.ok(raw.text.includes(AWS_KEY) && raw.text.includes(SLACK_TOKEN));
    assert.equal(raw.hasSecrets, true);
    const byRef = await findRawMessage(t.pool, viewers.admin, { channel: CHANNEL, ts: LEAK_TS });
    assert.equal(byRef.messageId, leakId);
    const rows = await audits("message.unmask");
    assert.equal(rows.length, before + 2);
    assert.equal(rows.at(-2)!.actor, emails.auditor);
    assert.equal(rows.at(-2)!.target, `channel:${channelId}`);
    assert.equal(rows.at(-2)!.details.ts, LEAK_TS);
    assert.equal(rows.at(-2)!.details.channel, "C0LEAK");
  });

  it("members are refused (forbidden) and nothing is audited", async () => {
    const before = (await audits("message.unmask")).length;
    await assert.rejects(findRawMessage(t.pool, viewers.member, { messageId: leakId }), (e: unknown) => e instanceof AppError && e.code === "forbidden" && e.status === 403);
    await assert.rejects(findRawMessage(t.pool, viewers.member, { messageId: 999_999 }), (e: unknown) => e instanceof AppError && e.code === "forbidden");
    assert.equal((await audits("message.unmask")).length, before);
  });

  it("backscroll message raw prints the raw text for an auditor, audited; refuses a member", async () => {
    const env = { DATABASE_URL: t.url, MEILI_HOST: undefined };
    const before = (await audits("message.unmask")).length;
    const ok = await runCli(["message", "raw", CHANNEL, LEAK_TS, "--as", emails.auditor], env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(ok.stdout.includes(AWS_KEY));
    assert.equal((await audits("message.unmask")).length, before + 1);
    const refused = await runCli(["message", "raw", CHANNEL, LEAK_TS, "--as", emails.member], env);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /auditors and admins/);
    assert.ok(!refused.stdout.includes(AWS_KEY));
  });
});

describe("redaction by admins", () => {
  it("only admins may redact, and a reason is required", async () => {
    await assert.rejects(redactMessage(t.pool, viewers.auditor, { messageId: redactId }, { reason: "pii" }), (e: unknown) => e instanceof AppError && e.code === "forbidden");
    await assert.rejects(redactMessage(t.pool, viewers.member, { messageId: redactId }, { reason: "pii" }), (e: unknown) => e instanceof AppError && e.code === "forbidden");
    await assert.rejects(redactMessage(t.pool, viewers.admin, { messageId: redactId }, { reason: "  " }), (e: unknown) => e instanceof AppError && e.code === "bad_input");
    assert.equal((await audits("message.redact")).length, 0);
  });

  it("a redacted message is not found by its content, and reads [redacted: reason] in channel view, search, timeline, postmortem and export", async () => {
    assert.equal((await searchMessages(t.pool, viewers.member, { q: REDACTED_WORD })).total, 1, "found before");
    const r = await redactMessage(t.pool, viewers.admin, { messageId: redactId }, { reason: "customer PII" });
    assert.equal(r.ts, REDACT_TS);
    await assert.rejects(redactMessage(t.pool, viewers.admin, { messageId: redactId }, { reason: "again" }), (e: unknown) => e instanceof AppError && e.code === "conflict");

    for (const viewer of [viewers.member, viewers.auditor, viewers.admin]) {
      assert.equal((await searchMessages(t.pool, viewer, { q: REDACTED_WORD })).total, 0, `not found by content (${viewer.role})`);
    }
    const byChannel = await searchMessages(t.pool, viewers.member, { q: `in:#${CHANNEL} customer OR exposed`, sort: "newest" });
    assert.ok(!byChannel.hits.some((h) => h.ts === REDACT_TS));
    const byProperty = await searchMessages(t.pool, viewers.member, { q: `in:#${CHANNEL}`, sort: "newest", limit: 50 });
    const hit = byProperty.hits.find((h) => h.ts === REDACT_TS)!;
    assert.equal(hit.text, "[redacted: customer PII]");
    assert.ok(!formatHighlightPlain(hit.highlight).includes(REDACTED_WORD));

    assert.equal((await channelTexts(viewers.member)).get(REDACT_TS), "[redacted: customer PII]");
    const dto = (await findMessagesOnDay(t.pool, viewers.admin, channelId, DAY)).find((m) => m.ts === REDACT_TS)!;
    assert.deepEqual(dto.redaction, { reason: "customer PII" });

    const timeline = await timelineText(viewers.member);
    assert.ok(timeline.includes("[redacted: customer PII]") && !timeline.includes(REDACTED_WORD));

    const pm = await findPostmortem(t.pool, viewers.admin, incidentId);
    assert.ok(!pm.current!.markdown.includes(REDACTED_WORD), "drafts stored before the redaction read redacted too");
    const regenerated = await generatePostmortem(t.pool, viewers.admin, incidentId);
    assert.ok(!regenerated.generated.includes(REDACTED_WORD));

    const rec = (await exportRecords(viewers.auditor)).find((x) => x.ts === REDACT_TS)!;
    assert.equal(rec.text, "[redacted: customer PII]");
    assert.ok(rec.versions.every((v) => v.text === "[redacted: customer PII]"));
    assert.ok(!JSON.stringify(rec).includes(REDACTED_WORD));

    // The archive row itself is not altered, and auditors still read the raw text (audited).
    const row = await t.pool.query<{ text: string }>("SELECT text FROM message WHERE id = $1", [redactId]);
    assert.ok(row.rows[0]!.text.includes(REDACTED_WORD));
    const raw = await findRawMessage(t.pool, viewers.auditor, { messageId: redactId });
    assert.ok(raw.text.includes(REDACTED_WORD));
    assert.equal(raw.redaction?.reason, "customer PII");

    // Meilisearch is told to rewrite the message's document.
    const outbox = await t.pool.query<{ message_ids: number[] }>("SELECT message_ids FROM search_outbox ORDER BY id DESC LIMIT 1");
    assert.deepEqual(outbox.rows[0]!.message_ids.map(Number), [redactId]);

    const rows = await audits("message.redact");
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.actor, emails.admin);
    assert.equal(rows[0]!.details.reason, "customer PII");
    assert.equal(rows[0]!.details.ts, REDACT_TS);
  });

  it("reverting restores everything, audited; only admins may revert", async () => {
    await assert.rejects(revertRedaction(t.pool, viewers.auditor, { messageId: redactId }), (e: unknown) => e instanceof AppError && e.code === "forbidden");
    await revertRedaction(t.pool, viewers.admin, { messageId: redactId }, { reason: "approved by legal" });
    await assert.rejects(revertRedaction(t.pool, viewers.admin, { messageId: redactId }), (e: unknown) => e instanceof AppError && e.code === "not_found");

    assert.equal((await searchMessages(t.pool, viewers.member, { q: REDACTED_WORD })).total, 1);
    assert.match((await channelTexts(viewers.member)).get(REDACT_TS)!, new RegExp(REDACTED_WORD));
    assert.ok((await timelineText(viewers.member)).includes(REDACTED_WORD));
    const rec = (await exportRecords(viewers.auditor)).find((x) => x.ts === REDACT_TS)!;
    assert.ok(rec.text.includes(REDACTED_WORD));

    const rows = await audits("message.unredact");
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.details.reason, "approved by legal");
    assert.equal(rows[0]!.details.redactionReason, "customer PII");
    const history = await t.pool.query("SELECT reason, reverted_at, revert_reason FROM message_redaction WHERE message_id = $1", [redactId]);
    assert.equal(history.rows.length, 1, "the redaction stays on record");
    assert.ok(history.rows[0].reverted_at instanceof Date);
  });

  it("backscroll redact and redact --revert work for an admin, audited; an auditor is refused", async () => {
    const env = { DATABASE_URL: t.url, MEILI_HOST: undefined };
    const refused = await runCli(["redact", CHANNEL, LEAK_TS, "--reason", "leaked keys", "--as", emails.auditor], env);
    assert.equal(refused.code, 2);
    const noReason = await runCli(["redact", CHANNEL, LEAK_TS, "--as", emails.admin], env);
    assert.equal(noReason.code, 2);
    assert.match(noReason.stderr, /--reason/);
    const ok = await runCli(["redact", "C0LEAK", LEAK_TS, "--reason", "leaked keys", "--as", emails.admin, "--json"], env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).reason, "leaked keys");
    assert.equal((await channelTexts(viewers.member)).get(LEAK_TS), "[redacted: leaked keys]");
    const back = await runCli(["redact", "--revert", CHANNEL, LEAK_TS, "--as", emails.admin], env);
    assert.equal(back.code, 0, back.stderr);
    assert.match((await channelTexts(viewers.member)).get(LEAK_TS)!, /AKIA••••\[aws key\]/);
    assert.equal((await audits("message.redact")).length, 2);
    assert.equal((await audits("message.unredact")).length, 2);
  });
});
