import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import type pg from "pg";
import type { IngestAdapter, IngestInput, NChannel, NMessage, NPerson, NormalizedBatch } from "../../lib/ingest/adapter";
import { sha256Json } from "../../lib/executions/normalize";
import { runIngest } from "../../lib/ingest/run";
import { slackExportAdapter } from "../../lib/ingest/adapters/slack-export/adapter";
import { salAdapter } from "../../lib/ingest/adapters/server-admin-log/adapter";
import type { TViewer } from "../../lib/access/types";
import { drainSearchOutbox, searchMessages } from "../../lib/search/service";
import { RELEVANCE_QUERIES, type TRelevanceQuery } from "./search-relevance-queries";

/**
 * A loader used only by the search relevance check: the Slack Q&A chats of
 * ../shared/testdata/slack-chats-disentangled-msr2020 (XML:
 * `<slack><team_domain><channel_name><message conversation_id><ts><user><text>`).
 * Each file's team becomes a workspace, its channel a public channel named
 * `<team>-<channel>` (so `in:` names are unique beside other sets), each
 * message a message with ts = its ISO time as Slack epoch seconds. The text
 * is XML-decoded once, which leaves Slack's own markup (`<@user>`, `&gt;`).
 */

const MAX_BATCH = 5000;

function decodeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/gi, (_m, e: string) => {
    switch (e.toLowerCase()) {
      case "lt":
        return "<";
      case "gt":
        return ">";
      case "amp":
        return "&";
      case "quot":
        return '"';
      case "apos":
        return "'";
      default:
        return String.fromCodePoint(e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    }
  });
}

/** "2018-12-31T05:06:57.053700" (UTC) → "1546232817.053700". */
export function isoToSlackTs(iso: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?$/.exec(iso.trim());
  if (!m) throw new Error(`bad ts ${iso}`);
  const sec = Date.parse(`${m[1]}Z`) / 1000;
  return `${sec}.${(m[2] ?? "").padEnd(6, "0")}`;
}

export type TQaMessage = { team: string; channel: string; ts: string; user: string; text: string; conversation: string };

/** Every message of one Q&A XML file (gzip or plain). */
export function readQaFile(file: string): TQaMessage[] {
  const buf = fs.readFileSync(file);
  const xml = (file.endsWith(".gz") ? zlib.gunzipSync(buf) : buf).toString("utf8");
  const team = /<team_domain>([^<]*)<\/team_domain>/.exec(xml)?.[1] ?? path.basename(file);
  const channel = /<channel_name>([^<]*)<\/channel_name>/.exec(xml)?.[1] ?? "general";
  const out: TQaMessage[] = [];
  const re = /<message conversation_id="([^"]*)">\s*<ts>([^<]*)<\/ts>\s*<user>([^<]*)<\/user>\s*<text>([\s\S]*?)<\/text>\s*<\/message>/g;
  for (const m of xml.matchAll(re)) {
    out.push({ team, channel: `${team}-${channel}`, ts: isoToSlackTs(m[2]!), user: decodeXml(m[3]!), text: decodeXml(m[4]!), conversation: m[1]! });
  }
  return out;
}

/** The Q&A set as an ingest adapter (input.location: the set's folder). */
export const qaChatsAdapter: IngestAdapter = {
  name: "qa-chats-xml",
  async detect(input: IngestInput) {
    return fs.existsSync(input.location) && fs.readdirSync(input.location).some((f) => /\.xml(\.gz)?$/.test(f));
  },
  async sourceKey(input: IngestInput) {
    return `qa-chats-xml:${path.resolve(input.location)}`;
  },
  async *read(input: IngestInput): AsyncIterable<NormalizedBatch> {
    const files = fs
      .readdirSync(input.location)
      .filter((f) => /\.xml(\.gz)?$/.test(f))
      .sort();
    for (const f of files) {
      const all = readQaFile(path.join(input.location, f));
      if (all.length === 0) continue;
      const team = all[0]!.team;
      const workspace = { platform: "slack", externalId: `qa-${team}`, name: team };
      const channelName = all[0]!.channel;
      const rawChannel = { name: channelName };
      const channels: NChannel[] = [{ externalId: channelName, name: channelName, kind: "public", archived: false, raw: rawChannel, rawSha256: sha256Json(rawChannel) }];
      const seen = new Set<string>();
      const people: NPerson[] = [];
      for (const m of all) {
        if (seen.has(m.user)) continue;
        seen.add(m.user);
        const raw = { team, user: m.user };
        people.push({ externalId: `${team}:${m.user}`, name: m.user, isBot: false, deleted: false, raw, rawSha256: sha256Json(raw) });
      }
      // Two messages can share a microsecond stamp; keep the first (the set has no edits).
      const used = new Set<string>();
      const messages: NMessage[] = [];
      for (const m of all) {
        if (used.has(m.ts)) continue;
        used.add(m.ts);
        const raw = { file: f, ts: m.ts, user: m.user, text: m.text, conversation: m.conversation };
        messages.push({ channel: channelName, ts: m.ts, user: `${team}:${m.user}`, text: m.text, searchText: m.text, raw, rawSha256: sha256Json(raw) });
      }
      for (let i = 0; i < messages.length; i += MAX_BATCH) {
        const first = i === 0;
        yield {
          workspace,
          people: first ? people : [],
          channels: first ? channels : [],
          messages: messages.slice(i, i + MAX_BATCH),
          finishedChannels: i + MAX_BATCH >= messages.length ? [channelName] : [],
        };
      }
    }
  },
};

