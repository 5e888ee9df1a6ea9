import assert from "node:assert/strict";
import { test } from "node:test";
import {
  findSecrets,
  hasSecrets,
  isSecretLikeValue,
  isSecretSearchTerm,
  maskSecrets,
  maskSecretsInValue,
  SECRET_VALUE_CONTEXT_HINTS,
  SECRET_VALUE_CONTEXT_PG,
} from "./secrets";

// Example credentials built from parts, so this file is not itself flagged by secret scanners.
const AWS_KEY = "AKIA" + "IOSFODNN7EXAMPLE";
const AWS_TEMP = "ASIA" + "Y34FZKBOKMUTVV7A";
const AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEY";
const GOOGLE = "AIza" + "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY";
const SLACK_BOT = "xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx";
const SLACK_USER = "xoxp-" + "123456789012-123456789012-123456789012-0123456789abcdef0123456789abcdef";
const SLACK_APP = "xapp-" + "1-A0123456789-1234567890123-0123456789abcdef";
const SLACK_HOOK = "https://hooks.slack.com/services/" + "T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX";
const GH_CLASSIC = "ghp_" + "wWPw5k4aXcaT4fNP0UcnZwJUVFk6LO0pINUx";
const GH_APP = "ghs_" + "16C7e42F292c6912E7710c838347Ae178B4a";
const GH_FINE = "github_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU";
const STRIPE = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc";
const STRIPE_R = "rk_live_" + "51H8abcdEFGHijklMNOPqrst";
const JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." + "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ." + "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
const PEM = ["-----BEGIN RSA PRIVATE KEY-----", "MIIEpAIBAAKCAQEA7bq9Vb1xT0Mw8n6l0kPq", "k3Zr0Y9m5bQ2Yk2XJp0A0n5cVq==", "-----END RSA PRIVATE KEY-----"].join("\n");

/** [input, expected masked output] — every one a secret. */
const POSITIVES: [string, string][] = [
  [`aws creds ${AWS_KEY} for the backup job`, "aws creds AKIA••••[aws key] for the backup job"],
  [`temp key ${AWS_TEMP}`, "temp key ASIA••••[aws key]"],
  [`aws_secret_access_key = ${AWS_SECRET}`, "aws_secret_access_key = ••••[aws secret]"],
  [`AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`, "AWS_SECRET_ACCESS_KEY=••••[aws secret]"],
  [`"SecretAccessKey": "${AWS_SECRET}"`, '"SecretAccessKey": "••••[aws secret]"'],
  [`maps key ${GOOGLE} restricted?`, "maps key AIza••••[google api key] restricted?"],
  [`use ${SLACK_BOT} for the bot`, "use xoxb-••••[slack token] for the bot"],
  [`SLACK_TOKEN=${SLACK_USER}`, "SLACK_TOKEN=xoxp-••••[slack token]"],
  [`socket mode: ${SLACK_APP}`, "socket mode: xapp-••••[slack token]"],
  [`webhook ${SLACK_HOOK}`, "webhook https://hooks.slack.com/services/••••[slack webhook]"],
  [`<${SLACK_HOOK}|the webhook>`, "<https://hooks.slack.com/services/••••[slack webhook]|the webhook>"],
  [`token ${GH_CLASSIC} expires friday`, "token ghp_••••[github token] expires friday"],
  [`installation ${GH_APP}`, "installation ghs_••••[github token]"],
  [`GITHUB_TOKEN=${GH_FINE}`, "GITHUB_TOKEN=github_pat_••••[github token]"],
  [`stripe ${STRIPE}`, "stripe sk_live_••••[stripe key]"],
  [`restricted ${STRIPE_R}`, "restricted rk_live_••••[stripe key]"],
  [`jwt: ${JWT}`, "jwt: eyJ••••[jwt]"],
  [`Authorization: Bearer ${JWT}`, "Authorization: Bearer eyJ••••[jwt]"],
  ["curl -H 'Authorization: Bearer 8f3kD92nXq7LmZ0pR4tY6wB1'", "curl -H 'Authorization: Bearer ••••[bearer token]'"],
  [`key:\n${PEM}\nthanks`, "key:\n-----BEGIN RSA PRIVATE KEY-----••••[private key]\nthanks"],
  ["-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ", "-----BEGIN OPENSSH PRIVATE KEY-----••••[private key]"],
  ["db is postgres://app:S3cr3t!pw@db-01.internal:5432/app", "db is postgres://app:••••[password]@db-01.internal:5432/app"],
  ["redis://:hunter2hunter2@cache-02:6379/0", "redis://:••••[password]@cache-02:6379/0"],
  ["https://deploy:gh0stRider42@artifacts.example.com/repo", "https://deploy:••••[password]@artifacts.example.com/repo"],
  ["password=Tr0ub4dor&3", "password=••••[password]&3"],
  ["DB_PASSWORD=hunter22 ./migrate.sh", "DB_PASSWORD=••••[password] ./migrate.sh"],
  ['{"password": "c0rrect-h0rse"}', '{"password": "••••[password]"}'],
  ["MYSQL_ROOT_PASSWORD: 'x9!kQz2#Lp'", "MYSQL_ROOT_PASSWORD: '••••[password]'"],
  ["client_secret: 8a7f6e5d4c3b2a1908f7e6d5c4b3a291", "client_secret: ••••[secret]"],
  ["api_key=9f86d081884c7d659a2feaa0c55ad015", "api_key=••••[api key]"],
  ["apiKey: 'Zx81kLmq02Pw9RtVb7Ys'", "apiKey: '••••[api key]'"],
  ["token=3a7bd3e2360a3d29eea436fcfb7e44c735d117c4", "token=••••[token]"],
  ["access_token: ya29.a0AfH6SMBx3fK9lQ2w7ZrT", "access_token: ••••[token]"],
  ["./deploy --password Sup3r-S3cret --env prod", "./deploy --password ••••[password] --env prod"],
  ["vault login --token=s.Qf1s5zigZ4LX6vZqL8c2nWbN", "vault login --token=••••[token]"],
  [`two: ${AWS_KEY} and ${SLACK_BOT}.`, "two: AKIA••••[aws key] and xoxb-••••[slack token]."],
];

