import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { AppError } from "../../lib/errors";
import { isRole, ROLES } from "../../lib/access/types";
import { getEnv } from "../../lib/env";
import { getPool } from "../../lib/db";
import { closeDatabase, prepareDatabase } from "../../lib/database/prepare";
import { embeddedUrl, stopEmbeddedPostgres } from "../../lib/database/embedded";
import { migrate } from "../../lib/database/migrate";
import { resolveAdapter } from "../../lib/ingest/adapters/registry";
import { runIngest } from "../../lib/ingest/run";
import { findArchiveStats } from "../../lib/archive/stats";
import { CLI_ACTOR, createUser, listUsers, updateUser } from "../../lib/auth/users";
import { writeDemoExport, DEMO_ADMIN_PERSON_ID, DEMO_TEAM } from "../../lib/demo/demo-workspace";
import { runWorker } from "../index";
import { createProgressBar } from "./progress";
import { SEARCH_COMMANDS } from "./search-commands";
import { SOURCE_COMMANDS } from "./source-commands";
import { INCIDENT_COMMANDS } from "./incident-commands";
import { EXECUTION_COMMANDS } from "./execution-commands";
import { detectChatRuns } from "../../lib/executions/service";
import { COMPLIANCE_COMMANDS } from "./compliance-commands";
import { RETENTION_COMMANDS } from "./retention-commands";
import { SECRET_COMMANDS } from "./secret-commands";

/** Every CLI command: the core ones here, each domain's in its own file. */
export function allCommands(): TCommand[] {
  return [...CORE_COMMANDS, ...SEARCH_COMMANDS, ...SOURCE_COMMANDS, ...EXECUTION_COMMANDS, ...INCIDENT_COMMANDS, ...COMPLIANCE_COMMANDS, ...SECRET_COMMANDS, ...RETENTION_COMMANDS];
}

export interface TCommandOption {
  type: "string" | "boolean";
  multiple?: boolean;
  help?: string;
}

export interface TCommand {
  name: string;
  usage: string;
  summary: string;
  details?: string;
  options?: Record<string, TCommandOption>;
  positionals?: { min: number; max?: number };
  run(a: { args: string[]; opts: Record<string, unknown> }): Promise<number | void>;
}

const REPO = path.resolve(import.meta.dirname, "..", "..");
const out = (s: string) => process.stdout.write(s + "\n");
const printJson = (v: unknown) => out(JSON.stringify(v, null, 2));

async function runImport(location: string, opts: { source?: string; json?: boolean; batchSize?: number; workspaceName?: string }) {
  const pool = getPool();
  const options: Record<string, unknown> = {};
  if (opts.batchSize) options.batchSize = opts.batchSize;
  if (opts.workspaceName) options.workspaceName = opts.workspaceName;
  const input = { location: path.resolve(location), options };
  const adapter = await resolveAdapter(input, opts.source);
  const bar = createProgressBar("importing");
  const started = Date.now();
  const summary = await runIngest({ adapter, input, pool, parallel: true, onProgress: (p) => bar.update(p.done, p.total, p.unit) });
  bar.done();
  const stats = await findArchiveStats(pool);
  const seconds = (Date.now() - started) / 1000;
  return { ...summary, seconds, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), archive: stats };
}

function startNext(port: number, host: string): ChildProcess {
  const nextBin = path.join(REPO, "node_modules", "next", "dist", "bin", "next");
  if (!fs.existsSync(path.join(REPO, ".next", "BUILD_ID"))) {
    out("Building the web app (first start only)…");
    const b = spawnSyncInherit(process.execPath, [nextBin, "build"]);
    if (b !== 0) throw new AppError("internal", "next build failed");
  }
  return spawn(process.execPath, [nextBin, "start", "-p", String(port), "-H", host], { cwd: REPO, stdio: "inherit", env: process.env });
}

function spawnSyncInherit(cmd: string, args: string[]): number {
  return spawnSync(cmd, args, { cwd: REPO, stdio: "inherit", env: process.env }).status ?? 1;
}

/** Resolve when SIGINT/SIGTERM arrives. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
}

async function serveUntilStopped(opts: { port: number; host: string; worker: boolean; banner?: string[] }): Promise<number> {
  const child = startNext(opts.port, opts.host);
  const ac = new AbortController();
  const worker = opts.worker ? runWorker({ pool: getPool(), signal: ac.signal }) : Promise.resolve();
  const url = `http://${opts.host === "0.0.0.0" ? "127.0.0.1" : opts.host}:${opts.port}`;
  for (const line of [`Backscroll is running at ${url}`, ...(opts.banner ?? [])]) out(line);
  const childExit = new Promise<string>((resolve) => child.once("exit", (c) => resolve(`web exited (${c})`)));
  const why = await Promise.race([untilSignal(), childExit]);
  ac.abort();
  if (child.exitCode === null) child.kill("SIGTERM");
  await worker.catch(() => undefined);
  out(`Stopping (${why}).`);
  return why.startsWith("web exited") ? 1 : 0;
}

const DEMO_ADMIN_EMAIL = "admin@backscroll.local";

/** The usage error for a --role that names no role ("admin, auditor or member"). */
const badRole = () => new AppError("usage", `--role must be ${ROLES.slice(0, -1).join(", ")} or ${ROLES.at(-1)}`, { field: "role" });

