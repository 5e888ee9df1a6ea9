import {
  buildAlertMessage,
  buildCommandFinishMessage,
  buildCommandStartMessage,
  buildPagerDutyMessage,
  type TBotIdentity,
} from "./bot-messages";
import type { TRole } from "../access/types";
import { ExportWriter } from "./export-writer";
import { writeQuestion, writeWorkLine } from "./ops-vocabulary";
import { SeededRandom } from "./seeded-random";
import {
  emptyExportSummary,
  buildSlackbotUser,
  buildSlackUser,
  EVENT_SUBTYPES,
  formatDay,
  formatTs,
  joinText,
  purposeText,
  SLACKBOT_ID,
  slackLink,
  topicText,
  uniqueMicros,
  type TGeneratedExportSummary,
  type TSlackChannel,
  type TSlackMessage,
  type TSlackUser,
} from "./slack-export-format";

/**
 * The curated demo workspace "Acme Ops" that `npm start` loads: a dozen
 * people and bots, ordinary team chat from late October 2026, and one incident
 * — API gateway 5xx errors on 2026-11-03 — told end to end in its own channel,
 * from the first alert past midnight UTC to resolution, action items and
 * customer communication. It exercises every feature of the archive: threads,
 * edits, a deleted thread parent, reactions, files, pins, joins and topic
 * changes, bot command runs (one failing), alerts in attachments, a private
 * channel, a DM and a group DM.
 *
 * Deterministic: the story is fixed and the background chatter comes from a
 * fixed seed, so every run writes byte-identical files.
 */

/** The demo workspace (Slack team). */
export const DEMO_TEAM = { id: "T0DEMO0001", name: "Acme Ops", domain: "acme-ops" } as const;

/** A person (or bot) of the demo workspace. */
export interface TDemoPerson {
  id: string;
  username: string;
  realName: string;
  title: string;
  email: string | null;
  isBot: boolean;
  deleted: boolean;
  /** The Backscroll role a local account linked to this person should get, if any. */
  suggestedRole: TRole | null;
}

/** The incident commander, Alice; the demo's admin account links to her. */
export const DEMO_ADMIN_PERSON_ID = "U0DEMOALICE";
/** Priya, the compliance officer: the natural auditor account. */
export const DEMO_AUDITOR_PERSON_ID = "U0DEMOPRIYA";
/** Farid, a new hire: a plain member who is *not* in the private channel or the DMs. */
export const DEMO_MEMBER_PERSON_ID = "U0DEMOFARID";

const ALICE = DEMO_ADMIN_PERSON_ID;
const BORIS = "U0DEMOBORIS";
const CHIDI = "U0DEMOCHIDI";
const DANA = "U0DEMODANA";
const ELENA = "U0DEMOELENA";
const FARID = DEMO_MEMBER_PERSON_ID;
const GRACE = "U0DEMOGRACE";
const HIRO = "U0DEMOHIRO";
const IVAN = "U0DEMOIVAN";
const PRIYA = DEMO_AUDITOR_PERSON_ID;

const DEPLOYBOT: TBotIdentity & { userId: string } = { botId: "B0DEMODPLOY", username: "deploybot", userId: "U0DEMODPLOY" };
const ALERTMANAGER: TBotIdentity & { userId: string } = { botId: "B0DEMOALERT", username: "alertmanager", userId: "U0DEMOALERT" };
const PAGERDUTY: TBotIdentity & { userId: string } = { botId: "B0DEMOPGDTY", username: "PagerDuty", userId: "U0DEMOPGDTY" };

const person = (
  id: string,
  username: string,
  realName: string,
  title: string,
  suggestedRole: TDemoPerson["suggestedRole"] = null,
  deleted = false,
): TDemoPerson => ({
  id,
  username,
  realName,
  title,
  email: deleted ? null : `${username}@acme-ops.example`,
  isBot: false,
  deleted,
  suggestedRole,
});
const bot = (id: string, username: string, realName: string): TDemoPerson => ({
  id,
  username,
  realName,
  title: "",
  email: null,
  isBot: true,
  deleted: false,
  suggestedRole: null,
});

/** Everyone in the demo's users.json except Slackbot. */
export const DEMO_PEOPLE: readonly TDemoPerson[] = [
  person(ALICE, "alice.nguyen", "Alice Nguyen", "SRE Lead", "admin"),
  person(BORIS, "boris.petrov", "Boris Petrov", "Backend Engineer", "member"),
  person(CHIDI, "chidi.okafor", "Chidi Okafor", "Platform Engineer", "member"),
  person(DANA, "dana.levi", "Dana Levi", "Database Administrator", "member"),
  person(ELENA, "elena.garcia", "Elena García", "Support Lead", "member"),
  person(FARID, "farid.haddad", "Farid Haddad", "Platform Engineer (new hire)", "member"),
  person(GRACE, "grace.kim", "Grace Kim", "Engineering Manager", "member"),
  person(HIRO, "hiro.tanaka", "Hiro Tanaka", "Frontend Engineer", "member"),
  person(PRIYA, "priya.shah", "Priya Shah", "Compliance Officer", "auditor"),
  person(IVAN, "ivan.sokolov", "Ivan Sokolov", "Contractor (left)", null, true),
  bot(DEPLOYBOT.userId, "deploybot", "deploybot"),
  bot(ALERTMANAGER.userId, "alertmanager", "Alertmanager"),
  bot(PAGERDUTY.userId, "pagerduty", "PagerDuty"),
];

/** Name of the incident channel whose story crosses midnight UTC. */
export const DEMO_INCIDENT_CHANNEL_NAME = "inc-2026-11-03-api-gateway-errors";
/** Slack id of the incident channel. */
export const DEMO_INCIDENT_CHANNEL_ID = "C0DEMOINC01";

/** A conversation of the demo workspace. */
export interface TDemoChannel {
  id: string;
  name: string;
  kind: "public" | "private" | "dm" | "mpim";
  /** Folder of its day files in the export (DMs: the D id). */
  folder: string;
  members: readonly string[];
  archived: boolean;
}

const HUMANS = [ALICE, BORIS, CHIDI, DANA, ELENA, FARID, GRACE, HIRO, PRIYA];
const OPS = [ALICE, BORIS, CHIDI, DANA];

const channel = (
  id: string,
  name: string,
  kind: TDemoChannel["kind"],
  members: string[],
  archived = false,
): TDemoChannel => ({ id, name, kind, folder: kind === "dm" ? id : name, members, archived });

