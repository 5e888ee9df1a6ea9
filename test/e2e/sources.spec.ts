import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { seedArchive, SEED_PASSWORD, type TSeed } from "../helpers/seed";
import { startWebServer, type TWebServer } from "../helpers/web";
import { generateWorkspace, startSlackApiServer, type TSlackApiServer } from "../helpers/slack-api-server";
import { runSlackSync } from "../../lib/sources/sync-service";
import { signSlackRequest } from "../../lib/ingest/adapters/slack-events/signature";

/**
 * The sources page in Chromium against the built app (admins only), and the
 * Events API route over HTTP with a signed and an unsigned request.
 */

const SCREENSHOT_DIR = path.resolve(import.meta.dirname, "..", "..", "test-results");
const SECRET = "e2e-signing-secret";

let t: TTestDatabase;
let s: TSeed;
let web: TWebServer;
let api: TSlackApiServer;
let browser: Browser;
let page: Page;

before(async () => {
  t = await createTestDatabase();
  s = await seedArchive(t.pool);
  api = await startSlackApiServer(generateWorkspace({ channels: 2, messagesPerChannel: 30, threadEvery: 10, repliesPerThread: 2, startSec: Math.floor(Date.now() / 1000) - 86400 }));
  await runSlackSync({ pool: t.pool, token: "xoxb-test-token", apiUrl: api.url });
  web = await startWebServer({ databaseUrl: t.url, env: { SLACK_SIGNING_SECRET: SECRET } });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
  });
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
});

after(async () => {
  await browser?.close();
  await web?.stop();
  await api?.close();
  await t?.drop();
});

async function signIn(email: string): Promise<void> {
  await page.context().clearCookies();
  await page.goto(`${web.baseUrl}/login?next=%2Fsources`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(SEED_PASSWORD);
  await page.getByRole("button", { name: /sign in/i }).click();
  await page.waitForURL(/\/sources$/);
}

describe("sources", () => {
  it("shows an admin each synced channel's ranges, threads and state", async () => {
    await signIn(s.users.admin.email);
    await page.getByRole("heading", { name: "Sources" }).waitFor();
    const row = page.getByTestId("source-channel-C0GEN00000");
    await row.waitFor();
    const text = await row.innerText();
    assert.match(text, /#gen-0/);
    assert.match(text, /3 \/ 3/);
    assert.match(text, /complete/);
    assert.ok(await page.getByRole("link", { name: "Sources" }).isVisible());
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "sources.png"), fullPage: true });
  });

  it("tells a member the page is for administrators", async () => {
    await signIn(s.users.alice.email);
    await page.getByTestId("forbidden").waitFor();
    assert.equal(await page.getByTestId("source-channel-C0GEN00000").count(), 0);
    assert.equal(await page.getByRole("link", { name: "Sources" }).count(), 0);
  });

  it("accepts a signed Events API request over HTTP and refuses an unsigned one", async () => {
    const body = JSON.stringify({ type: "url_verification", challenge: "c-123" });
    const ts = Math.floor(Date.now() / 1000);
    const ok = await fetch(`${web.baseUrl}/api/slack/events`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-slack-request-timestamp": String(ts), "x-slack-signature": signSlackRequest(SECRET, ts, body) },
      body,
    });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { challenge: "c-123" });
    const unsigned = await fetch(`${web.baseUrl}/api/slack/events`, { method: "POST", headers: { "content-type": "application/json" }, body });
    assert.equal(unsigned.status, 401);
  });
});
