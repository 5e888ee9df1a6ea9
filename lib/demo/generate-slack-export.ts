import { z } from "zod";
import { AppError } from "../errors";
import {
  buildAlertMessage,
  buildCommandFinishMessage,
  buildCommandStartMessage,
  buildPagerDutyMessage,
  type TBotIdentity,
} from "./bot-messages";
import { ExportWriter } from "./export-writer";
import {
  buildAlert,
  buildChatCommand,
  dashboardUrl,
  pickErrorCode,
  pickException,
  pickFileSpec,
  pickHost,
  pickPurpose,
  pickReaction,
  pickService,
  pickTopic,
  runbookUrl,
  type TTextContext,
  writeQuestion,
  writeReplyLine,
  writeSocialLine,
  writeWorkLine,
} from "./ops-vocabulary";
import { FIRST_NAMES, JOB_TITLES, LAST_NAMES, usernameFor } from "./people-names";
import { SeededRandom } from "./seeded-random";
import {
  emptyExportSummary,
  buildSlackbotUser,
  buildSlackUser,
  formatDay,
  formatTs,
  joinText,
  KNOWN_TIME_ZONES,
  purposeText,
  SLACKBOT_ID,
  SlackIdAllocator,
  topicText,
  uniqueMicros,
  type TGeneratedExportSummary,
  type TSlackChannel,
  type TSlackDm,
  type TSlackMessage,
  type TSlackUser,
} from "./slack-export-format";

/** Re-exported for callers of the generator. */
export type { TGeneratedExportSummary } from "./slack-export-format";

/**
 * Deterministic generator of large Slack workspace exports, for load tests and
 * `npm run bench`.
 *
 * Memory stays bounded however many messages are asked for: top-level units
 * (a message, a thread, a command with its bot replies, an alert…) are
 * generated in time order; their entries wait in a small time-ordered heap
 * and are serialised and written as soon as time has moved past them, so only
 * thread replies and bot follow-ups still in the future are held (threads last
 * at most ~30 hours), plus per-conversation metadata. users.json and the
 * conversation listings are written last, so that they carry the final
 * topics, members and pins the day files produced.
 */

/** Bots, Slackbot and at least two people (a DM needs two). */
const MIN_USERS = 7;
/** Workspace-wide entries per average day; sets the span of the export. */
const ENTRIES_PER_DAY = 2_000;
const DAY_SECONDS = 86_400;
const MAX_THREAD_SECONDS = 30 * 3600;

// Per top-level "unit" probabilities, tuned so that about 10% of entries are in
// threads, ~5% are bot posts and a few tenths of a percent are channel events.
const P_THREAD = 0.028;
const P_COMMAND = 0.011;
const P_ALERT = 0.016;
const P_EVENT = 0.004;
// Per human message.
const P_EDIT = 0.022;
const P_REACTION = 0.085;
const P_FILE = 0.011;
const P_PIN = 0.001;
const P_TOMBSTONE_PARENT = 0.03;

/** Activity by UTC hour: quiet nights, busy working hours across EU and US. */
const HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 10, 10, 9, 10, 11, 11, 10, 9, 7, 5, 4, 3, 2, 1];

/** Options of {@link generateSlackExport}, validated at the boundary. */
export const ZGenerateSlackExportOptions = z.object({
  /** Day-file entries to write in total (messages and channel events). */
  messages: z.number().int().min(0).max(100_000_000),
  seed: z.number().int().default(1),
  /** First day of the export (ISO date; a full ISO timestamp is cut to its date). */
  start: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}(T.*)?$/, "expected an ISO date such as 2024-01-01")
    .refine((s) => !Number.isNaN(Date.parse(`${s.slice(0, 10)}T00:00:00Z`)), "not a valid date")
    .default("2024-01-01"),
  /** Conversations: public and private channels, DMs and MPIMs. */
  channels: z.number().int().min(1).max(100_000).default(40),
  /** Entries of users.json, including the 4 bots and Slackbot. */
  users: z.number().int().min(MIN_USERS).max(1_000_000).default(300),
});
/** Options as callers pass them (defaults applied by the schema). */
export type TGenerateSlackExportOptions = z.input<typeof ZGenerateSlackExportOptions>;

type TConvKind = "public" | "private" | "dm" | "mpim";
type TFlavor = "social" | "eng" | "ops" | "incident" | "dm";

interface TConv {
  index: number;
  id: string;
  name: string;
  kind: TConvKind;
  flavor: TFlavor;
  folder: string;
  humans: string[];
  memberSet: Set<string>;
  bots: string[];
  createdSec: number;
  creator: string;
  /** Day index of creation inside the export, or -1 when created before it. */
  createdDay: number;
  lastActiveDay: number;
  baseWeight: number;
  topic: { value: string; creator: string; last_set: number };
  purpose: { value: string; creator: string; last_set: number };
  pins: { id: string; type: "C" | "G"; user: string; owner: string; created: number }[];
  textContext: TTextContext;
}