/** Every conversation of the demo, with its members (the access-control fixture). */
export const DEMO_CHANNELS: readonly TDemoChannel[] = [
  channel("C0DEMOGENRL", "general", "public", [...HUMANS, IVAN]),
  channel("C0DEMOENGNR", "engineering", "public", [ALICE, BORIS, CHIDI, DANA, FARID, GRACE, HIRO]),
  channel("C0DEMODPLYS", "deploys", "public", [ALICE, BORIS, CHIDI, DANA, FARID, HIRO, DEPLOYBOT.userId]),
  channel("C0DEMORANDM", "random", "public", [...HUMANS]),
  channel("C0DEMOHELPO", "help-ops", "public", [ALICE, BORIS, CHIDI, DANA, ELENA, FARID, HIRO, PRIYA]),
  channel(DEMO_INCIDENT_CHANNEL_ID, DEMO_INCIDENT_CHANNEL_NAME, "public", [
    BORIS, ALICE, DANA, CHIDI, ELENA, GRACE, DEPLOYBOT.userId, ALERTMANAGER.userId, PAGERDUTY.userId,
  ]),
  channel("C0DEMOLEGCY", "legacy-deploys", "public", [IVAN, ALICE, BORIS], true),
  channel("G0DEMOSRE01", "sre-oncall", "private", [...OPS, ALERTMANAGER.userId, PAGERDUTY.userId]),
  channel("D0DEMODM001", "D0DEMODM001", "dm", [ALICE, BORIS]),
  channel("G0DEMOMPIM1", "mpdm-alice.nguyen--boris.petrov--dana.levi-1", "mpim", [ALICE, BORIS, DANA]),
];

const channelByName = (name: string): TDemoChannel => {
  const found = DEMO_CHANNELS.find((c) => c.name === name);
  if (!found) throw new Error(`demo: unknown channel ${name}`);
  return found;
};

const GENERAL = channelByName("general");
const ENGINEERING = channelByName("engineering");
const DEPLOYS = channelByName("deploys");
const RANDOM = channelByName("random");
const HELP_OPS = channelByName("help-ops");
const INCIDENT = channelByName(DEMO_INCIDENT_CHANNEL_NAME);
const LEGACY = channelByName("legacy-deploys");
const SRE_ONCALL = channelByName("sre-oncall");
const DM = channelByName("D0DEMODM001");
const MPIM = channelByName("mpdm-alice.nguyen--boris.petrov--dana.levi-1");

/** Workspace creation: everything in the demo happens after this. */
const WORKSPACE_CREATED = "2026-10-26T08:30:00Z";

const seconds = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`demo: bad time ${iso}`);
  return ms / 1000;
};

const GRAFANA_GW = "https://grafana.acme.internal/d/api-gw/api-gateway-overview?orgId=1&from=now-1h&to=now";
const GRAFANA_DB4 = "https://grafana.acme.internal/d/pg-db4/postgres-db4?orgId=1&var-instance=db4";
const RUNBOOK_5XX = "https://wiki.acme.internal/runbooks/api-gateway-5xx";
const RUNBOOK_ROLLBACK = "https://wiki.acme.internal/runbooks/rollback";
const OPS_4521 = "https://jira.acme.internal/browse/OPS-4521";
const PR_1187 = "https://github.com/acme/api-gateway/pull/1187";
const PR_1192 = "https://github.com/acme/api-gateway/pull/1192";
const STATUS_PAGE = "https://status.acme.com/incidents/k2x9v7";

interface TDemoEntry {
  us: number;
  message: TSlackMessage;
}

/** Collects the scripted conversation entries, assigning each a unique `ts`. */
class DemoScript {
  private sequence = 0;
  private jobId = 8_800;
  /** Only for `client_msg_id`s; the story itself is fixed. */
  private readonly ids = new SeededRandom(4521);
  readonly entries = new Map<string, TDemoEntry[]>();
  readonly topics = new Map<string, { value: string; creator: string; last_set: number }>();
  readonly purposes = new Map<string, { value: string; creator: string; last_set: number }>();
  readonly pins = new Map<string, { id: string; type: "C" | "G"; user: string; owner: string; created: number }[]>();

  private micros(iso: string): number {
    return seconds(iso) * 1_000_000 + uniqueMicros(this.sequence++);
  }

  private add(ch: TDemoChannel, us: number, message: TSlackMessage): TSlackMessage {
    let list = this.entries.get(ch.id);
    if (!list) {
      list = [];
      this.entries.set(ch.id, list);
    }
    list.push({ us, message });
    return message;
  }

  /** A person's message. */
  say(ch: TDemoChannel, iso: string, user: string, text: string): TSlackMessage {
    const us = this.micros(iso);
    return this.add(ch, us, {
      client_msg_id: this.ids.uuid(),
      type: "message",
      text,
      user,
      ts: formatTs(us),
      team: DEMO_TEAM.id,
    });
  }

  /** A bot post built by one of the bot-message builders. */
  botPost(ch: TDemoChannel, iso: string, build: (ts: string) => TSlackMessage): TSlackMessage {
    const us = this.micros(iso);
    return this.add(ch, us, build(formatTs(us)));
  }

  join(ch: TDemoChannel, iso: string, user: string, inviter?: string): void {
    const us = this.micros(iso);
    const message: TSlackMessage = { type: "message", subtype: "channel_join", text: joinText(user), user, ts: formatTs(us) };
    if (inviter) message.inviter = inviter;
    this.add(ch, us, message);
  }

  topic(ch: TDemoChannel, iso: string, user: string, topic: string): void {
    const us = this.micros(iso);
    this.topics.set(ch.id, { value: topic, creator: user, last_set: seconds(iso) });
    this.add(ch, us, { type: "message", subtype: "channel_topic", text: topicText(user, topic), user, topic, ts: formatTs(us) });
  }

  purpose(ch: TDemoChannel, iso: string, user: string, purpose: string): void {
    const us = this.micros(iso);
    this.purposes.set(ch.id, { value: purpose, creator: user, last_set: seconds(iso) });
    this.add(ch, us, { type: "message", subtype: "channel_purpose", text: purposeText(user, purpose), user, purpose, ts: formatTs(us) });
  }

  archive(ch: TDemoChannel, iso: string, user: string): void {
    const us = this.micros(iso);
    this.add(ch, us, { type: "message", subtype: "channel_archive", text: "archived the channel", user, ts: formatTs(us) });
  }

  /** Replies under `parent` (which may be a tombstone); fills the parent's thread fields. */
  thread(ch: TDemoChannel, parent: TSlackMessage, parentUser: string, replies: [iso: string, user: string, text: string][]): TSlackMessage[] {
    const out: TSlackMessage[] = [];
    const replyUsers: string[] = [];
    for (const [iso, user, text] of replies) {
      const reply = this.say(ch, iso, user, text);
      reply.thread_ts = parent.ts;
      reply.parent_user_id = parentUser;
      if (!replyUsers.includes(user)) replyUsers.push(user);
      out.push(reply);
    }
    parent.thread_ts = parent.ts;
    parent.reply_count = out.length;
    parent.reply_users_count = replyUsers.length;
    parent.latest_reply = out[out.length - 1]?.ts ?? parent.ts;
    parent.reply_users = replyUsers;
    parent.replies = out.map((r) => ({ user: r.user ?? "", ts: r.ts }));
    return out;
  }

