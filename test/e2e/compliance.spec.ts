import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import { resetEnvCache } from "../../lib/env";
import { runWorker } from "../../workers/index";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { seedArchive, SEED_PASSWORD, type TSeed } from "../helpers/seed";
import { startWebServer, type TWebServer } from "../helpers/web";

/**
 * The compliance officer's journey in Chromium against the built app, with
 * a real worker (the `backscroll worker` loop, run in this process on the
 * same database and export folder): ask for a JSONL export, watch it finish,
 * download it, then find the request and the download in the audit log.
 */

const SCREENSHOT_DIR = path.resolve(import.meta.dirname, "..", "..", "test-results");

let t: TTestDatabase;
let s: TSeed;
let web: TWebServer;
let browser: Browser;
let page: Page;
let exportDir: string;
const stopWorker = new AbortController();
let worker: Promise<void> | undefined;

before(async () => {
  t = await createTestDatabase();
  s = await seedArchive(t.pool);
  exportDir = fs.mkdtempSync(path.join(os.tmpdir(), "bs-compliance-e2e-"));
  process.env.EXPORT_DIR = exportDir;
  resetEnvCache();
  web = await startWebServer({ databaseUrl: t.url, env: { EXPORT_DIR: exportDir } });
  worker = runWorker({ pool: t.pool, signal: stopWorker.signal, pollMs: 250 });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
  });
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })).newPage();
});

after(async () => {
  stopWorker.abort();
  await worker;
  await browser?.close();
  await web?.stop();
  await t?.drop();
  if (exportDir) fs.rmSync(exportDir, { recursive: true, force: true });
  delete process.env.EXPORT_DIR;
  resetEnvCache();
});

const url = (p: string) => `${web.baseUrl}${p}`;

describe("compliance journey", () => {
  it("an auditor exports JSONL from the web, watches it finish and downloads it", async () => {
    await page.goto(url("/login?next=%2Fexports"));
    await page.getByLabel("Email").fill(s.users.auditor.email);
    await page.getByLabel("Password").fill(SEED_PASSWORD);
    await page.getByRole("button", { name: /sign in/i }).click();
    await page.waitForURL(url("/exports"));
    assert.ok(await page.getByRole("link", { name: "Exports" }).isVisible());
    assert.ok(await page.getByRole("link", { name: "Audit" }).isVisible());

    const form = page.getByTestId("create-export");
    await form.getByLabel("Format", { exact: true }).selectOption("jsonl");
    await form.getByLabel("From", { exact: true }).fill("2024-03-01");
    await form.getByLabel("To", { exact: true }).fill("2024-03-31");
    await form.getByLabel("Channels", { exact: true }).fill("general");
    await form.getByRole("button", { name: "Start export" }).click();
    await page.waitForURL(url("/exports"));

    const row = page.locator('[data-testid="export-list"] tbody tr').first();
    await row.waitFor();
    // The list polls while the worker runs the job.
    await page.locator('[data-testid="export-list"] tr[data-state="done"]').waitFor({ timeout: 60_000 });
    assert.match(await row.innerText(), /done/);
    assert.match(await row.innerText(), /sha256/);

    const [download] = await Promise.all([page.waitForEvent("download"), row.getByTestId("export-download").click()]);
    const saved = path.join(exportDir, "downloaded.zip");
    await download.saveAs(saved);
    const job = await t.pool.query<{ sha256: string; zip_name: string; records_done: number }>("SELECT sha256, zip_name, records_done FROM export_job");
    assert.equal(job.rowCount, 1);
    assert.ok(job.rows[0]!.records_done > 0);
    assert.equal(download.suggestedFilename(), job.rows[0]!.zip_name);
    assert.equal(createHash("sha256").update(fs.readFileSync(saved)).digest("hex"), job.rows[0]!.sha256);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "exports.png"), fullPage: true });
  });

  it("the audit page shows the request and the download, and a verified chain", async () => {
    await page.getByRole("link", { name: "Audit" }).click();
    await page.waitForURL(url("/audit"));
    await page.getByTestId("audit-verification").waitFor();
    assert.equal(await page.getByTestId("audit-verification").getAttribute("data-ok"), "true");
    const filters = page.getByTestId("audit-filters");
    await filters.getByLabel("Action", { exact: true }).fill("export.*");
    await filters.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/\/audit\?action=export/);
    const actions = await page.getByTestId("audit-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-action")));
    assert.ok(actions.includes("export.request"), actions.join(","));
    assert.ok(actions.includes("export.download"), actions.join(","));
    assert.ok(actions.includes("export.create"), actions.join(","));
    assert.ok(actions.every((a) => a?.startsWith("export.")));
    assert.match(await page.getByTestId("audit-list").innerText(), new RegExp(s.users.auditor.email.replace(/\./g, "\\.")));
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "audit.png"), fullPage: true });
  });
});
