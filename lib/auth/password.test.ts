import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { generatePassword, hashPassword, needsRehash, verifyPassword } from "./password";

describe("password hashing", () => {
  it("stores scrypt parameters, salt and key in the hash", async () => {
    const h = await hashPassword("s3cret-pass");
    assert.match(h, /^scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    assert.equal(needsRehash(h), false);
  });

  it("salts: the same password hashes differently", async () => {
    assert.notEqual(await hashPassword("same"), await hashPassword("same"));
  });

  it("verifies the right password and rejects a wrong one", async () => {
    const h = await hashPassword("correct horse");
    assert.equal(await verifyPassword("correct horse", h), true);
    assert.equal(await verifyPassword("correct hors", h), false);
    assert.equal(await verifyPassword("", h), false);
  });

  it("verifies hashes made with other parameters", async () => {
    // Weaker parameters (ln=10) still verify, and ask for a rehash.
    const { scryptSync } = await import("node:crypto");
    const salt = Buffer.from("0123456789abcdef");
    const key = scryptSync("pw", salt, 32, { N: 1024, r: 8, p: 1 });
    const h = `scrypt$ln=10,r=8,p=1$${salt.toString("base64url")}$${key.toString("base64url")}`;
    assert.equal(await verifyPassword("pw", h), true);
    assert.equal(needsRehash(h), true);
  });

  it("rejects malformed or out-of-bounds hashes without throwing", async () => {
    for (const h of ["", "plain", "scrypt$ln=30,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "bcrypt$x"]) {
      assert.equal(await verifyPassword("pw", h), false, h);
    }
  });

  it("generates long random passwords", () => {
    const a = generatePassword();
    assert.equal(a.length, 24);
    assert.notEqual(a, generatePassword());
  });
});