interface TEntry {
  us: number;
  conv: TConv;
  message: TSlackMessage;
}

interface TBot extends TBotIdentity {
  userId: string;
}

/**
 * Writes a Slack export with exactly `opts.messages` day-file entries into
 * `outDir`, deterministically for a given seed and options, and returns counts
 * of what it wrote. `outDir` is created if missing; a previous export there is
 * replaced, any other non-empty folder refused (see {@link ExportWriter.open}).
 *
 * @throws AppError("usage") on invalid options or an `outDir` holding something else.
 */
export async function generateSlackExport(
  outDir: string,
  opts: TGenerateSlackExportOptions,
): Promise<TGeneratedExportSummary> {
  const parsed = ZGenerateSlackExportOptions.safeParse(opts);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("usage", `invalid generator option: ${issue?.message ?? "unknown"}`, {
      field: issue?.path.join("."),
    });
  }
  const writer = await ExportWriter.open(outDir);
  const generator = new ExportGenerator(parsed.data, writer);
  return generator.run();
}

class ExportGenerator {
  private readonly rng: SeededRandom;
  private readonly ids: SlackIdAllocator;
  private readonly startSec: number;
  private readonly totalDays: number;
  private readonly teamId: string;
  private readonly domain = "acme-load";
  private readonly users: TSlackUser[] = [];
  private readonly humans: string[] = [];
  private readonly convs: TConv[] = [];
  private readonly publicRefs: { id: string; name: string }[] = [];
  private readonly deploybot: TBot;
  private readonly alertmanager: TBot;
  private readonly pagerduty: TBot;
  private readonly github: TBot;
  /** Entries generated but not yet written, ordered by time. */
  private readonly pending = new EntryHeap();
  private emitDay = -1;
  private emitDayName = "";
  private sequence = 0;
  private remaining: number;
  private jobId: number;
  private incidentNumber: number;
  private readonly summary: TGeneratedExportSummary = emptyExportSummary();

  constructor(
    private readonly opts: z.output<typeof ZGenerateSlackExportOptions>,
    private readonly writer: ExportWriter,
  ) {
    this.rng = new SeededRandom(opts.seed);
    this.ids = new SlackIdAllocator(this.rng.int(1_000_000_007));
    this.startSec = Date.parse(`${opts.start.slice(0, 10)}T00:00:00Z`) / 1000;
    this.totalDays = Math.max(1, Math.ceil(opts.messages / ENTRIES_PER_DAY));
    this.remaining = opts.messages;
    this.jobId = 10_000 + this.rng.int(50_000);
    this.incidentNumber = 1_000 + this.rng.int(5_000);
    this.teamId = this.ids.next("T");
    const updated = this.startSec - 30 * DAY_SECONDS;
    const makeBot = (name: string, realName: string): TBot => {
      const bot: TBot = { botId: this.ids.next("B"), username: name, userId: this.ids.next("U") };
      this.users.push(
        buildSlackUser({
          id: bot.userId,
          teamId: this.teamId,
          name,
          realName,
          isBot: true,
          botId: bot.botId,
          appId: `A${bot.botId.slice(1)}`,
          updated,
        }),
      );
      return bot;
    };
    this.deploybot = makeBot("deploybot", "Deploy Bot");
    this.alertmanager = makeBot("alertmanager", "Alertmanager");
    this.pagerduty = makeBot("pagerduty", "PagerDuty");
    this.github = makeBot("github", "GitHub");
    this.users.push(buildSlackbotUser(this.teamId, updated));
    this.createPeople(opts.users - this.users.length, updated);
    this.createConversations(opts.channels);
  }

  private createPeople(count: number, updated: number): void {
    const combos = FIRST_NAMES.length * LAST_NAMES.length;
    const offset = this.rng.int(combos);
    for (let i = 0; i < count; i++) {
      // 1_237 is coprime with 50 × 50, so the first `combos` people all get
      // distinct names while first and last names vary from one to the next.
      const k = (i * 1_237 + offset) % combos;
      const first = FIRST_NAMES[k % FIRST_NAMES.length] ?? "Alex";
      const last = LAST_NAMES[Math.floor(k / FIRST_NAMES.length) % LAST_NAMES.length] ?? "Doe";
      // Past every combination, a numeric suffix keeps usernames unique.
      const suffix = i >= combos ? String(Math.floor(i / combos) + 1) : "";
      const name = usernameFor(first, last) + suffix;
      const id = this.ids.next("U");
      const deleted = i >= 2 && this.rng.chance(0.03);
      this.users.push(
        buildSlackUser({
          id,
          teamId: this.teamId,
          name,
          realName: `${first} ${last}${suffix ? ` ${suffix}` : ""}`,
          title: this.rng.pick(JOB_TITLES),
          email: `${name}@${this.domain}.example`,
          tz: this.rng.pick(KNOWN_TIME_ZONES),
          deleted,
          isAdmin: i === 0,
          isOwner: i === 0,
          updated,
        }),
      );
      this.humans.push(id);
    }
  }

