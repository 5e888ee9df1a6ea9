import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { createBotToken } from "../lib/bots/service";
import { SeededRandom } from "../lib/demo/seeded-random";
import type { NChannel, NPerson } from "../lib/ingest/adapter";
import { signSlackRequest } from "../lib/ingest/adapters/slack-events/signature";
import { sha256Json } from "../lib/ingest/adapters/slack-export/normalize";
import { emptyCounts } from "../lib/ingest/load";
import { commitBatch } from "../lib/ingest/run";
import { createIngestRun, finishIngestRun } from "../lib/ingest/repository";

/**
 * `npm run bench -- --only events,executions`.
 *
 * events: v0-signed Events API deliveries over HTTP on loopback to the
 * product's `POST /api/slack/events` handler, with `backscroll worker`
 * running as in production, end to end until every receipt is archived
 * (message rows, versions, deletions, reactions). A realistic mix for 20
 * generated channels: new messages and thread replies, message_changed,
 * message_deleted, reaction_added/removed. Throughput at concurrency 20 with
 * its ack latency; then ack p99 at a fixed offered load of 500 events/s
 * (open loop: latency counted from each request's scheduled send time, so a
 * stalled server cannot hide its queue).
 *
 * executions: token-authenticated `POST /api/executions` at concurrency 20.
 */

const ROOT = path.resolve(import.meta.dirname, "..");
const TEAM = "T0BENCHEV";
export const SECRET = "bench-signing-secret-0123456789abcdef";
const CHANNELS = Array.from({ length: 20 }, (_, i) => `C0BEV${String(i).padStart(4, "0")}`);
const PEOPLE = Array.from({ length: 200 }, (_, i) => `U0BEV${String(i).padStart(4, "0")}`);

type TFreshDatabase = (adminUrl: string, name: string) => Promise<string>;
type TOpts = { log?: (s: string) => void; events?: number; executions?: number; rate?: number; rateSeconds?: number };

const round = (x: number) => Math.round(x * 10) / 10;
function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] ?? 0;
}

/** The workspace, channels and people an earlier import or sync would have stored. */
async function seedWorkspace(pool: pg.Pool): Promise<void> {
  const person = (id: string): NPerson => {
    const raw = { id, name: id.toLowerCase() };
    return { externalId: id, name: id.toLowerCase(), realName: `Person ${id.slice(-4)}`, isBot: false, deleted: false, raw, rawSha256: sha256Json(raw) };
  };
  const channel = (id: string, i: number): NChannel => {
    const raw = { id, name: `bench-${i}` };
    return { externalId: id, name: `bench-${i}`, kind: "public", archived: false, members: PEOPLE.slice(0, 50), raw, rawSha256: sha256Json(raw) };
  };
  const runId = await createIngestRun(pool, { source: "bench-seed", sourceKey: "bench-seed", location: "bench" });
  const client = await pool.connect();
  try {
    await commitBatch(
      client,
      { workspace: { platform: "slack", externalId: TEAM, name: "Bench events" }, people: PEOPLE.map(person), channels: CHANNELS.map(channel) },
      { source: "slack-api", ingestRunId: runId },
      { sourceKey: "bench-seed", runId, counts: emptyCounts() },
    );
  } finally {
    client.release();
  }
  await finishIngestRun(pool, runId, "completed");
}

/** Generates the delivery mix; edits, deletions and reactions target messages sent well before. */
export class EventMix {
  private readonly r: SeededRandom;
  private seq = 0;
  private clock = Math.floor(Date.now() / 1000) * 1_000_000;
  private readonly sent: { channel: string; ts: string; user: string; text: string }[] = [];
  newMessages = 0;

  constructor(seed: number, readonly prefix: string) {
    this.r = new SeededRandom(seed);
  }

  private ts(): string {
    this.clock += 1000 + this.r.int(50_000);
    return `${Math.floor(this.clock / 1_000_000)}.${String(this.clock % 1_000_000).padStart(6, "0")}`;
  }