  /** A thread parent that was deleted after people replied: Slack keeps a tombstone. */
  deletedParent(ch: TDemoChannel, iso: string): TSlackMessage {
    const us = this.micros(iso);
    return this.add(ch, us, {
      type: "message",
      subtype: "tombstone",
      text: "This message was deleted.",
      user: SLACKBOT_ID,
      hidden: true,
      ts: formatTs(us),
    });
  }

  /** True when the channel has no entry within `windowSec` of `sec` (scripted entries come first). */
  isQuietAround(ch: TDemoChannel, sec: number, windowSec: number): boolean {
    const list = this.entries.get(ch.id) ?? [];
    return !list.some((e) => Math.abs(e.us / 1_000_000 - sec) < windowSec);
  }

  react(message: TSlackMessage, name: string, users: string[]): void {
    message.reactions ??= [];
    message.reactions.push({ name, users, count: users.length });
  }

  edit(message: TSlackMessage, iso: string, newText: string): void {
    message.text = newText;
    message.edited = { user: message.user ?? "", ts: formatTs(this.micros(iso)) };
  }

  pin(ch: TDemoChannel, message: TSlackMessage, pinnedBy: string, iso: string): void {
    message.pinned_to = [ch.id];
    const list = this.pins.get(ch.id) ?? [];
    list.push({ id: message.ts, type: ch.kind === "public" ? "C" : "G", user: message.user ?? pinnedBy, owner: pinnedBy, created: seconds(iso) });
    this.pins.set(ch.id, list);
  }

  attachFile(message: TSlackMessage, file: { id: string; name: string; title: string; mimetype: string; filetype: string; prettyType: string; size: number }): void {
    const user = message.user ?? "";
    const created = Math.floor(Number(message.ts));
    const safe = encodeURIComponent(file.name);
    message.files ??= [];
    message.files.push({
      id: file.id,
      created,
      timestamp: created,
      name: file.name,
      title: file.title,
      mimetype: file.mimetype,
      filetype: file.filetype,
      pretty_type: file.prettyType,
      user,
      size: file.size,
      mode: "hosted",
      is_external: false,
      is_public: true,
      url_private: `https://files.slack.com/files-pri/${DEMO_TEAM.id}-${file.id}/${safe}`,
      url_private_download: `https://files.slack.com/files-pri/${DEMO_TEAM.id}-${file.id}/download/${safe}`,
      permalink: `https://${DEMO_TEAM.domain}.slack.com/files/${user}/${file.id}/${safe}`,
    });
    message.upload = true;
  }

  /**
   * A chatops command: the person's `!command`, the bot's start reply and,
   * after `durationSeconds`, its finish reply with exit code and output.
   */
  command(
    ch: TDemoChannel,
    iso: string,
    user: string,
    text: string,
    result: { startAfter?: number; durationSeconds: number; exitCode: number; output: string },
  ): { request: TSlackMessage; start: TSlackMessage; finish: TSlackMessage } {
    const request = this.say(ch, iso, user, text);
    const jobId = this.jobId++;
    const command = text.replace(/^!/, "");
    const startIso = new Date((seconds(iso) + (result.startAfter ?? 3)) * 1000).toISOString();
    const start = this.botPost(ch, startIso, (ts) => buildCommandStartMessage({ bot: DEPLOYBOT, ts, command, invokerId: user, jobId }));
    const endIso = new Date((seconds(startIso) + result.durationSeconds) * 1000).toISOString();
    const finish = this.botPost(ch, endIso, (ts) =>
      buildCommandFinishMessage({
        bot: DEPLOYBOT,
        ts,
        command,
        invokerId: user,
        jobId,
        exitCode: result.exitCode,
        durationSeconds: result.durationSeconds,
        output: result.output,
      }),
    );
    return { request, start, finish };
  }
}

function alert(
  s: DemoScript,
  ch: TDemoChannel,
  iso: string,
  state: "firing" | "resolved",
  name: string,
  host: string,
  description: string,
  dashboard: string,
  runbook: string,
): TSlackMessage {
  return s.botPost(ch, iso, (ts) =>
    buildAlertMessage({
      bot: ALERTMANAGER,
      ts,
      state,
      alertName: name,
      host,
      env: "prod",
      severity: "critical",
      description,
      dashboardUrl: dashboard,
      runbookUrl: runbook,
    }),
  );
}

function pager(
  s: DemoScript,
  ch: TDemoChannel,
  iso: string,
  action: "Triggered" | "Acknowledged" | "Resolved",
  incidentNumber: number,
  title: string,
  by?: string,
): TSlackMessage {
  return s.botPost(ch, iso, (ts) =>
    buildPagerDutyMessage({
      bot: PAGERDUTY,
      ts,
      action,
      incidentNumber,
      title,
      service: "api-gateway",
      byUserId: by,
      blockId: `pd${incidentNumber}${action.slice(0, 3).toLowerCase()}`,
    }),
  );
}

