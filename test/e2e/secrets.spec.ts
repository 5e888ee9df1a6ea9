import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { insertMessage, seedArchive, SEED_PASSWORD, type TSeed } from "../helpers/seed";
import { startWebServer, type TWebServer } from "../helpers/web";

/**
 * Secrets in chat, in a real Chromium against the built app: an admin sees a
 * pasted Slack token masked, shows the raw text (audited), redacts the
 * message with a reason and sees it redacted; a member sees neither control.
 */

// Built from parts, so this file is not itself flagged by secret scanners.
const TOKEN = "xoxb-" + "730194826155-8821937465021-Hq3ZpLk9VtRw2XyN7mBc4DsF";
const DAY = "2024-03-06";

let t: TTestDatabase;
let s: TSeed;
let web: TWebServer;
let browser: Browser;
let page: Page;
let messageId: number;
let messageTs: string;

before(async () => {
  t = await createTestDatabase();
  s = await seedArchive(t.pool);
  const m = await insertMessage(t.pool, {
    channelId: s.channels.general,
    at: `${DAY}T09:00:00Z`,
    authorId: s.people.bob,
    text: `new bot token for the deploy bot: ${TOKEN} (will rotate)`,
  });
  messageId = m.id;
  messageTs = m.ts;
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
});

const url = (p: string) => `${web.baseUrl}${p}`;

async function signIn(email: string): Promise<void> {
  await page.context().clearCookies();
  await page.goto(url("/login"));
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(SEED_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(url("/"));
}

function theMessage() {
  return page.locator(`[id="m-${messageTs}"]`);
}

describe("secrets in chat", () => {
  it("a member sees the token masked and no raw or redact control", async () => {
    await signIn(s.users.alice.email);
    await page.goto(url(`/channels/${s.channels.general}?day=${DAY}`));
    await theMessage().getByText("xoxb-••••[slack token]").waitFor();
    assert.equal(await page.getByText(TOKEN).count(), 0);
    assert.equal(await theMessage().getByTestId("show-raw").count(), 0);
    assert.equal(await theMessage().getByTestId("redact").count(), 0);
    const raw = await page.request.get(url(`/api/messages/${messageId}/raw`));
    assert.equal(raw.status(), 403);
  });

  it("an admin shows the raw text (audited), redacts the message with a reason and sees it redacted", async () => {
    await signIn(s.users.admin.email);
    await page.goto(url(`/channels/${s.channels.general}?day=${DAY}`));
    const msg = theMessage();
    await msg.getByText("xoxb-••••[slack token]").waitFor();
    assert.equal(await page.getByText(TOKEN).count(), 0, "masked until asked for");

    await msg.getByTestId("show-raw").click();
    await msg.getByTestId("raw-text").waitFor();
    assert.match((await msg.getByTestId("raw-text").textContent()) ?? "", new RegExp(TOKEN));
    const audited = await t.pool.query<{ details: { ts: string } }>("SELECT details FROM audit_event WHERE action = 'message.unmask'");
    assert.equal(audited.rows.length, 1);
    assert.equal(audited.rows[0]!.details.ts, messageTs);

    page.once("dialog", (d) => void d.accept("leaked credential"));
    await msg.getByTestId("redact").click();
    await msg.getByText("[redacted: leaked credential]").waitFor();
    await msg.getByTestId("redacted-badge").waitFor();
    assert.equal(await msg.getByText("xoxb-••••[slack token]").count(), 0);

    // Reloaded, for everyone: the message stays redacted.
    await page.reload();
    await theMessage().getByText("[redacted: leaked credential]").waitFor();
    const redactions = await t.pool.query("SELECT reason FROM message_redaction WHERE message_id = $1 AND reverted_at IS NULL", [messageId]);
    assert.deepEqual(redactions.rows, [{ reason: "leaked credential" }]);
    const redactAudit = await t.pool.query("SELECT count(*)::int AS n FROM audit_event WHERE action = 'message.redact'");
    assert.equal(redactAudit.rows[0].n, 1);
  });

  it("the redaction cannot be made without the session's CSRF token", async () => {
    const r = await page.request.post(url(`/api/messages/${messageId}/redaction`), {
      headers: { "content-type": "application/json" },
      data: { reason: "no csrf" },
    });
    assert.equal(r.status(), 403);
  });
});
