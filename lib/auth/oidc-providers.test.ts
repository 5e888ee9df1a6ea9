import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TEnv } from "@/lib/env";
import { readOidcFlowCookie, serializeClearedOidcFlowCookie, serializeOidcFlowCookie, type TOidcFlow } from "./oidc";
import { buildRedirectUri, findOidcProvider, isLocalLoginEnabled, listOidcProviderButtons, listOidcProviders, parseAllowedDomains, parseScopes } from "./oidc-providers";

const base = {
  BACKSCROLL_HOME: ".backscroll",
  backscrollHome: "/tmp/.backscroll",
  PORT: 3000,
  HOST: "127.0.0.1",
  COOKIE_SECURE: "auto",
  SESSION_TTL_HOURS: 168,
  LOG_LEVEL: "info",
  IMPORT_MAX_TOTAL_BYTES: 1,
  IMPORT_MAX_RATIO: 1,
  IMPORT_MAX_ENTRY_BYTES: 1,
  LOCAL_LOGIN: "true",
  OIDC_SCOPES: "openid email profile",
  OIDC_NAME: "SSO",
  OIDC_DEFAULT_ROLE: "member",
} as TEnv;

describe("listOidcProviders", () => {
  it("offers nothing without configuration", () => {
    assert.deepEqual(listOidcProviders(base), []);
    assert.equal(findOidcProvider(base, "oidc"), null);
    assert.equal(isLocalLoginEnabled(base), true);
  });

  it("reads the generic provider and Sign in with Slack from the environment", () => {
    const env = {
      ...base,
      OIDC_ISSUER: "https://login.corp.example",
      OIDC_CLIENT_ID: "bs",
      OIDC_CLIENT_SECRET: "s3",
      OIDC_NAME: "Okta",
      OIDC_SCOPES: "email,groups",
      OIDC_ALLOWED_DOMAINS: "Corp.Example, @sub.corp.example",
      OIDC_DEFAULT_ROLE: "none",
      SLACK_CLIENT_ID: "123.456",
      SLACK_CLIENT_SECRET: "xyz",
      SLACK_TEAM_ID: "T0123",
      LOCAL_LOGIN: "false",
    } as TEnv;
    const [oidc, slack] = listOidcProviders(env);
    assert.equal(oidc?.id, "oidc");
    assert.deepEqual(oidc?.scopes, ["openid", "email", "groups"]);
    assert.deepEqual(oidc?.allowedDomains, ["corp.example", "sub.corp.example"]);
    assert.equal(oidc?.defaultRole, "none");
    assert.equal(slack?.issuer, "https://slack.com");
    assert.equal(slack?.teamId, "T0123");
    assert.deepEqual(listOidcProviderButtons(env).map((b) => `${b.label} ${b.startPath}`), [
      "Okta /api/auth/oidc/oidc/start",
      "Slack /api/auth/oidc/slack/start",
    ]);
    assert.equal(findOidcProvider(env, "github"), null);
    assert.equal(isLocalLoginEnabled(env), false);
  });

  it("needs both Slack credentials", () => {
    assert.deepEqual(listOidcProviders({ ...base, SLACK_CLIENT_ID: "123.456" } as TEnv), []);
  });

  it("parses scopes and domains", () => {
    assert.deepEqual(parseScopes("email profile"), ["openid", "email", "profile"]);
    assert.deepEqual(parseAllowedDomains(undefined), []);
  });
});

describe("buildRedirectUri", () => {
  it("puts the callback path under the public URL", () => {
    assert.equal(buildRedirectUri("slack", "https://archive.corp.example"), "https://archive.corp.example/api/auth/oidc/slack/callback");
    assert.equal(buildRedirectUri("oidc", "https://corp.example/backscroll/?x=1"), "https://corp.example/backscroll/api/auth/oidc/oidc/callback");
  });
});

describe("the flow cookie", () => {
  const flow: TOidcFlow = {
    provider: "oidc",
    state: "s".repeat(43),
    nonce: "n".repeat(43),
    codeVerifier: "v".repeat(43),
    next: "/channels/3",
    expiresAt: 2_000_000_000_000,
  };

  it("round-trips, HttpOnly and scoped to the OIDC routes", () => {
    const cookie = serializeOidcFlowCookie(flow, { secure: true });
    assert.match(cookie, /^bs_oidc=[A-Za-z0-9_-]+; Path=\/api\/auth\/oidc\/; HttpOnly; SameSite=Lax; Max-Age=600; Secure$/);
    const value = cookie.split(";")[0]!;
    assert.deepEqual(readOidcFlowCookie(`a=1; ${value}`, 1_000), flow);
    assert.match(serializeClearedOidcFlowCookie({ secure: false }), /^bs_oidc=; Path=\/api\/auth\/oidc\/;.*Max-Age=0/);
  });

  it("is void when expired, malformed or absent", () => {
    const value = serializeOidcFlowCookie(flow, { secure: false }).split(";")[0]!;
    assert.equal(readOidcFlowCookie(value, flow.expiresAt), null);
    assert.equal(readOidcFlowCookie("bs_oidc=not-json", 1_000), null);
    const bad = Buffer.from(JSON.stringify({ ...flow, provider: "github" })).toString("base64url");
    assert.equal(readOidcFlowCookie(`bs_oidc=${bad}`, 1_000), null);
    assert.equal(readOidcFlowCookie(null), null);
  });
});
