import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readZip } from "../helpers/zip-reader";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { seedArchive, type TSeed } from "../helpers/seed";
import { resetEnvCache } from "../../lib/env";
import { isAppError } from "../../lib/errors";
import type { TViewer } from "../../lib/access/types";
import { createUser } from "../../lib/auth/users";
import { cancelExport, findExport, listExports, openExportDownload, requestExport } from "../../lib/export/jobs";
import { runExportJob } from "../../lib/export/run-job";
import { updateExportStarted } from "../../lib/export/jobs-repository";
import { handleCreateExport } from "../../workers/handlers/export.create-export";
import { JOBS } from "../../workers/registry";

// Export jobs against a real PostgreSQL: asked for through the service, run
// by the worker's handler (called directly), cancelled, refused to members.

let t: TTestDatabase;
let s: TSeed;
let exportDir: string;
let auditor: TViewer;
let admin: TViewer;
let member: TViewer;

before(async () => {
  t = await createTestDatabase();
  s = await seedArchive(t.pool);
  exportDir = fs.mkdtempSync(path.join(os.tmpdir(), "bs-export-jobs-"));
  process.env.EXPORT_DIR = exportDir;
  resetEnvCache();
  auditor = { userId: s.users.auditor.id, role: "auditor", personId: null };
  admin = { userId: s.users.admin.id, role: "admin", personId: null };
  member = { userId: s.users.alice.id, role: "member", personId: s.people.alice };
});

after(async () => {
  await t?.drop();
  fs.rmSync(exportDir, { recursive: true, force: true });
  delete process.env.EXPORT_DIR;
  resetEnvCache();
});


/** The handler as the worker calls it, with the context the worker gives. */
async function runHandler(exportId: number): Promise<unknown[]> {
  const progress: unknown[] = [];
  const job = await t.pool.query<{ id: number; payload: unknown }>("SELECT j.id, j.payload FROM job j JOIN export_job e ON e.job_id = j.id WHERE e.id = $1", [exportId]);
  const entry = JOBS.get("export.create-export");
  assert.ok(entry, "export.create-export is registered");
  assert.equal(entry.handler, handleCreateExport);
  const payload = entry.definition.schema.parse(job.rows[0]!.payload);
  await entry.handler(payload, { pool: t.pool, jobId: job.rows[0]!.id, progress: async (p) => void progress.push(p) });
  return progress;
}

async function auditRows(action: string, target?: string) {
  const r = await t.pool.query<{ actor: string; target: string; details: Record<string, unknown> }>(
    "SELECT actor, target, details FROM audit_event WHERE action = $1 AND ($2::text IS NULL OR target = $2) ORDER BY id",
    [action, target ?? null],
  );
  return r.rows;
}

async function expectAppError(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => isAppError(e) && e.code === code);
}