  /** An old enough message to change (sent ≥ 200 deliveries ago), if any. */
  private target() {
    if (this.sent.length < 300) return undefined;
    return this.sent[this.r.int(this.sent.length - 200)];
  }

  next(): string {
    const r = this.r;
    const roll = r.next();
    const ts = this.ts();
    let event: Record<string, unknown>;
    const t = this.target();
    if (t && roll < 0.12) {
      const text = `${t.text} (edited)`;
      event = {
        type: "message",
        subtype: "message_changed",
        hidden: true,
        channel: t.channel,
        channel_type: "channel",
        ts,
        event_ts: ts,
        message: { type: "message", user: t.user, text, ts: t.ts, edited: { user: t.user, ts } },
        previous_message: { type: "message", user: t.user, text: t.text, ts: t.ts },
      };
      t.text = text;
    } else if (t && roll < 0.16) {
      event = { type: "message", subtype: "message_deleted", hidden: true, channel: t.channel, channel_type: "channel", ts, event_ts: ts, deleted_ts: t.ts, previous_message: { type: "message", user: t.user, text: t.text, ts: t.ts } };
    } else if (t && roll < 0.28) {
      event = { type: roll < 0.25 ? "reaction_added" : "reaction_removed", user: r.pick(PEOPLE), reaction: r.pick(["eyes", "+1", "white_check_mark", "fire"]), item_user: t.user, item: { type: "message", channel: t.channel, ts: t.ts }, event_ts: ts };
    } else {
      const channel = CHANNELS[r.skewedIndex(CHANNELS.length)]!;
      const user = PEOPLE[r.skewedIndex(PEOPLE.length)]!;
      const text = `${r.pick(["deploying", "seeing errors on", "restarted", "looks fine", "rolling back", "checking"])} api-gw-${r.between(1, 9)} ${r.alnum(8)} in ${this.prefix}`;
      const parent = this.sent.length > 50 && r.chance(0.2) ? this.sent[this.sent.length - 1 - r.int(50)] : undefined;
      event = { type: "message", channel, channel_type: "channel", user, text, ts, event_ts: ts, ...(parent && parent.channel === channel ? { thread_ts: parent.ts } : {}) };
      this.sent.push({ channel, ts, user, text });
      this.newMessages++;
    }
    this.seq++;
    return JSON.stringify({
      token: "legacy",
      team_id: TEAM,
      api_app_id: "A0BENCH",
      type: "event_callback",
      event_id: `Ev${this.prefix}${String(this.seq).padStart(9, "0")}`,
      event_time: Math.floor(this.clock / 1_000_000),
      event,
    });
  }
}

export function post(agent: http.Agent, port: number, pathName: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: pathName, method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}

export function signed(body: string): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  return { "x-slack-request-timestamp": String(ts), "x-slack-signature": signSlackRequest(SECRET, ts, body) };
}

function startChild(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "inherit"] });
}

export async function startServer(env: NodeJS.ProcessEnv): Promise<{ port: number; child: ChildProcess }> {
  const child = startChild(["--import", "tsx", path.join(ROOT, "bench", "route-server.ts")], env);
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve(Number(out.trim()));
    });
    child.once("exit", (c) => reject(new Error(`route server exited ${c}`)));
  });
  return { port, child };
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const done = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await done;
}

async function receiptsPending(pool: pg.Pool): Promise<{ received: number; pending: number; failed: number }> {
  const r = await pool.query<{ received: number; pending: number; failed: number }>(
    `SELECT count(*)::int AS received, count(*) FILTER (WHERE processed_at IS NULL)::int AS pending, count(*) FILTER (WHERE error IS NOT NULL)::int AS failed FROM slack_event_receipt`,
  );
  return r.rows[0]!;
}

