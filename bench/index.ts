import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import pg from "pg";
import copyStreams from "pg-copy-streams";
import { acquireEmbeddedPostgres } from "../lib/database/embedded";
import { migrate } from "../lib/database/migrate";
import { generateSlackExport } from "../lib/demo/generate-slack-export";
import { benchRelevance, benchSearch } from "./search";
import { benchTimeline } from "./timeline";
import { benchEvents, benchExecutions } from "./events";

/**
 * `npm run bench -- [--scale N] [--only import] [--json]`
 *
 * Measures on this machine and prints one JSON object. Parts:
 * - import: a generated Slack export of N entries (default 1,000,000) through
 *   `backscroll import`, against a raw COPY of the same message rows into a
 *   table with the same indexes, in the same run.
 * - search: 200 mixed queries through the search service, sort=relevance and
 *   newest, facets, index vs table size (bench/search.ts).
 * - relevance: recall@10 and MRR of the real-data relevance check (bench/search.ts).
 * Runs against DATABASE_URL when set, else an embedded server under bench/out
 * (or under BENCH_OUT).
 */

const ROOT = path.resolve(import.meta.dirname, "..");
const OUT = process.env.BENCH_OUT ? path.resolve(process.env.BENCH_OUT) : path.join(ROOT, "bench", "out");

const { values } = parseArgs({
  options: {
    scale: { type: "string", default: "1000000" },
    only: { type: "string", multiple: true },
    json: { type: "boolean", default: false },
    seed: { type: "string", default: "42" },
  },
});
const scale = Number(values.scale);
if (!Number.isInteger(scale) || scale < 1) throw new Error("--scale must be a positive integer");
const only = new Set((values.only ?? []).flatMap((o) => o.split(",")).map((o) => o.trim()).filter(Boolean));
const wants = (part: string) => only.size === 0 || only.has(part);
const log = (s: string) => process.stderr.write(s + "\n");

async function freshDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = "/" + name;
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  await migrate(c);
  await c.end();
  return u.toString();
}

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; seconds: number }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    // The same heap flags as the `backscroll` command's first line.
    const flags = ["--max-old-space-size=384", "--max-semi-space-size=8"];
    const child = spawn(process.execPath, [...flags, path.join(ROOT, "bin", "backscroll.mjs"), ...args], { env, stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.on("close", (code) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code === 0) resolve({ stdout, seconds });
      else reject(new Error(`backscroll ${args.join(" ")} exited ${code}`));
    });
  });
}

async function ensureExport(n: number, seed: number): Promise<string> {
  const dir = path.join(OUT, `export-${n}-${seed}`);
  const marker = path.join(dir, ".complete");
  if (fs.existsSync(marker)) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  log(`generating a Slack export of ${n.toLocaleString("en-US")} entries…`);
  await generateSlackExport(dir, { messages: n, seed });
  fs.writeFileSync(marker, "");
  return dir;
}

/** COPY the message rows out, then time COPY into a same-shaped table. */
async function rawCopyRate(url: string): Promise<{ rows: number; perSec: number }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query("DROP TABLE IF EXISTS bench_message_copy");
    await c.query("CREATE TABLE bench_message_copy (LIKE message INCLUDING ALL)");
    const file = path.join(OUT, "message-copy.tsv");
    await pipeline(c.query(copyStreams.to("COPY message TO STDOUT")), fs.createWriteStream(file));
    const t0 = process.hrtime.bigint();
    await c.query("BEGIN");
    await pipeline(fs.createReadStream(file), c.query(copyStreams.from("COPY bench_message_copy FROM STDIN")));
    await c.query("COMMIT");
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const rows = Number((await c.query("SELECT count(*) AS n FROM bench_message_copy")).rows[0].n);
    await c.query("DROP TABLE bench_message_copy");
    fs.rmSync(file, { force: true });
    return { rows, perSec: rows / seconds };
  } finally {
    await c.end();
  }
}