/** The incident: alert, response, mitigation, resolution, follow-ups — 22:38 to 01:05 UTC. */
function writeIncident(s: DemoScript): void {
  const ch = INCIDENT;
  const gwTitle = "HighErrorRate api-gw-03 (prod)";

  // Detection happens in the private on-call channel first.
  alert(s, SRE_ONCALL, "2026-11-03T22:38:52Z", "firing", "HighErrorRate", "api-gw-03",
    "5xx ratio 23.4% over 5m (threshold 5%) on api-gateway", GRAFANA_GW, RUNBOOK_5XX);
  pager(s, SRE_ONCALL, "2026-11-03T22:39:10Z", "Triggered", 4521, gwTitle);
  s.say(SRE_ONCALL, "2026-11-03T22:40:31Z", BORIS,
    `ack, looking — opening <#${ch.id}|${ch.name}>`);

  s.join(ch, "2026-11-03T22:41:05Z", BORIS);
  s.topic(ch, "2026-11-03T22:41:20Z", BORIS, "API gateway 5xx in prod | IC: Alice | status: investigating");
  alert(s, ch, "2026-11-03T22:41:48Z", "firing", "HighErrorRate", "api-gw-03",
    "5xx ratio 23.4% over 5m (threshold 5%) on api-gateway; upstream errors to 10.20.5.4:5432", GRAFANA_GW, RUNBOOK_5XX);
  const ack = s.say(ch, "2026-11-03T22:42:40Z", BORIS, "ack, looking");
  s.react(ack, "eyes", [ALICE]);
  pager(s, ch, "2026-11-03T22:42:45Z", "Acknowledged", 4521, gwTitle, BORIS);
  s.join(ch, "2026-11-03T22:43:30Z", ALICE, BORIS);
  const ic = s.say(ch, "2026-11-03T22:44:02Z", ALICE,
    `I'm IC. <@${BORIS}> ops lead, <@${DANA}> can you look at db4? Tracking in ${slackLink(OPS_4521, "OPS-4521")}`);
  s.react(ic, "+1", [BORIS]);
  s.join(ch, "2026-11-03T22:45:10Z", DANA, ALICE);
  s.join(ch, "2026-11-03T22:45:41Z", CHIDI, ALICE);

  const finding = s.say(ch, "2026-11-03T22:46:30Z", BORIS,
    `seeing \`HTTP 503\` and \`ERR_CONNECTION_RESET\` from api-gw-03 (10.20.3.17) to upstream; dashboard: ${slackLink(GRAFANA_GW, "api-gateway overview")}`);
  s.attachFile(finding, {
    id: "F0DEMOGRAF1",
    name: "api-gw-03-5xx.png",
    title: "api-gw-03 5xx ratio, last hour",
    mimetype: "image/png",
    filetype: "png",
    prettyType: "PNG",
    size: 184_233,
  });
  s.thread(ch, finding, BORIS, [
    ["2026-11-03T22:47:15Z", CHIDI, "api-gw-01 and -02 look fine, only -03 is throwing. LB health checks still green on 2001:db8:20:3::17"],
    ["2026-11-03T22:48:02Z", BORIS, "logs: `java.net.SocketTimeoutException: Connect timed out` then `org.postgresql.util.PSQLException: FATAL: remaining connection slots are reserved for non-replication superuser connections`"],
    ["2026-11-03T22:48:40Z", DANA, "that's db4. checking `pg_stat_activity`"],
    ["2026-11-03T22:50:55Z", ALICE, "thanks — keep findings in the channel so the timeline has them"],
  ]);

  s.join(ch, "2026-11-03T22:49:30Z", ELENA, ALICE);
  const customers = s.say(ch, "2026-11-03T22:49:58Z", ELENA,
    "Customers are reporting 503s on checkout (3 tickets so far). Should I post on the status page?");
  s.say(ch, "2026-11-03T22:50:20Z", ALICE, "yes please: \"investigating elevated error rates on the API\"");
  s.react(customers, "+1", [ALICE]);
  const status1 = s.say(ch, "2026-11-03T22:52:04Z", ELENA,
    `Status page updated: ${slackLink(STATUS_PAGE, "Investigating — Elevated API error rates")}. "We are investigating elevated error rates affecting API requests. Next update in 30 minutes."`);
  s.react(status1, "white_check_mark", [ALICE, GRACE]);

  const db4 = s.say(ch, "2026-11-03T22:53:20Z", DANA,
    "db4 (10.20.5.4) has 498 connections, almost all `idle in transaction` from api-gateway pods");
  s.edit(db4, "2026-11-03T22:54:02Z",
    `db4 (10.20.5.4) has 498/500 connections (max_connections=500), almost all \`idle in transaction\` from api-gateway pods — ${slackLink(GRAFANA_DB4, "db4 dashboard")}`);
  s.react(db4, "eyes", [BORIS, CHIDI]);
  s.say(ch, "2026-11-03T22:54:40Z", BORIS,
    `api-gateway v2.32.0 went out at 22:20 in <#${DEPLOYS.id}|deploys> — ${slackLink(PR_1187, "PR #1187")} raised the pool max`);
  s.say(ch, "2026-11-03T22:55:31Z", ALICE, "how do we roll back api-gateway quickly? `!rollback` or the runbook?");
  s.say(ch, "2026-11-03T22:55:58Z", CHIDI,
    `\`!rollback api-gateway to v2.31.0\` — runbook: ${slackLink(RUNBOOK_ROLLBACK, "rollback runbook")}. Let's try restarting -03 first, it's the only bad host`);

  s.command(ch, "2026-11-03T22:57:00Z", BORIS, "!restart api-gw-03", {
    durationSeconds: 123,
    exitCode: 1,
    output: "draining api-gw-03 … drain timed out after 120s (37 in-flight requests)\nERR_CONNECTION_RESET from 10.20.5.4:5432\nexit status 1",
  });
  s.say(ch, "2026-11-03T22:59:30Z", BORIS, "restart failed, exit code 1 — drain never finished. not retrying");
  const scale = s.command(ch, "2026-11-03T23:00:10Z", CHIDI, "!scale api-gateway 6", {
    startAfter: 2,
    durationSeconds: 88,
    exitCode: 0,
    output: "replicas 4 → 6; 6/6 pods ready",
  });
  s.react(scale.finish, "white_check_mark", [CHIDI]);

  const rootCause = s.say(ch, "2026-11-03T23:03:00Z", DANA,
    `root cause: connection pool exhausted on db4 caused by v2.32.0 raising the api-gateway pool max from 20 to 200 per pod (${slackLink(PR_1187, "PR #1187")}); sessions stay \`idle in transaction\` and never return. Scaling out makes it worse.`);
  s.react(rootCause, "dart", [ALICE, BORIS]);
  s.react(rootCause, "+1", [CHIDI]);
  s.say(ch, "2026-11-03T23:03:40Z", ALICE, `agreed, roll back. <@${CHIDI}> go ahead`);
  const rollback = s.command(ch, "2026-11-03T23:04:05Z", CHIDI, "!rollback api-gateway to v2.31.0", {
    durationSeconds: 224,
    exitCode: 0,
    output: "helm rollback api-gateway 41 → revision 43 (v2.31.0)\n6/6 pods ready; health checks passing",
  });
  s.react(rollback.finish, "tada", [ALICE, BORIS, DANA]);
  s.say(ch, "2026-11-03T23:08:30Z", DANA,
    "terminating the stuck sessions on db4: `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = 'idle in transaction' AND application_name = 'api-gateway';`");
  const better = s.say(ch, "2026-11-03T23:10:02Z", BORIS, "error rate on api-gw-03 back under 1%, p99 480ms. db4 at 96/500 connections");
  s.react(better, "tada", [ALICE, ELENA, GRACE]);
  s.join(ch, "2026-11-03T23:11:00Z", GRACE, ALICE);
  s.topic(ch, "2026-11-03T23:12:10Z", ALICE, "API gateway 5xx in prod | IC: Alice | status: mitigated, monitoring");
  s.say(ch, "2026-11-03T23:12:30Z", ALICE, `status: mitigated. <@${ELENA}> please update the status page`);
  s.say(ch, "2026-11-03T23:14:05Z", ELENA,
    `Status page updated: ${slackLink(STATUS_PAGE, "Monitoring")} — "A fix has been implemented and we are monitoring the results."`);
  alert(s, ch, "2026-11-03T23:15:48Z", "resolved", "HighErrorRate", "api-gw-03",
    "5xx ratio 0.4% over 5m (threshold 5%) on api-gateway", GRAFANA_GW, RUNBOOK_5XX);

  // Credentials pasted by mistake: the message was deleted, the replies stay.
  const deleted = s.deletedParent(ch, "2026-11-03T23:20:14Z");
  s.thread(ch, deleted, BORIS, [
    ["2026-11-03T23:20:50Z", ALICE, "please don't paste credentials in here — rotate that password and the vault token now"],
    ["2026-11-03T23:24:31Z", BORIS, "deleted and rotated both, sorry. new creds are only in vault"],
  ]);

  const should = s.say(ch, "2026-11-03T23:40:12Z", ALICE,
    "we should cap the pool per pod and set a statement timeout before rolling forward again");
  s.thread(ch, should, ALICE, [
    ["2026-11-03T23:43:00Z", DANA, "pool max 20 and `idle_in_transaction_session_timeout=60s` would have saved us"],
    ["2026-11-03T23:52:20Z", CHIDI, `hotfix ${slackLink(PR_1192, "PR #1192")} on release-2.31: pool max 20 + the timeout. CI green`],
    ["2026-11-04T00:04:40Z", ALICE, "ok to ship as v2.31.1"],
  ]);

  // Past midnight UTC: the incident continues on the next day's file.
  const deploy = s.command(ch, "2026-11-04T00:06:10Z", CHIDI, "!deploy api-gateway v2.31.1 to prod", {
    durationSeconds: 337,
    exitCode: 0,
    output: "canary 1/6 healthy for 120s\nrolled out 6/6 pods (v2.31.1)\nhealth checks passing",
  });
  s.react(deploy.finish, "rocket", [ALICE, BORIS]);
  s.say(ch, "2026-11-04T00:20:03Z", BORIS, "v2.31.1 healthy on all 6 pods, db4 at 112/500 connections, no `idle in transaction` older than 60s");
  s.say(ch, "2026-11-04T00:40:10Z", ALICE, `action item: <@${DANA}> add alert on pool saturation (db4 connections &gt; 80%)`);
  s.say(ch, "2026-11-04T00:41:02Z", ALICE, `action item: <@${CHIDI}> add a db connection-count check to the canary stage of \`!deploy\``);
  s.say(ch, "2026-11-04T00:43:15Z", BORIS, "TODO: document the `!rollback` flow in the api-gateway runbook, it took us 6 minutes to find it");
  s.say(ch, "2026-11-04T00:45:20Z", GRACE, "we should require a DBA review on any change to pool sizes");
  const status3 = s.say(ch, "2026-11-04T00:50:44Z", ELENA,
    `Status page: ${slackLink(STATUS_PAGE, "Resolved")} — "Between 22:38 and 23:10 UTC some API requests failed with HTTP 503. The issue is resolved and we are sorry for the disruption." Customer tickets answered.`);
  s.react(status3, "pray", [ALICE, GRACE]);
  pager(s, ch, "2026-11-04T00:55:00Z", "Resolved", 4521, gwTitle, ALICE);
  const summary = s.say(ch, "2026-11-04T01:00:30Z", ALICE,
    `Resolving. Customer impact 22:38–23:10 UTC (~32 min) of elevated 5xx on the API. Root cause: db4 pool exhaustion from v2.32.0. Postmortem in ${slackLink(OPS_4521, "OPS-4521")}, review Thursday.`);
  s.react(summary, "white_check_mark", [BORIS, CHIDI, DANA, ELENA]);
  s.pin(ch, summary, ALICE, "2026-11-04T01:01:00Z");
  s.topic(ch, "2026-11-04T01:01:40Z", ALICE, "RESOLVED — API gateway 5xx | IC: Alice | postmortem: OPS-4521");
  s.say(DM, "2026-11-04T01:05:12Z", ALICE, "thanks for tonight. go sleep, I'll write up the timeline in the morning");
  s.say(DM, "2026-11-04T01:06:40Z", BORIS, "🙏 will do. good call on the rollback");
}

