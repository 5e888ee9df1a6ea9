import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TTestDatabase } from "../../helpers/db";
import { seedArchive, SEED_PASSWORD, type TSeed } from "../../helpers/seed";
import { readSetCookie, startWebServer, type TWebServer } from "../../helpers/web";

/**
 * The retention and legal-hold routes over HTTP against the built app:
 * roles (holds: auditors and admins; retention: admins), CSRF on every
 * change, and the audit trail.
 */

let t: TTestDatabase;
let s: TSeed;
let web: TWebServer;

type TSession = { cookie: string; csrf: string };
let admin: TSession;
let auditor: TSession;
let member: TSession;

before(async () => {
  t = await createTestDatabase();
  s = await seedArchive(t.pool);
  web = await startWebServer({ databaseUrl: t.url });
  admin = await signIn(s.users.admin.email);
  auditor = await signIn(s.users.auditor.email);
  member = await signIn(s.users.alice.email);
});

after(async () => {
  await web?.stop();
  await t?.drop();
});

async function signIn(email: string): Promise<TSession> {
  const r = await fetch(`${web.baseUrl}/api/auth/login`, {
    method: "POST",
    headers: { origin: web.baseUrl, "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ email, password: SEED_PASSWORD }),
  });
  assert.equal(r.status, 200);
  const c = readSetCookie(r, "bs_session");
  assert.ok(c);
  return { cookie: `bs_session=${c.value}`, csrf: ((await r.json()) as { csrfToken: string }).csrfToken };
}

function call(p: string, who: TSession | null, init: RequestInit & { csrf?: boolean } = {}): Promise<Response> {
  const headers: Record<string, string> = { origin: web.baseUrl, accept: "application/json", ...(init.headers as Record<string, string>) };
  if (who) headers.cookie = who.cookie;
  if (who && init.csrf) headers["x-csrf-token"] = who.csrf;
  return fetch(`${web.baseUrl}${p}`, { ...init, headers, redirect: "manual" });
}

const post = (p: string, who: TSession, body: unknown, csrf = true) =>
  call(p, who, { method: "POST", csrf, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

const audited = async (action: string) => Number((await t.pool.query("SELECT count(*)::int AS n FROM audit_event WHERE action = $1", [action])).rows[0].n);

describe("/api/holds", () => {
  it("answers 401 signed out and 403 to members", async () => {
    assert.equal((await call("/api/holds", null)).status, 401);
    assert.equal((await call("/api/holds", member)).status, 403);
    assert.equal((await post("/api/holds", member, { name: "x", reason: "y" })).status, 403);
  });

  it("refuses a change without the CSRF token", async () => {
    assert.equal((await post("/api/holds", auditor, { name: "x", reason: "y" }, false)).status, 403);
    assert.equal((await t.pool.query("SELECT 1 FROM legal_hold")).rowCount, 0);
  });

  it("lets an auditor place and release a hold, audited", async () => {
    const r = await post("/api/holds", auditor, { name: "Matter 1", reason: "subpoena", channels: ["general"], from: "2024-03-01" });
    assert.equal(r.status, 201);
    const { hold } = (await r.json()) as { hold: { id: number } };
    const list = (await (await call("/api/holds", auditor)).json()) as { holds: { id: number; active: boolean }[] };
    assert.deepEqual(list.holds.map((h) => [h.id, h.active]), [[hold.id, true]]);
    assert.equal((await post(`/api/holds/${hold.id}/release`, auditor, { reason: "" })).status, 400);
    assert.equal((await post(`/api/holds/${hold.id}/release`, auditor, { reason: "settled" })).status, 200);
    assert.equal((await post(`/api/holds/${hold.id}/release`, auditor, { reason: "settled" })).status, 409);
    assert.equal(await audited("legal_hold.create"), 1);
    assert.equal(await audited("legal_hold.release"), 1);
  });
});

describe("/api/retention", () => {
  it("is for admins only, CSRF-protected", async () => {
    assert.equal((await post("/api/retention/policies", auditor, { days: 30 })).status, 403);
    assert.equal((await post("/api/retention/policies", admin, { days: 30 }, false)).status, 403);
    assert.equal((await t.pool.query("SELECT 1 FROM retention_policy")).rowCount, 0);
  });

  it("sets a policy and runs a dry run, audited", async () => {
    const r = await post("/api/retention/policies", admin, { days: 30, channel: "general", keepPinned: true });
    assert.equal(r.status, 200);
    const { policy } = (await r.json()) as { policy: { channel: string; keepDays: number; keepPinned: boolean } };
    assert.deepEqual([policy.channel, policy.keepDays, policy.keepPinned], ["C0GENERAL", 30, true]);
    const messages = Number((await t.pool.query("SELECT count(*)::int AS n FROM message")).rows[0].n);
    const d = await post("/api/retention/runs", admin, {});
    assert.equal(d.status, 200);
    const { report } = (await d.json()) as { report: { dryRun: boolean; totals: { expired: number } } };
    assert.equal(report.dryRun, true);
    assert.ok(report.totals.expired > 0, "the seeded 2024 messages are past 30 days");
    assert.equal(Number((await t.pool.query("SELECT count(*)::int AS n FROM message")).rows[0].n), messages);
    assert.equal(await audited("retention.policy_set"), 1);
    assert.equal(await audited("retention.dry_run"), 1);
  });
});

describe("the /retention and /holds pages", () => {
  it("render for the roles they are for, and refuse the others", async () => {
    const page = async (p: string, who: TSession) => {
      const r = await call(p, who, { headers: { accept: "text/html" } });
      assert.equal(r.status, 200);
      return r.text();
    };
    const retention = await page("/retention", admin);
    assert.match(retention, /data-testid="policies"/);
    assert.match(retention, /#general/);
    assert.match(retention, /data-testid="run-report"/);
    assert.match(await page("/retention", auditor), /data-testid="forbidden"/);
    const holds = await page("/holds", auditor);
    assert.match(holds, /data-testid="holds"/);
    assert.match(holds, /Matter 1/);
    assert.match(await page("/holds", member), /data-testid="forbidden"/);
  });
});
