import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import { createUser } from "../../lib/auth/users";
import { DEMO_ADMIN_PERSON_ID, writeDemoExport } from "../../lib/demo/demo-workspace";
import { detectChatRuns } from "../../lib/executions/service";
import { resolveAdapter } from "../../lib/ingest/adapters/registry";
import { runIngest } from "../../lib/ingest/run";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { startWebServer, type TWebServer } from "../helpers/web";

/**
 * The incident commander's journey in Chromium against the built app: the
 * incident list, the demo incident's timeline (filters, a mark), and the
 * postmortem editor with its preview and versions.
 */

const SCREENSHOT_DIR = path.resolve(import.meta.dirname, "..", "..", "test-results");
const PASSWORD = "incident commander pw";

let t: TTestDatabase;
let web: TWebServer;
let browser: Browser;
let page: Page;
let dir: string;

before(async () => {
  t = await createTestDatabase();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "incident-e2e-"));
  await writeDemoExport(dir);
  const input = { location: dir };
  await runIngest({ adapter: await resolveAdapter(input), input, pool: t.pool });
  // Command runs echoed in chat become execution records (`backscroll executions detect`).
  await detectChatRuns(t.pool);
  await createUser(t.pool, { email: "alice@example.com", role: "member", password: PASSWORD, personExternalId: DEMO_ADMIN_PERSON_ID });
  web = await startWebServer({ databaseUrl: t.url });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
  });
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
});

after(async () => {
  await browser?.close();
  await web?.stop();
  await t?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const url = (p: string) => `${web.baseUrl}${p}`;

describe("incident journey", () => {
  it("signs in and lists the detected incident", async () => {
    await page.goto(url("/login?next=%2Fincidents"));
    await page.getByLabel("Email").fill("alice@example.com");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(url("/incidents"));
    assert.equal(await page.getByTestId("incident-row").count(), 1);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "incidents-list.png"), fullPage: true });
  });

  it("shows the timeline with times in the chosen zone and marks a key event", async () => {
    await page.getByTestId("incident-row").getByRole("link").click();
    await page.getByTestId("incident-title").waitFor();
    assert.match((await page.getByTestId("key-times").textContent()) ?? "", /2026-11-03 22:41:48 UTC/);
    assert.ok((await page.getByTestId("execution-status").count()) >= 4);
    assert.ok((await page.getByTestId("quiet-gap").count()) >= 1);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "incident-page.png"), fullPage: false });
    const here = new URL(page.url()).pathname;
    await page.goto(url(`${here}?tz=Europe%2FBerlin&key=1`));
    assert.match((await page.getByTestId("key-times").textContent()) ?? "", /2026-11-03 23:41:48 Europe\/Berlin \(UTC\+01:00\)/);
    const before = await page.locator('[data-testid="timeline-event"][data-key="1"]').count();
    await page.goto(url(here));
    const yes = page.locator('[data-testid="timeline-event"]', { hasText: "yes please" });
    await yes.getByTestId("mark-key_event").click();
    await page.waitForLoadState("load");
    await page.goto(url(`${here}?key=1`));
    assert.equal(await page.locator('[data-testid="timeline-event"][data-key="1"]').count(), before + 1);
  });

  it("opens a command run from its timeline event, and hands over command in the edit form", async () => {
    const here = new URL(page.url()).pathname;
    await page.locator('[data-testid="timeline-event"][data-kind="execution"]').first().locator("a.timestamp").click();
    await page.getByTestId("execution-command").waitFor();
    assert.match(new URL(page.url()).pathname, /^\/executions\/\d+$/);
    assert.match((await page.getByTestId("execution-status").textContent()) ?? "", /succeeded|failed/);
    await page.goto(url(here));
    await page.getByText("Edit incident").click();
    await page.getByTestId("edit-people").getByLabel("Commander").selectOption("U0DEMOBORIS");
    await page.getByLabel(/^Reason/).fill("handover at shift change");
    await page.getByTestId("edit-incident").getByRole("button", { name: "Save" }).click();
    await page.waitForLoadState("load");
    assert.match((await page.getByTestId("people").locator('li[data-role="commander"]').textContent()) ?? "", /^boris/i);
    assert.equal(await page.getByTestId("people").locator('li[data-role="commander"]').count(), 1);
  });

  it("generates the postmortem, previews an edit and keeps it as a version", async () => {
    const here = new URL(page.url()).pathname;
    await page.goto(url(`${here}/postmortem`));
    await page.getByTestId("postmortem-preview").getByRole("heading", { name: "Action items" }).waitFor();
    const area = page.getByLabel("Markdown");
    await area.fill("# Edited\n\n- **done** by hand");
    await page.getByTestId("postmortem-preview").locator("strong", { hasText: "done" }).waitFor();
    await page.getByRole("button", { name: "Save as a new version" }).click();
    await page.waitForLoadState("load");
    assert.match((await page.getByTestId("postmortem-versions").textContent()) ?? "", /version 2 — edited/);
    await page.getByTestId("regenerate").click();
    await page.waitForLoadState("load");
    assert.equal(await page.getByLabel("Markdown").inputValue(), "# Edited\n\n- **done** by hand");
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "incident-postmortem.png"), fullPage: false });
  });
});