describe("export jobs", () => {
  it("queues an export, runs it in the handler to a ZIP whose SHA-256 the row records, and audits request and download", async () => {
    const job = await requestExport(t.pool, auditor, { format: "jsonl", scope: { channels: ["general"], from: "2024-03-01", to: "2024-03-31" } }, { ip: "10.0.0.9" });
    assert.equal(job.state, "queued");
    assert.equal(job.requester, s.users.auditor.email);
    const queued = await t.pool.query("SELECT name, status, key FROM job WHERE id = (SELECT job_id FROM export_job WHERE id = $1)", [job.id]);
    assert.deepEqual(queued.rows[0], { name: "export.create-export", status: "queued", key: `export:${job.id}` });
    const requested = await auditRows("export.request", `export:${job.id}`);
    assert.equal(requested.length, 1);
    assert.equal(requested[0]!.actor, s.users.auditor.email);
    assert.equal(requested[0]!.details.format, "jsonl");

    const progress = await runHandler(job.id);
    assert.ok(progress.length >= 1, "the handler reported progress to the queue");
    const done = await findExport(t.pool, auditor, job.id);
    assert.equal(done.state, "done", done.error ?? "");
    assert.ok(done.recordsDone > 0);
    assert.equal(done.totalEstimate, done.recordsDone);
    assert.ok(done.startedAt && done.finishedAt);

    const row = await t.pool.query<{ zip_path: string }>("SELECT zip_path FROM export_job WHERE id = $1", [job.id]);
    const zipPath = row.rows[0]!.zip_path;
    assert.ok(zipPath.startsWith(path.join(exportDir, String(job.id)) + path.sep), zipPath);
    const bytes = fs.readFileSync(zipPath);
    assert.equal(createHash("sha256").update(bytes).digest("hex"), done.sha256);
    assert.equal(bytes.length, done.bytes);
    assert.equal(path.basename(zipPath), done.zipName);
    const files = await readZip(zipPath);
    const manifest = JSON.parse(files.get("manifest.json")!.toString("utf8")) as { counts: { messages: number } };
    assert.equal(manifest.counts.messages, done.recordsDone);
    assert.equal((await auditRows("export.create", done.zipName!)).length, 1, "runExport audited the export");

    const dl = await openExportDownload(t.pool, auditor, job.id, { ip: "10.0.0.9" });
    assert.equal(dl.path, zipPath);
    assert.equal(dl.sha256, done.sha256);
    const downloads = await auditRows("export.download", done.zipName!);
    assert.equal(downloads.length, 1);
    assert.equal(downloads[0]!.details.sha256, done.sha256);

    // Running the handler again (a duplicate delivery) changes nothing.
    await runHandler(job.id);
    assert.equal((await findExport(t.pool, auditor, job.id)).sha256, done.sha256);
    assert.ok(fs.existsSync(zipPath));
  });

  it("cancels a queued export at once; the worker then does nothing", async () => {
    const job = await requestExport(t.pool, auditor, { format: "csv", scope: {} });
    const cancelled = await cancelExport(t.pool, auditor, job.id);
    assert.equal(cancelled.state, "cancelled");
    assert.equal((await auditRows("export.cancel", `export:${job.id}`)).length, 1);
    await runHandler(job.id);
    const after = await findExport(t.pool, auditor, job.id);
    assert.equal(after.state, "cancelled");
    assert.equal(after.zipName, null);
    assert.equal(fs.existsSync(path.join(exportDir, String(job.id))), false);
    await expectAppError(cancelExport(t.pool, auditor, job.id), "conflict");
    await expectAppError(openExportDownload(t.pool, auditor, job.id), "conflict");
  });

  it("stops a running export when a cancel is asked for, leaving no file", async () => {
    const job = await requestExport(t.pool, auditor, { format: "jsonl", scope: {} });
    // A worker has claimed it; the cancel arrives while it runs.
    assert.ok(await updateExportStarted(t.pool, job.id));
    const flagged = await cancelExport(t.pool, auditor, job.id);
    assert.equal(flagged.state, "running");
    assert.equal(flagged.cancelRequested, true);
    await runHandler(job.id);
    const after = await findExport(t.pool, auditor, job.id);
    assert.equal(after.state, "cancelled");
    assert.equal(after.sha256, null);
    assert.equal(fs.existsSync(path.join(exportDir, String(job.id))), false, "no partial file remains");
  });

  it("honours a cancel that arrives after the run has started, leaving no file", async () => {
    const job = await requestExport(t.pool, auditor, { format: "jsonl", scope: {} });
    // The cancel comes in through the heartbeat, i.e. after the run has started and counted its scope.
    let calls = 0;
    const r = await runExportJob(t.pool, job.id, {
      heartbeat: async (p) => {
        calls++;
        if (p.total !== null && calls === 2) {
          await cancelExport(t.pool, auditor, job.id);
        }
      },
    });
    // Either the next check or the final state change sees the cancel: never a finished file.
    assert.equal(r?.state, "cancelled");
    assert.equal(fs.existsSync(path.join(exportDir, String(job.id))), false);
  });

  it("fails an export whose requester may no longer export, without a file", async () => {
    const u = await createUser(t.pool, { email: "temp-auditor@example.com", role: "auditor", password: "long-enough-password" });
    const viewer: TViewer = { userId: u.user.id, role: "auditor", personId: null };
    const job = await requestExport(t.pool, viewer, { format: "jsonl", scope: {} });
    await t.pool.query("UPDATE app_user SET role = 'member' WHERE id = $1", [u.user.id]);
    await assert.rejects(runHandler(job.id), (e: unknown) => isAppError(e) && e.code === "forbidden");
    const after = await findExport(t.pool, admin, job.id);
    assert.equal(after.state, "failed");
    assert.match(after.error ?? "", /may no longer export/);
    assert.equal(fs.existsSync(path.join(exportDir, String(job.id))), false);
  });

  it("refuses members, hides other auditors' jobs, and shows an admin everyone's", async () => {
    const job = await requestExport(t.pool, auditor, { format: "jsonl", scope: { kinds: ["dm"] } });
    await expectAppError(requestExport(t.pool, member, { format: "jsonl", scope: {} }), "forbidden");
    await expectAppError(listExports(t.pool, member), "forbidden");
    await expectAppError(findExport(t.pool, member, job.id), "not_found");
    await expectAppError(cancelExport(t.pool, member, job.id), "not_found");
    await expectAppError(openExportDownload(t.pool, member, job.id), "not_found");
    const other = await createUser(t.pool, { email: "other-auditor@example.com", role: "auditor", password: "long-enough-password" });
    const otherViewer: TViewer = { userId: other.user.id, role: "auditor", personId: null };
    await expectAppError(findExport(t.pool, otherViewer, job.id), "not_found");
    assert.equal((await listExports(t.pool, otherViewer)).length, 0);
    assert.ok((await listExports(t.pool, admin)).some((j) => j.id === job.id));
    assert.ok((await listExports(t.pool, auditor)).every((j) => j.requester === s.users.auditor.email));
  });

  it("refuses a bad format or scope before anything is queued", async () => {
    const before = (await t.pool.query("SELECT count(*)::int AS n FROM export_job")).rows[0].n;
    await expectAppError(requestExport(t.pool, auditor, { format: "docx", scope: {} }), "usage");
    await expectAppError(requestExport(t.pool, auditor, { format: "jsonl", scope: { channels: ["no-such-channel"] } }), "bad_input");
    await expectAppError(requestExport(t.pool, auditor, { format: "jsonl", scope: { from: "2024-03-05", to: "2024-03-01" } }), "bad_input");
    await expectAppError(requestExport(t.pool, auditor, { format: "jsonl", scope: { from: "yesterday" } }), "bad_input");
    await expectAppError(requestExport(t.pool, auditor, { format: "jsonl", scope: { kinds: ["voice"] } }), "bad_input");
    await expectAppError(requestExport(t.pool, auditor, { format: "jsonl", scope: {}, extra: 1 }), "bad_input");
    assert.equal((await t.pool.query("SELECT count(*)::int AS n FROM export_job")).rows[0].n, before);
  });
});
