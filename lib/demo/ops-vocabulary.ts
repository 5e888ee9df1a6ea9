import type { SeededRandom } from "./seeded-random";
import { escapeSlackText, slackLink } from "./slack-export-format";

/**
 * Chat and operations vocabulary for generated messages.
 *
 * The point of generated data is to exercise what Backscroll must get right
 * and other chat archives get wrong: hyphenated hostnames (`api-gw-03`),
 * ticket keys (`OPS-1234`), IPv4/IPv6 addresses, URLs, error codes
 * (`ERR_CONNECTION_RESET`, `HTTP 503`, `0x80004005`), exception names,
 * version strings, code in backticks, Slack markup (mentions, links,
 * entities) and non-ASCII text — so every template mixes several of them.
 */

/** What text generators may refer to. */
export interface TTextContext {
  rng: SeededRandom;
  /** User ids that may be @-mentioned. */
  people: readonly string[];
  /** Channels that may be linked as `<#C…|name>`. */
  channels: readonly { id: string; name: string }[];
}

/** Service names used in hostnames, commands and alerts. */
export const SERVICES = [
  "api-gateway", "api", "auth", "billing", "search", "payments", "checkout", "notifications", "ingest",
  "scheduler", "web", "frontend", "inventory", "reporting", "webhooks", "user-service", "ledger", "mailer",
] as const;

const HOST_PREFIXES = [
  "api-gw", "web", "db", "cache", "kafka-broker", "worker", "es-data", "redis", "lb-edge", "k8s-node",
  "bastion", "mq", "etl", "cron", "pg-replica", "vault", "ci-runner", "ingest",
] as const;
const ENVS = ["prod", "prod", "prod", "staging", "canary", "prod-eu", "prod-us"] as const;
const TICKET_PROJECTS = ["OPS", "OPS", "SRE", "INC", "PLAT", "DBA", "SEC", "CORE"] as const;
const ERROR_CODES = [
  "ERR_CONNECTION_RESET", "ECONNREFUSED", "ETIMEDOUT", "ENOSPC", "HTTP 503", "HTTP 502", "HTTP 504", "HTTP 429",
  "HTTP 500", "0x80004005", "0xC0000005", "OOMKilled", "CrashLoopBackOff", "SIGKILL", "exit code 137",
  "ERR_TLS_CERT_ALTNAME_INVALID", "E11000 duplicate key error", "ORA-00060", "SQLSTATE 40001", "PG::ConnectionBad",
  "NXDOMAIN", "ERR_SSL_PROTOCOL_ERROR",
] as const;
const EXCEPTIONS = [
  "java.lang.NullPointerException", "java.net.SocketTimeoutException", "java.lang.OutOfMemoryError: Java heap space",
  "org.postgresql.util.PSQLException", "io.grpc.StatusRuntimeException: UNAVAILABLE",
  "redis.exceptions.ConnectionError", "KeyError: 'tenant_id'",
  "TypeError: Cannot read properties of undefined (reading 'id')", "System.InvalidOperationException",
  "panic: runtime error: invalid memory address or nil pointer dereference",
  "org.apache.kafka.common.errors.NotLeaderOrFollowerException", "psycopg2.OperationalError",
  "java.util.concurrent.RejectedExecutionException",
] as const;
const ALERTS = [
  "HighErrorRate", "HighLatencyP99", "DiskSpaceLow", "PodCrashLooping", "CertificateExpiringSoon", "KafkaConsumerLag",
  "ReplicationLagHigh", "NodeNotReady", "MemoryPressure", "TargetDown", "PostgresTooManyConnections", "QueueBacklog",
] as const;
const RUNBOOKS = [
  "db-failover", "api-gateway-5xx", "rollback", "disk-full", "kafka-lag", "cert-rotation", "restart-safely",
  "scale-out", "redis-eviction", "on-call-handover",
] as const;
const REACTIONS = [
  "+1", "+1", "eyes", "white_check_mark", "rocket", "tada", "pray", "fire", "100", "heavy_check_mark",
  "rotating_light", "thinking_face", "joy", "raised_hands", "ack", "thumbsup_all", "clap::skin-tone-3",
] as const;
const TOPICS = [
  "Deploys to prod — use !deploy, freeze Fri 16:00 UTC", "On-call: see PagerDuty schedule | runbooks in the wiki",
  "Ask ops anything — include host, env and error", "Incident: status investigating", "Incident: mitigated, monitoring",
  "Q4 reliability push — OPS board", "Weekly sync Tue 15:00 UTC", "", "Release train v2.x",
] as const;
const PURPOSES = [
  "Deployment notifications and chatops commands", "Team chat", "Alerts from Alertmanager and PagerDuty",
  "Questions for the platform team", "Coordinating the incident response",
] as const;
const SOCIAL = [
  "morning all :wave:", "lunch?", "brb", "standup in 5", "thanks!", "nice catch", "ship it :ship:", "+1",
  "on it", "ack", "lgtm", "haha", "coffee run, anyone? ☕", "merci ! 🎉", "了解です", "Grüße aus Berlin",
  "happy friday :tada:", "who's around for a quick sync?", "I'll take a look after lunch", "back online",
  "out tomorrow, <@{p}> is covering", "congrats on the launch <@{p}> :rocket:", "¿alguien tiene el enlace del doc?",
] as const;
const REPLIES = [
  "ack, looking", "same here on {host}", "fixed by {pr}", "can confirm, seeing {err} too", "rolled back, watching",
  "that was me, sorry — reverting", "{ticket} opened", "looks good now", "still flapping on {host}",
  "I think it's the {svc} pool again", "which env?", "merged, deploying in 10", "thanks <@{p}>!", "+1",
  "retrying with `--force` fixed it", "p99 is back to {ms}ms", "added to the runbook: {runbook}",
];

