import type { TTimeline, TTimelineEvent } from "../timelines/types";

/**
 * What an incident's timeline says about it: key times, commander,
 * participants and roles, severity, status, title. Pure; the rules are
 * spelled out so a reader can check any derived value against the chat.
 *
 * - started: the impact start people state in chat ("impact 22:38–23:10
 *   UTC"), else detection;
 * - detected: the first firing alert, else the first report;
 * - acknowledged: the first acknowledgement (a person's "ack" or the pager's);
 * - mitigated: the first observed recovery after a mitigation action, else
 *   the stated impact end, else the last successful mitigation command;
 * - resolved: the first resolution (pager resolved, "resolving", "all clear").
 */

/** The five incident times. */
export const TIME_FIELDS = ["startedAt", "detectedAt", "acknowledgedAt", "mitigatedAt", "resolvedAt"] as const;
export type TTimeField = (typeof TIME_FIELDS)[number];

/** A derived time and the event it comes from. */
export type TDerivedTime = { at: string; eventId: string | null; why: string } | null;

/** A participant and their role. */
export type TParticipant = { person: string; name: string; role: string };

/** Everything derived from a timeline. */
export type TDerivedIncident = {
  times: Record<TTimeField, TDerivedTime>;
  commander: string | null;
  participants: TParticipant[];
  severity: string | null;
  status: "investigating" | "identified" | "mitigated" | "resolved";
  title: string | null;
  impactWindow: { from: string; to: string | null; eventId: string } | null;
};

/** "22:38–23:10 UTC" stated in `text`, resolved to instants on or before `at`. */
export function findStatedWindow(text: string, at: string): { from: string; to: string | null } | null {
  const m = /\b(\d{1,2}):(\d{2})\s*(?:–|—|-|to|and|until)\s*(\d{1,2}):(\d{2})\s*(?:UTC|GMT|Z)\b/i.exec(text);
  if (!m) return null;
  const ref = Date.parse(at);
  const resolve = (h: number, min: number, notAfter: number) => {
    const d = new Date(notAfter);
    let t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), h, min);
    while (t > notAfter) t -= 86_400_000;
    return t;
  };
  const to = resolve(Number(m[3]), Number(m[4]), ref);
  const from = resolve(Number(m[1]), Number(m[2]), to);
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

/**
 * A start stated as one time: "first reported at 2:40AM UTC", "down since
 * 02:40 UTC", "started at 14:05 GMT" (Miraheze SAL, 2021-09-28), resolved
 * to the instant on or before `at`.
 */
export function findStatedStart(text: string, at: string): string | null {
  const m = /\b(?:first (?:reported|noticed|seen)|(?:started|began|starting)|since)\s+(?:at\s+|around\s+|~\s*)?(\d{1,2}):(\d{2})\s*(am|pm)?\s*(?:UTC|GMT|Z)\b/i.exec(text);
  if (!m) return null;
  let h = Number(m[1]);
  const min = Number(m[2]);
  const ampm = m[3]?.toLowerCase();
  if (h > 23 || min > 59 || (ampm && (h < 1 || h > 12))) return null;
  if (ampm === "am" && h === 12) h = 0;
  else if (ampm === "pm" && h < 12) h += 12;
  const ref = Date.parse(at);
  const d = new Date(ref);
  let t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), h, min);
  while (t > ref) t -= 86_400_000;
  return new Date(t).toISOString();
}

/** People silent this long after detection: the response is over (later actions are other work). */
const RESPONSE_SILENCE_MS = 60 * 60_000;
/** How long after the people's last word a command they started still counts as part of the response. */
const RESPONSE_TAIL_MS = 15 * 60_000;

const SEVERITY = /\b(?:sev|severity)[\s:-]*([0-5])\b|\b(P[0-4])\b/i;

function humanize(channelName: string): string {
  const core = channelName.replace(/^(?:inc|incident)[-_]?/i, "").replace(/^\d{4}-\d{2}-\d{2}[-_]?/, "");
  const words = core.split(/[-_]+/).filter(Boolean).join(" ");
  return words ? words[0]!.toUpperCase() + words.slice(1) : channelName;
}

