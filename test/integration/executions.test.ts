import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { runCli } from "../helpers/cli";
import { writeDemoExport, DEMO_TEAM } from "../../lib/demo/demo-workspace";
import { slackExportAdapter } from "../../lib/ingest/adapters/slack-export/adapter";
import { runIngest } from "../../lib/ingest/run";
import { detectChatRuns, findCommandCatalogue, findExecution, findRecentExecutions, recordPrivilegedExecutionReads } from "../../lib/executions/service";
import { AppError } from "../../lib/errors";

/**
 * Executions end to end on the demo workspace: recognition of command runs
 * echoed in chat, JSON-lines and StackStorm imports through the CLI, bot
 * tokens on the CLI, and who sees which runs.
 */

let t: TTestDatabase;
let tmp: string;
const env = () => ({ DATABASE_URL: t.url });

before(async () => {
  t = await createTestDatabase();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bs-exec-"));
  const dir = path.join(tmp, "demo");
  await writeDemoExport(dir);
  await runIngest({ adapter: slackExportAdapter, input: { location: dir }, pool: t.pool });
});

after(async () => {
  await t?.drop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const snapshot = async () =>
  (await t.pool.query("SELECT source, external_id, status, exit_code, command, arguments, message_ts, started_at, finished_at, raw_sha256 FROM execution ORDER BY 1, 2")).rows;

describe("command runs recognised in chat", () => {
  it("finds every run the bot echoed, with status, exit code, duration and trigger", async () => {
    const s = await detectChatRuns(t.pool);
    // Independently: every run has exactly one bot start reply "Running `…`".
    const starts = (await t.pool.query("SELECT count(*)::int AS n FROM message WHERE text LIKE 'Running `%' AND NOT deleted")).rows[0].n;
    const failures = (await t.pool.query("SELECT count(*)::int AS n FROM message WHERE text ~ '^:x: `[^`]+` failed after' AND NOT deleted")).rows[0].n;
    assert.ok(starts > 5);
    assert.equal(s.executions, starts);
    assert.equal(s.changed, starts);
    const stats = (await t.pool.query("SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'failed')::int AS failed FROM execution WHERE source = 'chat'")).rows[0];
    assert.equal(stats.n, starts);
    assert.equal(stats.failed, failures);

    const deploy = (
      await t.pool.query(
        `SELECT e.*, m.text AS trigger_text, p.external_id AS trigger_user FROM execution e
         JOIN message m ON m.channel_id = e.channel_id AND m.ts = e.message_ts LEFT JOIN person p ON p.id = m.author_id
         WHERE e.source = 'chat' AND e.command = 'deploy' AND e.arguments = '["api-gateway","v2.31.1","to","prod"]'::jsonb`,
      )
    ).rows;
    assert.equal(deploy.length, 1);
    const d = deploy[0];
    assert.equal(d.trigger_text, "!deploy api-gateway v2.31.1 to prod");
    assert.equal(d.invoker, d.trigger_user);
    assert.equal(d.status, "succeeded");
    assert.equal(d.exit_code, 0);
    assert.equal(d.bot, "deploybot");
    assert.equal(Math.round((d.finished_at.getTime() - d.started_at.getTime()) / 1000), 337);
    assert.match(d.output, /rolled out 6\/6 pods \(v2\.31\.1\)/);

    const restart = (await t.pool.query("SELECT * FROM execution WHERE source = 'chat' AND command = 'restart' AND arguments = '[\"api-gw-03\"]'::jsonb")).rows;
    assert.equal(restart.length, 1);
    assert.equal(restart[0].status, "failed");
    assert.equal(restart[0].exit_code, 1);
  });

  it("changes nothing when run again", async () => {
    const before = await snapshot();
    const s = await detectChatRuns(t.pool);
    assert.equal(s.changed, 0);
    assert.deepEqual(await snapshot(), before);
  });

  it("runs from the CLI for one channel", async () => {
    const r = await runCli(["executions", "detect", "--channel", "deploys", "--json"], env());
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { channels: number; executions: number; changed: number };
    assert.equal(s.channels, 1);
    assert.ok(s.executions > 0);
    assert.equal(s.changed, 0);
  });
});

describe("who sees which runs", () => {
  it("members see runs in channels they may read; auditors all", async () => {
    const member = await findRecentExecutions(t.pool, { userId: 1, role: "member", personId: null }, { limit: 1000 });
    const publicRuns = (
      await t.pool.query("SELECT count(*)::int AS n FROM execution e JOIN channel c ON c.id = e.channel_id WHERE c.kind = 'public'")
    ).rows[0].n;
    const all = (await t.pool.query("SELECT count(*)::int AS n FROM execution")).rows[0].n;
    assert.equal(member.length, publicRuns);
    const auditor = await findRecentExecutions(t.pool, { userId: 2, role: "auditor", personId: null }, { limit: 1000 });
    assert.equal(auditor.length, all);
    const catalogue = await findCommandCatalogue(t.pool, { userId: 1, role: "member", personId: null });
    assert.equal(catalogue.reduce((n, c) => n + c.runs, 0), publicRuns);
    const deploy = catalogue.find((c) => c.command === "deploy");
    assert.ok(deploy && deploy.runs >= 2 && deploy.successRate !== null);
  });
});

describe("one execution record", () => {
  it("is readable where its channel is; a privileged read of a private run is audited; others get not found", async () => {
    // One run moves to a private channel, as a bot in an ops-private room would record it.
    await t.pool.query(
      `UPDATE execution SET channel_id = (SELECT id FROM channel WHERE kind = 'private' ORDER BY id LIMIT 1), message_ts = NULL
        WHERE id = (SELECT max(id) FROM execution)`,
    );
    const runs = (
      await t.pool.query<{ id: number; kind: string; command: string }>(
        "SELECT e.id, c.kind, e.command FROM execution e JOIN channel c ON c.id = e.channel_id ORDER BY e.id",
      )
    ).rows;
    const pub = runs.find((x) => x.kind === "public")!;
    const priv = runs.find((x) => x.kind !== "public");
    const member = { userId: 1, role: "member" as const, personId: null };
    const seen = await findExecution(t.pool, member, pub.id);
    assert.equal(seen.execution.id, pub.id);
    assert.ok(seen.previousRuns.every((x) => x.command === pub.command && x.id !== pub.id));
    const notFound = (e: unknown) => e instanceof AppError && e.code === "not_found";
    await assert.rejects(findExecution(t.pool, member, 987654321), notFound);
    assert.ok(priv, "the demo has runs in a private channel or DM");
    await assert.rejects(findExecution(t.pool, member, priv.id), notFound);
    const before = (await t.pool.query("SELECT count(*)::int AS n FROM audit_event WHERE action = 'archive.read_private'")).rows[0].n;
    const auditor = { userId: 2, role: "auditor" as const, personId: null };
    assert.equal((await findExecution(t.pool, auditor, priv.id)).execution.id, priv.id);
    await recordPrivilegedExecutionReads(t.pool, auditor, await findRecentExecutions(t.pool, auditor, { limit: 1000 }));
    const audited = (await t.pool.query("SELECT details FROM audit_event WHERE action = 'archive.read_private' ORDER BY id")).rows.slice(before);
    assert.ok(audited.some((r) => r.details.execution === priv.id));
    assert.ok(audited.some((r) => Array.isArray(r.details.executions) && r.details.executions.includes(priv.id)));
    assert.equal(audited.some((r) => r.details.execution === pub.id), false, "public runs are not privileged reads");
  });
});

describe("bot tokens on the CLI", () => {
  it("creates (token as the last word of the last line), lists and revokes", async () => {
    const c = await runCli(["token", "create", "--bot", "hubot"], env());
    assert.equal(c.code, 0, c.stderr);
    const token = c.stdout.trim().split("\n").at(-1)!.trim().split(/\s+/).at(-1)!;
    assert.match(token, /^bsb_[A-Za-z0-9_-]{43}$/);
    const l = await runCli(["token", "list", "--json"], env());
    const list = JSON.parse(l.stdout) as { id: number; bot: string; workspaceId: number | null; revokedAt: string | null }[];
    const mine = list.find((x) => x.bot === "hubot")!;
    assert.ok(mine);
    assert.equal(l.stdout.includes(token), false, "never listed");
    const ws = (await t.pool.query("SELECT id FROM workspace WHERE external_id = $1", [DEMO_TEAM.id])).rows[0].id;
    assert.equal(mine.workspaceId, ws);
    const rv = await runCli(["token", "revoke", "hubot"], env());
    assert.equal(rv.code, 0, rv.stderr);
    const again = await runCli(["token", "revoke", "hubot"], env());
    assert.equal(again.code, 2);
    const l2 = JSON.parse((await runCli(["token", "list", "--json"], env())).stdout) as { bot: string; revokedAt: string | null }[];
    assert.ok(l2.find((x) => x.bot === "hubot")!.revokedAt);
  });
});

describe("imports", () => {
  it("imports execution JSON lines once, masked, and refuses bad lines naming file, line and field", async () => {
    const file = path.join(tmp, "runs.jsonl");
    const lines = [
      { id: "a1", bot: "errbot", command: "uptime", startedAt: "2026-11-01T10:00:00Z", finishedAt: "2026-11-01T10:00:01Z", status: "ok", exitCode: 0, output: "up 3 days" },
      { id: "a2", bot: "errbot", command: "db-migrate", arguments: { password: "pw-123456" }, startedAt: "2026-11-01T11:00:00Z", status: "running" },
    ];
    fs.writeFileSync(file, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
    const first = await runCli(["import", "--source", "executions", file, "--json"], env());
    assert.equal(first.code, 0, first.stderr);
    assert.equal((JSON.parse(first.stdout) as { counts: { executions: number } }).counts.executions, 2);
    const before = await snapshot();
    const second = await runCli(["import", file, "--json"], env());
    assert.equal(second.code, 0, second.stderr);
    assert.equal((JSON.parse(second.stdout) as { source: string; counts: { executions: number } }).source, "executions");
    assert.equal((JSON.parse(second.stdout) as { counts: { executions: number } }).counts.executions, 0);
    assert.deepEqual(await snapshot(), before);
    const rows = (await t.pool.query("SELECT external_id, status, arguments FROM execution WHERE source = 'executions' ORDER BY 1")).rows;
    assert.deepEqual(
      rows.map((r) => [r.external_id, r.status]),
      [
        ["errbot:a1", "succeeded"],
        ["errbot:a2", "running"],
      ],
    );
    assert.deepEqual(rows[1].arguments, { password: "[masked]" });

    const bad = path.join(tmp, "bad.jsonl");
    fs.writeFileSync(bad, JSON.stringify(lines[0]) + "\n" + JSON.stringify({ ...lines[0], id: "a3", startedAt: "yesterday" }) + "\n");
    const r = await runCli(["import", "--source", "executions", bad], env());
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.jsonl:2: field startedAt/);
  });

  it("imports StackStorm executions with declared secret parameters masked", async () => {
    const file = path.join(tmp, "st2.json");
    const exec = {
      id: "5f1e0c2b9d1c2a0001a1b2c3",
      action: { ref: "ops.deploy", pack: "ops", name: "deploy", parameters: { api_key: { secret: true }, vault_pass: { secret: true }, service: {} } },
      runner: { name: "local-shell-cmd" },
      parameters: { service: "billing", api_key: "k-abcdef123456", vault_pass: "open-sesame-42" },
      status: "failed",
      start_timestamp: "2026-11-02T09:00:00.123456Z",
      end_timestamp: "2026-11-02T09:01:30.000000Z",
      result: { return_code: 2, stdout: "using open-sesame-42\n", stderr: "deploy failed", succeeded: false },
      context: { user: "stanley", api_user: "alice", source_channel: "deploys" },
    };
    fs.writeFileSync(file, JSON.stringify(exec, null, 2));
    for (let i = 0; i < 2; i++) {
      const r = await runCli(["import", "--source", "stackstorm", file, "--json"], env());
      assert.equal(r.code, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as { counts: { executions: number } }).counts.executions, i === 0 ? 1 : 0);
    }
    const [row] = (await t.pool.query("SELECT * FROM execution WHERE source = 'stackstorm'")).rows;
    assert.equal(row.command, "ops.deploy");
    assert.equal(row.status, "failed");
    assert.equal(row.exit_code, 2);
    assert.equal(row.invoker, "alice");
    assert.deepEqual(row.arguments, { service: "billing", api_key: "[masked]", vault_pass: "[masked]" });
    assert.equal(JSON.stringify(row).includes("open-sesame-42"), false);
    assert.match(row.output, /using \[masked\]\ndeploy failed/);
  });

  it("lists recent runs on the CLI", async () => {
    const r = await runCli(["executions", "--json", "--limit", "500"], env());
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout) as { status: string; source: string }[];
    const n = (await t.pool.query("SELECT count(*)::int AS n FROM execution")).rows[0].n;
    assert.equal(list.length, n);
    const text = await runCli(["executions", "--status", "failed"], env());
    assert.equal(text.code, 0);
    assert.match(text.stdout, /failed +exit 1 .*deploybot: restart api-gw-03/);
  });
});