/** A hostname such as `api-gw-03`, `db4` or `k8s-node-14`. */
export function pickHost(rng: SeededRandom): string {
  const prefix = rng.pick(HOST_PREFIXES);
  // Some fleets use compact names (`db4`), most use zero-padded suffixes.
  if (rng.chance(0.2)) return `${prefix.split("-")[0] ?? prefix}${rng.between(1, 12)}`;
  return `${prefix}-${String(rng.between(1, 24)).padStart(2, "0")}`;
}

/** A service name. */
export function pickService(rng: SeededRandom): string {
  return rng.pick(SERVICES);
}

/** A deployment environment. */
export function pickEnv(rng: SeededRandom): string {
  return rng.pick(ENVS);
}

/** A version string such as `v2.31.0`. */
export function pickVersion(rng: SeededRandom): string {
  return `v${rng.between(1, 4)}.${rng.between(0, 40)}.${rng.between(0, 9)}`;
}

/** A ticket key such as `OPS-1234`. */
export function pickTicket(rng: SeededRandom): string {
  return `${rng.pick(TICKET_PROJECTS)}-${rng.between(100, 9999)}`;
}

/** A private IPv4 address. */
export function pickIpv4(rng: SeededRandom): string {
  switch (rng.int(3)) {
    case 0:
      return `10.${rng.int(256)}.${rng.int(256)}.${rng.between(1, 254)}`;
    case 1:
      return `172.${rng.between(16, 31)}.${rng.int(256)}.${rng.between(1, 254)}`;
    default:
      return `192.168.${rng.int(256)}.${rng.between(1, 254)}`;
  }
}

/** A documentation-range IPv6 address. */
export function pickIpv6(rng: SeededRandom): string {
  return `2001:db8:${rng.hex(4).replace(/^0+/, "") || "0"}:${rng.int(0x100).toString(16)}::${rng.hex(2)}`;
}

/** An error code or HTTP status as operators write them. */
export function pickErrorCode(rng: SeededRandom): string {
  return rng.pick(ERROR_CODES);
}

/** A fully qualified exception name. */
export function pickException(rng: SeededRandom): string {
  return rng.pick(EXCEPTIONS);
}

/** A reaction emoji name. */
export function pickReaction(rng: SeededRandom): string {
  return rng.pick(REACTIONS);
}

/** A channel topic (possibly empty: a cleared topic). */
export function pickTopic(rng: SeededRandom): string {
  return rng.pick(TOPICS);
}

/** A channel purpose. */
export function pickPurpose(rng: SeededRandom): string {
  return rng.pick(PURPOSES);
}

/** A pull-request URL on the company's GitHub. */
export function pullRequestUrl(service: string, number: number): string {
  return `https://github.com/acme/${service}/pull/${number}`;
}

