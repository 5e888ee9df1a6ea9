import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { findReadableChannelIds } from "../../lib/access/service";
import { completeOidcSignIn, OidcSignInError, resetOidcConfigurationCache, startOidcSignIn, type TOidcFlow } from "../../lib/auth/oidc";
import type { TOidcProvider } from "../../lib/auth/oidc-providers";
import { getSessionUser, toViewer } from "../../lib/auth/sessions";
import { createUser } from "../../lib/auth/users";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { startTestOidcProvider, type TTestLogin, type TTestOidcProvider } from "../helpers/oidc-provider";
import { seedArchive, type TSeed } from "../helpers/seed";

/**
 * OpenID Connect and Sign in with Slack against an in-process identity
 * provider on 127.0.0.1 and a real PostgreSQL: the whole authorization-code
 * flow (PKCE, state, nonce, signed id_token) through the service, the
 * deployment's rules, account creation and linking, sessions and audit.
 */

let t: TTestDatabase;
let s: TSeed;
let idp: TTestOidcProvider;
let slackIdp: TTestOidcProvider;

// Never fetched: the test plays the browser and hands the callback's query to the service.
const REDIRECT = "http://127.0.0.1:9/api/auth/oidc/oidc/callback";
const SLACK_REDIRECT = "http://127.0.0.1:9/api/auth/oidc/slack/callback";

function oidcProvider(overrides: Partial<TOidcProvider> = {}): TOidcProvider {
  return {
    id: "oidc",
    label: "Test IdP",
    issuer: idp.issuer,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    scopes: ["openid", "email", "profile"],
    allowedDomains: [],
    defaultRole: "member",
    teamId: null,
    ...overrides,
  };
}

function slackProvider(overrides: Partial<TOidcProvider> = {}): TOidcProvider {
  return {
    id: "slack",
    label: "Slack",
    issuer: slackIdp.issuer,
    clientId: slackIdp.clientId,
    clientSecret: slackIdp.clientSecret,
    scopes: ["openid", "email", "profile"],
    allowedDomains: [],
    defaultRole: "member",
    teamId: "T0SEED",
    ...overrides,
  };
}

/** Start a sign-in, follow the provider's redirect like a browser would, and complete it. */
async function signInVia(
  p: TOidcProvider,
  login: TTestLogin | null,
  opts: { alterFlow?: (f: TOidcFlow) => TOidcFlow | null } = {},
): ReturnType<typeof completeOidcSignIn> {
  const server = p.id === "slack" ? slackIdp : idp;
  const redirectUri = p.id === "slack" ? SLACK_REDIRECT : REDIRECT;
  if (login) server.setNextLogin(login);
  const { authorizationUrl, flow } = await startOidcSignIn(p, { redirectUri, next: "/channels/1" });
  const r = await fetch(authorizationUrl, { redirect: "manual" });
  assert.equal(r.status, 302, await r.text());
  const back = new URL(r.headers.get("location")!);
  assert.equal(back.origin + back.pathname, redirectUri);
  return completeOidcSignIn(t.pool, p, {
    callbackParams: back.searchParams,
    redirectUri,
    flow: opts.alterFlow ? opts.alterFlow(flow) : flow,
    ip: "10.0.0.9",
    userAgent: "test",
  });
}

async function refused(p: Promise<unknown>, reason: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof OidcSignInError, `expected OidcSignInError, got ${String(e)}`);
    assert.equal(e.reason, reason, e.message);
    return;
  }
  assert.fail(`expected refusal ${reason}`);
}

async function countUsers(email: string): Promise<number> {
  const r = await t.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM app_user WHERE email = $1", [email]);
  return r.rows[0]!.n;
}

async function lastFailure(): Promise<{ actor: string | null; details: Record<string, unknown> }> {
  const r = await t.pool.query("SELECT actor, details FROM audit_event WHERE action = 'auth.sign_in_failed' ORDER BY id DESC LIMIT 1");
  return r.rows[0];
}

before(async () => {
  t = await createTestDatabase();
  s = await seedArchive(t.pool);
  await t.pool.query("UPDATE person SET email = 'carol@acme.test' WHERE id = $1", [s.people.carol]);
  idp = await startTestOidcProvider({ clientId: "backscroll" });
  slackIdp = await startTestOidcProvider({ clientId: "1234.5678" });
});

after(async () => {
  await idp?.stop();
  await slackIdp?.stop();
  await t?.drop();
});

beforeEach(() => resetOidcConfigurationCache());