/** Ordinary operations and chat text: nothing here may be masked. */
const NEGATIVES: string[] = [
  "api-gw-03 is flapping again, paging on-call",
  "rolled back api-gateway to v2.31.0 on prod-eu-1",
  "OPS-4521: 503s from 10.20.3.17 and 10.20.3.18 behind the LB",
  "trace id 3f2b8c1e-9d4a-4b6f-a1c2-7e8d9f0a1b2c",
  "fixed in 4b825dc642cb6eb9a060e54bf8d69288fbee4904 (merged)",
  "deploy sha-4b825dc to ghcr.io/acme/api:sha-4b825dc",
  "see https://grafana.example.com/d/abc123/api?orgId=1&from=now-6h&to=now",
  "ERR_CONNECTION_RESET from java.lang.NullPointerException at Foo.java:42",
  "tail -f /var/log/app.log | grep exit=1",
  "the token expired yesterday, I'll rotate the api key tomorrow",
  "password reset for alice@example.com done",
  "Reset your password: go to the portal",
  "password: expired",
  "token: revoked",
  "secret: db-credentials",
  "secretName: db-credentials-v2",
  "tokenizer: sentencepiece-v2",
  "password=${DB_PASSWORD} comes from the env",
  "api_key=<your key here>",
  "password=********",
  "token: ${{ secrets.GITHUB_TOKEN }}",
  "password=[masked] in the execution log",
  "postgres://app@db-01:5432/app has no password",
  "ssh://git@github.com/acme/infra.git",
  "redis://:${REDIS_PASSWORD}@cache-02:6379",
  "http://[::1]:8080/healthz returns 200",
  "channel C024BE91L user U024BE7LH ts 1709632800.000100",
  "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  "the AKIA prefix means a long-term key; ASIA is temporary",
  "xoxb tokens are bot tokens",
  "Bearer auth is required on /api/v1/tokens",
  "set timeout=30000 and retries=5, token_ttl=3600",
  "kubectl -n payments rollout restart deploy/payments-api",
  "Basic authentication failed for user deploy",
  "secret rotation scheduled for 2024-03-05T10:00:00Z",
  "mitigated at 14:32 UTC after failover to db-02",
  "I think the password is on the team vault, ask @bob",
  "eyJ is how base64 JSON starts",
  "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa\n-----END CERTIFICATE-----",
  "pwd: /home/deploy/releases/20240305",
  "PASSWORD_MIN_LENGTH=12",
  "token_file=/etc/backscroll/token and password_file: ~/.pgpass",
  `a bare 40-character string ${AWS_SECRET} is not an AWS secret without its name`,
];

test("every kind of secret is masked with a recognisable prefix and its kind", () => {
  for (const [input, want] of POSITIVES) {
    assert.equal(maskSecrets(input), want, input);
    assert.ok(hasSecrets(input), `hasSecrets: ${input}`);
  }
});

test("masking is idempotent: masking masked text changes nothing, and finds nothing", () => {
  for (const [input] of POSITIVES) {
    const once = maskSecrets(input);
    assert.equal(maskSecrets(once), once, input);
    assert.deepEqual(findSecrets(once), [], `nothing left in ${once}`);
  }
});