/** Ordinary team life around the incident. */
function writeTeamChat(s: DemoScript): void {
  // Workspace set-up on Monday 2026-10-26.
  const everyone = [GRACE, ALICE, BORIS, CHIDI, DANA, ELENA, HIRO, PRIYA, IVAN];
  everyone.forEach((u, i) => s.join(GENERAL, `2026-10-26T09:00:${String(i * 5).padStart(2, "0")}Z`, u, i === 0 ? undefined : GRACE));
  s.topic(GENERAL, "2026-10-26T09:05:00Z", GRACE, `Acme Ops — company-wide announcements | handbook: ${slackLink("https://wiki.acme.internal/handbook")}`);
  const welcome = s.say(GENERAL, "2026-10-26T09:10:00Z", GRACE,
    "Welcome to the new workspace, everyone :wave: please set your display names and time zones");
  s.react(welcome, "wave", [ALICE, BORIS, CHIDI, HIRO]);
  s.react(welcome, "tada", [ELENA]);

  for (const [i, u] of [ALICE, BORIS, CHIDI, DANA, GRACE, HIRO].entries()) {
    s.join(ENGINEERING, `2026-10-26T09:20:${String(i * 7).padStart(2, "0")}Z`, u, i === 0 ? undefined : ALICE);
  }
  s.purpose(ENGINEERING, "2026-10-26T09:21:00Z", ALICE, "Engineering discussion, reviews and releases");
  for (const [i, u] of [CHIDI, ALICE, BORIS, DANA, HIRO, DEPLOYBOT.userId].entries()) {
    s.join(DEPLOYS, `2026-10-26T10:00:${String(i * 6).padStart(2, "0")}Z`, u, i === 0 ? undefined : CHIDI);
  }
  s.topic(DEPLOYS, "2026-10-26T10:01:00Z", CHIDI, "Deploys to prod — use !deploy; no deploys Fri after 16:00 UTC");
  const checklist = s.say(DEPLOYS, "2026-10-26T10:05:00Z", CHIDI,
    `Deploy checklist: ${slackLink("https://wiki.acme.internal/runbooks/deploy-checklist", "deploy checklist")} — read it before your first prod deploy`);
  s.pin(DEPLOYS, checklist, CHIDI, "2026-10-26T10:05:30Z");
  for (const [i, u] of [GRACE, ALICE, BORIS, CHIDI, DANA, ELENA, HIRO, PRIYA].entries()) {
    s.join(RANDOM, `2026-10-26T09:30:${String(i * 4).padStart(2, "0")}Z`, u, i === 0 ? undefined : GRACE);
  }
  for (const [i, u] of [ALICE, BORIS, CHIDI, DANA, ELENA, HIRO, PRIYA].entries()) {
    s.join(HELP_OPS, `2026-10-26T09:40:${String(i * 5).padStart(2, "0")}Z`, u, i === 0 ? undefined : ALICE);
  }
  s.topic(HELP_OPS, "2026-10-26T09:41:00Z", ALICE, "Ask ops anything — include host, env and error");
  const runbooks = s.say(HELP_OPS, "2026-10-26T09:45:00Z", ALICE,
    `Runbook index: ${slackLink("https://wiki.acme.internal/runbooks", "Runbooks")} — rollback, restarts, scaling, db failover`);
  s.pin(HELP_OPS, runbooks, ALICE, "2026-10-26T09:45:20Z");
  s.react(runbooks, "bookmark", [CHIDI, ELENA]);
  for (const [i, u] of OPS.entries()) {
    s.join(SRE_ONCALL, `2026-10-26T09:50:${String(i * 5).padStart(2, "0")}Z`, u, i === 0 ? undefined : ALICE);
  }
  s.purpose(SRE_ONCALL, "2026-10-26T09:51:00Z", ALICE, "On-call coordination, pages and handovers (private)");

  // The old channel a former contractor ran, archived on day one.
  s.join(LEGACY, "2026-10-26T08:40:00Z", IVAN);
  s.join(LEGACY, "2026-10-26T08:40:30Z", ALICE, IVAN);
  s.join(LEGACY, "2026-10-26T08:40:40Z", BORIS, IVAN);
  s.say(LEGACY, "2026-10-26T08:42:00Z", IVAN, `moving deploy announcements to <#${DEPLOYS.id}|deploys>, this channel is read-only from today`);
  s.say(LEGACY, "2026-10-26T08:43:10Z", IVAN, "last manual deploy log: `api-gateway v2.30.4` on api-gw-01..03, exit 0");
  s.archive(LEGACY, "2026-10-26T08:45:00Z", IVAN);

  // Tuesday: the pool change is reviewed (and under-questioned).
  const review = s.say(ENGINEERING, "2026-10-27T11:20:00Z", BORIS,
    `can someone review ${slackLink(PR_1187, "PR #1187")}? raises the api-gateway pool max to 200 per pod for the Black Friday load test`);
  s.thread(ENGINEERING, review, BORIS, [
    ["2026-10-27T11:34:00Z", DANA, "200 × 6 pods is way past db4's max_connections=500 — are we sure?"],
    ["2026-10-27T11:41:00Z", BORIS, "it's a max, not a min; pgbouncer in front should cap it"],
    ["2026-10-27T11:52:00Z", CHIDI, "lgtm from the gateway side"],
  ]);
  s.command(DEPLOYS, "2026-10-27T14:00:00Z", CHIDI, "!deploy api-gateway v2.31.0 to prod", {
    durationSeconds: 252,
    exitCode: 0,
    output: "rolled out 4/4 pods (v2.31.0)\nhealth checks passing",
  });
  alert(s, SRE_ONCALL, "2026-10-27T16:02:00Z", "firing", "DiskSpaceLow", "db4",
    "/var/lib/postgresql at 91% (threshold 90%)", GRAFANA_DB4, "https://wiki.acme.internal/runbooks/disk-full");
  s.say(SRE_ONCALL, "2026-10-27T16:09:00Z", DANA, "cleaned up the WAL archive on db4, 91% → 64%. filed OPS-4498 to move archiving to S3");
  alert(s, SRE_ONCALL, "2026-10-27T16:12:00Z", "resolved", "DiskSpaceLow", "db4",
    "/var/lib/postgresql at 64% (threshold 90%)", GRAFANA_DB4, "https://wiki.acme.internal/runbooks/disk-full");

  // Wednesday: a new hire arrives and asks the classic question.
  s.join(GENERAL, "2026-10-28T09:58:00Z", FARID, GRACE);
  const hello = s.say(GENERAL, "2026-10-28T10:00:00Z", GRACE, `Please welcome <@${FARID}>, who joins the platform team today :tada:`);
  s.react(hello, "tada", [ALICE, BORIS, CHIDI, DANA, HIRO]);
  s.react(hello, "wave", [ELENA, PRIYA]);
  s.thread(GENERAL, hello, GRACE, [
    ["2026-10-28T10:04:00Z", FARID, "thanks all! happy to be here"],
    ["2026-10-28T10:06:00Z", ALICE, "welcome! ping me when you want to shadow on-call"],
  ]);
  s.join(ENGINEERING, "2026-10-28T10:10:00Z", FARID, ALICE);
  s.join(DEPLOYS, "2026-10-28T10:10:20Z", FARID, CHIDI);
  s.join(HELP_OPS, "2026-10-28T10:10:40Z", FARID, ALICE);
  s.join(RANDOM, "2026-10-28T10:11:00Z", FARID);
  const rollbackQ = s.say(HELP_OPS, "2026-10-28T15:00:00Z", FARID, "how do we roll back the api-gateway if a deploy goes bad?");
  s.thread(HELP_OPS, rollbackQ, FARID, [
    ["2026-10-28T15:03:00Z", CHIDI, `\`!rollback api-gateway to &lt;version&gt;\` in <#${DEPLOYS.id}|deploys> — the bot runs a helm rollback. Runbook: ${slackLink(RUNBOOK_ROLLBACK)}`],
    ["2026-10-28T15:05:00Z", FARID, "thanks! and for a single bad host?"],
    ["2026-10-28T15:07:00Z", BORIS, "`!restart api-gw-03` drains and restarts one host"],
  ]);
  s.react(rollbackQ, "raised_hands", [ELENA]);
  s.command(DEPLOYS, "2026-10-28T16:30:00Z", HIRO, "!deploy frontend v4.2.0 to prod", {
    durationSeconds: 131,
    exitCode: 0,
    output: "uploaded 214 assets to cdn\ninvalidated /static/*",
  });
  const hiroQ = s.say(ENGINEERING, "2026-10-28T17:02:00Z", HIRO,
    "seeing `TypeError: Cannot read properties of undefined (reading 'id')` in the checkout frontend after v4.2.0 — anyone touched the cart API?");
  s.thread(ENGINEERING, hiroQ, HIRO, [
    ["2026-10-28T17:10:00Z", BORIS, "yes, cart items lost `id` when empty — fixed in billing v1.14.2, deploying tomorrow"],
  ]);

  // Thursday: a failed staging deploy, retried.
  s.command(DEPLOYS, "2026-10-29T10:15:00Z", BORIS, "!deploy billing v1.14.2 to staging", {
    durationSeconds: 47,
    exitCode: 2,
    output: "Error: 1 pending migration (20261028_add_cart_item_id)\nrefusing to deploy; run migrations first\nexit status 2",
  });
  s.say(DEPLOYS, "2026-10-29T10:17:00Z", BORIS, "forgot the migration, running it and retrying");
  s.command(DEPLOYS, "2026-10-29T10:24:00Z", BORIS, "!deploy billing v1.14.2 to staging", {
    durationSeconds: 96,
    exitCode: 0,
    output: "migrations: 1 applied\nrolled out 2/2 pods (v1.14.2)",
  });
  s.say(DM, "2026-10-29T12:30:00Z", ALICE, "hey, can you take primary on-call from Monday? I'm at the conference Tue–Thu");
  s.say(DM, "2026-10-29T12:41:00Z", BORIS, "sure, np. anything open?");
  s.say(DM, "2026-10-29T12:43:00Z", ALICE, "just OPS-4498 (WAL archive on db4). I'll write it in the handover");
  const access = s.say(HELP_OPS, "2026-10-29T14:20:00Z", ELENA, "how do I get read access to grafana? a customer asked about HTTP 429s on /v2/orders");
  s.thread(HELP_OPS, access, ELENA, [["2026-10-29T14:31:00Z", ALICE, "added you to the grafana-viewers group, log in again"]]);
  const reminder = s.say(ENGINEERING, "2026-10-29T16:00:00Z", DANA,
    "reminder: sessions left `idle in transaction` hold a db connection until they time out. set `idle_in_transaction_session_timeout` in your service config");
  s.edit(reminder, "2026-10-29T16:03:00Z",
    "reminder: sessions left `idle in transaction` hold a db connection until they time out. set `idle_in_transaction_session_timeout` (we use 60s) in your service config");

  // Friday.
  const ipQ = s.say(HELP_OPS, "2026-10-30T09:12:00Z", FARID, "what's the IP of db4? the runbook says 10.20.5.4 but DNS gives 10.20.5.14");
  s.thread(HELP_OPS, ipQ, FARID, [
    ["2026-10-30T09:20:00Z", DANA, "10.20.5.4 is the primary, .14 is the replica (pg-replica-01). runbook fixed"],
  ]);
  const handover = s.say(SRE_ONCALL, "2026-10-30T15:30:00Z", ALICE,
    `handover: on-call passes to <@${BORIS}> from Monday. open: ${slackLink("https://jira.acme.internal/browse/OPS-4498", "OPS-4498")} (WAL archive on db4), cert rotation on lb-edge-02 due 11-12`);
  s.react(handover, "ok_hand", [BORIS]);
  s.say(GENERAL, "2026-10-30T16:00:00Z", GRACE,
    "<!channel> maintenance window Saturday 2026-10-31 06:00–08:00 UTC for the db4 minor upgrade. Expect brief HTTP 503s on the API.");

  // The next week: the fateful release, then the aftermath.
  s.topic(HELP_OPS, "2026-11-02T08:55:00Z", ALICE, "Ask ops anything — include host, env and error | on-call this week: @boris.petrov");
  s.say(ENGINEERING, "2026-11-02T13:00:00Z", BORIS,
    `api-gateway v2.32.0 is tagged: ${slackLink("https://github.com/acme/api-gateway/releases/tag/v2.32.0", "release notes")} (includes ${slackLink(PR_1187, "PR #1187")})`);
  s.command(DEPLOYS, "2026-11-03T22:20:00Z", BORIS, "!deploy api-gateway v2.32.0 to prod", {
    durationSeconds: 301,
    exitCode: 0,
    output: "rolled out 4/4 pods (v2.32.0)\nhealth checks passing",
  });
  const fyi = s.say(GENERAL, "2026-11-04T09:30:00Z", ELENA,
    `FYI: customers noticed the API errors last night (22:38–23:10 UTC). Details: ${slackLink(STATUS_PAGE, "status page")}. Postmortem review Thursday 15:00 UTC.`);
  s.react(fyi, "pray", [GRACE]);
  s.say(GENERAL, "2026-11-04T09:35:00Z", GRACE, "thanks everyone who jumped in last night :pray:");
  s.say(DM, "2026-11-04T10:00:00Z", BORIS, "btw, the creds I pasted last night: rotated both the db4 app password and the vault token");
  s.say(DM, "2026-11-04T10:02:00Z", ALICE, "👍 thanks");
  const review2 = s.say(MPIM, "2026-11-04T11:00:00Z", ALICE, "postmortem review Thursday 15:00 UTC? I'll draft it from the archive");
  s.say(MPIM, "2026-11-04T11:04:00Z", DANA, "works for me, I'll bring the pg_stat_activity graphs");
  s.say(MPIM, "2026-11-04T11:09:00Z", BORIS, "+1");
  s.react(review2, "+1", [BORIS, DANA]);
  s.say(ENGINEERING, "2026-11-04T14:10:00Z", CHIDI, `${slackLink(PR_1192, "PR #1192")} is merged to main too; v2.32.1 will carry it`);
  const npe = s.say(ENGINEERING, "2026-11-05T10:05:00Z", FARID,
    "`java.lang.NullPointerException` in billing-worker on staging: `at com.acme.billing.InvoiceJob.run(InvoiceJob.java:142)` — known?");
  s.thread(ENGINEERING, npe, FARID, [
    ["2026-11-05T10:12:00Z", BORIS, "known, it's BILL-311. fix is in v1.14.3"],
    ["2026-11-05T10:14:00Z", FARID, "thanks 👍"],
  ]);
  const shot = s.say(ENGINEERING, "2026-11-05T11:30:00Z", HIRO, "checkout error rate after the frontend fix, looking healthy");
  s.attachFile(shot, {
    id: "F0DEMOCHKT1",
    name: "checkout-errors-week.png",
    title: "checkout errors, last 7 days",
    mimetype: "image/png",
    filetype: "png",
    prettyType: "PNG",
    size: 96_412,
  });
  s.say(RANDOM, "2026-11-05T12:00:00Z", HIRO, "今日は寒いですね ☃️ anyone up for ramen?");
}

