import type { TCategory, TTag } from "./types";

/**
 * The data-driven rule set that classifies chat messages into key events.
 * Category rules are tried in order and the first match wins; tag rules all
 * apply. Patterns run on the message's plain text (mentions already turned
 * into names); `command` rules run on the raw text, where a chatops command
 * starts the message (`!rollback …`). Add a rule here, with a case in
 * rules.test.ts, to teach the timeline a new phrase.
 */

/** Who a rule listens to. */
export type TRuleScope = "human" | "bot";

/** One classification rule. */
export type TRule = {
  id: string;
  scope: TRuleScope[];
  /** Match on the raw text (commands) instead of the plain text. */
  raw?: boolean;
  pattern: RegExp;
  /** The rule does not apply when this matches (proposals are not actions). */
  unless?: RegExp;
  description: string;
};

/** A rule giving a message its category. */
export type TCategoryRule = TRule & { category: TCategory };

/** A rule adding a tag. */
export type TTagRule = TRule & { tag: TTag };

/** Chatops verbs that change production: the mitigation actions. */
export const MITIGATION_VERBS = [
  "deploy",
  "rollback",
  "roll-back",
  "revert",
  "restart",
  "reboot",
  "scale",
  "failover",
  "fail-over",
  "flag",
  "feature",
  "toggle",
  "disable",
  "enable",
  "drain",
  "cordon",
  "kill",
  "purge",
  "flush",
] as const;

const VERBS = MITIGATION_VERBS.join("|");

/**
 * A status or milestone change as incident tools post it (incident.io,
 * FireHydrant, Rootly, Jira Service Management, PagerDuty incidents, Slack
 * workflows) and as people type it: "Status changed from Investigating to
 * Monitoring", "Milestone: Mitigated", "status → resolved", "Incident
 * resolved". The captured word is the new status.
 */
const STATUS_CHANGE = String.raw`\b(?:status|milestone|state|stage)\b[^\n]{0,60}?(?:\bto\b|→|->|=>|:|\bis now\b|\bnow\b)\s*[*_\x60"'“]*`;
/** A status page's own status is the public one, not the incident's. */
const STATUS_PAGE = /status ?page|statuspage/i;
const statusRule = (words: string): RegExp =>
  new RegExp(String.raw`${STATUS_CHANGE}(?:${words})\b|\bincident\b[^\n]{0,40}?\b(?:has been |was |is )(?:${words})\b|\bmarked (?:as )?(?:${words})\b`, "i");

