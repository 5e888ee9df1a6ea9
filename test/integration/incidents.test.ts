import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { TViewer } from "../../lib/access/types";
import { DEMO_INCIDENT_CHANNEL_NAME, writeDemoExport } from "../../lib/demo/demo-workspace";
import { AppError } from "../../lib/errors";
import { resolveAdapter } from "../../lib/ingest/adapters/registry";
import { runIngest } from "../../lib/ingest/run";
import { createIncident, findIncident, findIncidentTimeline, listIncidents, markTimelineEvent, syncDetectedIncidents, updateIncident } from "../../lib/incidents/service";
import { generatePostmortem, saveEditedDraft } from "../../lib/postmortems/service";
import { formatTimelineJson } from "../../lib/timelines/format";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { runCli } from "../helpers/cli";

/** Incidents, timelines and draft postmortems on the demo workspace's incident channel. */

let t: TTestDatabase;
let dir: string;
let incidentId: number;
const admin: TViewer = { userId: 0, role: "admin", personId: null };

before(async () => {
  t = await createTestDatabase();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "incidents-demo-"));
  await writeDemoExport(dir);
  const input = { location: dir };
  await runIngest({ adapter: await resolveAdapter(input), input, pool: t.pool });
  const ids = await syncDetectedIncidents(t.pool);
  assert.equal(ids.length, 1);
  incidentId = ids[0]!;
});