/** Small talk that fits any weekday afternoon (the shared vocabulary has "morning all", "happy friday"…). */
const DEMO_SMALL_TALK = [
  "thanks!", "nice catch", "+1", "on it", "lgtm", "haha", "coffee run, anyone? ☕", "merci ! 🎉", "了解です",
  "Grüße aus Berlin", "who's around for a quick sync?", "I'll take a look after lunch", "back online",
  "ship it :ship:", "¿alguien tiene el enlace del doc?", "brb, dentist", "lunch?", "good point",
  "that dashboard is so much faster now", "TIL about `pg_stat_statements`",
];

/** Seeded background chatter on weekdays, so channels look lived in. */
function writeBackgroundChatter(s: DemoScript): void {
  const rng = new SeededRandom(20261103);
  const channels = [
    { ch: GENERAL, people: [ALICE, BORIS, CHIDI, DANA, ELENA, GRACE, HIRO, PRIYA], social: 0.7 },
    { ch: RANDOM, people: [ALICE, BORIS, CHIDI, DANA, ELENA, FARID, GRACE, HIRO, PRIYA], social: 0.9 },
    { ch: ENGINEERING, people: [ALICE, BORIS, CHIDI, DANA, FARID, HIRO], social: 0.2 },
    { ch: HELP_OPS, people: [ALICE, BORIS, CHIDI, DANA, ELENA, FARID], social: 0.1 },
  ];
  // Linking the incident channel from unrelated chatter would confuse its story.
  const linkable = DEMO_CHANNELS.filter((c) => c.kind === "public" && !c.archived && c.id !== INCIDENT.id).map((c) => ({ id: c.id, name: c.name }));
  const days = ["2026-10-26", "2026-10-27", "2026-10-28", "2026-10-29", "2026-10-30", "2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"];
  for (const day of days) {
    for (const { ch, people, social } of channels) {
      const count = rng.between(2, 5);
      for (let i = 0; i < count; i++) {
        // Between 10:30 and 17:30 UTC (the incident evening stays quiet
        // elsewhere), and never within 20 minutes of a scripted message, so
        // filler does not land inside a scripted exchange.
        let sec = 0;
        for (let attempt = 0; attempt < 8; attempt++) {
          sec = seconds(`${day}T10:30:00Z`) + rng.int(7 * 3600);
          if (s.isQuietAround(ch, sec, 20 * 60)) break;
          sec = 0;
        }
        if (sec === 0) continue;
        const iso = new Date(sec * 1000).toISOString();
        // Farid only joined these channels on Wednesday.
        const eligible = people.filter((p) => p !== FARID || day >= "2026-10-28");
        const user = rng.pick(eligible);
        const ctx = { rng, people: eligible.filter((p) => p !== user), channels: linkable };
        const r = rng.next();
        const text = r < social ? rng.pick(DEMO_SMALL_TALK) : r < social + 0.2 ? writeQuestion(ctx) : writeWorkLine(ctx);
        const message = s.say(ch, iso, user, text);
        if (rng.chance(0.15)) {
          const reactors = eligible.filter((p) => p !== user).slice(0, rng.between(1, 3));
          s.react(message, rng.pick(["+1", "joy", "eyes", "100", "heart"]), reactors);
        }
        if (rng.chance(0.12)) {
          const replier = rng.pick(eligible.filter((p) => p !== user));
          const replyIso = new Date((sec + rng.between(60, 900)) * 1000).toISOString();
          s.thread(ch, message, user, [[replyIso, replier, rng.pick(DEMO_SMALL_TALK)]]);
        }
      }
    }
  }
}

