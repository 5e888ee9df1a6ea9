import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { seedArchive, SEED_PASSWORD, type TSeed } from "../helpers/seed";
import { startWebServer, type TWebServer } from "../helpers/web";

/**
 * The browsing journey in a real Chromium against the built app: sign-in,
 * the channel directory, a channel's days, a thread, and hostile message text.
 * Run with `node --import tsx --test test/e2e/*.spec.ts` after `next build`.
 */

const SCREENSHOT_DIR = path.resolve(import.meta.dirname, "..", "..", "test-results");

let t: TTestDatabase;
let s: TSeed;
let web: TWebServer;
let browser: Browser;
let page: Page;

before(async () => {
  t = await createTestDatabase();
  s = await seedArchive(t.pool);
  web = await startWebServer({ databaseUrl: t.url });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on("dialog", (d) => void d.dismiss());
});

after(async () => {
  await browser?.close();
  await web?.stop();
  await t?.drop();
});

function url(p: string): string {
  return `${web.baseUrl}${p}`;
}

function pathOf(page: Page): string {
  const u = new URL(page.url());
  return u.pathname + u.search;
}

describe("browsing the archive", () => {
  it("sends an unauthenticated visitor to /login", async () => {
    await page.goto(url("/"));
    assert.equal(pathOf(page), "/login?next=%2F");
    await page.getByRole("heading", { name: "Backscroll" }).waitFor();
  });

  it("shows an error for a wrong password", async () => {
    await page.getByLabel("Email").fill(s.users.alice.email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByTestId("login-error").waitFor();
    assert.equal(await page.getByTestId("login-error").textContent(), "Wrong email or password.");
    assert.equal(new URL(page.url()).pathname, "/login");
  });

  it("signs in and lists the public channel but not the private one the member is not in", async () => {
    await page.getByLabel("Email").fill(s.users.alice.email);
    await page.getByLabel("Password").fill(SEED_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(url("/"));
    await page.getByRole("heading", { name: "Channels", exact: true }).waitFor();
    assert.equal(await page.getByTestId("account-email").textContent(), s.users.alice.email);
    const publicList = page.getByTestId("channels-public");
    assert.equal(await publicList.getByRole("link", { name: "#general" }).count(), 1);
    assert.equal(await page.getByText("secret-plans").count(), 0);
    // Her own private channel and DMs are listed.
    assert.equal(await page.getByTestId("channels-private").getByRole("link", { name: /ops-leads/ }).count(), 1);
    assert.equal(await page.getByTestId("channels-dm").getByRole("link", { name: "Alice Anders, Bob Brown" }).count(), 1);
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "directory.png"), fullPage: true });
  });

  it("opens the channel on its latest day with the thread's reply count", async () => {
    await page.getByRole("link", { name: "#general" }).click();
    await page.waitForURL(url(`/channels/${s.channels.general}`));
    assert.match((await page.getByTestId("day-label").textContent()) ?? "", /Tuesday, 5 March 2024/);
    const messages = page.getByTestId("messages");
    await messages.getByText("Deploying").waitFor();
    assert.match((await messages.getByTestId("message").first().textContent()) ?? "", /2024-03-05 10:00:00 UTC/);
    assert.equal(await messages.getByRole("link", { name: "the runbook" }).getAttribute("rel"), "noopener nofollow noreferrer");
    assert.equal(await messages.getByText("This message was deleted.").count(), 1);
    assert.equal(await messages.getByText("hunter2").count(), 0);
    assert.equal(await messages.getByText("(edited)").count(), 1);
    assert.equal(await messages.getByText("Deploy finished: api 1.2.3 (attachment)").count(), 1);
    const threadLink = messages.getByTestId("thread-link");
    assert.equal(await threadLink.count(), 1);
    assert.match((await threadLink.textContent()) ?? "", /^2 replies/);
    // Replies stay in their thread, not in the channel's day.
    assert.equal(await messages.getByText("Reply one").count(), 0);

    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "channel.png"), fullPage: true });
  });

  it("opens the thread with its replies", async () => {
    await page.getByTestId("thread-link").click();
    const thread = page.getByTestId("thread");
    await thread.getByText("Reply one: health checks are green").waitFor();
    const replies = thread.getByTestId("thread-replies");
    assert.equal(await replies.getByTestId("message").count(), 2);
    assert.equal(await replies.getByText("kubectl rollout status").count(), 1);
    assert.match(pathOf(page), new RegExp(`thread=${s.threadTs.replace(".", "\\.")}`));
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "channel-thread.png"), fullPage: true });
  });

  it("shows hostile markup as text and runs none of it", async () => {
    const messages = page.getByTestId("messages");
    const xss = messages.getByText(`<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">`, { exact: true });
    assert.equal(await xss.count(), 1);
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    assert.equal(await messages.locator("img").count(), 0);
    assert.equal(await messages.locator("script").count(), 0);
  });

  it("moves to the previous day with messages", async () => {
    await page.getByTestId("prev-day").click();
    await page.waitForURL(/day=2024-03-04/);
    await page.getByText("Good morning").waitFor();
    assert.match((await page.getByTestId("day-label").textContent()) ?? "", /Monday, 4 March 2024/);
    assert.equal(await page.getByTestId("next-day").count(), 1);
    assert.equal(await page.getByLabel("Go to day").inputValue(), "2024-03-04");
    // Reactions are aggregated per emoji.
    assert.match((await page.getByRole("list", { name: "Reactions" }).textContent()) ?? "", /🎉2👀1/);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "channel-earlier-day.png"), fullPage: true });
  });

  it("shows the most reacted messages and the members of the channel", async () => {
    const reacted = page.getByTestId("most-reacted");
    await reacted.getByText("Most reacted").click();
    await reacted.getByText("Sounds good").waitFor();
    assert.match((await reacted.getByRole("list", { name: "Reactions" }).first().textContent()) ?? "", /🎉2👀1/);
    const members = page.getByTestId("channel-members");
    await members.getByText(/^Members \(4\)$/).click();
    assert.match((await members.textContent()) ?? "", /Alice Anders, Bob Brown, Carol Chen, Deploy Bot/);
  });

  it("opens a thread permalink on the thread's day", async () => {
    await page.goto(url(`/channels/${s.channels.general}?thread=${s.threadTs}`));
    await page.getByTestId("thread").getByText("Reply two").waitFor();
    assert.match((await page.getByTestId("day-label").textContent()) ?? "", /Tuesday, 5 March 2024/);
  });

  it("answers 404 for a private channel the member is not in", async () => {
    const r = await page.goto(url(`/channels/${s.channels.secret}`));
    assert.equal(r?.status(), 404);
    assert.equal(await page.getByText("the secret plan").count(), 0);
    await page.getByRole("heading", { name: "Not found" }).waitFor();
  });

  it("signs out", async () => {
    await page.goto(url("/"));
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/login/);
    await page.goto(url("/"));
    assert.equal(pathOf(page), "/login?next=%2F");
  });
});
