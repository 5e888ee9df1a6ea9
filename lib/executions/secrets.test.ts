import assert from "node:assert/strict";
import { test } from "node:test";
import { MASK, collectSecretValues, maskSecretsInJson, maskSecretsInText } from "./secrets";

test("well-known credential shapes are masked in text, keeping their keys", () => {
  const cases: [string, string][] = [
    ["token xoxb-123456789012-abcdefABCDEF here", `token ${MASK} here`],
    ["AWS AKIAIOSFODNN7EXAMPLE ok", `AWS ${MASK} ok`],
    ["gh ghp_abcdefghijklmnopqrstuvwxyz0123456789AB", `gh ${MASK}`],
    ["Authorization: Bearer abc.def-ghi_jkl", `Authorization: Bearer ${MASK}`],
    ["db postgres://app:s3cret@db:5432/app", `db postgres://app:${MASK}@db:5432/app`],
    ["run --password hunter22 --user bob", `run --password ${MASK} --user bob`],
    ["API_KEY=abc123def456 next", `API_KEY=${MASK} next`],
    ['{"client_secret": "shh-it-is"}', `{"client_secret": "${MASK}"}`],
    ["-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----", `-----BEGIN RSA PRIVATE KEY-----${MASK}`],
    ["jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N", `jwt ${MASK}`],
  ];
  for (const [input, want] of cases) assert.equal(maskSecretsInText(input).value, want, input);
  assert.equal(maskSecretsInText("the token expired yesterday").count, 0, "plain prose is left alone");
  assert.equal(maskSecretsInText("deploy api-gateway v2.31.1 to prod").count, 0);
});

test("values under secret keys and declared secret parameters are masked in JSON, and found elsewhere", () => {
  const args = { service: "api", password: "pw-1", nested: { apiKey: "k-123456" }, list: ["xoxp-1234567890-abcdef"], custom: "opensesame", enabled: true };
  const r = maskSecretsInJson(args, { secretKeys: ["custom"] });
  assert.deepEqual(r.value, { service: "api", password: MASK, nested: { apiKey: MASK }, list: [MASK], custom: MASK, enabled: true });
  assert.equal(r.count, 4);
  assert.deepEqual(args.password, "pw-1", "the input is not changed");
  const known = collectSecretValues(args, ["custom"]);
  assert.deepEqual(known.sort(), ["k-123456", "opensesame", "pw-1"]);
  assert.equal(maskSecretsInText("logged in with opensesame", known).value, `logged in with ${MASK}`);
});