/** A Grafana dashboard URL (with a query string, so `&` escaping is exercised). */
export function dashboardUrl(service: string, uid: string): string {
  return `https://grafana.acme.internal/d/${uid}/${service}-overview?orgId=1&from=now-6h&to=now`;
}

/** A runbook URL. */
export function runbookUrl(slug: string): string {
  return `https://wiki.acme.internal/runbooks/${slug}`;
}

/** A ticket URL. */
export function ticketUrl(ticket: string): string {
  return `https://jira.acme.internal/browse/${ticket}`;
}

function mention(ctx: TTextContext): string {
  return ctx.people.length > 0 ? `<@${ctx.rng.pick(ctx.people)}>` : "@here";
}

function channelLink(ctx: TTextContext): string {
  if (ctx.channels.length === 0) return "#general";
  const ch = ctx.rng.pick(ctx.channels);
  return `<#${ch.id}|${ch.name}>`;
}

function shellCommand(rng: SeededRandom): string {
  const svc = pickService(rng);
  const host = pickHost(rng);
  switch (rng.int(12)) {
    case 0:
      return `kubectl -n prod rollout undo deploy/${svc}`;
    case 1:
      return `kubectl get pods -n prod -l app=${svc} -o wide`;
    case 2:
      return "systemctl restart nginx";
    case 3:
      return "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction';";
    case 4:
      return `helm rollback ${svc} ${rng.between(2, 90)}`;
    case 5:
      return `tail -f /var/log/${svc}/error.log`;
    case 6:
      return "df -h /var/lib/postgresql";
    case 7:
      return `curl -sv https://${host}.acme.internal/healthz`;
    case 8:
      return `terraform plan -target=module.${svc.replace(/-/g, "_")}`;
    case 9:
      return `redis-cli -h ${host} info memory`;
    case 10:
      return `journalctl -u ${svc} --since "10 min ago"`;
    default:
      return `dig +short ${host}.acme.internal`;
  }
}

function logBlock(rng: SeededRandom): string {
  const host = pickHost(rng);
  const lines: string[] = [];
  const n = rng.between(2, 4);
  for (let i = 0; i < n; i++) {
    const hh = String(rng.int(24)).padStart(2, "0");
    const mm = String(rng.int(60)).padStart(2, "0");
    lines.push(
      rng.chance(0.5)
        ? `${hh}:${mm}:${String(rng.int(60)).padStart(2, "0")} ERROR [${host}] ${pickException(rng)}`
        : `${hh}:${mm}:${String(rng.int(60)).padStart(2, "0")} WARN  upstream ${pickIpv4(rng)}:${rng.pick([443, 5432, 6379, 9092, 8080])} ${pickErrorCode(rng)}`,
    );
  }
  // Slack stores `<` and `>` inside code as entities too.
  return "```\n" + escapeSlackText(lines.join("\n")) + "\n```";
}

function fill(template: string, ctx: TTextContext): string {
  const rng = ctx.rng;
  return template.replace(/\{(\w+)\}/g, (_all, key: string) => {
    switch (key) {
      case "p":
        return ctx.people.length > 0 ? rng.pick(ctx.people) : "USLACKBOT";
      case "host":
        return pickHost(rng);
      case "svc":
        return pickService(rng);
      case "err":
        return pickErrorCode(rng);
      case "ticket":
        return pickTicket(rng);
      case "ms":
        return String(rng.between(80, 900));
      case "pr": {
        const svc = pickService(rng);
        const n = rng.between(100, 4000);
        return slackLink(pullRequestUrl(svc, n), `PR #${n}`);
      }
      case "runbook":
        return slackLink(runbookUrl(rng.pick(RUNBOOKS)));
      default:
        return key;
    }
  });
}

/** A short casual line (greetings, thanks, lunch) — the filler of real chat. */
export function writeSocialLine(ctx: TTextContext): string {
  return fill(ctx.rng.pick(SOCIAL), ctx);
}

/** A thread reply. */
export function writeReplyLine(ctx: TTextContext): string {
  return ctx.rng.chance(0.35) ? writeWorkLine(ctx) : fill(ctx.rng.pick(REPLIES), ctx);
}