test("ordinary operations text is never masked", () => {
  for (const text of NEGATIVES) {
    assert.deepEqual(findSecrets(text), [], text);
    assert.equal(maskSecrets(text), text);
  }
});

test("the secret value itself never survives masking", () => {
  const raw = [AWS_KEY, GOOGLE, SLACK_BOT, SLACK_USER, SLACK_APP, GH_CLASSIC, GH_FINE, STRIPE, JWT];
  for (const s of raw) {
    const masked = maskSecrets(`value ${s} end`);
    assert.ok(!masked.includes(s.slice(6)), `${s} leaked: ${masked}`);
  }
  assert.ok(!maskSecrets(`aws_secret_access_key: ${AWS_SECRET}`).includes(AWS_SECRET.slice(4)));
  assert.ok(!maskSecrets(SLACK_HOOK).includes("XXXXXXXXXXXX"));
  assert.ok(!maskSecrets(PEM).includes("MIIEpAIB"));
});

test("findings are ordered, do not overlap, and name their kinds", () => {
  const text = `SLACK_TOKEN=${SLACK_BOT} and AWS ${AWS_KEY}`;
  const f = findSecrets(text);
  assert.deepEqual(
    f.map((x) => x.kind),
    ["slack token", "aws key"],
  );
  assert.equal(text.slice(f[0]!.start, f[0]!.end), SLACK_BOT, "the specific rule wins over the key=value rule");
  assert.ok(f[0]!.end <= f[1]!.start);
});

test("value acceptance: long and varied values are secrets, words, numbers and placeholders are not", () => {
  const cases: [string, string, boolean][] = [
    ["hunter22", "password", true],
    ["Tr0ub4dor", "password", true],
    ["changeme", "password", false],
    ["expired", "password", false],
    ["reset-required", "password", false],
    ["12345678", "password", false],
    ["v2.31.0", "token", false],
    ["${TOKEN}", "token", false],
    ["xxxxxxxxxxxx", "token", false],
    ["abc123", "token", false],
    ["9f86d081884c7d659a2f", "token", true],
  ];
  for (const [v, key, want] of cases) assert.equal(isSecretLikeValue(v, key), want, `${key}=${v}`);
});

test("JSON values are masked in every string, without changing the input", () => {
  const attachments = [{ fallback: `token ${SLACK_BOT}`, fields: [{ title: "key", value: AWS_KEY }], color: "danger" }];
  const masked = maskSecretsInValue(attachments);
  assert.deepEqual(masked, [{ fallback: "token xoxb-••••[slack token]", fields: [{ title: "key", value: "AKIA••••[aws key]" }], color: "danger" }]);
  assert.equal(attachments[0]!.fields[0]!.value, AWS_KEY);
});

test("search terms that are secrets are recognised in any letter case; ordinary terms are not", () => {
  for (const t of [AWS_KEY, AWS_KEY.toLowerCase(), SLACK_BOT, SLACK_BOT.toUpperCase(), JWT.toLowerCase(), GH_CLASSIC, STRIPE, "password=hunter22"]) {
    assert.ok(isSecretSearchTerm(t), t);
  }
  for (const t of ["api-gw-03", "OPS-4521", "10.20.3.17", "rollback", "token", "akia", "xoxb", "4b825dc642cb6eb9a060e54bf8d69288fbee4904"]) {
    assert.ok(!isSecretSearchTerm(t), t);
  }
});

test("every text where a masked value may stand holds one of the search's cheap hints", () => {
  const context = new RegExp(SECRET_VALUE_CONTEXT_PG, "i");
  const samples = [
    ...POSITIVES.map(([input]) => input),
    ...NEGATIVES,
    "DB_PASSWORD=hunter2",
    "db.passwd: x",
    "PassPhrase = x",
    "pwd=x",
    "client_secret: x",
    "API-KEY=x",
    "apikey: x",
    "access_token => x",
    "AUTH-TOKEN: x",
    "refresh_token=x",
    "token: x",
    "private_key: x",
    "credential=x",
    "--db-password x",
    "--token=x",
    "https://user:x@example.com",
    "Authorization: Bearer x",
    "basic x",
  ];
  let matched = 0;
  for (const text of samples) {
    if (!context.test(text)) continue;
    matched++;
    const lower = text.toLowerCase();
    assert.ok(
      SECRET_VALUE_CONTEXT_HINTS.some((h) => lower.includes(h)),
      `no hint in ${text}`,
    );
  }
  assert.ok(matched >= 18, `only ${matched} samples stand where a value is masked`);
});
