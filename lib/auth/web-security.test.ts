import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readCookie, serializeClearedSessionCookie, serializeSessionCookie, shouldUseSecureCookie } from "./cookie";
import { classifyRequestOrigin, isCsrfSafe } from "./csrf";
import { sanitizeNextPath } from "./redirect";
import { areTokensEqual, generateToken, hashToken, isWellFormedToken } from "./tokens";

const host = "archive.example.com:3000";

describe("classifyRequestOrigin", () => {
  it("accepts the request's own origin", () => {
    assert.equal(classifyRequestOrigin({ origin: "http://archive.example.com:3000", referer: null, host }), "same");
    assert.equal(classifyRequestOrigin({ origin: null, referer: "https://archive.example.com:3000/login?x", host }), "same");
  });

  it("refuses other, opaque and malformed origins", () => {
    assert.equal(classifyRequestOrigin({ origin: "http://evil.example", referer: null, host }), "cross");
    assert.equal(classifyRequestOrigin({ origin: "http://archive.example.com", referer: null, host }), "cross");
    assert.equal(classifyRequestOrigin({ origin: "null", referer: null, host }), "cross");
    assert.equal(classifyRequestOrigin({ origin: "http://archive.example.com:3000", referer: null, host: null }), "cross");
  });

  it("prefers Origin over Referer", () => {
    assert.equal(classifyRequestOrigin({ origin: "http://evil.example", referer: `http://${host}/`, host }), "cross");
  });

  it("accepts a reverse proxy's forwarded host", () => {
    assert.equal(classifyRequestOrigin({ origin: "https://chat-archive.corp", referer: null, host: "127.0.0.1:3000", forwardedHost: "chat-archive.corp" }), "same");
  });

  it("reports absent headers", () => {
    assert.equal(classifyRequestOrigin({ origin: null, referer: null, host }), "absent");
  });
});

describe("isCsrfSafe", () => {
  const token = generateToken();
  it("needs the session's token and no foreign origin", () => {
    assert.equal(isCsrfSafe({ origin: `http://${host}`, referer: null, host, expectedToken: token, givenToken: token }), true);
    assert.equal(isCsrfSafe({ origin: null, referer: null, host, expectedToken: token, givenToken: token }), true);
    assert.equal(isCsrfSafe({ origin: `http://${host}`, referer: null, host, expectedToken: token, givenToken: null }), false);
    assert.equal(isCsrfSafe({ origin: `http://${host}`, referer: null, host, expectedToken: token, givenToken: generateToken() }), false);
    assert.equal(isCsrfSafe({ origin: "http://evil.example", referer: null, host, expectedToken: token, givenToken: token }), false);
  });
});

describe("tokens", () => {
  it("are 43 base64url characters, hashed to hex SHA-256", () => {
    const t = generateToken();
    assert.equal(isWellFormedToken(t), true);
    assert.equal(isWellFormedToken(t + "x"), false);
    assert.equal(isWellFormedToken("../../etc"), false);
    assert.match(hashToken(t), /^[0-9a-f]{64}$/);
    assert.equal(areTokensEqual(t, t), true);
    assert.equal(areTokensEqual(t, t.slice(1)), false);
  });
});

describe("session cookie", () => {
  it("is HttpOnly, SameSite=Lax, Path=/ and Secure only when asked", () => {
    const c = serializeSessionCookie("abc", { secure: false, maxAgeSeconds: 3600 });
    assert.equal(c, "bs_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600");
    assert.match(serializeSessionCookie("abc", { secure: true, maxAgeSeconds: 1 }), /; Secure$/);
    assert.match(serializeClearedSessionCookie({ secure: false }), /^bs_session=; .*Max-Age=0; Expires=Thu, 01 Jan 1970/);
  });

  it("decides Secure from the setting and the request", () => {
    assert.equal(shouldUseSecureCookie("true", { protocol: "http:", forwardedProto: null }), true);
    assert.equal(shouldUseSecureCookie("false", { protocol: "https:", forwardedProto: "https" }), false);
    assert.equal(shouldUseSecureCookie("auto", { protocol: "http:", forwardedProto: null }), false);
    assert.equal(shouldUseSecureCookie("auto", { protocol: "https:", forwardedProto: null }), true);
    assert.equal(shouldUseSecureCookie("auto", { protocol: "http:", forwardedProto: "https, http" }), true);
  });

  it("reads one cookie from a Cookie header", () => {
    assert.equal(readCookie("a=1; bs_session=tok; b=2", "bs_session"), "tok");
    assert.equal(readCookie("a=1", "bs_session"), null);
    assert.equal(readCookie(null, "bs_session"), null);
  });
});

describe("sanitizeNextPath", () => {
  it("keeps local paths and drops everything else", () => {
    assert.equal(sanitizeNextPath("/channels/3?day=2024-03-05#m-1"), "/channels/3?day=2024-03-05#m-1");
    for (const bad of ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", "", null, "/login?next=/x", "/api/auth/logout", "/\tevil"]) {
      assert.equal(sanitizeNextPath(bad), "/", String(bad));
    }
  });
});
