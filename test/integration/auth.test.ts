import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { resetEnvCache } from "../../lib/env";
import { AppError } from "../../lib/errors";
import { createSession, deleteSession, getSessionUser, LOGIN_LIMITS, signIn, toViewer, verifyLogin } from "../../lib/auth/sessions";
import { hashToken } from "../../lib/auth/tokens";
import { createUser, listUsers } from "../../lib/auth/users";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";

/** Accounts, password sign-in, rate limiting and sessions against a real PostgreSQL. */

let t: TTestDatabase;
let personId: number;

before(async () => {
  t = await createTestDatabase();
  const w = await t.pool.query<{ id: number }>("INSERT INTO workspace (platform, external_id, name) VALUES ('slack', 'T1', 'W') RETURNING id");
  const p = await t.pool.query<{ id: number }>(
    "INSERT INTO person (workspace_id, external_id, name, source) VALUES ($1, 'U1', 'dana', 'test') RETURNING id",
    [w.rows[0]!.id],
  );
  personId = p.rows[0]!.id;
});

after(async () => {
  await t?.drop();
});

async function rejects(p: Promise<unknown>, code: string): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof AppError, `expected AppError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected AppError ${code}`);
}

async function audit(action: string, actor: string): Promise<{ actor_id: number | null; details: Record<string, unknown>; ip: string | null }[]> {
  const r = await t.pool.query("SELECT actor_id, details, ip FROM audit_event WHERE action = $1 AND actor = $2 ORDER BY id", [action, actor]);
  return r.rows;
}

describe("createUser and listUsers", () => {
  it("generates a strong password when none is given and stores only a scrypt hash", async () => {
    const r = await createUser(t.pool, { email: "  Gen@Example.COM ", role: "member" });
    assert.equal(r.generated, true);
    assert.ok(r.password.length >= 20);
    assert.equal(r.user.email, "gen@example.com");
    const row = await t.pool.query<{ password_hash: string }>("SELECT password_hash FROM app_user WHERE id = $1", [r.user.id]);
    assert.match(row.rows[0]!.password_hash, /^scrypt\$/);
    assert.ok(!row.rows[0]!.password_hash.includes(r.password));
    const user = await verifyLogin(t.pool, { email: "gen@example.com", password: r.password, ip: "10.0.0.1" });
    assert.equal(user.id, r.user.id);
  });

  it("links a person by external id", async () => {
    const r = await createUser(t.pool, { email: "dana@example.com", role: "member", password: "dana-password", personExternalId: "U1" });
    assert.equal(r.generated, false);
    assert.equal(r.password, "dana-password");
    assert.equal(r.user.personId, personId);
    assert.equal(r.user.personName, "dana");
  });

  it("refuses a taken email, an unknown person, a short password and a bad email", async () => {
    await rejects(createUser(t.pool, { email: "DANA@example.com", role: "admin" }), "conflict");
    await rejects(createUser(t.pool, { email: "x@example.com", role: "member", personExternalId: "U404" }), "bad_input");
    const e = await rejects(createUser(t.pool, { email: "y@example.com", role: "member", password: "short" }), "bad_input");
    assert.equal(e.where?.field, "password");
    await rejects(createUser(t.pool, { email: "not-an-email", role: "member" }), "bad_input");
  });

  it("lists users without secrets", async () => {
    const users = await listUsers(t.pool);
    assert.ok(users.some((u) => u.email === "dana@example.com" && u.role === "member"));
    for (const u of users) assert.ok(!("passwordHash" in u) && !("password_hash" in u));
  });
});