/** A question such as "how do we roll back X?". */
export function writeQuestion(ctx: TTextContext): string {
  const rng = ctx.rng;
  const svc = pickService(rng);
  const host = pickHost(rng);
  switch (rng.int(9)) {
    case 0:
      return `how do we roll back ${svc}?`;
    case 1:
      return `how do we roll back ${svc} in ${pickEnv(rng)}? is it \`!rollback\` or the runbook?`;
    case 2:
      return `anyone know why ${host} keeps throwing ${pickErrorCode(rng)}?`;
    case 3:
      return `where's the runbook for ${rng.pick(RUNBOOKS).replace(/-/g, " ")}?`;
    case 4:
      return `is ${svc} ${pickVersion(rng)} safe to deploy to prod? ${pickTicket(rng)} is still open`;
    case 5:
      return `who owns ${host}? it's not in the inventory`;
    case 6:
      return `how do I restart ${svc} without dropping traffic?`;
    case 7:
      return `${mention(ctx)} do you know what ${pickException(rng)} in ${svc} means?`;
    default:
      return `can someone explain why \`${shellCommand(rng)}\` hangs on ${host}?`;
  }
}

/** A work line: reports, findings, deploy chatter, reviews, code, action items. */
export function writeWorkLine(ctx: TTextContext): string {
  const rng = ctx.rng;
  const svc = pickService(rng);
  const host = pickHost(rng);
  switch (rng.int(22)) {
    case 0:
      return `seeing ${pickErrorCode(rng)} from ${host} (${pickIpv4(rng)}) since ~${String(rng.int(24)).padStart(2, "0")}:${String(rng.int(60)).padStart(2, "0")} UTC`;
    case 1:
      return `${host} is at ${rng.between(85, 99)}% disk, filing ${pickTicket(rng)}`;
    case 2:
      return `got a ${pickException(rng)} in ${svc} after the ${pickVersion(rng)} deploy`;
    case 3:
      return `p99 latency on ${svc} is ${rng.between(300, 4000)}ms, dashboard: ${slackLink(dashboardUrl(svc, rng.alnum(9).toLowerCase()), `${svc} overview`)}`;
    case 4:
      return `deploying ${svc} ${pickVersion(rng)} to ${pickEnv(rng)} in 10 min, shout if you object`;
    case 5:
      return `${svc} ${pickVersion(rng)} is out in ${pickEnv(rng)} :rocket:`;
    case 6: {
      const n = rng.between(100, 4000);
      return `can someone review ${slackLink(pullRequestUrl(svc, n), `PR #${n}`)}? it fixes ${pickTicket(rng)}`;
    }
    case 7:
      return `try \`${shellCommand(rng)}\``;
    case 8:
      return `here's what ${host} logs:\n${logBlock(rng)}`;
    case 9:
      return `we should add an alert for ${rng.pick(["pool saturation", "disk growth", "consumer lag", "cert expiry", "5xx ratio"])} on ${svc}`;
    case 10:
      return `TODO: ${rng.pick(["update the runbook for", "add a dashboard for", "write a postmortem for", "clean up the old DNS records of"])} ${svc}`;
    case 11:
      return `action item: ${mention(ctx)} ${rng.pick(["add alert on pool saturation", "document the rollback flow", "raise the connection limit on", "rotate the credentials of"])} ${host}`;
    case 12:
      return `root cause: ${rng.pick(["connection pool exhausted on", "disk filled up on", "expired certificate on", "bad config pushed to", "OOM on"])} ${host} after ${svc} ${pickVersion(rng)}`;
    case 13:
      return `${host} can't reach ${pickIpv4(rng)}:${rng.pick([443, 5432, 6379, 9092])} — ${pickErrorCode(rng)}`;
    case 14:
      return `IPv6 route to ${pickIpv6(rng)} is flapping again on ${host}`;
    case 15:
      return `opened ${slackLink(ticketUrl(pickTicket(rng)))} to track the ${pickErrorCode(rng)} on ${svc}`;
    case 16:
      return `runbook is here: ${slackLink(runbookUrl(rng.pick(RUNBOOKS)))} — step 3 is out of date though`;
    case 17:
      return `${mention(ctx)} can you check ${host}? load is ${rng.between(8, 64)}.${rng.int(10)} and climbing`;
    case 18:
      return `moving the ${svc} discussion to ${channelLink(ctx)}`;
    case 19:
      return `<!here> ${svc} maintenance window ${pickEnv(rng)} tonight 22:00–23:00 UTC, expect brief ${rng.pick(["HTTP 502", "HTTP 503", "ECONNREFUSED"])} errors`;
    case 20:
      return `error budget for ${svc} is at ${rng.between(1, 99)}% — p95 &gt; ${rng.between(200, 900)}ms for ${rng.between(2, 50)} min`;
    default:
      return `status page: ${slackLink(`https://status.acme.com/incidents/${rng.alnum(8).toLowerCase()}`, "Investigating elevated errors")}`;
  }
}

