import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TTestDatabase } from "../../helpers/db";
import { seedArchive, SEED_PASSWORD, type TSeed } from "../../helpers/seed";
import { readSetCookie, startWebServer, type TWebServer } from "../../helpers/web";

/** The account routes and page over HTTP against the built app: administrators only, CSRF on every change, audited. */

let t: TTestDatabase;
let s: TSeed;
let web: TWebServer;
type TSession = { cookie: string; csrf: string };
let admin: TSession;
let member: TSession;

before(async () => {
  t = await createTestDatabase();
  s = await seedArchive(t.pool);
  web = await startWebServer({ databaseUrl: t.url });
  admin = await signIn(s.users.admin.email);
  member = await signIn(s.users.alice.email);
});
after(async () => {
  await web?.stop();
  await t?.drop();
});

async function signIn(email: string, password = SEED_PASSWORD): Promise<TSession> {
  const r = await fetch(`${web.baseUrl}/api/auth/login`, {
    method: "POST",
    headers: { origin: web.baseUrl, "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(r.status, 200);
  const c = readSetCookie(r, "bs_session");
  assert.ok(c);
  return { cookie: `bs_session=${c.value}`, csrf: ((await r.json()) as { csrfToken: string }).csrfToken };
}

function call(p: string, who: TSession, init: RequestInit & { csrf?: boolean } = {}): Promise<Response> {
  const headers: Record<string, string> = { origin: web.baseUrl, accept: "application/json", cookie: who.cookie, ...(init.headers as Record<string, string>) };
  if (init.csrf) headers["x-csrf-token"] = who.csrf;
  return fetch(`${web.baseUrl}${p}`, { ...init, headers, redirect: "manual" });
}
const post = (p: string, who: TSession, body: unknown, csrf = true) =>
  call(p, who, { method: "POST", csrf, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("/api/users", () => {
  it("lists and changes accounts for administrators only, with the CSRF token", async () => {
    assert.equal((await call("/api/users", member)).status, 403);
    const list = (await (await call("/api/users", admin)).json()) as { users: { id: number; email: string; role: string }[] };
    const alice = list.users.find((u) => u.email === s.users.alice.email)!;
    assert.equal(alice.role, "member");
    assert.equal((await post(`/api/users/${alice.id}`, member, { role: "admin" })).status, 403, "a member cannot promote herself");
    assert.equal((await post(`/api/users/${alice.id}`, admin, { role: "auditor" }, false)).status, 403, "no CSRF token, no change");
    const r = await post(`/api/users/${alice.id}`, admin, { role: "auditor" });
    assert.equal(r.status, 200);
    assert.equal(((await r.json()) as { user: { role: string } }).user.role, "auditor");
    // Alice's open session is an auditor's now: the audit page is hers to read.
    assert.equal((await call("/api/audit/csv", member)).status, 200);
    assert.equal((await post(`/api/users/${alice.id}`, admin, { disabled: true })).status, 200);
    assert.equal((await call("/api/search?q=deploy", member)).status, 401, "disabled: the session is gone");
    assert.equal((await post(`/api/users/${alice.id}`, admin, { disabled: "maybe" })).status, 400);
    assert.equal((await post("/api/users/999999", admin, { role: "member" })).status, 404);
    const me = list.users.find((u) => u.email === s.users.admin.email)!;
    const last = await post(`/api/users/${me.id}`, admin, { role: "member" });
    assert.equal(last.status, 409, "the last administrator stays one");
    const actions = (await t.pool.query("SELECT action, actor FROM audit_event WHERE action LIKE 'user.%' AND action <> 'user.create' ORDER BY id")).rows;
    assert.deepEqual(actions, [
      { action: "user.role_change", actor: s.users.admin.email },
      { action: "user.disable", actor: s.users.admin.email },
    ]);
  });

  it("creates accounts: JSON gets a generated password once; the page's form sets one", async () => {
    const r = await post("/api/users", admin, { email: "oncall@example.com", role: "member", person: "U0BOB" });
    assert.equal(r.status, 201);
    const body = (await r.json()) as { user: { email: string; personExternalId: string }; password: string };
    assert.equal(body.user.personExternalId, "U0BOB");
    await signIn("oncall@example.com", body.password);
    assert.equal((await post("/api/users", admin, { email: "oncall@example.com", role: "member" })).status, 409);
    const form = new URLSearchParams({ csrf: admin.csrf, email: "form@example.com", role: "auditor", password: "short" });
    const bad = await call("/api/users", admin, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form.toString() });
    assert.equal(bad.status, 400, "the form's password is checked");
    form.set("password", "a long enough password");
    const ok = await call("/api/users", admin, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" }, body: form.toString() });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get("location"), "/users");
    await signIn("form@example.com", "a long enough password");
  });

  it("shows the accounts page to administrators only", async () => {
    const page = await (await call("/users", admin, { headers: { accept: "text/html" } })).text();
    assert.match(page, /data-testid="accounts"/);
    assert.match(page, /oncall@example\.com/);
    const forbidden = await (await call("/users", member, { headers: { accept: "text/html" } })).text();
    assert.doesNotMatch(forbidden, /data-testid="accounts"/);
  });
});
