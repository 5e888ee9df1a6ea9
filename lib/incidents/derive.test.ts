import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findIncidentPatterns, globToLike, matchesIncidentPattern } from "./config";
import { findStatedStart, findStatedWindow } from "./derive";
import { findChronologyError } from "./service";

describe("findStatedWindow", () => {
  it("places a stated window on the right days across midnight", () => {
    assert.deepEqual(findStatedWindow("Customer impact 22:38–23:10 UTC (~32 min)", "2026-11-04T01:00:30Z"), {
      from: "2026-11-03T22:38:00.000Z",
      to: "2026-11-03T23:10:00.000Z",
    });
    assert.deepEqual(findStatedWindow("between 23:50 and 00:20 UTC", "2026-11-04T01:00:00Z"), {
      from: "2026-11-03T23:50:00.000Z",
      to: "2026-11-04T00:20:00.000Z",
    });
    assert.equal(findStatedWindow("22:38–23:10 somewhere", "2026-11-04T01:00:30Z"), null);
  });
});

describe("findStatedStart", () => {
  it("reads a start stated as one time, on or before the message", () => {
    assert.equal(findStatedStart("cp12 and cp15 down. First reported at 2:40AM UTC still down at 5:13AM UTC.", "2021-09-28T05:13:00Z"), "2021-09-28T02:40:00.000Z");
    assert.equal(findStatedStart("api down since 23:50 UTC", "2026-11-04T00:30:00Z"), "2026-11-03T23:50:00.000Z");
    assert.equal(findStatedStart("started at 1:05pm GMT", "2026-11-04T15:00:00Z"), "2026-11-04T13:05:00.000Z");
    assert.equal(findStatedStart("first reported at 12:10am UTC", "2026-11-04T03:00:00Z"), "2026-11-04T00:10:00.000Z");
    assert.equal(findStatedStart("still down at 5:13AM UTC", "2021-09-28T05:13:00Z"), null);
    assert.equal(findStatedStart("since 25:10 UTC", "2021-09-28T05:13:00Z"), null);
    assert.equal(findStatedStart("since 14:10", "2021-09-28T15:13:00Z"), null, "a zone is required");
  });
});

describe("chronology", () => {
  it("requires started ≤ detected ≤ acknowledged ≤ mitigated ≤ resolved", () => {
    const ok = { startedAt: "2026-01-01T00:00:00Z", detectedAt: null, acknowledgedAt: "2026-01-01T00:05:00Z", mitigatedAt: null, resolvedAt: "2026-01-01T01:00:00Z" };
    assert.equal(findChronologyError(ok), null);
    assert.equal(findChronologyError({ ...ok, resolvedAt: "2025-12-31T00:00:00Z" })?.field, "resolvedAt");
  });
});

describe("patterns", () => {
  it("defaults to inc-* and incident-*, and reads INCIDENT_CHANNEL_PATTERNS", () => {
    assert.deepEqual(findIncidentPatterns({}), ["inc-*", "incident-*"]);
    assert.deepEqual(findIncidentPatterns({ INCIDENT_CHANNEL_PATTERNS: "sev-*, outage_*" }), ["sev-*", "outage_*"]);
    assert.throws(() => findIncidentPatterns({ INCIDENT_CHANNEL_PATTERNS: "a'; drop" }));
    assert.equal(globToLike("outage_*"), "outage\\_%");
    assert.ok(matchesIncidentPattern("inc-2026-api", ["inc-*"]));
    assert.ok(!matchesIncidentPattern("incoming", ["inc-*"]));
  });
});

