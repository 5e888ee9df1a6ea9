import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { startTestOidcProvider, type TTestOidcProvider } from "../helpers/oidc-provider";
import { seedArchive, SEED_PASSWORD, type TSeed } from "../helpers/seed";
import { startWebServer, type TWebServer } from "../helpers/web";

/**
 * Single sign-on in a real Chromium against the built app: the login page
 * offers "Sign in with Test IdP", the in-process identity provider on
 * 127.0.0.1 approves at once, and the browser lands signed in on the
 * channel directory. A refused sign-in comes back to the login page with
 * its message. Run after `next build`.
 */

let t: TTestDatabase;
let s: TSeed;
let idp: TTestOidcProvider;
let web: TWebServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;

before(async () => {
  t = await createTestDatabase();
  s = await seedArchive(t.pool);
  idp = await startTestOidcProvider({ clientId: "backscroll-e2e" });
  web = await startWebServer({
    databaseUrl: t.url,
    env: { OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: idp.clientId, OIDC_CLIENT_SECRET: idp.clientSecret, OIDC_NAME: "Test IdP" },
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  await web?.stop();
  await idp?.stop();
  await t?.drop();
});

function url(p: string): string {
  return `${web.baseUrl}${p}`;
}

describe("signing in through an OpenID Connect provider", () => {
  it("shows the provider's refusal reason on the login page", async () => {
    idp.setNextLogin({ claims: { sub: "idp|alice", email: s.users.alice.email, email_verified: false } });
    await page.goto(url("/"));
    await page.getByRole("link", { name: "Sign in with Test IdP" }).click();
    await page.getByTestId("login-error").waitFor();
    assert.match((await page.getByTestId("login-error").textContent()) ?? "", /did not confirm a verified e-mail/);
    assert.equal(new URL(page.url()).pathname, "/login");
    assert.equal((await context.cookies()).some((c) => c.name === "bs_session"), false, web.output());
  });

  it("clicks 'Sign in with Test IdP' and lands signed in on the channel directory", async () => {
    idp.setNextLogin({ claims: { sub: "idp|alice", email: s.users.alice.email, email_verified: true } });
    await page.goto(url("/"));
    // The password form is still there (LOCAL_LOGIN defaults to true).
    await page.getByLabel("Password").waitFor();
    await page.getByRole("link", { name: "Sign in with Test IdP" }).click();
    await page.waitForURL(url("/"));
    await page.getByRole("heading", { name: "Channels", exact: true }).waitFor();
    assert.equal(await page.getByTestId("account-email").textContent(), s.users.alice.email);
    // Alice's own private channel is listed; the one she is not in is not.
    assert.equal(await page.getByTestId("channels-private").getByRole("link", { name: /ops-leads/ }).count(), 1);
    assert.equal(await page.getByText("secret-plans").count(), 0);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === "bs_session");
    assert.ok(session?.httpOnly, "session cookie is HttpOnly");
    assert.equal(cookies.some((c) => c.name === "bs_oidc"), false, "the flow cookie is cleared after the callback");
    const audit = await t.pool.query("SELECT details FROM audit_event WHERE action = 'auth.sign_in' AND actor_id = $1", [s.users.alice.id]);
    assert.equal(audit.rows.at(-1)?.details.method, "oidc");
  });
});

describe("with LOCAL_LOGIN=false", () => {
  let sso: TWebServer;

  before(async () => {
    sso = await startWebServer({
      databaseUrl: t.url,
      env: { OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: idp.clientId, OIDC_CLIENT_SECRET: idp.clientSecret, OIDC_NAME: "Test IdP", LOCAL_LOGIN: "false" },
    });
  });

  after(async () => {
    await sso?.stop();
  });

  it("offers only the provider and refuses password sign-in", async () => {
    const p = await browser.newPage();
    try {
      await p.goto(`${sso.baseUrl}/login`);
      await p.getByRole("link", { name: "Sign in with Test IdP" }).waitFor();
      assert.equal(await p.getByLabel("Password").count(), 0);
    } finally {
      await p.close();
    }
    const r = await fetch(`${sso.baseUrl}/api/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: s.users.alice.email, password: SEED_PASSWORD }),
    });
    assert.equal(r.status, 403);
    assert.equal(r.headers.getSetCookie().length, 0);
  });
});