after(async () => {
  await t?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("the demo incident", () => {
  it("is detected once from its channel name", async () => {
    assert.deepEqual(await syncDetectedIncidents(t.pool), []);
    const list = await listIncidents(t.pool, admin);
    assert.equal(list.length, 1);
    assert.equal(list[0]!.channel.name, DEMO_INCIDENT_CHANNEL_NAME);
    assert.equal(list[0]!.activity.length, 24);
    assert.ok(list[0]!.messageCount > 40);
  });

  it("derives key times, commander, status and metrics from the timeline", async () => {
    const { incident } = await findIncidentTimeline(t.pool, admin, incidentId);
    assert.equal(incident.title, "API gateway 5xx in prod");
    assert.equal(incident.times.startedAt, "2026-11-03T22:38:00.000Z");
    assert.equal(incident.times.detectedAt?.slice(0, 19), "2026-11-03T22:41:48");
    assert.equal(incident.times.acknowledgedAt?.slice(0, 19), "2026-11-03T22:42:40");
    assert.equal(incident.times.mitigatedAt?.slice(0, 19), "2026-11-03T23:10:02");
    assert.equal(incident.times.resolvedAt?.slice(0, 19), "2026-11-04T00:55:00");
    assert.equal(incident.status, "resolved");
    assert.equal(incident.commander, "U0DEMOALICE");
    const roles = Object.fromEntries(incident.participants.map((p) => [p.person, p.role]));
    assert.equal(roles.U0DEMOALICE, "commander");
    assert.equal(roles.U0DEMOBORIS, "ops lead");
    assert.equal(roles.U0DEMOELENA, "communications");
    assert.equal(Math.round(incident.metrics.timeToDetectMs! / 1000), 229);
    assert.equal(Math.round(incident.metrics.timeToAcknowledgeMs! / 1000), 52);
    assert.equal(Math.round(incident.metrics.timeToMitigateMs! / 1000), 32 * 60 + 2);
    assert.equal(Math.round(incident.metrics.timeToResolveMs! / 60_000), 137);
  });

  it("puts bot command runs inline after their trigger, with status and duration", async () => {
    const { timeline } = await findIncidentTimeline(t.pool, admin, incidentId);
    const execs = timeline.events.filter((e) => e.kind === "execution");
    assert.deepEqual(
      execs.map((e) => [e.execution!.command, e.execution!.status, e.execution!.exitCode, e.execution!.durationMs! / 1000]),
      [
        ["restart api-gw-03", "failed", 1, 123],
        ["scale api-gateway 6", "succeeded", 0, 88],
        ["rollback api-gateway to v2.31.0", "succeeded", 0, 224],
        ["deploy api-gateway v2.31.1 to prod", "succeeded", 0, 337],
      ],
    );
    for (const x of execs) {
      const i = timeline.events.indexOf(x);
      assert.equal(timeline.events[i - 1]!.source.ts, x.execution!.triggerTs, "the trigger comes right before");
    }
    const json = JSON.parse(formatTimelineJson(timeline, { id: incidentId }));
    assert.deepEqual(Object.keys(json.events[0]).sort(), ["actor", "at", "keyEvent", "kind", "source", "text"]);
    assert.ok(json.events.every((e: { at: string }) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(e.at)));
    const edited = timeline.events.find((e) => e.text.startsWith("db4 (10.20.5.4) has 498/500"));
    assert.equal(edited?.flags.edited, true);
    assert.ok(timeline.events.some((e) => e.flags.deleted));
    assert.ok(timeline.gaps.length >= 1);
    assert.ok(timeline.threads.some((g) => g.eventIds.length === 4));
  });

  it("prefers execution records linked to the triggering message over chat replies", async () => {
    const { timeline: before } = await findIncidentTimeline(t.pool, admin, incidentId);
    const trigger = before.events.find((e) => e.text === "!restart api-gw-03")!;
    const ch = await t.pool.query<{ id: number; workspace_id: number }>(`SELECT id, workspace_id FROM channel WHERE name = $1`, [DEMO_INCIDENT_CHANNEL_NAME]);
    await t.pool.query(
      `INSERT INTO execution (workspace_id, source, external_id, bot, command, invoker, channel_id, message_ts, started_at, finished_at, status, exit_code, output, raw_sha256)
       VALUES ($1, 'test', 'x1', 'deploybot', 'restart api-gw-03', 'U0DEMOBORIS', $2, $3, '2026-11-03T22:57:03Z', '2026-11-03T22:59:06Z', 'failed', 1, 'drain timed out', 'x')`,
      [ch.rows[0]!.workspace_id, ch.rows[0]!.id, trigger.source.ts],
    );
    const { timeline } = await findIncidentTimeline(t.pool, admin, incidentId);
    const restarts = timeline.events.filter((e) => e.kind === "execution" && e.execution!.command.startsWith("restart"));
    assert.equal(restarts.length, 1);
    assert.equal(restarts[0]!.execution!.origin, "record");
    assert.match(restarts[0]!.source.href, /^\/executions\/\d+$/);
    await t.pool.query(`DELETE FROM execution WHERE external_id = 'x1'`);
  });

  it("keeps human marks across rebuilds and versions them", async () => {
    const { timeline } = await findIncidentTimeline(t.pool, admin, incidentId);
    const chatter = timeline.events.find((e) => e.text.startsWith("yes please"))!;
    await markTimelineEvent(t.pool, admin, incidentId, { eventId: chatter.id, kind: "key_event", active: true });
    await markTimelineEvent(t.pool, admin, incidentId, { eventId: chatter.id, kind: "note", note: "IC approves the status page text" });
    const join = timeline.events.find((e) => e.kind === "channel_event")!;
    await markTimelineEvent(t.pool, admin, incidentId, { eventId: join.id, kind: "hide" });
    const again = await findIncidentTimeline(t.pool, admin, incidentId);
    const e = again.timeline.events.find((x) => x.id === chatter.id)!;
    assert.equal(e.keyEvent, true);
    assert.equal(e.marks.note, "IC approves the status page text");
    assert.equal(again.timeline.events.some((x) => x.id === join.id), false);
    assert.equal(again.timeline.hiddenCount, 1);
    const v = await markTimelineEvent(t.pool, admin, incidentId, { eventId: join.id, kind: "hide", active: false });
    assert.equal(v.version, 2);
    const third = await findIncidentTimeline(t.pool, admin, incidentId);
    assert.ok(third.timeline.events.some((x) => x.id === join.id));
  });

  it("validates, audits and versions edits; overrides need a reason and survive re-derivation", async () => {
    const cur = await findIncident(t.pool, admin, incidentId);
    await assert.rejects(
      updateIncident(t.pool, admin, incidentId, { expectedVersion: cur.version, times: { acknowledgedAt: { at: new Date("2026-11-03T22:30:00Z"), reason: "pager" } } }),
      (e) => e instanceof AppError && e.code === "bad_input" && e.where?.field === "times.acknowledgedAt",
    );
    await assert.rejects(
      updateIncident(t.pool, admin, incidentId, { expectedVersion: cur.version, times: { mitigatedAt: { at: new Date("2026-11-03T23:08:00Z"), reason: "" } } }),
      (e) => e instanceof AppError && e.code === "bad_input",
    );
    await assert.rejects(updateIncident(t.pool, admin, incidentId, { expectedVersion: cur.version + 5, severity: "SEV2" }), (e) => e instanceof AppError && e.code === "conflict");
    const next = await updateIncident(t.pool, admin, incidentId, {
      expectedVersion: cur.version,
      severity: "SEV2",
      times: { mitigatedAt: { at: new Date("2026-11-03T23:07:52Z"), reason: "rollback finished" } },
      reason: "review",
    });
    assert.equal(next.version, cur.version + 1);
    assert.equal(next.times.mitigatedAt, "2026-11-03T23:07:52.000Z");
    const rebuilt = await findIncidentTimeline(t.pool, admin, incidentId);
    assert.equal(rebuilt.incident.times.mitigatedAt, "2026-11-03T23:07:52.000Z");
    assert.equal(rebuilt.incident.severity, "SEV2");
    const audit = await t.pool.query(`SELECT details FROM audit_event WHERE action = 'incident.update' AND target = $1`, [`incident:${incidentId}`]);
    assert.equal(audit.rowCount, 1);
    const versions = await t.pool.query(`SELECT count(*)::int AS n FROM incident_version WHERE incident_id = $1`, [incidentId]);
    assert.ok(versions.rows[0].n >= 2);
    const stable = await findIncidentTimeline(t.pool, admin, incidentId);
    assert.equal(stable.incident.version, rebuilt.incident.version, "reading does not create versions");
    await updateIncident(t.pool, admin, incidentId, { expectedVersion: rebuilt.incident.version, clearOverrides: ["mitigatedAt"], reason: "back to derived" });
    const back = await findIncidentTimeline(t.pool, admin, incidentId);
    assert.equal(back.incident.times.mitigatedAt?.slice(0, 19), "2026-11-03T23:10:02");
  });

  it("edits commander and participants by naming real people, and keeps them across re-derivation", async () => {
    const cur = await findIncident(t.pool, admin, incidentId);
    await assert.rejects(
      updateIncident(t.pool, admin, incidentId, { expectedVersion: cur.version, commander: "nobody-here", reason: "handover" }),
      (e) => e instanceof AppError && e.code === "bad_input" && e.where?.field === "commander",
    );
    await assert.rejects(
      updateIncident(t.pool, admin, incidentId, {
        expectedVersion: cur.version,
        participants: [...cur.participants, { person: "U0NOSUCH", name: "x", role: "scribe" }],
      }),
      (e) => e instanceof AppError && e.code === "bad_input" && e.where?.field === `participants.${cur.participants.length}.person`,
    );
    const next = await updateIncident(t.pool, admin, incidentId, {
      expectedVersion: cur.version,
      commander: "U0DEMOBORIS",
      participants: [...cur.participants.map((p) => ({ person: p.person, name: p.name, role: p.person === "U0DEMOELENA" ? "scribe" : p.role }))],
      reason: "handover to Boris",
    });
    assert.equal(next.commander, "U0DEMOBORIS");
    const roles = Object.fromEntries(next.participants.map((p) => [p.person, p.role]));
    assert.equal(roles.U0DEMOBORIS, "commander");
    assert.equal(roles.U0DEMOALICE, "responder", "the previous commander steps down");
    assert.equal(roles.U0DEMOELENA, "scribe");
    assert.equal(next.participants.filter((p) => p.role === "commander").length, 1);
    const rebuilt = await findIncidentTimeline(t.pool, admin, incidentId);
    assert.equal(rebuilt.incident.commander, "U0DEMOBORIS");
    assert.equal(rebuilt.incident.participants.find((p) => p.person === "U0DEMOELENA")?.role, "scribe");
    const audit = await t.pool.query(`SELECT details FROM audit_event WHERE action = 'incident.update' AND target = $1 ORDER BY id DESC LIMIT 1`, [`incident:${incidentId}`]);
    assert.deepEqual(audit.rows[0].details.changes.commander, { from: "U0DEMOALICE", to: "U0DEMOBORIS" });
  });
});

describe("draft postmortem", () => {
  it("has the key times, commands, action items with owners and links, each with a source", async () => {
    const r = await generatePostmortem(t.pool, admin, incidentId);
    const md = r.generated;
    for (const h of ["## Summary", "## Impact", "## Detection", "## Response", "## Timeline", "## Actions and commands run", "## Resolution", "## Contributing factors", "### What went well", "### What went poorly", "## Action items", "## Links", "## Metrics"]) {
      assert.ok(md.includes(h), h);
    }
    assert.equal(r.facts.failedCommands, 1);
    assert.equal(r.facts.commands.length, 4);
    assert.deepEqual(
      r.facts.actionItems.map((a) => [a.owners.join(","), a.ownerSource]),
      [
        ["alice.nguyen", "author"],
        ["dana.levi", "mentioned"],
        ["chidi.okafor", "mentioned"],
        ["boris.petrov", "author"],
        ["grace.kim", "author"],
      ],
    );
    assert.deepEqual(r.facts.links.pull_request.map((l) => l.url), ["https://github.com/acme/api-gateway/pull/1187", "https://github.com/acme/api-gateway/pull/1192"]);
    assert.ok(r.facts.links.ticket.some((l) => l.url.endsWith("OPS-4521")));
    assert.ok(r.facts.links.status_page.length === 1);
    assert.ok(r.facts.links.runbook.length >= 1 && r.facts.links.dashboard.length >= 1);
    assert.match(md, /Detected: 2026-11-03 22:41:48 UTC — first firing alert \(\[source\]\(\/channels\/\d+\?day=2026-11-03#m-/);
    assert.match(md, /`restart api-gw-03` by boris.petrov — \*\*failed\*\*, exit code 1, 2 min 3 s/);
    assert.match(md, /\| Commands failed \| 1 \|/);
    assert.match(md, /Candidate: dana.levi: root cause: connection pool exhausted/);
    // Every list item carries a link to its evidence.
    const items = md.split("\n").filter((l) => /^- /.test(l) && !/^- [a-z.]+ — [a-z ]+$/.test(l));
    for (const l of items) assert.match(l, /\]\((?:\/|https?:)/, l);
    const again = await generatePostmortem(t.pool, admin, incidentId);
    assert.equal(again.generated, md, "deterministic");
    assert.equal(again.stored, false);
  });

  it("never overwrites a human edit when regenerating", async () => {
    const first = await generatePostmortem(t.pool, admin, incidentId);
    const edited = await saveEditedDraft(t.pool, admin, incidentId, { markdown: first.generated + "\nHuman note.\n", basedOnVersion: first.state.current!.version });
    assert.equal(edited.current?.origin, "edited");
    // A new message changes what the archive says.
    const ch = await t.pool.query<{ id: number }>(`SELECT id FROM channel WHERE name = $1`, [DEMO_INCIDENT_CHANNEL_NAME]);
    await t.pool.query(
      `INSERT INTO message (channel_id, ts, text, search_text, posted_at, source, raw_sha256) VALUES ($1, '1793754000.000001', 'TODO: add a chaos test for pool limits', 'TODO: add a chaos test for pool limits', '2026-11-04T00:59:00Z', 'test', 'x')`,
      [ch.rows[0]!.id],
    );
    const regen = await generatePostmortem(t.pool, admin, incidentId);
    assert.equal(regen.stored, true);
    assert.equal(regen.state.current?.origin, "edited");
    assert.match(regen.state.current!.markdown, /Human note\./);
    assert.match(regen.state.notice ?? "", /newer generated draft/);
    assert.ok(regen.state.diff?.some((d) => d.op === "add" && d.text.includes("chaos test")));
  });
});

describe("access and manual incidents", () => {
  it("hides incidents in private channels from non-members", async () => {
    const priv = await createIncident(t.pool, admin, { channel: "sre-oncall", from: new Date("2026-11-03T22:30:00Z"), to: new Date("2026-11-03T22:45:00Z"), title: "On-call page" });
    assert.equal(priv.times.detectedAt?.slice(0, 19), "2026-11-03T22:38:52");
    const farid = await t.pool.query<{ id: number }>(`SELECT id FROM person WHERE external_id = 'U0DEMOFARID'`);
    const member: TViewer = { userId: 99, role: "member", personId: farid.rows[0]!.id };
    const list = await listIncidents(t.pool, member);
    assert.equal(list.some((i) => i.id === priv.id), false);
    assert.equal(list.some((i) => i.id === incidentId), true);
    await assert.rejects(findIncident(t.pool, member, priv.id), (e) => e instanceof AppError && e.code === "not_found");
    await assert.rejects(generatePostmortem(t.pool, member, priv.id), (e) => e instanceof AppError && e.code === "not_found");
  });
});

describe("CLI", () => {
  it("prints the timeline JSON in the documented shape and the postmortem", async () => {
    const env = { DATABASE_URL: t.url };
    const r = await runCli(["timeline", String(incidentId), "--format", "json"], env);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.incident.id, incidentId);
    const kinds = new Set(j.events.map((e: { kind: string }) => e.kind));
    for (const k of ["detection", "acknowledgement", "escalation", "mitigation", "resolution", "communication", "message", "execution", "alert", "channel_event"]) assert.ok(kinds.has(k), k);
    const csv = await runCli(["timeline", DEMO_INCIDENT_CHANNEL_NAME, "--format", "csv", "--tz", "Europe/Berlin"], env);
    assert.equal(csv.code, 0, csv.stderr);
    assert.match(csv.stdout, /2026-11-03 23:41:48 Europe\/Berlin \(UTC\+01:00\)/);
    const bad = await runCli(["timeline", DEMO_INCIDENT_CHANNEL_NAME, "--tz", "Mars/Olympus"], env);
    assert.equal(bad.code, 2);
    const pm = await runCli(["postmortem", String(incidentId), "--format", "html", "--generated"], env);
    assert.equal(pm.code, 0, pm.stderr);
    assert.match(pm.stdout, /<h2>Action items<\/h2>/);
    const list = await runCli(["incidents", "--json"], env);
    assert.equal(list.code, 0, list.stderr);
    assert.ok(JSON.parse(list.stdout).length >= 1);
  });
});

describe("timeline cache", () => {
  let c: TTestDatabase;
  let cacheIncidentId: number;
  before(async () => {
    c = await createTestDatabase();
    const input = { location: dir };
    await runIngest({ adapter: await resolveAdapter(input), input, pool: c.pool });
    cacheIncidentId = (await syncDetectedIncidents(c.pool))[0]!;
  });
  after(async () => {
    await c?.drop();
  });

  it("serves an unchanged timeline from the cache, frozen, and rebuilds after any change to its rows, even one behind the application's back", async () => {
    const first = (await findIncidentTimeline(c.pool, admin, cacheIncidentId)).timeline;
    const second = (await findIncidentTimeline(c.pool, admin, cacheIncidentId)).timeline;
    assert.equal(second, first, "an unchanged channel is not rebuilt");
    assert.ok(Object.isFrozen(first) && Object.isFrozen(first.events[0]!) && Object.isFrozen(first.events[0]!.source));
    assert.throws(() => {
      (first.events as unknown[]).push(null);
    }, TypeError);
    const target = first.events.find((e) => e.text.startsWith("yes please"))!;
    const ch = (await c.pool.query<{ id: number; workspace_id: number }>(`SELECT id, workspace_id FROM channel WHERE name = $1`, [DEMO_INCIDENT_CHANNEL_NAME])).rows[0]!;
    const changes: [string, string, (tl: typeof first) => boolean][] = [
      ["a message's text", `UPDATE message SET text = 'changed behind the back' WHERE channel_id = ${ch.id} AND ts = '${target.source.ts}'`, (tl) => tl.events.some((e) => e.text === "changed behind the back")],
      ["versions added", `INSERT INTO message_version (message_id, text_sha256, text, valid_from_ts, source) SELECT id, sha, 'older text', ts, 'test' FROM message, (VALUES ('sha-x'), ('sha-y')) v(sha) WHERE channel_id = ${ch.id} AND ts = '${target.source.ts}'`, (tl) => tl.events.find((e) => e.id === target.id)!.flags.versions > target.flags.versions],
      ["a person's name", `UPDATE person SET display_name = 'Renamed Person' WHERE workspace_id = ${ch.workspace_id} AND external_id = '${target.actorId}'`, (tl) => tl.events.find((e) => e.id === target.id)!.actor === "Renamed Person"],
      ["a message deleted from the table", `DELETE FROM message WHERE channel_id = ${ch.id} AND ts = '${target.source.ts}'`, (tl) => !tl.events.some((e) => e.id === target.id)],
    ];
    let previous = first;
    for (const [what, sql, visible] of changes) {
      await c.pool.query(sql);
      const { timeline } = await findIncidentTimeline(c.pool, admin, cacheIncidentId);
      assert.notEqual(timeline, previous, `rebuilt after ${what}`);
      assert.ok(visible(timeline), `the timeline shows ${what}`);
      previous = timeline;
    }
  });
});