describe("OIDC sign-in", () => {
  it("creates a member at first sign-in, starts a session, stores the identity and audits", async () => {
    const r = await signInVia(oidcProvider(), { claims: { sub: "okta|1001", email: "Erin@Corp.Example", email_verified: true } });
    assert.equal(r.created, true);
    assert.equal(r.next, "/channels/1");
    assert.equal(r.user.email, "erin@corp.example");
    assert.equal(r.user.role, "member");
    assert.equal(r.user.personId, null);
    const session = await getSessionUser(t.pool, r.session.token);
    assert.equal(session?.userId, r.user.id);

    // The authorization request carried PKCE (S256), state and nonce.
    const q = idp.lastAuthorization()!;
    assert.equal(q.get("code_challenge_method"), "S256");
    assert.match(q.get("code_challenge") ?? "", /^[A-Za-z0-9_-]{43}$/);
    assert.ok((q.get("state") ?? "").length >= 16);
    assert.ok((q.get("nonce") ?? "").length >= 16);
    assert.equal(q.get("scope"), "openid email profile");

    const id = await t.pool.query("SELECT provider, issuer, subject, email FROM user_identity WHERE user_id = $1", [r.user.id]);
    assert.deepEqual(id.rows, [{ provider: "oidc", issuer: idp.issuer, subject: "okta|1001", email: "erin@corp.example" }]);
    const audit = await t.pool.query("SELECT actor_id, actor, details, ip FROM audit_event WHERE action = 'auth.sign_in' AND actor_id = $1", [r.user.id]);
    assert.equal(audit.rows.length, 1);
    assert.equal(audit.rows[0].actor, "erin@corp.example");
    assert.equal(audit.rows[0].ip, "10.0.0.9");
    assert.equal(audit.rows[0].details.method, "oidc");
    assert.equal(audit.rows[0].details.created, true);
  });

  it("finds the same account by issuer and subject after the e-mail changed", async () => {
    const r = await signInVia(oidcProvider(), { claims: { sub: "okta|1001", email: "erin.new@corp.example", email_verified: true } });
    assert.equal(r.created, false);
    assert.equal(r.user.email, "erin@corp.example");
    assert.equal(await countUsers("erin.new@corp.example"), 0);
  });

  it("signs an existing local account in by its verified e-mail and links the identity", async () => {
    const r = await signInVia(oidcProvider(), { claims: { sub: "okta|alice", email: s.users.alice.email, email_verified: true } });
    assert.equal(r.created, false);
    assert.equal(r.user.id, s.users.alice.id);
    assert.equal(r.user.personId, s.people.alice);
    const id = await t.pool.query("SELECT user_id FROM user_identity WHERE subject = 'okta|alice'");
    assert.equal(id.rows[0].user_id, s.users.alice.id);
  });

  it("links a new account to the chat person with the same e-mail", async () => {
    const r = await signInVia(oidcProvider(), { claims: { sub: "okta|carol", email: "carol@acme.test", email_verified: true } });
    assert.equal(r.created, true);
    assert.equal(r.user.personId, s.people.carol);
  });

  it("refuses a callback whose state does not match the browser's flow", async () => {
    const before = await t.pool.query("SELECT count(*)::int AS n FROM session");
    await refused(signInVia(oidcProvider(), { claims: { sub: "okta|x1", email: "x1@corp.example", email_verified: true }, state: "forged-state-value-0123456789" }), "oidc_state");
    assert.equal(await countUsers("x1@corp.example"), 0);
    const failure = await lastFailure();
    assert.equal(failure.details.reason, "oidc_state");
    assert.equal(failure.details.method, "oidc");
    const afterCount = await t.pool.query("SELECT count(*)::int AS n FROM session");
    assert.equal(afterCount.rows[0].n, before.rows[0].n);
  });

  it("refuses an id_token whose nonce does not match", async () => {
    await refused(signInVia(oidcProvider(), { claims: { sub: "okta|x2", email: "x2@corp.example", email_verified: true }, nonce: "another-nonce-0123456789abcdef" }), "oidc_state");
    assert.equal(await countUsers("x2@corp.example"), 0);
  });

  it("refuses a callback without a flow cookie, or with another provider's flow", async () => {
    await refused(signInVia(oidcProvider(), { claims: { sub: "okta|x3", email: "x3@corp.example", email_verified: true } }, { alterFlow: () => null }), "oidc_state");
    await refused(
      signInVia(oidcProvider(), { claims: { sub: "okta|x3", email: "x3@corp.example", email_verified: true } }, { alterFlow: (f) => ({ ...f, provider: "slack" }) }),
      "oidc_state",
    );
    // A wrong PKCE verifier is refused by the provider's token endpoint.
    await refused(
      signInVia(oidcProvider(), { claims: { sub: "okta|x3", email: "x3@corp.example", email_verified: true } }, { alterFlow: (f) => ({ ...f, codeVerifier: "v".repeat(43) }) }),
      "oidc_failed",
    );
    assert.ok(idp.refusals().includes("PKCE verifier"), idp.refusals().join(", "));
    assert.equal(await countUsers("x3@corp.example"), 0);
  });

  it("reports a refusal at the provider", async () => {
    await refused(signInVia(oidcProvider(), { claims: { sub: "okta|x4" }, error: "access_denied" }), "oidc_denied");
  });

  it("refuses unverified and missing e-mail addresses", async () => {
    await refused(signInVia(oidcProvider(), { claims: { sub: "okta|x5", email: "x5@corp.example", email_verified: false } }), "oidc_email");
    await refused(signInVia(oidcProvider(), { claims: { sub: "okta|x5", email: "x5@corp.example" } }), "oidc_email");
    await refused(signInVia(oidcProvider(), { claims: { sub: "okta|x5", email_verified: true } }), "oidc_email");
    assert.equal(await countUsers("x5@corp.example"), 0);
    const failure = await lastFailure();
    assert.equal(failure.actor, "oidc:okta|x5");
  });

  it("refuses e-mail domains that are not allowed", async () => {
    const p = oidcProvider({ allowedDomains: ["corp.example"] });
    await refused(signInVia(p, { claims: { sub: "okta|x6", email: "x6@gmail.example", email_verified: true } }), "oidc_domain");
    assert.equal(await countUsers("x6@gmail.example"), 0);
    // A subdomain is another domain.
    await refused(signInVia(p, { claims: { sub: "okta|x7", email: "x7@evil.corp.example", email_verified: true } }), "oidc_domain");
    const ok = await signInVia(p, { claims: { sub: "okta|x8", email: "x8@CORP.example", email_verified: "true" } });
    assert.equal(ok.user.email, "x8@corp.example");
  });

  it("with default role none, admits only accounts created beforehand", async () => {
    const p = oidcProvider({ defaultRole: "none" });
    await refused(signInVia(p, { claims: { sub: "okta|x9", email: "x9@corp.example", email_verified: true } }), "oidc_no_account");
    assert.equal(await countUsers("x9@corp.example"), 0);
    const pre = await createUser(t.pool, { email: "x9@corp.example", role: "auditor" });
    const r = await signInVia(p, { claims: { sub: "okta|x9", email: "x9@corp.example", email_verified: true } });
    assert.equal(r.user.id, pre.user.id);
    assert.equal(r.user.role, "auditor");
  });

  it("refuses a disabled account", async () => {
    const u = await createUser(t.pool, { email: "gone@corp.example", role: "member" });
    await t.pool.query("UPDATE app_user SET disabled = true WHERE id = $1", [u.user.id]);
    await refused(signInVia(oidcProvider(), { claims: { sub: "okta|gone", email: "gone@corp.example", email_verified: true } }), "oidc_disabled");
  });
});

