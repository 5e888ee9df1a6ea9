import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TTestDatabase } from "../../helpers/db";
import { seedArchive, SEED_PASSWORD, type TSeed } from "../../helpers/seed";
import { readSetCookie, startWebServer, type TWebServer } from "../../helpers/web";

/** Sign-in, sign-out, CSRF and page gating over HTTP against the built app. */

let t: TTestDatabase;
let s: TSeed;
let web: TWebServer;
let origin: string;

before(async () => {
  t = await createTestDatabase();
  s = await seedArchive(t.pool);
  web = await startWebServer({ databaseUrl: t.url });
  origin = web.baseUrl;
});

after(async () => {
  await web?.stop();
  await t?.drop();
});

function form(fields: Record<string, string>): URLSearchParams {
  return new URLSearchParams(fields);
}

async function login(
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${web.baseUrl}/api/auth/login`, {
    method: "POST",
    redirect: "manual",
    headers: { origin, ...headers },
    body: form(fields),
  });
}

/** Sign in as alice; returns the Cookie header value and the page's CSRF token. */
async function signInAlice(): Promise<{ cookie: string; csrf: string }> {
  const r = await fetch(`${web.baseUrl}/api/auth/login`, {
    method: "POST",
    headers: { origin, "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ email: s.users.alice.email, password: SEED_PASSWORD }),
  });
  assert.equal(r.status, 200);
  const body = (await r.json()) as { csrfToken: string };
  const c = readSetCookie(r, "bs_session");
  assert.ok(c);
  return { cookie: `bs_session=${c.value}`, csrf: body.csrfToken };
}

async function get(path: string, cookie?: string): Promise<Response> {
  return fetch(`${web.baseUrl}${path}`, { redirect: "manual", headers: cookie ? { cookie } : {} });
}

describe("POST /api/auth/login", () => {
  it("sets an HttpOnly, SameSite=Lax session cookie and redirects to next", async () => {
    const r = await login({ email: s.users.alice.email, password: SEED_PASSWORD, next: `/channels/${s.channels.general}` });
    assert.equal(r.status, 303);
    assert.equal(r.headers.get("location"), `/channels/${s.channels.general}`);
    const c = readSetCookie(r, "bs_session");
    assert.ok(c, "bs_session cookie set");
    assert.match(c.value, /^[A-Za-z0-9_-]{43}$/);
    assert.match(c.attributes, /HttpOnly/);
    assert.match(c.attributes, /SameSite=Lax/);
    assert.match(c.attributes, /Path=\//);
    assert.doesNotMatch(c.attributes, /Secure/, "plain HTTP with COOKIE_SECURE=auto");
    const stored = await t.pool.query("SELECT 1 FROM session WHERE token_hash = encode(sha256($1::bytea), 'hex')", [c.value]);
    assert.equal(stored.rowCount, 1);
  });

  it("marks the cookie Secure behind an HTTPS proxy", async () => {
    const r = await login({ email: s.users.alice.email, password: SEED_PASSWORD }, { "x-forwarded-proto": "https" });
    assert.equal(r.status, 303);
    assert.match(readSetCookie(r, "bs_session")?.attributes ?? "", /Secure/);
  });

  it("never redirects off-site", async () => {
    const r = await login({ email: s.users.alice.email, password: SEED_PASSWORD, next: "//evil.example/x" });
    assert.equal(r.headers.get("location"), "/");
  });

  it("sends a wrong password back to the form without a cookie", async () => {
    const r = await login({ email: s.users.alice.email, password: "wrong password", next: "/" });
    assert.equal(r.status, 303);
    assert.equal(r.headers.get("location"), "/login?error=invalid&next=%2F");
    assert.equal(readSetCookie(r, "bs_session"), null);
  });

  it("answers JSON clients with 401", async () => {
    const r = await fetch(`${web.baseUrl}/api/auth/login`, {
      method: "POST",
      headers: { origin, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ email: s.users.alice.email, password: "nope" }),
    });
    assert.equal(r.status, 401);
    assert.equal(((await r.json()) as { error: string }).error, "unauthenticated");
  });

  it("refuses a cross-site sign-in", async () => {
    const r = await login({ email: s.users.alice.email, password: SEED_PASSWORD }, { origin: "http://evil.example" });
    assert.equal(r.status, 303);
    assert.match(r.headers.get("location") ?? "", /^\/login\?error=origin/);
    assert.equal(readSetCookie(r, "bs_session"), null);
  });
});

describe("pages", () => {
  it("send visitors without a session to /login with the page to return to", async () => {
    const r = await get(`/channels/${s.channels.general}?day=2024-03-04`);
    assert.equal(r.status, 307);
    assert.equal(r.headers.get("location"), `/login?next=${encodeURIComponent(`/channels/${s.channels.general}?day=2024-03-04`)}`);
  });

  it("send visitors with an invalid session to /login too", async () => {
    const r = await get("/", `bs_session=${"A".repeat(43)}`);
    assert.ok([303, 307, 308].includes(r.status), `status ${r.status}`);
    assert.match(r.headers.get("location") ?? "", /^\/login\?next=%2F/);
  });

  it("show a signed-in member only what they may read, and 404 for the rest", async () => {
    const { cookie } = await signInAlice();
    const home = await get("/", cookie);
    assert.equal(home.status, 200);
    const html = await home.text();
    assert.match(html, /general/);
    assert.match(html, /ops-leads/);
    assert.doesNotMatch(html, /secret-plans/);
    const denied = await get(`/channels/${s.channels.secret}`, cookie);
    assert.equal(denied.status, 404);
    assert.doesNotMatch(await denied.text(), /secret-plans|the secret plan/);
    const missing = await get("/channels/999999", cookie);
    assert.equal(missing.status, 404);
  });
});

describe("POST /api/auth/logout", () => {
  it("refuses a request without the CSRF token and keeps the session", async () => {
    const { cookie } = await signInAlice();
    const r = await fetch(`${web.baseUrl}/api/auth/logout`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie, origin, "content-type": "application/x-www-form-urlencoded" },
      body: "",
    });
    assert.equal(r.status, 403);
    assert.equal(((await r.json()) as { error: string }).error, "csrf");
    assert.equal((await get("/", cookie)).status, 200);
  });

  it("refuses a cross-site request even with the token", async () => {
    const { cookie, csrf } = await signInAlice();
    const r = await fetch(`${web.baseUrl}/api/auth/logout`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie, origin: "http://evil.example", "content-type": "application/x-www-form-urlencoded" },
      body: form({ csrf }),
    });
    assert.equal(r.status, 403);
    assert.equal((await get("/", cookie)).status, 200);
  });

  it("ends the session with the token, clears the cookie and audits it", async () => {
    const { cookie, csrf } = await signInAlice();
    const r = await fetch(`${web.baseUrl}/api/auth/logout`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie, origin, "content-type": "application/x-www-form-urlencoded" },
      body: form({ csrf }),
    });
    assert.equal(r.status, 303);
    assert.equal(r.headers.get("location"), "/login");
    const cleared = readSetCookie(r, "bs_session");
    assert.equal(cleared?.value, "");
    assert.match(cleared?.attributes ?? "", /Max-Age=0/);
    assert.notEqual((await get("/", cookie)).status, 200);
    const audit = await t.pool.query("SELECT 1 FROM audit_event WHERE action = 'auth.sign_out' AND actor = $1", [s.users.alice.email]);
    assert.ok((audit.rowCount ?? 0) >= 1);
  });

  it("accepts the token in the x-csrf-token header", async () => {
    const { cookie, csrf } = await signInAlice();
    const r = await fetch(`${web.baseUrl}/api/auth/logout`, {
      method: "POST",
      headers: { cookie, origin, "x-csrf-token": csrf, accept: "application/json" },
    });
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { ok: true });
    assert.notEqual((await get("/", cookie)).status, 200);
  });
});
