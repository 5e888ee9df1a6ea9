import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { recognizeAlert } from "./alerts";

describe("recognizeAlert", () => {
  const bot = (sender: string, body: string) => recognizeAlert({ sender, isBot: true, body });
  const cases: [string, string, string, string | null][] = [
    ["alertmanager", "[FIRING:2] HighErrorRate api-gw-03 (prod)\n*Alert:* HighErrorRate", "alertmanager", "firing"],
    ["alertmanager", "[RESOLVED] HighErrorRate api-gw-03", "alertmanager", "resolved"],
    ["Grafana", "[FIRING:1] CPU high\nGrafana v10", "grafana", "firing"],
    ["grafana", "[Alerting] Disk full alert", "grafana", "firing"],
    ["grafana", "[OK] Disk full alert", "grafana", "resolved"],
    ["PagerDuty", "Triggered #4521: HighErrorRate", "pagerduty", "firing"],
    ["PagerDuty", "Acknowledged by <@U1> — service api", "pagerduty", "acknowledged"],
    ["PagerDuty", "Resolved #4521 by <@U1>", "pagerduty", "resolved"],
    ["Opsgenie", "Alert created: [P1] api down", "opsgenie", "firing"],
    ["Opsgenie", "Alert closed: api down", "opsgenie", "resolved"],
    ["Datadog", "Triggered: [P1] Monitor api latency", "datadog", "firing"],
    ["Datadog", "Recovered: Monitor api latency", "datadog", "resolved"],
    ["Sentry", "New issue: TypeError in checkout", "sentry", "firing"],
    ["AWS Notification", "ALARM: \"api-5xx\" in US East (N. Virginia)", "cloudwatch", "firing"],
    ["AWS Notification", "OK: \"api-5xx\" in US East", "cloudwatch", "resolved"],
  ];
  for (const [sender, body, provider, state] of cases) {
    it(`${sender}: ${body.split("\n")[0]}`, () => {
      const a = bot(sender, body);
      assert.equal(a?.provider, provider);
      assert.equal(a?.state, state);
    });
  }
  it("reads the count of grouped alerts", () => assert.equal(bot("am", "[FIRING:3] X")?.count, 3));
  it("ignores people mentioning a provider", () => assert.equal(recognizeAlert({ sender: "bob", isBot: false, body: "PagerDuty Triggered me again" }), null));
  it("ignores ordinary bot messages", () => assert.equal(bot("deploybot", "Running `deploy` for <@U1>"), null));
});