/** A chatbot command and what its bot replies describe. */
export interface TChatCommand {
  /** The message a person types, e.g. `!deploy api v2.31.0 to prod`. */
  text: string;
  /** The command without the leading `!`. */
  command: string;
  verb: "deploy" | "rollback" | "restart" | "scale" | "status";
}

/** A chatops command: deploy, rollback, restart, scale or status. */
export function buildChatCommand(rng: SeededRandom): TChatCommand {
  const svc = pickService(rng);
  let command: string;
  let verb: TChatCommand["verb"];
  switch (rng.int(10)) {
    case 0:
    case 1:
    case 2:
    case 3:
      verb = "deploy";
      command = `deploy ${svc} ${pickVersion(rng)} to ${pickEnv(rng)}`;
      break;
    case 4:
    case 5:
      verb = "rollback";
      command = `rollback ${svc} to ${pickVersion(rng)}`;
      break;
    case 6:
    case 7:
      verb = "restart";
      command = `restart ${pickHost(rng)}`;
      break;
    case 8:
      verb = "scale";
      command = `scale ${svc} ${rng.between(2, 24)}`;
      break;
    default:
      verb = "status";
      command = `status ${svc}`;
  }
  return { text: `!${command}`, command, verb };
}

/** A monitoring alert. */
export interface TAlert {
  name: string;
  host: string;
  env: string;
  service: string;
  severity: "critical" | "warning";
  /** Human description of the measured value. */
  value: string;
}

/** A random monitoring alert. */
export function buildAlert(rng: SeededRandom): TAlert {
  return {
    name: rng.pick(ALERTS),
    host: pickHost(rng),
    env: rng.pick(["prod", "prod", "staging", "prod-eu"]),
    service: pickService(rng),
    severity: rng.chance(0.6) ? "critical" : "warning",
    value: `${rng.between(5, 99)}.${rng.int(10)}% over 5m (threshold ${rng.pick([1, 5, 10, 80, 90])}%)`,
  };
}

/** Formats seconds as `2m14s` / `47s`, as chatops bots report durations. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : `${m}m${String(rest).padStart(2, "0")}s`;
}

/** File metadata a person might share (screenshots, logs, configs). */
export interface TFileSpec {
  name: string;
  title: string;
  mimetype: string;
  filetype: string;
  prettyType: string;
  size: number;
}

/** A plausible shared file. */
export function pickFileSpec(rng: SeededRandom): TFileSpec {
  const host = pickHost(rng);
  switch (rng.int(5)) {
    case 0:
      return { name: `Screenshot ${rng.between(2024, 2026)}-${String(rng.between(1, 12)).padStart(2, "0")}-${String(rng.between(1, 28)).padStart(2, "0")} at ${rng.between(1, 12)}.${String(rng.int(60)).padStart(2, "0")}.png`, title: "grafana panel", mimetype: "image/png", filetype: "png", prettyType: "PNG", size: rng.between(40_000, 900_000) };
    case 1:
      return { name: `${host}-error.log`, title: `${host} error log`, mimetype: "text/plain", filetype: "text", prettyType: "Plain Text", size: rng.between(2_000, 400_000) };
    case 2:
      return { name: "values-prod.yaml", title: "helm values (prod)", mimetype: "text/plain", filetype: "yaml", prettyType: "YAML", size: rng.between(800, 12_000) };
    case 3:
      return { name: "postmortem-draft.pdf", title: "Postmortem draft", mimetype: "application/pdf", filetype: "pdf", prettyType: "PDF", size: rng.between(60_000, 2_000_000) };
    default:
      return { name: "slow-queries.csv", title: "slow queries last 24h", mimetype: "text/csv", filetype: "csv", prettyType: "CSV", size: rng.between(1_000, 80_000) };
  }
}
