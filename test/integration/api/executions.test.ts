import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TTestDatabase } from "../../helpers/db";
import { seedArchive, type TSeed } from "../../helpers/seed";

/**
 * POST /api/executions, calling the route handler with real Request objects
 * against a real database: bearer tokens, validation, idempotency, output
 * bounding and secret masking.
 */

let t: TTestDatabase;
let s: TSeed;
let POST: (r: Request) => Promise<Response>;
let token: string;
let otherBotToken: string;

before(async () => {
  t = await createTestDatabase();
  s = await seedArchive(t.pool);
  process.env.DATABASE_URL = t.url;
  process.env.EXECUTION_OUTPUT_MAX_BYTES = "4096";
  ({ POST } = await import("../../../app/api/executions/route"));
  const { createBotToken } = await import("../../../lib/bots/service");
  token = (await createBotToken(t.pool, { bot: "deploybot" })).token;
  otherBotToken = (await createBotToken(t.pool, { bot: "otherbot" })).token;
});

after(async () => {
  const { closePool } = await import("../../../lib/db");
  await closePool();
  await t?.drop();
});

const base = () => ({
  id: "run-1",
  bot: "deploybot",
  command: "deploy",
  arguments: ["api", "v1.2.3"],
  invoker: "U0ALICE",
  channel: "C0GENERAL",
  messageTs: "1709550000.000100",
  startedAt: "2024-03-04T11:00:00Z",
  finishedAt: "2024-03-04T11:02:00Z",
  status: "succeeded",
  exitCode: 0,
  output: "ok",
});

function post(body: unknown, auth: string | null = `Bearer ${token}`): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (auth !== null) headers.authorization = auth;
  return POST(new Request("http://127.0.0.1/api/executions", { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) }));
}

async function rows(externalId: string) {
  return (await t.pool.query("SELECT * FROM execution WHERE external_id = $1", [externalId])).rows;
}

describe("POST /api/executions", () => {
  it("refuses a missing, malformed, unknown or revoked token with 401", async () => {
    assert.equal((await post(base(), null)).status, 401);
    assert.equal((await post(base(), "Basic abc")).status, 401);
    assert.equal((await post(base(), "Bearer bsb_" + "x".repeat(43))).status, 401);
    const { createBotToken, revokeBotTokens } = await import("../../../lib/bots/service");
    const c = await createBotToken(t.pool, { bot: "shortlived" });
    await revokeBotTokens(t.pool, String(c.row.id));
    const r = await post({ ...base(), bot: "shortlived" }, `Bearer ${c.token}`);
    assert.equal(r.status, 401);
    assert.equal(r.headers.get("www-authenticate"), 'Bearer realm="backscroll"');
    assert.equal((await t.pool.query("SELECT count(*)::int AS n FROM execution")).rows[0].n, 0);
  });

  it("stores only the token's hash", async () => {
    const r = await t.pool.query("SELECT token_hash FROM bot_token");
    for (const row of r.rows) assert.match(row.token_hash, /^[0-9a-f]{64}$/);
    assert.equal(JSON.stringify(r.rows).includes(token), false);
  });

  it("answers 400 naming the field for a bad body", async () => {
    const missing = await post({ ...base(), command: undefined });
    assert.equal(missing.status, 400);
    assert.equal(((await missing.json()) as { where: { field: string } }).where.field, "command");
    const badTs = await post({ ...base(), messageTs: 1709550000.0001 });
    assert.equal(badTs.status, 400);
    assert.equal(((await badTs.json()) as { where: { field: string } }).where.field, "messageTs");
    const badStatus = await post({ ...base(), status: "exploded" });
    assert.equal(((await badStatus.json()) as { where: { field: string } }).where.field, "status");
    const order = await post({ ...base(), finishedAt: "2024-03-04T10:00:00Z" });
    assert.equal(((await order.json()) as { where: { field: string } }).where.field, "finishedAt");
    assert.equal((await post("{not json")).status, 400);
  });

  it("refuses a bot posting under another bot's name", async () => {
    const r = await post(base(), `Bearer ${otherBotToken}`);
    assert.equal(r.status, 403);
  });

  it("stores an execution once per id and links it to its channel and message", async () => {
    const first = await post(base());
    assert.equal(first.status, 201);
    const again = await post(base());
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), { ok: true, id: ((await first.json()) as { id: number }).id, changed: false });
    const r = await rows("deploybot:run-1");
    assert.equal(r.length, 1);
    assert.equal(r[0].status, "succeeded");
    assert.equal(r[0].channel_id, s.channels.general);
    assert.equal(r[0].message_ts, "1709550000.000100");
    assert.equal(r[0].workspace_id, s.workspaceId, "the token is bound to the only workspace");
    // A changed record (finished later) updates the same row.
    const changed = await post({ ...base(), status: "failed", exitCode: 3 });
    assert.equal(changed.status, 201);
    const r2 = await rows("deploybot:run-1");
    assert.equal(r2.length, 1);
    assert.equal(r2[0].exit_code, 3);
  });

  it("truncates output over the bound and flags it", async () => {
    const output = "line\n".repeat(5000) + "the error at the end";
    const r = await post({ ...base(), id: "run-big", output });
    assert.equal(r.status, 201);
    const [row] = await rows("deploybot:run-big");
    assert.equal(row.output_truncated, true);
    assert.equal(row.output_bytes, Buffer.byteLength(output));
    assert.ok(Buffer.byteLength(row.output) <= 4096, `stored ${Buffer.byteLength(row.output)} bytes`);
    assert.ok(row.output.endsWith("the error at the end"), "the tail is kept");
    const [small] = await rows("deploybot:run-1");
    assert.equal(small.output_truncated, false);
  });

  it("masks secrets in command, arguments and output before storage", async () => {
    const secret = "hunter2-very-secret";
    const slack = "xoxb-1234567890-abcdefghijkl";
    const r = await post({
      ...base(),
      id: "run-secret",
      command: `deploy --password ${secret}`,
      arguments: { service: "api", db_password: secret, apiToken: "tok-123456", custom: "s3cr3t-value" },
      secretParameters: ["custom"],
      output: `connecting with ${secret}\nSLACK_TOKEN=${slack}\nAuthorization: Bearer abcdefghijklmnop\ncustom is s3cr3t-value\npostgres://app:pgpass123@db:5432/x`,
    });
    assert.equal(r.status, 201);
    const [row] = await rows("deploybot:run-secret");
    const stored = JSON.stringify(row);
    for (const s of [secret, slack, "tok-123456", "s3cr3t-value", "abcdefghijklmnop", "pgpass123"]) assert.equal(stored.includes(s), false, `${s} leaked`);
    assert.equal(row.arguments.service, "api");
    assert.equal(row.arguments.db_password, "[masked]");
    assert.match(row.command, /^deploy --password \[masked\]$/);
    assert.ok(row.secrets_masked >= 7, `masked ${row.secrets_masked}`);
  });
});