/** Derive an incident's facts from its timeline. */
export function deriveIncident(t: TTimeline): TDerivedIncident {
  const events = t.events;
  const first = (p: (e: TTimelineEvent) => boolean) => events.find(p) ?? null;
  const time = (e: TTimelineEvent | null, why: string): TDerivedTime => (e ? { at: e.at, eventId: e.id, why } : null);

  const detection = first((e) => e.kind === "detection");
  const ack = first((e) => e.kind === "acknowledgement");
  const firstAction = first((e) => e.category === "mitigation" && (e.kind === "execution" || e.kind === "mitigation"));
  let impactWindow: TDerivedIncident["impactWindow"] = null;
  for (const e of events) {
    if (e.isBot || !/impact|between/i.test(e.text)) continue;
    const w = findStatedWindow(e.text, e.at);
    if (w) {
      impactWindow = { ...w, eventId: e.id };
      break;
    }
  }
  const recovery = firstAction ? first((e) => e.category === "recovery" && !e.isBot && Date.parse(e.at) > Date.parse(firstAction.at)) : null;
  // A status set to mitigated/monitoring (by an incident tool, or typed as a status update) says it outright.
  const statusMitigated = first((e) => e.ruleId === "status.mitigated");
  // Without a stated recovery, mitigation is the last action of the response: from detection until
  // the people go quiet for an hour. A range that runs on past it holds routine work (scheduled
  // deploys, maintenance) that did not mitigate anything (Miraheze's admin log: a config deploy at
  // 06:04 after the 05:28/05:32 reboots that ended the 2021-09-28 outage).
  const detectedMs = detection ? Date.parse(detection.at) : -Infinity;
  let responseEndMs = Infinity;
  let lastHumanMs: number | null = null;
  for (const e of events) {
    if (e.isBot || e.kind === "channel_event" || e.kind === "execution") continue;
    const t = Date.parse(e.at);
    if (t < detectedMs) continue;
    if (lastHumanMs !== null && t - lastHumanMs >= RESPONSE_SILENCE_MS) {
      responseEndMs = lastHumanMs + RESPONSE_TAIL_MS;
      break;
    }
    lastHumanMs = t;
  }
  // No silence within the range: the response runs until the people's last word (and what it started).
  if (responseEndMs === Infinity && lastHumanMs !== null) responseEndMs = lastHumanMs + RESPONSE_TAIL_MS;
  const inResponse = (e: TTimelineEvent) => {
    const t = Date.parse(e.at);
    return t >= detectedMs && t <= responseEndMs;
  };
  const lastGoodAction =
    [...events]
      .reverse()
      .find((e) => inResponse(e) && ((e.kind === "execution" && e.category === "mitigation" && e.execution?.status === "succeeded") || (e.kind === "mitigation" && !e.isBot))) ?? null;
  // An incident tool's status change to resolved is the record; else the first resolution anyone states (or a page resolving).
  const resolution = first((e) => e.ruleId === "status.resolved" && e.isBot) ?? first((e) => e.kind === "resolution");

  let statedStart: { at: string; eventId: string } | null = null;
  for (const e of events) {
    if (e.isBot) continue;
    const at = findStatedStart(e.text, e.at);
    if (at) {
      statedStart = { at, eventId: e.id };
      break;
    }
  }
  const started: TDerivedTime =
    impactWindow && (!detection || impactWindow.from <= detection.at)
      ? { at: impactWindow.from, eventId: impactWindow.eventId, why: "impact start stated in chat" }
      : statedStart && (!detection || statedStart.at <= detection.at)
        ? { at: statedStart.at, eventId: statedStart.eventId, why: "start stated in chat" }
        : time(detection, "detection");
  const mitigated: TDerivedTime = statusMitigated
    ? time(statusMitigated, "status set to mitigated")
    : recovery
    ? time(recovery, "first recovery observed after a mitigation action")
    : impactWindow?.to
      ? { at: impactWindow.to, eventId: impactWindow.eventId, why: "impact end stated in chat" }
      : lastGoodAction
        ? {
            at: lastGoodAction.execution?.finishedAt ?? lastGoodAction.at,
            eventId: lastGoodAction.id,
            why: lastGoodAction.execution ? "last successful mitigation command of the response" : "last mitigation action of the response",
          }
        : null;

  // Commander: "I'm IC" / "I am the incident commander", else "IC: <name>" in a topic.
  let commander: string | null = null;
  const names = new Map<string, string>();
  for (const e of events) if (e.actorId && e.actor && !e.isBot) names.set(e.actorId, e.actor);
  for (const e of events) {
    if (!e.isBot && e.actorId && /\b(?:i'?m|i am) (?:the )?(?:ic|incident commander)\b|\btaking (?:over )?(?:as )?ic\b/i.test(e.text)) {
      commander = e.actorId;
      break;
    }
  }
  if (!commander) {
    for (const e of events) {
      // "IC: @alice" (a topic, a bot's summary), "Incident Lead: Alice", "Alice has been assigned as incident commander".
      const m =
        /\b(?:IC|incident commander|incident lead)\s*:\s*@?([\w.-]+)/i.exec(e.text) ??
        /@?([\w.-]+)(?: [\w.-]+)? (?:has been |was |is )?(?:assigned|set|now) (?:as |to )?(?:the )?(?:incident )?(?:commander|lead)\b/i.exec(e.text);
      if (!m) continue;
      const wanted = m[1]!.toLowerCase();
      const hit = [...names].find(([, n]) => n.toLowerCase().startsWith(wanted) || n.toLowerCase().split(/[\s.]/)[0] === wanted);
      if (hit) {
        commander = hit[0];
        break;
      }
    }
  }

  // Participants: people who spoke or ran commands; roles from what they did.
  const roles = new Map<string, string>();
  for (const e of events) {
    if (e.isBot || !e.actorId || e.kind === "channel_event") continue;
    if (!roles.has(e.actorId)) roles.set(e.actorId, "responder");
    if (e.kind === "communication" && /status ?page|customer/i.test(e.text) && roles.get(e.actorId) === "responder") roles.set(e.actorId, "communications");
  }
  for (const e of events) {
    if (!e.text.includes("@")) continue; // the role names follow a mention
    for (const m of e.text.matchAll(/@([\w.-]+) (ops lead|comms lead|communications lead|tech lead|scribe|deputy)\b/gi)) {
      const hit = [...names].find(([, n]) => n === m[1]);
      if (hit) roles.set(hit[0], m[2]!.toLowerCase());
    }
  }
  if (commander) roles.set(commander, "commander");
  const participants = [...roles].map(([person, role]) => ({ person, name: names.get(person) ?? person, role }));
  participants.sort((a, b) => (a.role === "commander" ? -1 : b.role === "commander" ? 1 : 0));

  let severity: string | null = null;
  for (const e of events) {
    const m = SEVERITY.exec(e.text);
    // People state it; of bots only incident tools ("Severity: SEV2"), not alert priorities ("[P2]").
    if (m && (!e.isBot || m[1])) {
      severity = m[1] ? `SEV${m[1]}` : m[2]!.toUpperCase();
      break;
    }
  }

  const topic = first((e) => e.kind === "channel_event" && /set the channel topic:/i.test(e.text));
  const title = topic ? (topic.text.split(/set the channel topic:\s*/i)[1]?.split("|")[0]?.trim() ?? null) : null;

  const status = resolution ? "resolved" : mitigated ? "mitigated" : events.some((e) => e.tags.includes("contributing_factor")) ? "identified" : "investigating";
  return {
    times: {
      startedAt: started,
      detectedAt: time(detection, detection?.alert ? "first firing alert" : "first report"),
      acknowledgedAt: time(ack, "first acknowledgement"),
      mitigatedAt: mitigated,
      resolvedAt: time(resolution, "first resolution"),
    },
    commander,
    participants,
    severity,
    status,
    title: title || humanize(t.channel.name),
    impactWindow,
  };
}