/** users.json of the demo. */
function buildDemoUsers(): TSlackUser[] {
  const updated = seconds(WORKSPACE_CREATED);
  const tz: Record<string, string> = {
    [ALICE]: "Europe/London",
    [BORIS]: "Europe/Berlin",
    [CHIDI]: "Europe/London",
    [DANA]: "Europe/Berlin",
    [ELENA]: "America/New_York",
    [FARID]: "Europe/Berlin",
    [GRACE]: "America/Los_Angeles",
    [HIRO]: "Asia/Tokyo",
    [PRIYA]: "Asia/Kolkata",
  };
  const bots: Record<string, TBotIdentity> = {
    [DEPLOYBOT.userId]: DEPLOYBOT,
    [ALERTMANAGER.userId]: ALERTMANAGER,
    [PAGERDUTY.userId]: PAGERDUTY,
  };
  const users = DEMO_PEOPLE.map((p) =>
    buildSlackUser({
      id: p.id,
      teamId: DEMO_TEAM.id,
      name: p.username,
      realName: p.realName,
      title: p.title,
      email: p.email ?? undefined,
      tz: tz[p.id],
      isBot: p.isBot,
      botId: bots[p.id]?.botId,
      appId: bots[p.id] ? `A${bots[p.id]?.botId.slice(1)}` : undefined,
      deleted: p.deleted,
      isAdmin: p.id === ALICE || p.id === GRACE,
      isOwner: p.id === GRACE,
      updated,
    }),
  );
  users.push(buildSlackbotUser(DEMO_TEAM.id, updated));
  return users;
}