  private createConversations(count: number): void {
    const publicBase: [string, TFlavor][] = [
      ["general", "social"], ["random", "social"], ["engineering", "eng"], ["deploys", "ops"], ["alerts", "ops"],
      ["help-ops", "ops"], ["sre", "ops"], ["platform", "eng"], ["infra", "ops"], ["db-team", "eng"],
      ["networking", "ops"], ["security", "eng"], ["frontend", "eng"], ["backend", "eng"], ["data-eng", "eng"],
      ["release", "ops"], ["observability", "ops"], ["k8s", "ops"], ["ci-cd", "ops"], ["announcements", "social"],
      ["team-payments", "eng"], ["team-search", "eng"], ["oncall", "ops"], ["cost-savings", "eng"], ["book-club", "social"],
    ];
    const privateBase = ["sre-oncall", "security-private", "leadership", "hiring-platform", "vendor-escalations", "secrets-rotation"];
    // After the five core channels, conversations follow this mix.
    const pattern: (TConvKind | "incident")[] = ["public", "public", "dm", "incident", "private", "dm", "public", "mpim", "public", "dm"];
    const usedNames = new Set<string>();
    const unique = (base: string): string => {
      let name = base;
      for (let n = 2; usedNames.has(name); n++) name = `${base}-${n}`;
      usedNames.add(name);
      return name;
    };
    let publicNext = 0;
    let privateNext = 0;
    const rng = this.rng;
    const humanCount = this.humans.length;

    for (let i = 0; i < count; i++) {
      let slot: TConvKind | "incident" = i < 5 ? "public" : (pattern[(i - 5) % pattern.length] ?? "public");
      if (slot === "mpim" && humanCount < 3) slot = "public";
      let kind: TConvKind;
      let flavor: TFlavor;
      let name: string;
      let createdDay = -1;
      let lastActiveDay = Number.POSITIVE_INFINITY;
      let size: number;
      if (slot === "public") {
        const base = publicBase[publicNext % publicBase.length] ?? ["chat", "social"];
        publicNext++;
        kind = "public";
        flavor = base[1];
        name = unique(base[0]);
        size = name === "general" ? humanCount : rng.between(5, flavor === "social" ? 80 : 40);
        if (i >= 5 && rng.chance(0.25)) createdDay = rng.int(Math.ceil(this.totalDays / 2));
      } else if (slot === "incident") {
        kind = "public";
        flavor = "incident";
        createdDay = rng.int(this.totalDays);
        lastActiveDay = createdDay + rng.between(0, 2);
        const date = formatDay((this.startSec + createdDay * DAY_SECONDS) * 1_000_000);
        const what = rng.pick(["errors", "latency", "outage", "disk-full", "cert-expiry", "db-failover"]);
        name = unique(`inc-${date}-${pickService(rng)}-${what}`);
        size = rng.between(4, 12);
      } else if (slot === "private") {
        kind = "private";
        flavor = "ops";
        name = unique(privateBase[privateNext % privateBase.length] ?? "private");
        privateNext++;
        size = rng.between(3, 10);
      } else if (slot === "mpim") {
        kind = "mpim";
        flavor = "dm";
        name = "";
        size = rng.between(3, 4);
      } else {
        kind = "dm";
        flavor = "dm";
        name = "";
        size = 2;
      }
      const humans = this.sampleHumans(Math.min(size, humanCount));
      const id = this.ids.next(kind === "public" ? "C" : kind === "dm" ? "D" : "G");
      if (kind === "mpim") {
        const names = humans.map((h) => this.usernameOf(h));
        name = unique(`mpdm-${names.join("--")}-1`);
      }
      if (kind === "dm") name = id;
      const creator = humans[0] ?? this.humans[0] ?? SLACKBOT_ID;
      const createdSec =
        createdDay >= 0
          ? this.startSec + createdDay * DAY_SECONDS + rng.between(6 * 3600, 14 * 3600)
          : this.startSec - rng.between(30, 900) * DAY_SECONDS + rng.int(DAY_SECONDS);
      const bots = flavor === "ops" || flavor === "incident"
        ? [this.deploybot.userId, this.alertmanager.userId, this.pagerduty.userId]
        : flavor === "eng" ? [this.github.userId] : [];
      const purpose = kind === "dm" ? "" : flavor === "incident" ? "Coordinating the incident response" : pickPurpose(rng);
      const conv: TConv = {
        index: i,
        id,
        name,
        kind,
        flavor,
        folder: name,
        humans,
        memberSet: new Set(humans),
        bots,
        createdSec,
        creator,
        createdDay,
        lastActiveDay,
        baseWeight: (name === "general" ? 3 : 1) * (flavor === "incident" ? 4 : 1) / Math.pow(i + 1, 0.6),
        topic: { value: "", creator: "", last_set: 0 },
        purpose: { value: purpose, creator: purpose ? creator : "", last_set: purpose ? createdSec : 0 },
        pins: [],
        textContext: { rng, people: humans, channels: this.publicRefs },
      };
      this.convs.push(conv);
      if (kind === "public") this.publicRefs.push({ id, name });
    }
  }