async function untilArchived(pool: pg.Pool, expected: number, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const s = await receiptsPending(pool);
    if (s.received >= expected && s.pending === 0) return performance.now();
    if (Date.now() - t0 > timeoutMs) throw new Error(`events not archived after ${timeoutMs} ms: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** events: throughput at concurrency 20, end to end, then ack p99 at 500/s. */
export async function benchEvents(adminUrl: string, freshDatabase: TFreshDatabase, opts: TOpts = {}): Promise<Record<string, unknown>> {
  const log = opts.log ?? (() => undefined);
  const total = opts.events ?? Number(process.env.BENCH_EVENTS ?? 10_000);
  const rate = opts.rate ?? 500;
  const rateSeconds = opts.rateSeconds ?? 10;
  const url = await freshDatabase(adminUrl, "bench_events");
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const env = { ...process.env, DATABASE_URL: url, SLACK_SIGNING_SECRET: SECRET, LOG_LEVEL: "warn" };
  await seedWorkspace(pool);
  const server = await startServer(env);
  const worker = startChild([path.join(ROOT, "bin", "backscroll.mjs"), "worker"], env);
  try {
    // Warm up (module loading, first connections), then start from an empty queue.
    const warm = new EventMix(7, "W");
    const agent = new http.Agent({ keepAlive: true, maxSockets: 20 });
    for (let i = 0; i < 40; i++) {
      const b = warm.next();
      await post(agent, server.port, "/api/slack/events", b, signed(b));
    }
    await untilArchived(pool, 40, 60_000);

    log(`events: ${total.toLocaleString("en-US")} signed deliveries at concurrency 20, worker archiving…`);
    const mix = new EventMix(42, "A");
    const bodies = Array.from({ length: total }, () => mix.next());
    const ack: number[] = [];
    const statuses = new Map<number, number>();
    let i = 0;
    const t0 = performance.now();
    const client = async () => {
      for (;;) {
        const k = i++;
        if (k >= bodies.length) return;
        const s = performance.now();
        const status = await post(agent, server.port, "/api/slack/events", bodies[k]!, signed(bodies[k]!));
        ack.push(performance.now() - s);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: 20 }, client));
    const tAcked = performance.now();
    const tDone = await untilArchived(pool, total + 40, 15 * 60_000);
    const rows = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM message m JOIN channel c ON c.id = m.channel_id WHERE m.text LIKE '% in A'  OR m.text LIKE '% in A (edited)%'`);
    const failed = (await receiptsPending(pool)).failed;
    const seconds = (tDone - t0) / 1000;

    const fixedRate = async (perSec: number, prefix: string) => {
      log(`events: ack latency at a fixed ${perSec}/s for ${rateSeconds} s (open loop)…`);
      const fixed = new EventMix(perSec, prefix);
      const n = perSec * rateSeconds;
      const fixedBodies = Array.from({ length: n }, () => fixed.next());
      const openAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });
      const lat: number[] = [];
      let errors = 0;
      const start = performance.now() + 50;
      const inflight: Promise<void>[] = [];
      for (let k = 0; k < n; k++) {
        const due = start + (k * 1000) / perSec;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        const done = (ok: boolean) => {
          if (!ok) errors++;
          lat.push(performance.now() - due);
        };
        inflight.push(post(openAgent, server.port, "/api/slack/events", fixedBodies[k]!, signed(fixedBodies[k]!)).then((status) => done(status === 200), () => done(false)));
      }
      await Promise.all(inflight);
      const seconds = (performance.now() - start) / 1000;
      openAgent.destroy();
      received += n;
      await untilArchived(pool, received, 15 * 60_000);
      return { sent: n, seconds: round(seconds), ackP50Ms: round(percentile(lat, 0.5)), ackP99Ms: Math.round(percentile(lat, 0.99)), ackMaxMs: Math.round(Math.max(...lat)), errors };
    };
    let received = total + 40;
    const at100 = await fixedRate(100, "C");
    const at500 = await fixedRate(rate, "B");
    agent.destroy();
    return {
      perSec: Math.round(total / seconds),
      ackP99Ms: Math.round(percentile(ack, 0.99)),
      ackP99At500PerSecMs: at500.ackP99Ms,
      events: total,
      ackedPerSec: Math.round(total / ((tAcked - t0) / 1000)),
      ackP50Ms: round(percentile(ack, 0.5)),
      secondsToArchive: round(seconds),
      statuses: Object.fromEntries(statuses),
      failedReceipts: failed,
      archivedMessages: rows.rows[0]!.n,
      expectedMessages: mix.newMessages,
      at500PerSec: at500,
      at100PerSec: at100,
      loadAverage1m: Math.round(os.loadavg()[0]! * 10) / 10,
      note: "Signed deliveries over HTTP on loopback to a node:http server calling app/api/slack/events/route.ts's POST (the route is a thin wrapper over lib/sources/events-service; Next's router is not in the path); one `backscroll worker` process archiving as in production, all on this machine with the embedded PostgreSQL. perSec = deliveries / time from the first send until every receipt is processed (end to end).",
    };
  } finally {
    await stop(server.child);
    await stop(worker);
    await pool.end();
  }
}