/**
 * Writes the curated "Acme Ops" demo workspace export into `outDir` and
 * returns counts of what it wrote. Same output, byte for byte, on every run.
 * `outDir` is created if missing; a previous export there is replaced, any
 * other non-empty folder refused (see {@link ExportWriter.open}).
 *
 * @throws AppError("usage") when `outDir` holds something other than an export.
 */
export async function writeDemoExport(outDir: string): Promise<TGeneratedExportSummary> {
  const writer = await ExportWriter.open(outDir);
  const script = new DemoScript();
  writeTeamChat(script);
  writeIncident(script);
  writeBackgroundChatter(script);

  const summary: TGeneratedExportSummary = { ...emptyExportSummary(), channels: DEMO_CHANNELS.length };

  for (const ch of DEMO_CHANNELS) {
    const entries = (script.entries.get(ch.id) ?? []).sort((a, b) => a.us - b.us);
    const byDay = new Map<string, TSlackMessage[]>();
    for (const { us, message } of entries) {
      const day = formatDay(us);
      const list = byDay.get(day) ?? [];
      list.push(message);
      byDay.set(day, list);
      tally(summary, message);
    }
    writer.writeDayFiles([...byDay].map(([day, messages]) => ({ folder: ch.folder, day, messages })));
  }

  const users = buildDemoUsers();
  summary.users = users.length;
  const created = seconds(WORKSPACE_CREATED);
  const listing = (ch: TDemoChannel): TSlackChannel => {
    const pins = script.pins.get(ch.id);
    return {
      id: ch.id,
      name: ch.name,
      created: ch.id === INCIDENT.id ? seconds("2026-11-03T22:41:00Z") : created,
      creator: ch.members[0] ?? ALICE,
      is_archived: ch.archived,
      is_general: ch.name === "general",
      members: [...ch.members],
      pins: pins && pins.length > 0 ? pins : undefined,
      topic: script.topics.get(ch.id) ?? { value: "", creator: "", last_set: 0 },
      purpose: script.purposes.get(ch.id) ?? { value: "", creator: "", last_set: 0 },
    };
  };
  writer.writeListing("users.json", users);
  writer.writeListing("channels.json", DEMO_CHANNELS.filter((c) => c.kind === "public").map(listing));
  writer.writeListing("groups.json", DEMO_CHANNELS.filter((c) => c.kind === "private").map(listing));
  writer.writeListing(
    "dms.json",
    DEMO_CHANNELS.filter((c) => c.kind === "dm").map((c) => ({ id: c.id, created, members: [...c.members] })),
  );
  writer.writeListing("mpims.json", DEMO_CHANNELS.filter((c) => c.kind === "mpim").map(listing));
  summary.dayFiles = writer.dayFiles;
  summary.bytes = writer.bytes;
  return summary;
}

function tally(summary: TGeneratedExportSummary, m: TSlackMessage): void {
  summary.messages++;
  if (m.subtype === "bot_message") summary.botMessages++;
  if (m.subtype && EVENT_SUBTYPES.has(m.subtype)) summary.events++;
  if (m.thread_ts && m.thread_ts === m.ts && (m.reply_count ?? 0) > 0) summary.threads++;
  if (m.thread_ts && m.thread_ts !== m.ts) summary.replies++;
  if (m.edited) summary.edits++;
  for (const r of m.reactions ?? []) summary.reactions += r.users.length;
  summary.files += m.files?.length ?? 0;
}
