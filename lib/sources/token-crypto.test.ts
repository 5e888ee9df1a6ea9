import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { decryptToken, encryptToken, tokenHint } from "./token-crypto";

test("tokens round-trip, never appear in the sealed form, and fail under another key", () => {
  const key = randomBytes(32);
  const token = "xoxb-1234-5678-abcdefghijkl";
  const sealed = encryptToken(token, key);
  assert.ok(!sealed.includes("abcdefghijkl"));
  assert.notEqual(encryptToken(token, key), sealed, "a fresh IV every time");
  assert.equal(decryptToken(sealed, key), token);
  assert.throws(() => decryptToken(sealed, randomBytes(32)), /cannot be decrypted/);
  assert.equal(tokenHint(token), "xoxb-…ijkl");
});