  private sampleHumans(k: number): string[] {
    const all = this.humans;
    if (k >= all.length) return [...all];
    if (k > all.length / 2) {
      // Rejection sampling slows down near the whole set; shuffle instead.
      const copy = [...all];
      for (let i = 0; i < k; i++) {
        const j = i + this.rng.int(copy.length - i);
        const tmp = copy[i] ?? "";
        copy[i] = copy[j] ?? "";
        copy[j] = tmp;
      }
      return copy.slice(0, k);
    }
    const chosen = new Set<string>();
    while (chosen.size < k) chosen.add(all[this.rng.skewedIndex(all.length, 1.3)] ?? "");
    return [...chosen];
  }

  private usernameOf(userId: string): string {
    return this.users.find((u) => u.id === userId)?.name ?? userId;
  }

  async run(): Promise<TGeneratedExportSummary> {
    const weights: number[] = [];
    let totalWeight = 0;
    for (let d = 0; d < this.totalDays; d++) {
      const weekday = new Date((this.startSec + d * DAY_SECONDS) * 1000).getUTCDay();
      const w = (weekday === 0 || weekday === 6 ? 0.3 : 1) * (0.7 + 0.6 * this.rng.next());
      weights.push(w);
      totalWeight += w;
    }
    let cumulative = 0;
    let assigned = 0;
    for (let d = 0; d < this.totalDays; d++) {
      cumulative += weights[d] ?? 0;
      const target = Math.round((this.opts.messages * cumulative) / totalWeight);
      const quota = d === this.totalDays - 1 ? this.remaining : target - assigned;
      assigned = target;
      this.generateDay(d, quota);
      // Generation is synchronous CPU work; let timers, progress bars and
      // signals run between days.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    // Replies and follow-ups that fall after the last unit.
    this.writeUntil(Number.POSITIVE_INFINITY);
    this.writer.finishAllDays();

    this.writeListings();
    this.summary.dayFiles = this.writer.dayFiles;
    this.summary.bytes = this.writer.bytes;
    this.summary.channels = this.convs.length;
    this.summary.users = this.users.length;
    return this.summary;
  }

  private generateDay(day: number, quota: number): void {
    const dayStart = this.startSec + day * DAY_SECONDS;
    const active = this.convs.filter((c) => c.createdDay <= day && day <= c.lastActiveDay + 30);
    const weightOf = (c: TConv): number => (day > c.lastActiveDay ? c.baseWeight * 0.02 : c.baseWeight);
    const anyPicker = new WeightedPicker(active, weightOf);
    const opsPicker = new WeightedPicker(active.filter((c) => c.flavor === "ops" || c.flavor === "incident"), weightOf);
    const eventPicker = new WeightedPicker(active.filter((c) => c.kind === "public" || c.kind === "private"), weightOf);

    let produced = 0;
    // Channels born today start with their creator joining and setting a topic.
    for (const conv of this.convs) {
      if (conv.createdDay !== day || this.remaining <= 0) continue;
      produced += this.emitCreationEvents(conv);
    }
    // Units are generated in time order, so that everything earlier than the
    // current unit is final and can be written at once. Every unit yields at
    // least one entry, so `quota` unit times always suffice.
    const times = new Float64Array(Math.max(0, quota));
    for (let i = 0; i < times.length; i++) times[i] = dayStart + this.pickSecondOfDay();
    times.sort();
    for (let i = 0; i < times.length && produced < quota && this.remaining > 0; i++) {
      const sec = times[i] ?? dayStart;
      this.writeUntil(sec * 1_000_000);
      const r = this.rng.next();
      let picked: TConv | undefined;
      if (r < P_THREAD) {
        picked = anyPicker.pick(this.rng);
        if (picked) produced += this.emitThread(picked, this.notBefore(picked, sec));
      } else if (r < P_THREAD + P_COMMAND) {
        picked = opsPicker.pick(this.rng) ?? anyPicker.pick(this.rng);
        if (picked) produced += this.emitCommand(picked, this.notBefore(picked, sec));
      } else if (r < P_THREAD + P_COMMAND + P_ALERT) {
        picked = opsPicker.pick(this.rng) ?? anyPicker.pick(this.rng);
        if (picked) produced += this.emitAlert(picked, this.notBefore(picked, sec));
      } else if (r < P_THREAD + P_COMMAND + P_ALERT + P_EVENT) {
        picked = eventPicker.pick(this.rng) ?? anyPicker.pick(this.rng);
        if (picked) produced += this.emitEvent(picked, this.notBefore(picked, sec));
      } else {
        picked = anyPicker.pick(this.rng);
        if (picked) produced += this.emitPlain(picked, this.notBefore(picked, sec));
      }
      if (!picked) break;
    }
  }

  /**
   * Writes every pending entry earlier than `us`. Entries leave in time order,
   * so each conversation's day file is complete once time has moved past it.
   */
  private writeUntil(us: number): void {
    for (let entry = this.pending.peek(); entry && entry.us < us; entry = this.pending.peek()) {
      this.pending.pop();
      const day = Math.floor((entry.us / 1_000_000 - this.startSec) / DAY_SECONDS);
      if (day !== this.emitDay) {
        this.writer.finishAllDays();
        this.emitDay = day;
        this.emitDayName = formatDay(entry.us);
      }
      this.writer.appendMessage(entry.conv.folder, this.emitDayName, entry.message);
    }
  }

  /** Nothing is posted in a channel before it exists. */
  private notBefore(conv: TConv, sec: number): number {
    return conv.createdDay >= 0 && sec < conv.createdSec + 600 ? conv.createdSec + 600 + this.rng.int(1800) : sec;
  }

  private pickSecondOfDay(): number {
    let r = this.rng.next() * HOUR_TOTAL;
    let hour = 0;
    for (; hour < 23; hour++) {
      r -= HOUR_WEIGHTS[hour] ?? 0;
      if (r < 0) break;
    }
    return hour * 3600 + this.rng.int(3600);
  }

  /** A fresh `ts` (in microseconds) within the given second, unique per conversation. */
  private micros(sec: number): number {
    return sec * 1_000_000 + uniqueMicros(this.sequence++);
  }

  private push(conv: TConv, us: number, message: TSlackMessage): void {
    this.pending.push({ us, conv, message });
    this.summary.messages++;
    this.remaining--;
  }

  private pickAuthor(conv: TConv): string {
    return conv.humans[this.rng.skewedIndex(conv.humans.length, 1.6)] ?? this.humans[0] ?? SLACKBOT_ID;
  }

  private humanMessage(user: string, us: number, text: string): TSlackMessage {
    return { client_msg_id: this.rng.uuid(), type: "message", text, user, ts: formatTs(us), team: this.teamId };
  }

  /** Adds the occasional edit, reactions, shared file or pin to a person's message. */
  private decorate(conv: TConv, message: TSlackMessage, user: string, us: number): void {
    const rng = this.rng;
    if (rng.chance(P_EDIT)) {
      message.edited = { user, ts: formatTs(us + rng.between(5, 1800) * 1_000_000 + rng.int(1_000_000)) };
      this.summary.edits++;
    }
    if (rng.chance(P_FILE)) {
      const count = rng.chance(0.1) ? 2 : 1;
      const sec = Math.floor(us / 1_000_000);
      message.files = [];
      for (let i = 0; i < count; i++) {
        const spec = pickFileSpec(rng);
        const id = this.ids.next("F");
        const safeName = encodeURIComponent(spec.name);
        message.files.push({
          id,
          created: sec,
          timestamp: sec,
          name: spec.name,
          title: spec.title,
          mimetype: spec.mimetype,
          filetype: spec.filetype,
          pretty_type: spec.prettyType,
          user,
          size: spec.size,
          mode: "hosted",
          is_external: false,
          is_public: conv.kind === "public",
          url_private: `https://files.slack.com/files-pri/${this.teamId}-${id}/${safeName}`,
          url_private_download: `https://files.slack.com/files-pri/${this.teamId}-${id}/download/${safeName}`,
          permalink: `https://${this.domain}.slack.com/files/${user}/${id}/${safeName}`,
        });
      }
      message.upload = true;
      this.summary.files += count;
    }
    this.maybeReact(conv, message);
    if (rng.chance(P_PIN) && conv.kind !== "dm" && conv.pins.length < 100) {
      message.pinned_to = [conv.id];
      conv.pins.push({
        id: message.ts,
        type: conv.kind === "public" ? "C" : "G",
        user,
        owner: user,
        created: Math.floor(us / 1_000_000) + 60,
      });
    }
  }

  private maybeReact(conv: TConv, message: TSlackMessage): void {
    const rng = this.rng;
    if (!rng.chance(P_REACTION) || conv.humans.length === 0) return;
    const kinds = rng.chance(0.75) ? 1 : rng.between(2, 3);
    const names = new Set<string>();
    message.reactions = [];
    for (let i = 0; i < kinds; i++) {
      const name = pickReaction(rng);
      if (names.has(name)) continue;
      names.add(name);
      const users = new Set<string>();
      const n = Math.min(conv.humans.length, rng.chance(0.6) ? 1 : rng.between(2, 6));
      while (users.size < n) users.add(this.pickAuthor(conv));
      message.reactions.push({ name, users: [...users], count: users.size });
      this.summary.reactions += users.size;
    }
  }

  private lineFor(conv: TConv): string {
    const r = this.rng.next();
    const ctx = conv.textContext;
    const social = conv.flavor === "social" ? 0.55 : conv.flavor === "dm" ? 0.4 : 0.15;
    if (r < social) return writeSocialLine(ctx);
    if (r < social + 0.15) return writeQuestion(ctx);
    return writeWorkLine(ctx);
  }

  private emitPlain(conv: TConv, sec: number): number {
    const us = this.micros(sec);
    const user = this.pickAuthor(conv);
    const message = this.humanMessage(user, us, this.lineFor(conv));
    this.decorate(conv, message, user, us);
    this.push(conv, us, message);
    return 1;
  }

  private emitThread(conv: TConv, sec: number): number {
    if (this.remaining < 2) return this.emitPlain(conv, sec);
    const rng = this.rng;
    const us = this.micros(sec);
    const author = this.pickAuthor(conv);
    let parent: TSlackMessage;
    if (rng.chance(P_TOMBSTONE_PARENT)) {
      // A deleted parent whose replies survive: Slack keeps a tombstone.
      parent = { type: "message", subtype: "tombstone", text: "This message was deleted.", user: SLACKBOT_ID, hidden: true, ts: formatTs(us) };
    } else {
      parent = this.humanMessage(author, us, rng.chance(0.4) ? writeQuestion(conv.textContext) : this.lineFor(conv));
    }
    const replyCount = Math.min(1 + Math.floor(rng.exponential(2.2)), 40, this.remaining - 1);
    this.attachReplies(conv, parent, us, author, replyCount);
    if (parent.subtype !== "tombstone") this.decorate(conv, parent, author, us);
    return 1 + replyCount;
  }

  /** Pushes `parent` and `count` replies, filling the parent's thread summary fields. */
  private attachReplies(conv: TConv, parent: TSlackMessage, parentUs: number, parentUser: string, count: number): void {
    const rng = this.rng;
    const replies: { user: string; ts: string }[] = [];
    const replyUsers: string[] = [];
    const entries: { us: number; message: TSlackMessage; user: string }[] = [];
    let sec = Math.floor(parentUs / 1_000_000);
    const limit = sec + MAX_THREAD_SECONDS;
    for (let i = 0; i < count; i++) {
      sec = Math.min(limit, sec + 15 + Math.floor(rng.exponential(900)));
      const us = this.micros(sec);
      const user = i === 1 && rng.chance(0.4) && parentUser !== SLACKBOT_ID ? parentUser : this.pickAuthor(conv);
      const message = this.humanMessage(user, us, writeReplyLine(conv.textContext));
      message.thread_ts = parent.ts;
      message.parent_user_id = parentUser;
      this.decorate(conv, message, user, us);
      entries.push({ us, message, user });
      replies.push({ user, ts: message.ts });
      if (!replyUsers.includes(user)) replyUsers.push(user);
    }
    parent.thread_ts = parent.ts;
    parent.reply_count = count;
    parent.reply_users_count = replyUsers.length;
    parent.latest_reply = replies[replies.length - 1]?.ts ?? parent.ts;
    parent.reply_users = replyUsers;
    parent.replies = replies;
    this.push(conv, parentUs, parent);
    for (const e of entries) this.push(conv, e.us, e.message);
    this.summary.threads++;
    this.summary.replies += count;
  }

  private emitCommand(conv: TConv, sec: number): number {
    if (this.remaining < 3) return this.emitPlain(conv, sec);
    const rng = this.rng;
    const command = buildChatCommand(rng);
    const invoker = this.pickAuthor(conv);
    const us = this.micros(sec);
    const message = this.humanMessage(invoker, us, command.text);
    this.maybeReact(conv, message);
    this.push(conv, us, message);

    const jobId = this.jobId++;
    const startSec = sec + rng.between(1, 4);
    const startUs = this.micros(startSec);
    this.pushBot(conv, startUs, buildCommandStartMessage({ bot: this.deploybot, ts: formatTs(startUs), command: command.command, invokerId: invoker, jobId }));

    const duration =
      command.verb === "deploy" ? rng.between(60, 600)
      : command.verb === "rollback" ? rng.between(45, 400)
      : command.verb === "restart" ? rng.between(10, 180)
      : command.verb === "scale" ? rng.between(20, 200)
      : rng.between(1, 5);
    const failed = rng.chance(0.12);
    const exitCode = failed ? rng.pick([1, 1, 1, 2, 137]) : 0;
    const host = pickHost(rng);
    const output = failed
      ? `Error: ${pickErrorCode(rng)} while talking to ${host}\n${pickException(rng)}\nexit status ${exitCode}`
      : command.verb === "status"
        ? `${rng.between(2, 24)}/${rng.between(2, 24)} pods ready, error rate ${rng.int(3)}.${rng.int(10)}%`
        : `${command.verb} complete on ${host}; health checks passing`;
    const endUs = this.micros(startSec + duration);
    const finish = buildCommandFinishMessage({ bot: this.deploybot, ts: formatTs(endUs), command: command.command, invokerId: invoker, jobId, exitCode, durationSeconds: duration, output });
    this.maybeReact(conv, finish);
    this.pushBot(conv, endUs, finish);
    return 3;
  }

  private pushBot(conv: TConv, us: number, message: TSlackMessage): void {
    this.push(conv, us, message);
    this.summary.botMessages++;
  }

  private emitAlert(conv: TConv, sec: number): number {
    const rng = this.rng;
    const alert = buildAlert(rng);
    const us = this.micros(sec);
    let produced = 0;
    if (rng.chance(0.7)) {
      const common = {
        bot: this.alertmanager,
        alertName: alert.name,
        host: alert.host,
        env: alert.env,
        severity: alert.severity,
        description: `${alert.service} on ${alert.host}: ${alert.value}`,
        dashboardUrl: dashboardUrl(alert.service, rng.alnum(9).toLowerCase()),
        runbookUrl: runbookUrl(`${alert.name.toLowerCase()}`),
      };
      const firing = buildAlertMessage({ ...common, ts: formatTs(us), state: "firing", count: rng.chance(0.85) ? 1 : rng.between(2, 5) });
      // A quarter of alerts get a human thread under them ("ack, looking").
      const threadReplies = rng.chance(0.25) && this.remaining >= 2 ? Math.min(rng.between(1, 4), this.remaining - 1) : 0;
      if (threadReplies > 0) {
        this.attachReplies(conv, firing, us, this.alertmanager.userId, threadReplies);
        this.summary.botMessages++;
        produced += 1 + threadReplies;
      } else {
        this.pushBot(conv, us, firing);
        produced += 1;
      }
      if (this.remaining >= 1 && rng.chance(0.65)) {
        const resolvedUs = this.micros(sec + rng.between(120, 3 * 3600));
        this.pushBot(conv, resolvedUs, buildAlertMessage({ ...common, ts: formatTs(resolvedUs), state: "resolved" }));
        produced++;
      }
      return produced;
    }
    const number = this.incidentNumber++;
    const title = `${alert.name} on ${alert.host} (${alert.env})`;
    this.pushBot(conv, us, buildPagerDutyMessage({ bot: this.pagerduty, ts: formatTs(us), action: "Triggered", incidentNumber: number, title, service: alert.service, blockId: rng.alnum(5) }));
    produced++;
    let at = sec;
    for (const action of ["Acknowledged", "Resolved"] as const) {
      if (this.remaining < 1 || !rng.chance(0.6)) break;
      at += rng.between(30, 3600);
      const later = this.micros(at);
      this.pushBot(conv, later, buildPagerDutyMessage({ bot: this.pagerduty, ts: formatTs(later), action, incidentNumber: number, title, service: alert.service, byUserId: this.pickAuthor(conv), blockId: rng.alnum(5) }));
      produced++;
    }
    return produced;
  }

  private emitEvent(conv: TConv, sec: number): number {
    const rng = this.rng;
    const us = this.micros(sec);
    const r = rng.next();
    if (r < 0.6) {
      // Someone joins; they are a member from now on.
      const user = this.humans[rng.int(this.humans.length)] ?? SLACKBOT_ID;
      const message: TSlackMessage = { type: "message", subtype: "channel_join", text: joinText(user), user, ts: formatTs(us) };
      if (rng.chance(0.3)) message.inviter = this.pickAuthor(conv);
      if (!conv.memberSet.has(user)) {
        conv.memberSet.add(user);
        conv.humans.push(user);
      }
      this.push(conv, us, message);
    } else if (r < 0.9) {
      const user = this.pickAuthor(conv);
      const topic = pickTopic(rng);
      conv.topic = { value: topic, creator: user, last_set: sec };
      this.push(conv, us, { type: "message", subtype: "channel_topic", text: topicText(user, topic), user, topic, ts: formatTs(us) });
    } else {
      const user = this.pickAuthor(conv);
      const purpose = pickPurpose(rng);
      conv.purpose = { value: purpose, creator: user, last_set: sec };
      this.push(conv, us, { type: "message", subtype: "channel_purpose", text: purposeText(user, purpose), user, purpose, ts: formatTs(us) });
    }
    this.summary.events++;
    return 1;
  }

  /** The creator's join, a few more joins and a topic, when a channel is created inside the export. */
  private emitCreationEvents(conv: TConv): number {
    if (conv.kind !== "public" && conv.kind !== "private") return 0;
    let produced = 0;
    let sec = conv.createdSec;
    const joiners = conv.humans.slice(0, Math.min(conv.humans.length, conv.flavor === "incident" ? 4 : 2));
    for (const user of joiners) {
      if (this.remaining <= 0) return produced;
      const us = this.micros(sec);
      const message: TSlackMessage = { type: "message", subtype: "channel_join", text: joinText(user), user, ts: formatTs(us) };
      if (user !== conv.creator) message.inviter = conv.creator;
      this.push(conv, us, message);
      this.summary.events++;
      produced++;
      sec += this.rng.between(5, 90);
    }
    if (this.remaining > 0) {
      const topic = conv.flavor === "incident" ? `${conv.name.replace(/^inc-\d{4}-\d{2}-\d{2}-/, "")} | status: investigating` : pickTopic(this.rng);
      if (topic) {
        const us = this.micros(sec);
        conv.topic = { value: topic, creator: conv.creator, last_set: sec };
        this.push(conv, us, { type: "message", subtype: "channel_topic", text: topicText(conv.creator, topic), user: conv.creator, topic, ts: formatTs(us) });
        this.summary.events++;
        produced++;
      }
    }
    return produced;
  }

  private writeListings(): void {
    const channel = (c: TConv): TSlackChannel => ({
      id: c.id,
      name: c.name,
      created: c.createdSec,
      creator: c.creator,
      is_archived: false,
      is_general: c.name === "general",
      members: [...c.humans, ...c.bots],
      pins: c.pins.length > 0 ? c.pins : undefined,
      topic: c.topic,
      purpose: c.purpose,
    });
    this.writer.writeListing("users.json", this.users);
    this.writer.writeListing("channels.json", this.convs.filter((c) => c.kind === "public").map(channel));
    this.writer.writeListing("groups.json", this.convs.filter((c) => c.kind === "private").map(channel));
    this.writer.writeListing(
      "dms.json",
      this.convs.filter((c) => c.kind === "dm").map((c): TSlackDm => ({ id: c.id, created: c.createdSec, members: c.humans })),
    );
    this.writer.writeListing("mpims.json", this.convs.filter((c) => c.kind === "mpim").map(channel));
  }
}

const HOUR_TOTAL = HOUR_WEIGHTS.reduce((a, b) => a + b, 0);

/** Weighted choice over a fixed list by binary search on cumulative weights. */
class WeightedPicker<T> {
  private readonly cumulative: number[] = [];
  private readonly total: number;

  constructor(
    private readonly items: readonly T[],
    weight: (item: T) => number,
  ) {
    let sum = 0;
    for (const item of items) {
      sum += weight(item);
      this.cumulative.push(sum);
    }
    this.total = sum;
  }

  pick(rng: SeededRandom): T | undefined {
    if (this.items.length === 0 || this.total <= 0) return undefined;
    const r = rng.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.cumulative[mid] ?? 0) > r) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo];
  }
}

/** A binary min-heap of entries by time. */
class EntryHeap {
  private readonly items: TEntry[] = [];

  peek(): TEntry | undefined {
    return this.items[0];
  }

  push(entry: TEntry): void {
    const items = this.items;
    items.push(entry);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent];
      if (!p || p.us <= entry.us) break;
      items[i] = p;
      i = parent;
    }
    items[i] = entry;
  }

  pop(): TEntry | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || !last) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const l = items[left];
      const r = items[right];
      const child = r && l && r.us < l.us ? right : left;
      const c = items[child];
      if (!c || c.us >= last.us) break;
      items[i] = c;
      i = child;
    }
    items[i] = last;
    return top;
  }
}