async function benchImport(adminUrl: string): Promise<Record<string, unknown>> {
  const dir = await ensureExport(scale, Number(values.seed));
  const url = await freshDatabase(adminUrl, "bench_import");
  log("importing…");
  const env = { ...process.env, DATABASE_URL: url, LOG_LEVEL: "warn" };
  const run = await runCli(["import", dir, "--json"], env);
  const summary = JSON.parse(run.stdout) as { archive: { messages: number; channelEvents: number }; peakRssMb: number; seconds: number };
  const entries = summary.archive.messages + summary.archive.channelEvents;
  log("raw COPY of the same rows…");
  const raw = await rawCopyRate(url);
  const size = new pg.Client({ connectionString: url });
  await size.connect();
  const dbSizeMb = Number((await size.query("SELECT pg_database_size(current_database()) AS s")).rows[0].s) / 1024 ** 2;
  await size.end();
  const messagesPerSec = summary.archive.messages / summary.seconds;
  return {
    messages: summary.archive.messages,
    entries,
    seconds: round(summary.seconds),
    messagesPerSec: Math.round(messagesPerSec),
    rawCopyPerSec: Math.round(raw.perSec),
    ratio: round(messagesPerSec / raw.perSec),
    peakRssMb: summary.peakRssMb,
    dbSizeMb: Math.round(dbSizeMb),
    data: `generated Slack export (lib/demo/generate-slack-export.ts, seed ${values.seed}): synthetic, not replayed real data`,
  };
}

const round = (x: number) => Math.round(x * 100) / 100;

/** Time `COPY (SELECT …) TO STDOUT` of the message rows, discarding the output. */
async function rawCopyOutRate(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const rows = Number((await c.query("SELECT count(*) AS n FROM message")).rows[0].n);
    const t0 = process.hrtime.bigint();
    const sink = new (await import("node:stream")).Writable({ write: (_c, _e, cb) => cb() });
    await pipeline(
      c.query(copyStreams.to("COPY (SELECT m.*, c.external_id, c.name FROM message m JOIN channel c ON c.id = m.channel_id ORDER BY m.channel_id, m.ts) TO STDOUT")),
      sink,
    );
    return rows / (Number(process.hrtime.bigint() - t0) / 1e9);
  } finally {
    await c.end();
  }
}

async function benchExport(adminUrl: string, imported: boolean): Promise<Record<string, unknown>> {
  const u = new URL(adminUrl);
  u.pathname = "/bench_import";
  const url = u.toString();
  if (!imported) {
    let have = 0;
    try {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      have = Number((await c.query("SELECT count(*) AS n FROM message")).rows[0].n);
      await c.end();
    } catch {
      have = 0;
    }
    if (have === 0) await benchImport(adminUrl);
  }
  log("raw COPY TO of the messages…");
  const raw = await rawCopyOutRate(url);
  const env = { ...process.env, DATABASE_URL: url, LOG_LEVEL: "warn" };
  const out: Record<string, unknown> = { rawCopyPerSec: Math.round(raw) };
  for (const format of ["jsonl", "csv", "eml"]) {
    log(`export ${format}…`);
    const dir = path.join(OUT, "exports");
    fs.rmSync(dir, { recursive: true, force: true });
    const r = await runCli(["export", "--format", format, "--out", dir, "--json"], env);
    const s = JSON.parse(r.stdout) as { records: number; seconds: number; peakRssMb: number };
    const perSec = s.records / s.seconds;
    out[format] = { messages: s.records, messagesPerSec: Math.round(perSec), ratio: round(perSec / raw), peakRssMb: s.peakRssMb };
  }
  return out;
}

async function main(): Promise<void> {
  fs.mkdirSync(OUT, { recursive: true });
  let adminUrl = process.env.DATABASE_URL;
  let release: (() => Promise<void>) | undefined;
  if (!adminUrl) {
    const h = await acquireEmbeddedPostgres(path.join(OUT, "pg-home"));
    adminUrl = h.url;
    release = h.release;
  }
  const result: Record<string, unknown> = { machine: { cpus: (await import("node:os")).availableParallelism(), node: process.version }, scale };
  try {
    if (wants("import")) result.import = await benchImport(adminUrl);
    if (wants("export")) result.export = await benchExport(adminUrl, wants("import"));
    if (wants("search")) {
      const importedUrl = wants("import") ? Object.assign(new URL(adminUrl), { pathname: "/bench_import" }).toString() : null;
      result.search = await benchSearch({ adminUrl, scale, seed: Number(values.seed), outDir: OUT, importedUrl, runCli, freshDatabase, log });
    }
    if (wants("relevance")) result.relevance = await benchRelevance({ adminUrl, freshDatabase, log });
    if (wants("timeline")) result.timeline = await benchTimeline(adminUrl, freshDatabase, { outDir: OUT, log });
    if (wants("events")) result.events = await benchEvents(adminUrl, freshDatabase, { log });
    if (wants("executions")) result.executions = await benchExecutions(adminUrl, freshDatabase, { log });
  } finally {
    await release?.();
  }
  process.stdout.write(JSON.stringify(result, null, values.json ? 0 : 2) + "\n");
}

await main();