/** executions: token-authenticated POST /api/executions at concurrency 20. */
export async function benchExecutions(adminUrl: string, freshDatabase: TFreshDatabase, opts: TOpts = {}): Promise<Record<string, unknown>> {
  const log = opts.log ?? (() => undefined);
  const total = opts.executions ?? Number(process.env.BENCH_EXECUTIONS ?? 5_000);
  const url = await freshDatabase(adminUrl, "bench_executions");
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  await seedWorkspace(pool);
  const { token } = await createBotToken(pool, { bot: "deploybot", workspace: TEAM });
  const server = await startServer({ ...process.env, DATABASE_URL: url, LOG_LEVEL: "warn" });
  const r = new SeededRandom(42);
  const base = Date.UTC(2026, 10, 4);
  const body = (k: number) => {
    const started = base + k * 7_000;
    const ok = !r.chance(0.1);
    return JSON.stringify({
      id: `job-${k}`,
      bot: "deploybot",
      command: r.pick(["deploy", "restart", "rollback", "scale", "status"]),
      arguments: [r.pick(["api-gateway", "checkout", "payments"]), `v2.${r.between(1, 40)}.${r.between(0, 9)}`, "to", "prod"],
      invoker: r.pick(PEOPLE),
      channel: r.pick(CHANNELS),
      messageTs: `${Math.floor(started / 1000)}.000100`,
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date(started + r.between(2, 400) * 1000).toISOString(),
      status: ok ? "succeeded" : "failed",
      exitCode: ok ? 0 : 1,
      output: `rolled out ${r.between(1, 6)}/6 pods\n`.repeat(r.between(1, 20)) + (r.chance(0.05) ? `DB_PASSWORD=hunter${k} --token xoxb-123-456-abcdef` : ""),
    });
  };
  try {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 20 });
    const auth = { authorization: `Bearer ${token}` };
    for (let k = 0; k < 20; k++) await post(agent, server.port, "/api/executions", body(-1 - k), auth);
    log(`executions: ${total.toLocaleString("en-US")} POSTs at concurrency 20…`);
    const bodies = Array.from({ length: total }, (_, k) => body(k));
    const statuses = new Map<number, number>();
    const lat: number[] = [];
    let i = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (;;) {
          const k = i++;
          if (k >= bodies.length) return;
          const s = performance.now();
          const status = await post(agent, server.port, "/api/executions", bodies[k]!, auth);
          lat.push(performance.now() - s);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    agent.destroy();
    const stored = (await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM execution WHERE external_id LIKE 'deploybot:job-%'")).rows[0]!.n;
    return {
      perSec: Math.round(total / seconds),
      executions: total,
      p50Ms: round(percentile(lat, 0.5)),
      p99Ms: Math.round(percentile(lat, 0.99)),
      statuses: Object.fromEntries(statuses),
      stored,
      note: "Each POST is one finished run (201 stored), validated, secret-masked and written through the loader; a node:http server calling app/api/executions/route.ts's POST (thin wrapper over lib/executions/service), embedded PostgreSQL on this machine.",
    };
  } finally {
    await stop(server.child);
    await pool.end();
  }
}
