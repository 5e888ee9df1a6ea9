import { test } from "node:test";
import assert from "node:assert/strict";
import { signSlackRequest, verifySlackSignature } from "./signature";

// Slack's documented example (api.slack.com/authentication/verifying-requests-from-slack).
const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const BODY =
  "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
const TS = "1531420618";

test("Slack's documented example signs to its documented signature", () => {
  assert.equal(signSlackRequest(SECRET, TS, BODY), "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503");
  assert.equal(verifySlackSignature({ secret: SECRET, timestamp: TS, signature: signSlackRequest(SECRET, TS, BODY), body: BODY, nowSeconds: Number(TS) + 10 }), "ok");
});

test("missing, altered, wrongly keyed and stale requests are refused", () => {
  const sig = signSlackRequest(SECRET, TS, BODY);
  const now = Number(TS) + 10;
  assert.equal(verifySlackSignature({ secret: SECRET, timestamp: null, signature: sig, body: BODY, nowSeconds: now }), "missing");
  assert.equal(verifySlackSignature({ secret: SECRET, timestamp: TS, signature: null, body: BODY, nowSeconds: now }), "missing");
  assert.equal(verifySlackSignature({ secret: SECRET, timestamp: TS, signature: sig, body: BODY + "x", nowSeconds: now }), "bad");
  assert.equal(verifySlackSignature({ secret: "other", timestamp: TS, signature: sig, body: BODY, nowSeconds: now }), "bad");
  assert.equal(verifySlackSignature({ secret: SECRET, timestamp: TS, signature: "v0=short", body: BODY, nowSeconds: now }), "bad");
  assert.equal(verifySlackSignature({ secret: SECRET, timestamp: "abc", signature: sig, body: BODY, nowSeconds: now }), "bad");
  assert.equal(verifySlackSignature({ secret: SECRET, timestamp: TS, signature: sig, body: BODY, nowSeconds: Number(TS) + 301 }), "stale");
  assert.equal(verifySlackSignature({ secret: SECRET, timestamp: TS, signature: sig, body: BODY, nowSeconds: Number(TS) - 301 }), "stale");
  assert.equal(verifySlackSignature({ secret: SECRET, timestamp: TS, signature: sig, body: BODY, nowSeconds: Number(TS) + 300 }), "ok");
});