describe("Sign in with Slack", () => {
  const slackClaims = (userId: string, email: string, teamId = "T0SEED") => ({
    sub: userId,
    email,
    email_verified: true,
    "https://slack.com/user_id": userId,
    "https://slack.com/team_id": teamId,
  });

  it("sends the workspace to Slack and links the account to the person with that Slack user id", async () => {
    const r = await signInVia(slackProvider(), { claims: slackClaims("U0BOB", "bob@elsewhere.example") });
    assert.equal(slackIdp.lastAuthorization()?.get("team"), "T0SEED");
    assert.equal(r.created, true);
    assert.equal(r.user.personId, s.people.bob);
    // Bob, a member, reads his own private channels and DMs, not alice's.
    const readable = new Set(await findReadableChannelIds(t.pool, toViewer({ userId: r.user.id, role: r.user.role, personId: r.user.personId })));
    assert.ok(readable.has(s.channels.secret));
    assert.ok(readable.has(s.channels.dmBobCarol));
    assert.ok(!readable.has(s.channels.formerTeam));
    const audit = await t.pool.query("SELECT details FROM audit_event WHERE action = 'auth.sign_in' AND actor_id = $1", [r.user.id]);
    assert.equal(audit.rows[0].details.method, "slack");
  });

  it("refuses another Slack workspace", async () => {
    await refused(signInVia(slackProvider(), { claims: slackClaims("U0OTHER", "other@elsewhere.example", "T0OTHER") }), "oidc_team");
    assert.equal(await countUsers("other@elsewhere.example"), 0);
    assert.equal((await lastFailure()).details.method, "slack");
  });

  it("links a pre-created account without a person on sign-in", async () => {
    const pre = await createUser(t.pool, { email: "carol.slack@elsewhere.example", role: "member" });
    assert.equal(pre.user.personId, null);
    const r = await signInVia(slackProvider({ defaultRole: "none" }), { claims: slackClaims("U0CAROL", "carol.slack@elsewhere.example") });
    assert.equal(r.user.id, pre.user.id);
    assert.equal(r.user.personId, s.people.carol);
  });
});
