import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TTestDatabase } from "../../helpers/db";
import { seedArchive, SEED_PASSWORD, type TSeed } from "../../helpers/seed";
import { readSetCookie, startWebServer, type TWebServer } from "../../helpers/web";
import { resetEnvCache } from "../../../lib/env";
import { runExportJob } from "../../../lib/export/run-job";

/**
 * The export and audit-log routes over HTTP against the built app: roles,
 * CSRF, the job's life (the worker's part is run here in the test process,
 * on the same export folder), the audited download and the audit CSV.
 */

let t: TTestDatabase;
let s: TSeed;
let web: TWebServer;
let exportDir: string;

type TSession = { cookie: string; csrf: string };
let auditor: TSession;
let member: TSession;

before(async () => {
  t = await createTestDatabase();
  s = await seedArchive(t.pool);
  exportDir = fs.mkdtempSync(path.join(os.tmpdir(), "bs-export-api-"));
  process.env.EXPORT_DIR = exportDir;
  resetEnvCache();
  web = await startWebServer({ databaseUrl: t.url, env: { EXPORT_DIR: exportDir } });
  auditor = await signIn(s.users.auditor.email);
  member = await signIn(s.users.alice.email);
});

after(async () => {
  await web?.stop();
  await t?.drop();
  fs.rmSync(exportDir, { recursive: true, force: true });
  delete process.env.EXPORT_DIR;
  resetEnvCache();
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

function createJson(who: TSession, body: unknown, csrf = true): Promise<Response> {
  return call("/api/exports", who, { method: "POST", csrf, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

type TJob = { id: number; state: string; sha256: string | null; zipName: string | null; bytes: number | null; recordsDone: number };

describe("/api/exports", () => {
  it("answers 401 signed out and 403 to members", async () => {
    assert.equal((await call("/api/exports", null)).status, 401);
    assert.equal((await call("/api/exports", member)).status, 403);
    assert.equal((await createJson(member, { format: "jsonl", scope: {} })).status, 403);
    assert.equal((await t.pool.query("SELECT 1 FROM export_job")).rowCount, 0);
  });

  it("refuses a create without the CSRF token", async () => {
    const r = await createJson(auditor, { format: "jsonl", scope: {} }, false);
    assert.equal(r.status, 403);
    assert.equal(((await r.json()) as { error: string }).error, "csrf");
    assert.equal((await t.pool.query("SELECT 1 FROM export_job")).rowCount, 0);
  });

  it("creates, runs and downloads an export; the download is audited and members cannot see it", async () => {
    const r = await createJson(auditor, { format: "jsonl", scope: { channels: ["general"] } });
    assert.equal(r.status, 201);
    const job = ((await r.json()) as { export: TJob }).export;
    assert.equal(job.state, "queued");
    const listed = (await (await call("/api/exports", auditor)).json()) as { exports: TJob[] };
    assert.deepEqual(listed.exports.map((j) => j.id), [job.id]);

    await runExportJob(t.pool, job.id);
    const status = ((await (await call(`/api/exports/${job.id}`, auditor)).json()) as { export: TJob }).export;
    assert.equal(status.state, "done");
    assert.ok(status.recordsDone > 0);

    assert.equal((await call(`/api/exports/${job.id}`, member)).status, 404);
    assert.equal((await call(`/api/exports/${job.id}/download`, member)).status, 404);
    assert.equal((await call(`/api/exports/${job.id}/download`, null)).status, 401);
    assert.equal((await t.pool.query("SELECT 1 FROM audit_event WHERE action = 'export.download'")).rowCount, 0);

    const dl = await call(`/api/exports/${job.id}/download`, auditor);
    assert.equal(dl.status, 200);
    assert.equal(dl.headers.get("content-type"), "application/zip");
    assert.match(dl.headers.get("content-disposition") ?? "", new RegExp(`attachment; filename="${status.zipName!.replace(/\./g, "\\.")}"`));
    const body = Buffer.from(await dl.arrayBuffer());
    assert.equal(body.length, status.bytes);
    assert.equal(createHash("sha256").update(body).digest("hex"), status.sha256);
    const audited = await t.pool.query<{ actor: string; target: string }>("SELECT actor, target FROM audit_event WHERE action = 'export.download'");
    assert.deepEqual(audited.rows, [{ actor: s.users.auditor.email, target: status.zipName }]);
    const requested = await t.pool.query("SELECT 1 FROM audit_event WHERE action = 'export.request' AND target = $1", [`export:${job.id}`]);
    assert.equal(requested.rowCount, 1);
  });

  it("takes the exports page's form and sends bad input back to the page", async () => {
    const form = new URLSearchParams({ csrf: auditor.csrf, format: "csv", from: "2024-03-04", to: "2024-03-05", channels: "general, random", people: "" });
    form.append("kinds", "public");
    const ok = await call("/api/exports", auditor, { method: "POST", headers: { accept: "text/html", "content-type": "application/x-www-form-urlencoded" }, body: form });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get("location"), "/exports");
    const row = await t.pool.query<{ format: string; scope: unknown }>("SELECT format, scope FROM export_job ORDER BY id DESC LIMIT 1");
    assert.deepEqual(row.rows[0], { format: "csv", scope: { from: "2024-03-04", to: "2024-03-05", channels: ["general", "random"], kinds: ["public"] } });

    const bad = new URLSearchParams({ csrf: auditor.csrf, format: "jsonl", channels: "no-such-channel" });
    const r = await call("/api/exports", auditor, { method: "POST", headers: { accept: "text/html", "content-type": "application/x-www-form-urlencoded" }, body: bad });
    assert.equal(r.status, 303);
    assert.match(decodeURIComponent(r.headers.get("location") ?? ""), /^\/exports\?error=.*no-such-channel/);
  });

  it("cancels with DELETE (CSRF-protected); a second cancel is a conflict", async () => {
    const job = ((await (await createJson(auditor, { format: "jsonl", scope: {} })).json()) as { export: TJob }).export;
    assert.equal((await call(`/api/exports/${job.id}`, auditor, { method: "DELETE" })).status, 403);
    assert.equal((await call(`/api/exports/${job.id}`, member, { method: "DELETE", csrf: true })).status, 404);
    const r = await call(`/api/exports/${job.id}`, auditor, { method: "DELETE", csrf: true });
    assert.equal(r.status, 200);
    assert.equal(((await r.json()) as { export: TJob }).export.state, "cancelled");
    assert.equal((await call(`/api/exports/${job.id}`, auditor, { method: "DELETE", csrf: true })).status, 409);
    assert.equal((await call(`/api/exports/${job.id}/download`, auditor)).status, 409);
    assert.equal((await call("/api/exports/not-a-number", auditor)).status, 404);
  });
});

describe("/api/audit/csv and the compliance pages", () => {
  it("streams the filtered audit log as CSV to auditors only, and audits the download", async () => {
    assert.equal((await call("/api/audit/csv", member)).status, 403);
    assert.equal((await call("/api/audit/csv", null)).status, 401);
    const r = await call("/api/audit/csv?action=export.*", auditor);
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type") ?? "", /^text\/csv/);
    const lines = (await r.text()).trim().split("\r\n");
    assert.equal(lines[0], "id,chain_seq,at,actor,action,target,details,ip,hash");
    assert.ok(lines.slice(1).some((l) => l.includes(",export.request,")));
    assert.ok(lines.slice(1).some((l) => l.includes(",export.download,")));
    assert.ok(lines.slice(1).every((l) => /,export\.[a-z_]+,/.test(l)));
    const audited = await t.pool.query("SELECT details FROM audit_event WHERE action = 'audit.download' AND actor = $1", [s.users.auditor.email]);
    assert.equal(audited.rowCount, 1);
    assert.equal((await call("/api/audit/csv?from=yesterday", auditor)).status, 400);
  });

  it("renders /exports and /audit for auditors and refuses members", async () => {
    const exportsPage = await call("/exports", auditor, { headers: { accept: "text/html" } });
    assert.equal(exportsPage.status, 200);
    const html = await exportsPage.text();
    assert.match(html, /data-testid="create-export"/);
    assert.match(html, /<option value="jsonl"/);
    const audit = await (await call("/audit?action=export.*", auditor, { headers: { accept: "text/html" } })).text();
    assert.match(audit, /Hash chain verified/);
    assert.match(audit, /export\.download/);
    const viewed = await t.pool.query("SELECT 1 FROM audit_event WHERE action = 'audit.view' AND actor = $1", [s.users.auditor.email]);
    assert.equal(viewed.rowCount, 1);
    const refused = await (await call("/audit", member, { headers: { accept: "text/html" } })).text();
    assert.match(refused, /data-testid="forbidden"/);
    assert.doesNotMatch(refused, /audit-list/);
    assert.match(await (await call("/exports", member, { headers: { accept: "text/html" } })).text(), /data-testid="forbidden"/);
  });
});