describe("an incident run through an incident tool's bot", () => {
  it("takes declaration, acknowledgement, mitigation, resolution, commander and severity from the tool's messages", async () => {
    const { buildTimeline } = await import("../timelines/build");
    const { deriveIncident } = await import("./derive");
    const at = (hhmm: string) => new Date(`2026-03-02T${hhmm}:00Z`);
    let seq = 0;
    const msg = (hhmm: string, text: string, bot: boolean, who = bot ? "U0TOOL" : "U0ALICE") => ({
      ts: `${at(hhmm).getTime() / 1000}.${String(++seq).padStart(6, "0")}`,
      threadTs: null,
      authorId: who,
      authorName: bot ? "incident.io" : who === "U0ALICE" ? "alice" : "bob",
      authorIsBot: bot,
      botId: bot ? "B0TOOL" : null,
      username: bot ? "incident.io" : null,
      subtype: bot ? "bot_message" : null,
      text,
      searchText: "",
      postedAt: at(hhmm),
      editedAt: null,
      deleted: false,
      versions: 1,
    });
    const t = buildTimeline({
      channel: { id: 1, externalId: "C0INC", name: "inc-142-checkout-errors", kind: "public" },
      messages: [
        msg("10:02", "alice declared a new incident: Checkout errors", true),
        msg("10:02", "Severity: SEV2 · Incident Lead: @alice", true),
        msg("10:03", "checkout returns 502 for some EU users", false),
        msg("10:05", "Status changed from Triage to Investigating", true),
        msg("10:20", "rolled back the payments deploy", false, "U0BOB"),
        msg("10:31", "Status changed from Fixing to Monitoring", true),
        msg("10:40", "error rate looks healthy again", false, "U0BOB"),
        msg("11:15", "Status changed from Monitoring to Resolved", true),
      ],
      executions: [],
      channelEvents: [],
      people: new Map([["U0ALICE", "alice"], ["U0BOB", "bob"]]),
    });
    const d = deriveIncident(t);
    assert.equal(d.times.detectedAt?.at, "2026-03-02T10:02:00.000Z");
    assert.equal(d.times.acknowledgedAt?.at, "2026-03-02T10:05:00.000Z");
    assert.deepEqual([d.times.mitigatedAt?.at, d.times.mitigatedAt?.why], ["2026-03-02T10:31:00.000Z", "status set to mitigated"]);
    assert.equal(d.times.resolvedAt?.at, "2026-03-02T11:15:00.000Z");
    assert.equal(d.commander, "U0ALICE");
    assert.equal(d.severity, "SEV2");
    assert.equal(d.status, "resolved");
  });
});

describe("mitigation without a stated recovery", () => {
  it("is the last action of the response, not routine work after the people went quiet", async () => {
    const { buildTimeline } = await import("../timelines/build");
    const { deriveIncident } = await import("./derive");
    // Miraheze's admin log, 2021-09-28: two reboots end the outage; a scheduled config deploy follows.
    const at = (hhmm: string) => new Date(`2021-09-28T${hhmm}:00Z`);
    let seq = 0;
    const line = (hhmm: string, who: string, text: string, bot = false) => ({
      ts: `${at(hhmm).getTime() / 1000}.${String(++seq).padStart(6, "0")}`,
      threadTs: null,
      authorId: who,
      authorName: who,
      authorIsBot: bot,
      botId: bot ? "B0LSBOT" : null,
      username: bot ? who : null,
      subtype: bot ? "bot_message" : null,
      text,
      searchText: "",
      postedAt: at(hhmm),
      editedAt: null,
      deleted: false,
      versions: 1,
    });
    const t = buildTimeline({
      channel: { id: 1, externalId: "server-admin-log", name: "server-admin-log", kind: "public" },
      messages: [
        line("05:13", "Universal Omega", "cp12 and cp15 down. First reported at 2:40AM UTC still down at 5:13AM UTC."),
        line("05:28", "Reception123", "reboot cp12"),
        line("05:32", "Reception123", "reboot cp15"),
        line("06:04", "MirahezeLSBot", "[@mw11] starting deploy of {'config': True} to all (START)", true),
        line("06:04", "MirahezeLSBot", "[@mw11] finished deploy of {'config': True} to all (END - exit=0)", true),
      ],
      executions: [
        { id: 7, bot: "MirahezeLSBot", command: "deploy", arguments: ["config"], invoker: null, messageTs: null, startedAt: at("06:04"), finishedAt: at("06:04"), status: "succeeded", exitCode: 0, output: null },
      ],
      channelEvents: [],
      people: new Map(),
    });
    const d = deriveIncident(t);
    assert.equal(d.times.startedAt?.at, "2021-09-28T02:40:00.000Z");
    assert.equal(d.times.detectedAt?.at, "2021-09-28T05:13:00.000Z");
    assert.deepEqual([d.times.mitigatedAt?.at, d.times.mitigatedAt?.why], ["2021-09-28T05:32:00.000Z", "last mitigation action of the response"]);
  });
});
