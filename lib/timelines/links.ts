import type { TLink, TLinkKind } from "./types";

/**
 * Links shared in chat, grouped by what they point at: dashboards, pull
 * requests, tickets, runbooks and status pages.
 */

const KIND_RULES: readonly [TLinkKind, RegExp][] = [
  ["pull_request", /\/pull\/\d+|\/merge_requests\/\d+|\/pull-requests\/\d+|\/-\/merge_requests\//i],
  ["status_page", /(?:^https?:\/\/status\.|statuspage\.io|\/status-?page)/i],
  ["runbook", /runbook|playbook|\/wiki\/.*(?:how-?to|procedure)/i],
  ["dashboard", /grafana|kibana|datadoghq|app\.datadog|newrelic|honeycomb|\/d\/[\w-]+|dashboard|\/goto\/|prometheus|cloudwatch.*#dashboards/i],
  ["ticket", /jira|\/browse\/[A-Z][A-Z0-9]+-\d+|linear\.app|\/issues\/\d+|servicenow|zendesk|youtrack|shortcut\.com\/story/i],
];

/** The kind of link `url` is. */
export function classifyLink(url: string): TLinkKind {
  for (const [kind, re] of KIND_RULES) if (re.test(url)) return kind;
  return "other";
}

/** Every http(s) link in Slack markup (`<url|label>`, `<url>`, bare URLs), in order, deduplicated. */
export function findLinks(raw: string): TLink[] {
  const out: TLink[] = [];
  if (!raw.includes("http")) return out;
  const seen = new Set<string>();
  const add = (url: string, label: string | null) => {
    const u = url.replace(/&amp;/g, "&").replace(/[.,;:)]+$/, "");
    if (seen.has(u)) return;
    seen.add(u);
    out.push({ url: u, label: label?.replace(/&amp;/g, "&") ?? null, kind: classifyLink(u) });
  };
  for (const m of raw.matchAll(/<(https?:\/\/[^|>\s]+)(?:\|([^>]*))?>/g)) add(m[1]!, m[2] ?? null);
  const stripped = raw.replace(/<https?:\/\/[^>]*>/g, " ");
  for (const m of stripped.matchAll(/\bhttps?:\/\/[^\s<>"'`]+/g)) add(m[0], null);
  return out;
}