/** Category rules, most specific first. */
export const CATEGORY_RULES: readonly TCategoryRule[] = [
  {
    id: "status.resolved",
    unless: STATUS_PAGE,
    category: "resolution",
    scope: ["human", "bot"],
    pattern: statusRule("resolved|closed"),
    description: "an incident tool (or a person) sets the status to resolved or closed",
  },
  {
    id: "status.mitigated",
    unless: STATUS_PAGE,
    category: "recovery",
    scope: ["human", "bot"],
    pattern: statusRule("mitigated|monitoring|recovered"),
    description: "an incident tool (or a person) sets the status to mitigated or monitoring",
  },
  {
    id: "status.acknowledged",
    unless: STATUS_PAGE,
    category: "acknowledgement",
    scope: ["bot"],
    pattern: statusRule("acknowledged|investigating"),
    description: "an incident tool sets the status to acknowledged or investigating",
  },
  {
    id: "status.declared",
    category: "detection",
    scope: ["bot"],
    pattern: /\b(?:declared (?:an? |the )?(?:new )?incident|incident(?: #?[\w-]*\d[\w-]*)? (?:has been |was )?(?:declared|opened|created|started)|new incident\b|opened (?:an? )?incident)/i,
    description: "an incident tool announces a declared incident",
  },
  {
    id: "command.mitigation",
    category: "mitigation",
    scope: ["human"],
    raw: true,
    pattern: new RegExp(`^\\s*[!./](?:${VERBS})\\b`, "i"),
    description: "a chatops command that changes production (!deploy, !rollback, !restart, !scale, !failover, feature flags)",
  },
  {
    id: "communication.status-page",
    category: "communication",
    scope: ["human", "bot"],
    pattern:
      /\b(?:status ?page|statuspage|status\.[a-z0-9-]+\.[a-z]{2,}|customer (?:update|comms|communication|email|notice)|tickets answered|public (?:update|statement)|posted an update|tweeted|sent (?:an|the) (?:email|notice) to customers|notif(?:y|ied|ying) (?:the )?customers|customers? (?:notified|informed)|let (?:support|customers) know|support (?:is|has been) (?:aware|informed)|informed (?:support|customers))\b/i,
    description: "customer communication: status page updates, customer notices",
  },
  {
    id: "resolution.declared",
    category: "resolution",
    scope: ["human"],
    pattern: /^(?:resolving\b|resolved\b)|\b(?:incident (?:is )?(?:resolved|closed|over)|closing (?:the|this) incident|all clear|marking (?:this |the incident )?(?:as )?resolved|we(?:'re| are) resolved)\b/i,
    description: "someone declares the incident resolved",
  },
  {
    id: "acknowledgement.ack",
    category: "acknowledgement",
    scope: ["human"],
    pattern:
      /^(?:ack\b|ack'?d\b|acking\b|acknowledged\b|on it\b|i'?m on it\b|looking\b|i'?m looking|taking a look|investigating\b|checking\b|:eyes:\s*$|👀\s*$|i'?ll (?:take a look|look|check|dig)|i'?ve got (?:it|this)\b|taking (?:this|it)\b)/i,
    description: "a responder acknowledges the page or the report",
  },
  {
    id: "escalation.paging",
    category: "escalation",
    scope: ["human"],
    pattern:
      /\b(?:escalat\w*|paging|paged|page (?:in|out)|looping in|loop in|pulling in|bringing in|i'?m (?:the )?ic\b|i am (?:the )?ic\b|incident commander|taking (?:over )?(?:as )?ic\b|declaring (?:a|an) (?:sev|incident)|can you (?:look|take|check|help))\b|@here\b|@channel\b/i,
    description: "more people or a higher level pulled in; a commander named",
  },
  {
    id: "finding.root-cause",
    category: "finding",
    scope: ["human"],
    pattern: /\b(?:root cause|caused by|the (?:issue|problem) (?:is|was))\b/i,
    description: "a root-cause finding (before actions: it often names the action that made things worse)",
  },
  {
    id: "mitigation.action",
    unless: /\b(?:let'?s try|should we|could we|maybe|suggest|proposal|instead of)\b/i,
    category: "mitigation",
    scope: ["human"],
    pattern:
      /\b(?:rolling back|rolled back|reverting|reverted|restarting|restarted|failing over|failed over|scaling (?:up|out|down)|scaled (?:up|out|down)|disabled? the (?:feature )?flag|turn(?:ed|ing) off the (?:feature )?flag|terminating|terminated the|killed the|killing the|drain(?:ed|ing) (?:the )?(?:node|host|traffic)|deploy(?:ing|ed) (?:the )?(?:fix|hotfix|patch)|shipp(?:ed|ing) the (?:fix|hotfix)|applied the (?:fix|hotfix|patch)|merged the (?:fix|hotfix|revert)|roll(?:ed|ing) out (?:the )?(?:fix|hotfix|patch)|(?:fix|hotfix|patch) (?:is )?(?:deployed|out|live|rolled out)|blocked (?:the )?(?:ip|traffic)|(?:bumped|increased|raised|doubled) (?:the )?(?:memory|cpu|limits?|pool(?: size)?|replicas|capacity|instances|connections|heap|timeout)|added (?:more )?(?:capacity|replicas|instances|nodes)|(?:cleared|flushed|purged) the (?:cache|queue)|kill(?:ed|ing) (?:the )?(?:query|queries|job|process))\b/i,
    description: "a person reports a mitigation action",
  },
  {
    // Operators' log lines (IRC `!log`, server admin logs) state the action in the imperative: "reboot cp12",
    // "depool mw8", "hard stop/start php-fpm on mw11", "disable loopscombo on all wikis" (Miraheze SAL, 2021).
    id: "mitigation.operator-log",
    unless: /\b(?:let'?s try|should we|could we|maybe|suggest|proposal|instead of|later|tomorrow)\b/i,
    category: "mitigation",
    scope: ["human"],
    pattern:
      /^(?:hard |force(?:fully)? )?(?:re-?start(?:ing|ed)?|reboot(?:ing|ed)?|de-?pool(?:ing|ed)?|re-?pool(?:ing|ed)?|cycl(?:e|ing|ed)|stop\/start|fail(?:ing|ed)? ?over|roll(?:ing|ed)? ?back|revert(?:ing|ed)?|disabl(?:e|ing|ed)|kill(?:ing|ed)?|drain(?:ing|ed)?|block(?:ing|ed)?|purg(?:e|ing|ed)|flush(?:ing|ed)?)\s+\S/i,
    description: "an operator logs a mitigation action in the imperative (reboot X, depool X, restart X, disable X)",
  },
  {
    id: "recovery.observed",
    category: "recovery",
    scope: ["human"],
    pattern:
      /\b(?:status: ?mitigated|mitigated|back (?:to normal|under|down to|up|online)|recovered|recovering|(?:error rate|errors|latency)\b[^.]{0,30}\b(?:back|normal|dropping|dropped)|looks? healthy|healthy again|stable (?:again|now)|is stable|working again|up again|errors? (?:have |has )?(?:stopped|gone away|cleared)|alerts? (?:have |has )?(?:cleared|recovered)|all green|(?:is|are|it'?s) fixed now|fixed now)\b/i,
    description: "a person observes recovery (impact over or mitigated)",
  },
  {
    id: "finding.investigation",
    category: "finding",
    scope: ["human"],
    pattern:
      /\blogs?:|\b(?:root cause|caused by|because|seeing|looks like|the (?:issue|problem) is|culprit|found|turns out|that'?s (?:the|it|db\w*)|went out at|raised the|exhaust\w*|saturat\w*|\d+\s*\/\s*\d+ connections|has \d+ connections|only -?\w+ is|is throwing|OOM|out of memory|disk (?:is )?full)\b/i,
    description: "an investigation finding",
  },
];

/** Tag rules (all that match apply). */
export const TAG_RULES: readonly TTagRule[] = [
  {
    id: "tag.action-item",
    tag: "action_item",
    scope: ["human"],
    pattern: /\b(?:action item|todo|to-do|follow[ -]?up:?|we should|we need to|let'?s make sure)\b/i,
    description: "an action item (TODO, action item, follow up, we should)",
  },
  {
    id: "tag.contributing-factor",
    tag: "contributing_factor",
    scope: ["human"],
    pattern: /\b(?:root cause|caused by|because|contributing factor|due to|triggered by)\b/i,
    description: "a candidate contributing factor",
  },
  {
    id: "tag.impact",
    tag: "impact",
    scope: ["human", "bot"],
    pattern:
      /\b(?:customers?|users?|impact|checkout|requests? (?:failed|failing)|outage|unavailable|degraded|down for)\b[^\n]*?(?:\d|\b5xx\b|\b50[0-9]s?\b|errors?|fail\w*|timeouts?|slow)/i,
    description: "user-facing impact with numbers or symptoms",
  },
  {
    id: "tag.went-well",
    tag: "went_well",
    scope: ["human"],
    pattern: /\b(?:good call|went well|worked well|nice catch|great job|well done|helped a lot|quick(?:ly)? (?:found|caught|fixed))\b/i,
    description: "something that went well",
  },
  {
    id: "tag.went-poorly",
    tag: "went_poorly",
    unless: /\b(?:status ?page|requests? failed|customers?)\b/i,
    scope: ["human"],
    pattern:
      /\b(?:took us \d+|took (?:too )?long|couldn'?t find|hard to find|failed|not retrying|makes? it worse|would have saved us|didn'?t work|confus\w*|no alert|missed)\b/i,
    description: "something that went poorly",
  },
  {
    id: "tag.decision",
    tag: "decision",
    scope: ["human"],
    pattern: /^(?:agreed|decision|let'?s (?:roll back|go|do)|go ahead|ok to ship)\b/i,
    description: "a decision",
  },
];

/**
 * A person reporting a symptom: without an alert, the first such report in
 * the incident's range is its detection (the first message may be unrelated
 * chatter, as in a shared operations channel or an admin log).
 */
export const SYMPTOM_PATTERN =
  /\b(?:down|outage|incident|unavailable|unreachable|not (?:loading|working|responding)|errors?|5\d\d|failing|broken|timing out|timeouts?|slow|high (?:load|latency|cpu)|OOM|out of memory|crash\w*|exploding|spik\w+|full)\b|\b\d{2,3}\s?%/i;

/** Whether `plain` reports a symptom (see {@link SYMPTOM_PATTERN}). */
export function isSymptomReport(plain: string): boolean {
  return SYMPTOM_PATTERN.test(plain);
}

/** What the classifier decided for one message. */
export type TClassification = { category: TCategory | null; ruleId: string | null; tags: TTag[] };

/**
 * Classify a message: `plain` is its plain text, `raw` its Slack markup.
 * Questions are not reports: a message ending in "?" gets no action,
 * recovery or resolution category (they ask, they do not tell).
 */
export function classifyMessage(
  input: { plain: string; raw: string; isBot: boolean },
  rules: { categories: readonly TCategoryRule[]; tags: readonly TTagRule[] } = { categories: CATEGORY_RULES, tags: TAG_RULES },
): TClassification {
  const scope: TRuleScope = input.isBot ? "bot" : "human";
  const isQuestion = /\?\s*$/.test(input.plain.trim());
  let category: TCategory | null = null;
  let ruleId: string | null = null;
  for (const r of rules.categories) {
    if (!r.scope.includes(scope)) continue;
    if (isQuestion && (r.category === "mitigation" || r.category === "recovery" || r.category === "resolution") && !r.raw) continue;
    const subject = r.raw ? input.raw : input.plain;
    if (r.pattern.test(subject) && !(r.unless && r.unless.test(subject))) {
      category = r.category;
      ruleId = r.id;
      break;
    }
  }
  const tags: TTag[] = [];
  for (const r of rules.tags) {
    if (r.scope.includes(scope) && r.pattern.test(r.raw ? input.raw : input.plain)) tags.push(r.tag);
  }
  return { category, ruleId, tags };
}