describe("verifyLogin", () => {
  before(async () => {
    await createUser(t.pool, { email: "erin@example.com", role: "auditor", password: "erin-password" });
  });

  it("signs in with the right password, recording attempt, last login and audit", async () => {
    const user = await verifyLogin(t.pool, { email: "Erin@Example.com", password: "erin-password", ip: "10.0.0.2" });
    assert.equal(user.role, "auditor");
    assert.ok(user.lastLoginAt);
    const ok = await t.pool.query("SELECT ok, ip FROM login_attempt WHERE email = 'erin@example.com'");
    assert.deepEqual(ok.rows, [{ ok: true, ip: "10.0.0.2" }]);
    const rows = await audit("auth.sign_in", "erin@example.com");
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.actor_id, user.id);
    assert.equal(rows[0]!.ip, "10.0.0.2");
    assert.equal(rows[0]!.details.method, "password");
  });

  it("refuses a wrong password and an unknown email with the same message, audited", async () => {
    const a = await rejects(verifyLogin(t.pool, { email: "erin@example.com", password: "nope", ip: "10.0.0.3" }), "unauthenticated");
    const b = await rejects(verifyLogin(t.pool, { email: "ghost@example.com", password: "nope", ip: "10.0.0.3" }), "unauthenticated");
    assert.equal(a.message, b.message);
    assert.deepEqual((await audit("auth.sign_in_failed", "erin@example.com")).map((r) => r.details), [{ reason: "wrong_password" }]);
    assert.deepEqual((await audit("auth.sign_in_failed", "ghost@example.com")).map((r) => r.details), [{ reason: "unknown_user" }]);
  });

  it("refuses disabled accounts", async () => {
    const r = await createUser(t.pool, { email: "off@example.com", role: "member", password: "off-password" });
    await t.pool.query("UPDATE app_user SET disabled = true WHERE id = $1", [r.user.id]);
    await rejects(verifyLogin(t.pool, { email: "off@example.com", password: "off-password", ip: null }), "unauthenticated");
  });
});

describe("rate limiting", () => {
  it(`locks an account after ${LOGIN_LIMITS.maxFailuresPerEmail} failures, even for the right password`, async () => {
    await createUser(t.pool, { email: "frank@example.com", role: "member", password: "frank-password" });
    for (let i = 0; i < LOGIN_LIMITS.maxFailuresPerEmail; i++) {
      await rejects(verifyLogin(t.pool, { email: "frank@example.com", password: `wrong${i}`, ip: `10.1.0.${i}` }), "unauthenticated");
    }
    await rejects(verifyLogin(t.pool, { email: "frank@example.com", password: "frank-password", ip: "10.1.1.1" }), "rate_limited");
    const rows = await audit("auth.sign_in_failed", "frank@example.com");
    assert.deepEqual(rows.at(-1)!.details, { reason: "rate_limited" });
  });

  it("forgets failures older than the window", async () => {
    await t.pool.query(
      `UPDATE login_attempt SET created_at = now() - make_interval(mins => $1) WHERE email = 'frank@example.com'`,
      [LOGIN_LIMITS.windowMinutes + 1],
    );
    const user = await verifyLogin(t.pool, { email: "frank@example.com", password: "frank-password", ip: "10.1.1.1" });
    assert.equal(user.email, "frank@example.com");
  });

  it("resets an account's count on a successful sign-in", async () => {
    await createUser(t.pool, { email: "gina@example.com", role: "member", password: "gina-password" });
    const fail = () => rejects(verifyLogin(t.pool, { email: "gina@example.com", password: "x", ip: null }), "unauthenticated");
    for (let i = 0; i < LOGIN_LIMITS.maxFailuresPerEmail - 1; i++) await fail();
    await verifyLogin(t.pool, { email: "gina@example.com", password: "gina-password", ip: null });
    for (let i = 0; i < LOGIN_LIMITS.maxFailuresPerEmail - 1; i++) await fail();
    await verifyLogin(t.pool, { email: "gina@example.com", password: "gina-password", ip: null });
  });

  it(`locks an address after ${LOGIN_LIMITS.maxFailuresPerIp} failures across accounts`, async () => {
    await createUser(t.pool, { email: "hank@example.com", role: "member", password: "hank-password" });
    for (let i = 0; i < LOGIN_LIMITS.maxFailuresPerIp; i++) {
      await rejects(verifyLogin(t.pool, { email: `spray${i}@example.com`, password: "x", ip: "192.0.2.7" }), "unauthenticated");
    }
    await rejects(verifyLogin(t.pool, { email: "hank@example.com", password: "hank-password", ip: "192.0.2.7" }), "rate_limited");
    const ok = await verifyLogin(t.pool, { email: "hank@example.com", password: "hank-password", ip: "192.0.2.8" });
    assert.equal(ok.email, "hank@example.com");
  });
});

