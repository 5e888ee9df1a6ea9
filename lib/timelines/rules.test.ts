import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CATEGORY_RULES, classifyMessage, isSymptomReport, TAG_RULES } from "./rules";

/** Each rule with the phrases it must and must not catch. */

const human = (plain: string, raw = plain) => classifyMessage({ plain, raw, isBot: false });

describe("category rules", () => {
  const cases: [string, string | null, string?][] = [
    ["!rollback api-gateway to v2.31.0", "mitigation", "command.mitigation"],
    ["!deploy api v1.2 to prod", "mitigation"],
    ["!restart api-gw-03", "mitigation"],
    ["!scale api 6", "mitigation"],
    ["!failover db-primary", "mitigation"],
    ["!flag disable new-checkout", "mitigation"],
    ["ack, looking", "acknowledgement"],
    ["on it", "acknowledgement"],
    ["I'm IC. Dana can you look at db4?", "escalation"],
    ["paging the database on-call", "escalation"],
    ["seeing HTTP 503 from api-gw-03", "finding"],
    ["logs: java.net.SocketTimeoutException", "finding"],
    ["root cause: pool exhausted. Scaling out makes it worse.", "finding", "finding.root-cause"],
    ["rolling back now", "mitigation", "mitigation.action"],
    ["Let's try restarting -03 first", null],
    ["error rate back under 1%", "recovery"],
    ["status: mitigated", "recovery"],
    ["Status page updated: investigating", "communication"],
    ["Resolving. Impact over.", "resolution"],
    ["all clear, closing the incident", "resolution"],
    // Operators' admin-log lines (Miraheze SAL, 2021-07-25 and 2021-09-28).
    ["reboot cp12", "mitigation", "mitigation.operator-log"],
    ["depool mw8", "mitigation", "mitigation.operator-log"],
    ["depooling mw8 for reboot", "mitigation", "mitigation.operator-log"],
    ["hard stop/start php-fpm on mw11 as workers 100%", "mitigation", "mitigation.operator-log"],
    ["cycle php-fpm on mw8", "mitigation", "mitigation.operator-log"],
    ["disable loopscombo on all wikis", "mitigation", "mitigation.operator-log"],
    ["restart puppetdb later tonight", null],
    ["reboot cp12?", null],
    ["rebuild lc on jobrunner*", null],
    ["how do we roll back quickly?", null],
    ["lunch?", null],
    // Status changes people type (incident tools post the same words; see the bot cases below).
    ["Status: Resolved", "resolution", "status.resolved"],
    ["status → monitoring", "recovery", "status.mitigated"],
    ["Status page updated: resolved", "communication"],
    ["status: resolved?", null],
    // What responders write in real incident channels.
    ["checking the logs now", "acknowledgement"],
    [":eyes:", "acknowledgement"],
    ["I'll take a look", "acknowledgement"],
    ["deployed the fix to prod", "mitigation", "mitigation.action"],
    ["hotfix is out", "mitigation", "mitigation.action"],
    ["bumped the memory limit to 2Gi", "mitigation", "mitigation.action"],
    ["killed the long-running query on db-primary", "mitigation", "mitigation.action"],
    ["should we bump the pool size?", null],
    ["checkout is working again", "recovery"],
    ["errors have stopped since 10:41", "recovery"],
    ["all green on the dashboards", "recovery"],
    ["is it fixed now?", null],
    ["notified customers via the support banner", "communication"],
    ["support is aware and answering tickets", "communication"],
  ];
  for (const [text, category, ruleId] of cases) {
    it(`${JSON.stringify(text)} → ${category}`, () => {
      const c = human(text);
      assert.equal(c.category, category);
      if (ruleId) assert.equal(c.ruleId, ruleId);
    });
  }
  it("a suggestion in backticks is not a command", () => {
    assert.equal(human("!rollback x — runbook", "`!rollback x` — runbook").ruleId, null);
  });
  it("bots do not get human categories", () => {
    assert.equal(classifyMessage({ plain: "ack", raw: "ack", isBot: true }).category, null);
  });
  it("every rule has an id, a description and a unique id", () => {
    const ids = [...CATEGORY_RULES, ...TAG_RULES].map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const r of [...CATEGORY_RULES, ...TAG_RULES]) assert.ok(r.description.length > 5);
  });
});

describe("tag rules", () => {
  const cases: [string, string[]][] = [
    ["action item: @dana add alert on pool saturation", ["action_item"]],
    ["TODO: document the rollback flow, it took us 6 minutes to find it", ["action_item", "went_poorly"]],
    ["we should require a DBA review", ["action_item"]],
    ["follow up: rotate the keys", ["action_item"]],
    ["caused by v2.32.0 raising the pool max", ["contributing_factor"]],
    ["Customers are reporting 503s on checkout (3 tickets so far)", ["impact"]],
    ["good call on the rollback", ["went_well"]],
  ];
  for (const [text, tags] of cases) {
    it(`${JSON.stringify(text)} → ${tags.join(", ")}`, () => assert.deepEqual(human(text).tags, tags));
  }
});

describe("symptom reports", () => {
  const cases: [string, boolean][] = [
    ["hard stop/start php-fpm on mw11 as workers 100%", true],
    ["cp12 and cp15 down. First reported at 2:40AM UTC", true],
    ["mediawiki deploys stopped - ongoing incident cc !sre", true],
    ["seeing HTTP 503 from api-gw-03", true],
    ["erased all redis data on jobrunner3 as data was full", true],
    ["restart dump", false],
    ["rebuild lc on jobrunner*", false],
    ["renamed lgbtqiawiki to lgbtqawiki", false],
  ];
  for (const [text, yes] of cases) it(`${JSON.stringify(text)} → ${yes}`, () => assert.equal(isSymptomReport(text), yes));
});

describe("incident tools' status messages (bots)", () => {
  const bot = (plain: string) => classifyMessage({ plain, raw: plain, isBot: true });
  const cases: [string, string | null, string][] = [
    ["Status changed from Investigating to Monitoring", "recovery", "status.mitigated"],
    ["🟡 Incident status updated: Fixing → Monitoring", "recovery", "status.mitigated"],
    ["Milestone changed to *Mitigated* by Alice", "recovery", "status.mitigated"],
    ["Status changed from Monitoring to Resolved", "resolution", "status.resolved"],
    ["The incident has been resolved by @alice", "resolution", "status.resolved"],
    ["INC-142 was marked as closed", "resolution", "status.resolved"],
    ["Status updated to Investigating", "acknowledgement", "status.acknowledged"],
    ["Alice declared a new incident: Checkout errors (SEV2)", "detection", "status.declared"],
    ["🚨 Incident #142 has been declared", "detection", "status.declared"],
    ["Statuspage: Investigating - we are looking into errors", "communication", "communication.status-page"],
    ["Build #512 finished: status success", null, ""],
  ];
  for (const [text, category, ruleId] of cases) {
    it(`${JSON.stringify(text)} → ${category}`, () => {
      const c = bot(text);
      assert.equal(c.category, category);
      if (ruleId) assert.equal(c.ruleId, ruleId);
    });
  }
});