/** The three real sets the relevance check searches (folders of ../shared/testdata). */
export const RELEVANCE_SETS = ["slack-houstondatavis", "slack-chats-disentangled-msr2020", "miraheze-sal-and-incidents"] as const;

/**
 * Import the three sets into an empty, migrated database: houstondatavis
 * through the Slack export adapter, the Q&A chats through the loader above,
 * the admin log through the Server Admin Log adapter; then feed the search
 * vocabulary (typo tolerance) as the worker would.
 */
export async function loadRelevanceCorpus(pool: pg.Pool, testdata: string): Promise<void> {
  await runIngest({ adapter: slackExportAdapter, input: { location: path.join(testdata, "slack-houstondatavis") }, pool });
  await runIngest({ adapter: qaChatsAdapter, input: { location: path.join(testdata, "slack-chats-disentangled-msr2020") }, pool });
  await runIngest({ adapter: salAdapter, input: { location: path.join(testdata, "miraheze-sal-and-incidents", "server_admin_log") }, pool });
  while ((await drainSearchOutbox(pool)) > 0);
}

/** Each expected hit's message id; throws when a key does not name exactly the message its text fragment says. */
export async function resolveExpectedHits(pool: pg.Pool, queries: TRelevanceQuery[] = RELEVANCE_QUERIES): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const q of queries) {
    for (const e of q.expect) {
      const r = await pool.query<{ id: number; text: string }>(
        "SELECT m.id, m.text FROM message m JOIN channel c ON c.id = m.channel_id WHERE c.name = $1 AND m.ts = $2",
        [e.ch, e.ts],
      );
      const row = r.rows[0];
      if (r.rows.length !== 1 || !row!.text.includes(e.text)) {
        throw new Error(`expected hit ${e.ch}/${e.ts} of ${JSON.stringify(q.q)}: ${row ? `its text does not hold ${JSON.stringify(e.text)}` : "no such message"}`);
      }
      out.set(`${e.ch}/${e.ts}`, row!.id);
    }
  }
  return out;
}

export type TQueryOutcome = { q: string; kind: string; expected: number; found: number; firstRank: number | null; missed: string[] };
export type TRelevanceReport = { queries: number; recallAt10: number; mrr: number; byKind: Record<string, { queries: number; recallAt10: number; mrr: number }>; outcomes: TQueryOutcome[] };

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Run every query through the search service (as an administrator, sort by
 * relevance, first page of 10) and score it: recall@10 = expected hits in the
 * top 10 / min(expected, 10); reciprocal rank = 1 / rank of the first
 * expected hit in the top 10 (0 when none). Means over the queries.
 */
export async function measureRelevance(pool: pg.Pool, queries: TRelevanceQuery[] = RELEVANCE_QUERIES): Promise<TRelevanceReport> {
  const ids = await resolveExpectedHits(pool, queries);
  const admin: TViewer = { userId: 0, role: "admin", personId: null };
  const outcomes: TQueryOutcome[] = [];
  for (const q of queries) {
    const r = await searchMessages(pool, admin, { q: q.q, sort: "relevance", limit: 10, facets: false, prefixLast: q.prefixLast ?? false });
    const ranks = new Map(r.hits.map((hit, i) => [hit.id, i + 1]));
    const found = q.expect.filter((e) => ranks.has(ids.get(`${e.ch}/${e.ts}`)!));
    const firstRank = Math.min(...q.expect.map((e) => ranks.get(ids.get(`${e.ch}/${e.ts}`)!) ?? Infinity));
    outcomes.push({
      q: q.q,
      kind: q.kind,
      expected: q.expect.length,
      found: found.length,
      firstRank: Number.isFinite(firstRank) ? firstRank : null,
      missed: q.expect.filter((e) => !found.includes(e)).map((e) => `${e.ch}/${e.ts}`),
    });
  }
  const score = (os: TQueryOutcome[]) => ({
    queries: os.length,
    recallAt10: round3(os.reduce((a, o) => a + o.found / Math.min(o.expected, 10), 0) / os.length),
    mrr: round3(os.reduce((a, o) => a + (o.firstRank ? 1 / o.firstRank : 0), 0) / os.length),
  });
  const byKind: TRelevanceReport["byKind"] = {};
  for (const kind of [...new Set(outcomes.map((o) => o.kind))]) byKind[kind] = score(outcomes.filter((o) => o.kind === kind));
  return { ...score(outcomes), byKind, outcomes };
}