/** Archive, accounts, database and server commands. */
export const CORE_COMMANDS: TCommand[] = [
  {
    name: "import",
    usage: "import <path> [--json] [--source slack-export]",
    summary: "Import a Slack export (ZIP or unpacked folder). Idempotent and resumable.",
    details: "Re-importing the same export changes nothing; an interrupted import resumes from its last committed batch.",
    options: {
      json: { type: "boolean", help: "print a JSON summary" },
      source: { type: "string", help: "adapter name (default: detected)" },
      "batch-size": { type: "string", help: "entries per transaction (default 2000)" },
      "workspace-name": { type: "string", help: "name for the workspace (Slack exports do not carry it)" },
    },
    positionals: { min: 1 },
    async run({ args, opts }) {
      const batchSize = opts["batch-size"] ? Number(opts["batch-size"]) : undefined;
      if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1)) throw new AppError("usage", "--batch-size must be a positive integer");
      // Bad input is reported before a database is started for it.
      if (!fs.existsSync(path.resolve(args[0]!))) throw new AppError("bad_input", `No such file or folder: ${args[0]}`, { file: args[0] });
      await prepareDatabase();
      const s = await runImport(args[0]!, {
        source: opts.source as string | undefined,
        json: Boolean(opts.json),
        batchSize,
        workspaceName: opts["workspace-name"] as string | undefined,
      });
      if (opts.json) printJson(s);
      else {
        const c = s.counts;
        out(
          `Imported ${args[0]} in ${s.seconds.toFixed(1)} s: ${c.messagesInserted} new messages, ${c.messagesUpdated} updated, ` +
            `${c.versions} versions, ${c.events} channel events, ${c.reactions} reactions, ${c.files} files, ${c.people} people, ${c.channels} channels.`,
        );
        out(`Archive now holds ${s.archive.messages} messages in ${s.archive.channels} channels.`);
      }
    },
  },
  {
    name: "stats",
    usage: "stats [--json]",
    summary: "Counts of everything in the archive.",
    options: { json: { type: "boolean", help: "print JSON" } },
    async run({ opts }) {
      await prepareDatabase();
      const s = await findArchiveStats(getPool());
      if (opts.json) printJson(s);
      else for (const [k, v] of Object.entries(s)) out(`${k.padEnd(14)} ${v}`);
    },
  },
  {
    name: "user add",
    usage: "user add <email> --role admin|auditor|member [--person <slack user id>] [--password <pw>]",
    summary: "Create a sign-in account (prints a generated password when none is given).",
    options: {
      role: { type: "string", help: "admin, auditor or member" },
      person: { type: "string", help: "link to this person (Slack user id), for private channel access" },
      password: { type: "string", help: "password (default: generated and printed)" },
      json: { type: "boolean", help: "print JSON" },
    },
    positionals: { min: 1 },
    async run({ args, opts }) {
      const role = String(opts.role ?? "");
      if (!isRole(role)) throw badRole();
      await prepareDatabase();
      const r = await createUser(getPool(), {
        email: args[0]!,
        role,
        password: opts.password as string | undefined,
        personExternalId: opts.person as string | undefined,
      });
      if (opts.json) printJson({ id: r.user.id, email: r.user.email, role: r.user.role, password: opts.password ? undefined : r.password });
      else out(`Created ${r.user.role} ${r.user.email}${opts.password ? "" : ` with password: ${r.password}`}`);
    },
  },
  {
    name: "user set",
    usage: "user set <email> [--role admin|auditor|member] [--disable | --enable] [--person <slack user id> | --no-person]",
    summary: "Change an account: its role, disable or enable it, link it to a chat person (audited).",
    options: {
      role: { type: "string", help: "admin, auditor or member" },
      disable: { type: "boolean", help: "disable the account (its sessions end at once)" },
      enable: { type: "boolean", help: "enable a disabled account" },
      person: { type: "string", help: "link to this person (Slack user id), for private channel access" },
      "no-person": { type: "boolean", help: "unlink the account from its person" },
      json: { type: "boolean", help: "print JSON" },
    },
    positionals: { min: 1, max: 1 },
    async run({ args, opts }) {
      if (opts.disable && opts.enable) throw new AppError("usage", "give --disable or --enable, not both", { field: "disable" });
      if (opts.person !== undefined && opts["no-person"]) throw new AppError("usage", "give --person or --no-person, not both", { field: "person" });
      const role = opts.role === undefined ? undefined : String(opts.role);
      if (role !== undefined && !isRole(role)) throw badRole();
      await prepareDatabase();
      const user = await updateUser(getPool(), CLI_ACTOR, args[0]!, {
        role,
        disabled: opts.disable ? true : opts.enable ? false : undefined,
        personExternalId: opts["no-person"] ? null : (opts.person as string | undefined),
      });
      if (opts.json) printJson(user);
      else out(`${user.email}: ${user.role}${user.disabled ? ", disabled" : ""}${user.personName ? `, ${user.personName}` : ""}`);
    },
  },
  {
    name: "user list",
    usage: "user list [--json]",
    summary: "List sign-in accounts.",
    options: { json: { type: "boolean", help: "print JSON" } },
    async run({ opts }) {
      await prepareDatabase();
      const users = await listUsers(getPool());
      if (opts.json) printJson(users);
      else for (const u of users) out(`${String(u.id).padStart(4)}  ${u.email.padEnd(32)} ${u.role.padEnd(8)}${u.disabled ? " disabled" : ""}${u.personName ? `  ${u.personName}` : ""}`);
    },
  },
  {
    name: "serve",
    usage: "serve [--port N] [--host H] [--no-worker]",
    summary: "Start the web app (and a worker) on the configured database.",
    options: {
      port: { type: "string", help: "port (default PORT or 3000)" },
      host: { type: "string", help: "address (default HOST or 127.0.0.1)" },
      "no-worker": { type: "boolean", help: "do not run a worker in this process" },
    },
    async run({ opts }) {
      const env = getEnv();
      await prepareDatabase();
      return serveUntilStopped({ port: Number(opts.port ?? env.PORT), host: String(opts.host ?? env.HOST), worker: !opts["no-worker"] });
    },
  },
  {
    name: "worker",
    usage: "worker",
    summary: "Run background jobs (imports, exports, …) until stopped.",
    async run() {
      await prepareDatabase();
      const ac = new AbortController();
      void untilSignal().then(() => ac.abort());
      await runWorker({ pool: getPool(), signal: ac.signal });
    },
  },
  {
    name: "migrate",
    usage: "migrate",
    summary: "Apply pending database migrations (recorded in _prisma_migrations).",
    async run() {
      await prepareDatabase({ migrate: false });
      const client = await getPool().connect();
      try {
        const applied = await migrate(client);
        out(applied.length ? `Applied: ${applied.join(", ")}` : "Database is up to date.");
      } finally {
        client.release();
      }
    },
  },
  {
    name: "db url",
    usage: "db url",
    summary: "Print the database connection string (starts the embedded server if needed).",
    async run() {
      if (process.env.DATABASE_URL) return void out(process.env.DATABASE_URL);
      const running = await embeddedUrl(getEnv().backscrollHome);
      if (running) return void out(running);
      out(await prepareDatabase({ keepEmbedded: true }));
    },
  },
  {
    name: "db start",
    usage: "db start",
    summary: "Start the embedded PostgreSQL and keep it running until `db stop`.",
    async run() {
      if (process.env.DATABASE_URL) throw new AppError("usage", "DATABASE_URL is set: there is no embedded server to start");
      out(await prepareDatabase({ keepEmbedded: true }));
    },
  },
  {
    name: "db stop",
    usage: "db stop",
    summary: "Stop the embedded PostgreSQL.",
    async run() {
      const stopped = await stopEmbeddedPostgres(getEnv().backscrollHome);
      out(stopped ? "Embedded PostgreSQL stopped." : "Embedded PostgreSQL was not running.");
    },
  },
  {
    name: "demo",
    usage: "demo --out <dir>",
    summary: "Write the demo workspace as a Slack export folder.",
    options: { out: { type: "string", help: "folder to write" } },
    async run({ opts }) {
      if (!opts.out) throw new AppError("usage", "--out is required", { field: "out" });
      const s = await writeDemoExport(path.resolve(String(opts.out)));
      printJson(s);
    },
  },
  {
    name: "start",
    usage: "start [--port N]",
    summary: "Everything for a first look: embedded PostgreSQL, demo archive, web app and worker.",
    options: { port: { type: "string", help: "port (default PORT or 3000)" } },
    async run({ opts }) {
      const env = getEnv();
      await prepareDatabase();
      const pool = getPool();
      const stats = await findArchiveStats(pool);
      if (stats.messages === 0) {
        const dir = path.join(env.backscrollHome, "demo-export");
        out("Loading the demo archive…");
        await writeDemoExport(dir);
        await runImport(dir, { workspaceName: DEMO_TEAM.name });
        await detectChatRuns(pool);
      }
      const credFile = path.join(env.backscrollHome, "demo-admin.json");
      const existing = await pool.query("SELECT 1 FROM app_user WHERE email = $1", [DEMO_ADMIN_EMAIL]);
      if (existing.rowCount === 0) {
        const r = await createUser(pool, { email: DEMO_ADMIN_EMAIL, role: "admin", personExternalId: DEMO_ADMIN_PERSON_ID });
        fs.writeFileSync(credFile, JSON.stringify({ email: DEMO_ADMIN_EMAIL, password: r.password }), { mode: 0o600 });
      }
      let login = `Admin login: ${DEMO_ADMIN_EMAIL}`;
      try {
        const c = JSON.parse(fs.readFileSync(credFile, "utf8")) as { password: string };
        login += `  password: ${c.password}`;
      } catch {
        login += "  (password was printed at first start)";
      }
      const code = await serveUntilStopped({ port: Number(opts.port ?? env.PORT), host: env.HOST, worker: true, banner: [login] });
      await closeDatabase();
      return code;
    },
  },
];
