import { test } from "node:test";
import assert from "node:assert/strict";
import { extractOpsTokens, isOpsToken } from "./ops-tokens";

test("operations tokens are kept whole, lower-cased, with their meaningful pieces", () => {
  const t = extractOpsTokens(
    "api-gw-03:8080 down, see OPS-4521 and https://grafana.acme.internal/d/api?x=1. Got ERR_CONNECTION_RESET from 10.20.3.17; " +
      "java.lang.NullPointerException in /var/log/app.log after v2.31.0 (exit=1) fe80::1ff:fe23:4567:890a.",
  );
  for (const want of [
    "api-gw-03:8080",
    "api-gw-03",
    "ops-4521",
    "https://grafana.acme.internal/d/api?x=1",
    "grafana.acme.internal",
    "err_connection_reset",
    "10.20.3.17",
    "java.lang.nullpointerexception",
    "/var/log/app.log",
    "v2.31.0",
    "exit=1",
    "has:link",
  ]) {
    assert.ok(t.includes(want), `${want} in ${JSON.stringify(t)}`);
  }
  assert.ok(!t.includes("down"), "plain words are left to the text parser");
  assert.equal(new Set(t).size, t.length, "each token once");
  assert.ok(t.every((x) => x.length > 0 && !x.includes(" ")), "safe to join with spaces");
});

test("the words inside URLs, paths and file names are tokens too (the text parser keeps those whole)", () => {
  const t = extractOpsTokens(
    "<https://juyeongkim.shinyapps.io/houston-potholes/> see [https://phabricator.miraheze.org/T3621] " +
      "<https://houstondatavis.slack.com/files/neerajt/F0HF6N8JC/ggplot2-cheatsheet-2.0.pdf|ggplot2-cheatsheet-2.0.pdf> www.overleaf.com",
  );
  for (const want of ["houston-potholes", "potholes", "houston", "t3621", "ggplot2-cheatsheet-2.0.pdf", "ggplot2", "cheatsheet", "overleaf", "shinyapps"]) {
    assert.ok(t.includes(want), `${want} in ${JSON.stringify(t)}`);
  }
  assert.ok(!t.includes("see"), "words outside tokens are left to the text parser");
  assert.ok(t.every((x) => x === "has:link" || !/^[a-z0-9]$/.test(x)), "no one-character words");
  assert.equal(new Set(t).size, t.length, "each token once");
});

test("sentence punctuation and lone separators are not tokens", () => {
  assert.deepEqual(extractOpsTokens("Hello. Is it done? yes -- a - b"), []);
  assert.equal(isOpsToken("a-"), false);
  assert.equal(isOpsToken("x.y"), true);
});
