import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { seedArchive, SEED_PASSWORD, type TSeed } from "../helpers/seed";
import { runCli } from "../helpers/cli";
import { createUser, listUsers, updateUser } from "../../lib/auth/users";
import { createSession, getSessionUser } from "../../lib/auth/sessions";
import { isAppError } from "../../lib/errors";

/**
 * Account administration: roles, disabling, the person link, and new
 * accounts — audited with who did it, effective on the account's very next
 * request, and never leaving the archive without an enabled administrator.
 */

let t: TTestDatabase;
let s: TSeed;
const by = { userId: null, actor: "ops-admin@example.com", ip: "10.0.0.9" };

before(async () => {
  t = await createTestDatabase();
  s = await seedArchive(t.pool);
});
after(async () => {
  await t?.drop();
});

const audit = async (action: string) =>
  (await t.pool.query<{ actor: string; target: string; details: Record<string, unknown>; ip: string | null }>(
    "SELECT actor, target, details, ip FROM audit_event WHERE action = $1 ORDER BY id",
    [action],
  )).rows;
const code = async (p: Promise<unknown>) => {
  try {
    await p;
    return "ok";
  } catch (e) {
    return isAppError(e) ? e.code : "other";
  }
};

describe("updateUser", () => {
  it("changes a role, effective on the account's next request, audited from → to", async () => {
    const session = await createSession(t.pool, { userId: s.users.alice.id });
    assert.equal((await getSessionUser(t.pool, session.token))!.role, "member");
    const u = await updateUser(t.pool, by, s.users.alice.email, { role: "auditor" });
    assert.equal(u.role, "auditor");
    assert.equal((await getSessionUser(t.pool, session.token))!.role, "auditor", "the open session has the new role");
    assert.deepEqual(await audit("user.role_change"), [{ actor: by.actor, target: `user:${s.users.alice.email}`, details: { from: "member", to: "auditor" }, ip: by.ip }]);
    await updateUser(t.pool, by, s.users.alice.email, { role: "member" });
  });

  it("disabling ends every session at once; enabling lets the account sign in again", async () => {
    const a = await createSession(t.pool, { userId: s.users.alice.id });
    const b = await createSession(t.pool, { userId: s.users.alice.id });
    await updateUser(t.pool, by, s.users.alice.email, { disabled: true });
    assert.equal(await getSessionUser(t.pool, a.token), null);
    assert.equal(await getSessionUser(t.pool, b.token), null);
    assert.equal(Number((await t.pool.query("SELECT count(*) AS n FROM session WHERE user_id = $1", [s.users.alice.id])).rows[0].n), 0);
    assert.equal((await audit("user.disable")).at(-1)!.details.sessionsEnded, 3, "the two above and the one of the first test");
    await updateUser(t.pool, by, s.users.alice.email, { disabled: false });
    const c = await createSession(t.pool, { userId: s.users.alice.id });
    assert.equal((await getSessionUser(t.pool, c.token))!.email, s.users.alice.email);
    assert.equal((await audit("user.enable")).length, 1);
  });

  it("links and unlinks the chat person", async () => {
    const u = await updateUser(t.pool, by, s.users.nobody.email, { personExternalId: "U0CAROL" });
    assert.deepEqual([u.personId, u.personExternalId], [s.people.carol, "U0CAROL"]);
    const v = await updateUser(t.pool, by, s.users.nobody.email, { personExternalId: null });
    assert.equal(v.personId, null);
    assert.deepEqual((await audit("user.person_link")).map((r) => [r.details.from, r.details.to]), [[null, s.people.carol], [s.people.carol, null]]);
  });

  it("never demotes or disables the last enabled administrator", async () => {
    assert.equal(await code(updateUser(t.pool, by, s.users.admin.email, { role: "member" })), "conflict");
    assert.equal(await code(updateUser(t.pool, by, s.users.admin.email, { disabled: true })), "conflict");
    await updateUser(t.pool, by, s.users.auditor.email, { role: "admin" });
    await updateUser(t.pool, by, s.users.admin.email, { disabled: true });
    assert.equal(await code(updateUser(t.pool, by, s.users.auditor.email, { role: "auditor" })), "conflict", "now the other one is the last");
    await updateUser(t.pool, by, s.users.admin.email, { disabled: false });
    await updateUser(t.pool, by, s.users.auditor.email, { role: "auditor" });
    const users = await listUsers(t.pool);
    assert.deepEqual(users.filter((u) => u.role === "admin" && !u.disabled).map((u) => u.email), [s.users.admin.email]);
  });

  it("refuses unknown accounts, unknown people and empty changes, changing nothing", async () => {
    const before = await audit("user.role_change");
    assert.equal(await code(updateUser(t.pool, by, "ghost@example.com", { role: "admin" })), "not_found");
    assert.equal(await code(updateUser(t.pool, by, s.users.alice.email, { personExternalId: "U0NOBODY" })), "bad_input");
    assert.equal(await code(updateUser(t.pool, by, s.users.alice.email, {})), "bad_input");
    assert.equal(await code(updateUser(t.pool, by, s.users.alice.email, { role: "root" as "admin" })), "bad_input");
    assert.deepEqual(await audit("user.role_change"), before);
  });

  it("audits account creation with who created it", async () => {
    await createUser(t.pool, { email: "New.Hire@example.com", role: "member", password: SEED_PASSWORD, personExternalId: "U0BOB" }, by);
    assert.deepEqual((await audit("user.create")).at(-1), { actor: by.actor, target: "user:new.hire@example.com", details: { role: "member", person: "U0BOB" }, ip: by.ip });
  });
});

describe("backscroll user set", () => {
  it("changes roles and status from the command line, with clear errors and exit codes", async () => {
    const env = { DATABASE_URL: t.url };
    let r = await runCli(["user", "set", "new.hire@example.com", "--role", "auditor", "--json"], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).role, "auditor");
    assert.equal((await audit("user.role_change")).at(-1)!.actor, "cli");
    r = await runCli(["user", "set", "new.hire@example.com", "--disable", "--enable"], env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--disable or --enable/);
    r = await runCli(["user", "set", s.users.admin.email, "--role", "member"], env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /last enabled administrator/);
    r = await runCli(["user", "set", "new.hire@example.com", "--disable"], env);
    assert.equal(r.code, 0, r.stderr);
    r = await runCli(["user", "list"], env);
    assert.match(r.stdout, /new\.hire@example\.com\s+auditor\s+disabled/);
  });
});