describe("sessions", () => {
  it("stores only the token's SHA-256 and finds the user by token", async () => {
    const { user, session } = await signIn(t.pool, { email: "dana@example.com", password: "dana-password", ip: "10.2.0.1", userAgent: "test" });
    assert.match(session.token, /^[A-Za-z0-9_-]{43}$/);
    const rows = await t.pool.query<{ token_hash: string; csrf_token: string }>("SELECT token_hash, csrf_token FROM session WHERE user_id = $1", [user.id]);
    assert.equal(rows.rows.length, 1);
    assert.equal(rows.rows[0]!.token_hash, hashToken(session.token));
    assert.notEqual(rows.rows[0]!.token_hash, session.token);
    const me = await getSessionUser(t.pool, session.token);
    assert.deepEqual(me && { ...me, expiresAt: undefined }, {
      userId: user.id,
      email: "dana@example.com",
      role: "member",
      personId,
      csrfToken: session.csrfToken,
      expiresAt: undefined,
    });
    assert.deepEqual(toViewer(me!), { userId: user.id, role: "member", personId });
  });

  it("expires after SESSION_TTL_HOURS", async () => {
    const previous = process.env.SESSION_TTL_HOURS;
    process.env.SESSION_TTL_HOURS = "2";
    resetEnvCache();
    try {
      const users = await listUsers(t.pool);
      const dana = users.find((u) => u.email === "dana@example.com")!;
      const lo = Date.now() + 2 * 3_600_000;
      const s = await createSession(t.pool, { userId: dana.id });
      const hi = Date.now() + 2 * 3_600_000;
      assert.ok(s.expiresAt.getTime() >= lo && s.expiresAt.getTime() <= hi);
      await t.pool.query("UPDATE session SET expires_at = now() - interval '1 second' WHERE token_hash = $1", [hashToken(s.token)]);
      assert.equal(await getSessionUser(t.pool, s.token), null);
    } finally {
      if (previous === undefined) delete process.env.SESSION_TTL_HOURS;
      else process.env.SESSION_TTL_HOURS = previous;
      resetEnvCache();
    }
  });

  it("ignores malformed and unknown tokens", async () => {
    assert.equal(await getSessionUser(t.pool, null), null);
    assert.equal(await getSessionUser(t.pool, "short"), null);
    assert.equal(await getSessionUser(t.pool, "A".repeat(43)), null);
  });

  it("ends with deleteSession, audited as sign-out", async () => {
    const { session } = await signIn(t.pool, { email: "erin@example.com", password: "erin-password", ip: "10.2.0.2" });
    assert.ok(await getSessionUser(t.pool, session.token));
    assert.equal(await deleteSession(t.pool, session.token, { ip: "10.2.0.2" }), true);
    assert.equal(await getSessionUser(t.pool, session.token), null);
    assert.equal(await deleteSession(t.pool, session.token), false);
    const rows = await audit("auth.sign_out", "erin@example.com");
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.ip, "10.2.0.2");
  });

  it("stops working when the account is disabled", async () => {
    const r = await createUser(t.pool, { email: "ivy@example.com", role: "member", password: "ivy-password" });
    const s = await createSession(t.pool, { userId: r.user.id });
    assert.ok(await getSessionUser(t.pool, s.token));
    await t.pool.query("UPDATE app_user SET disabled = true WHERE id = $1", [r.user.id]);
    assert.equal(await getSessionUser(t.pool, s.token), null);
  });

  it("keeps the audit log append-only", async () => {
    await assert.rejects(t.pool.query("DELETE FROM audit_event"), /append-only/);
  });
});
