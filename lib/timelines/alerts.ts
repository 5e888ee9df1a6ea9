import type { TAlert } from "./types";

/**
 * Recognises notifications from common monitoring senders — PagerDuty,
 * Opsgenie, Alertmanager, Grafana, Datadog, Sentry, CloudWatch. Such bots
 * often post an empty `text` and put everything in attachments or blocks,
 * so callers pass the message's whole searchable text (text, attachments
 * and blocks) as `body`.
 */

/** What the recogniser looks at. */
export type TAlertInput = {
  /** Bot username or author name ("alertmanager", "PagerDuty"…). */
  sender: string | null;
  isBot: boolean;
  /** Text plus attachment and block text, one fragment per line. */
  body: string;
};

type TProvider = TAlert["provider"];

function firstLine(body: string, pattern: RegExp): string {
  const line = body.split("\n").find((l) => pattern.test(l)) ?? body.split("\n").find((l) => l.trim()) ?? "";
  return line.replace(/[*_`]/g, "").trim().slice(0, 200);
}

/** A sender name or footer naming the provider. */
function providerNamed(sender: string, body: string): TProvider | null {
  const s = `${sender}\n${body}`.toLowerCase();
  if (/pagerduty/.test(s)) return "pagerduty";
  if (/opsgenie/.test(s)) return "opsgenie";
  if (/datadog/.test(s)) return "datadog";
  if (/sentry/.test(s)) return "sentry";
  if (/cloudwatch|aws notification|amazon sns/.test(s)) return "cloudwatch";
  if (/alertmanager|prometheus/.test(s)) return "alertmanager";
  if (/grafana/.test(s)) return "grafana";
  return null;
}

/** The alert a message carries, or null when it is not a monitoring notification. */
export function recognizeAlert(input: TAlertInput): TAlert | null {
  const body = input.body;
  const sender = input.sender ?? "";
  // Alertmanager's default Slack template, also used by Grafana's unified alerting.
  const firing = /\[FIRING:(\d+)\]/.exec(body);
  if (firing) {
    const provider = providerNamed(sender, body) === "grafana" ? "grafana" : "alertmanager";
    return { provider, state: "firing", title: firstLine(body, /\[FIRING:/), count: Number(firing[1]) };
  }
  if (/\[RESOLVED\]/.test(body)) {
    const provider = providerNamed(sender, body) === "grafana" ? "grafana" : "alertmanager";
    return { provider, state: "resolved", title: firstLine(body, /\[RESOLVED\]/), count: null };
  }
  // People quoting a provider are not alerts; the markers above are distinctive enough to accept from anyone.
  if (!input.isBot) return null;
  const provider = providerNamed(sender, body);
  if (!provider) return null;
  const b = body;
  const pick = (state: TAlert["state"], re: RegExp): TAlert => ({ provider, state, title: firstLine(b, re), count: null });
  switch (provider) {
    case "pagerduty":
      if (/\bTriggered\b/.test(b)) return pick("firing", /Triggered/);
      if (/\bAcknowledged\b/.test(b)) return pick("acknowledged", /Acknowledged/);
      if (/\bEscalated\b|\bReassigned\b/.test(b)) return pick("escalated", /Escalated|Reassigned/);
      if (/\bResolved\b/.test(b)) return pick("resolved", /Resolved/);
      return pick("info", /./);
    case "opsgenie":
      if (/\b(?:alert )?created\b|\bnew alert\b/i.test(b)) return pick("firing", /created|new alert/i);
      if (/\backnowledged\b/i.test(b)) return pick("acknowledged", /acknowledged/i);
      if (/\bescalated\b/i.test(b)) return pick("escalated", /escalated/i);
      if (/\bclosed\b|\bresolved\b/i.test(b)) return pick("resolved", /closed|resolved/i);
      return pick("info", /./);
    case "datadog":
      if (/\b(?:Re-)?Triggered\b|\[(?:P\d|Alert|Warn)\]|\bWarn(?:ing)?:/.test(b)) return pick("firing", /Triggered|Alert|Warn/);
      if (/\bRecovered\b|\[Recovered\]/.test(b)) return pick("resolved", /Recovered/);
      return pick("info", /./);
    case "sentry":
      if (/\bresolved\b/i.test(b)) return pick("resolved", /resolved/i);
      return pick("firing", /./);
    case "cloudwatch":
      if (/\bALARM\b/.test(b)) return pick("firing", /ALARM/);
      if (/\bOK\b/.test(b)) return pick("resolved", /\bOK\b/);
      return pick("info", /./);
    case "grafana":
    case "alertmanager":
      if (/\[Alerting\]|\bAlerting\b/.test(b)) return pick("firing", /Alerting/);
      if (/\[OK\]/.test(b)) return pick("resolved", /\[OK\]/);
      return pick("info", /./);
  }
}
