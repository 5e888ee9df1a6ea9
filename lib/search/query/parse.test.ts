import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AppError } from "../../errors";
import { collectFilters, collectPositiveTerms, type TSearchNode } from "./ast";
import { parseDateRange, parseMessageRef, parseSearchQuery } from "./parse";

const NOW = new Date("2024-03-05T15:00:00Z");

/** A compact rendering of the tree, so the table below stays readable. */
function show(n: TSearchNode | null): string {
  if (!n) return "∅";
  switch (n.kind) {
    case "word":
      return n.prefix ? `${n.value}*` : n.value;
    case "phrase":
      return `"${n.value}"`;
    case "not":
      return `-${show(n.child)}`;
    case "and":
      return `(${n.children.map(show).join(" ")})`;
    case "or":
      return `(${n.children.map(show).join(" | ")})`;
    case "filter": {
      const f = n.filter;
      switch (f.op) {
        case "in":
          return `in:${f.channel}`;
        case "from":
          return `from:${f.person}`;
        case "date":
          return `date[${f.from?.slice(0, 10) ?? ""},${f.to?.slice(0, 10) ?? ""})`;
        case "has":
        case "is":
          return `${f.op}:${f.what}`;
        case "near":
        case "id":
          return `${f.op}:${f.ref.channel}/${f.ref.ts}`;
        default:
          return `${f.op}:${f.value}`;
      }
    }
  }
}

const OK: Array<[string, string]> = [
  ["", "∅"],
  ["   ", "∅"],
  ["rollback", "rollback"],
  ["roll back", "(roll back)"],
  ["api-gw-03", "api-gw-03"],
  ["OPS-4521", "OPS-4521"],
  ["10.20.3.17", "10.20.3.17"],
  ["2001:db8::1", "2001:db8::1"],
  ["ERR_CONNECTION_RESET", "ERR_CONNECTION_RESET"],
  ["java.lang.NullPointerException", "java.lang.NullPointerException"],
  ["/var/log/nginx/error.log", "/var/log/nginx/error.log"],
  ["v2.31.0", "v2.31.0"],
  ["exit=1", "exit=1"],
  ["https://example.com/runbook", "https://example.com/runbook"],
  ["http://x.y/z?a=b", "http://x.y/z?a=b"],
  ['"HTTP 503"', '"HTTP 503"'],
  ['"roll back" deploy', '("roll back" deploy)'],
  ["\u201csmart quotes\u201d", '"smart quotes"'],
  ["-staging", "-staging"],
  ["deploy -staging", "(deploy -staging)"],
  ['deploy -"dry run"', '(deploy -"dry run")'],
  ["a OR b", "(a | b)"],
  ["a | b", "(a | b)"],
  ["a b OR c", "((a b) | c)"],
  ["a (b OR c)", "(a (b | c))"],
  ["-(a OR b)", "-(a | b)"],
  ["((a))", "a"],
  ["a or b", "(a or b)"],
  ["in:#general", "in:general"],
  ["in:general", "in:general"],
  ["IN:#General", "in:General"],
  ["from:@alice", "from:alice"],
  ['from:"Alice Anders"', "from:Alice Anders"],
  ["-in:#random deploy", "(-in:random deploy)"],
  ["before:2024", "date[,2024-01-01)"],
  ["after:2024-02", "date[2024-03-01,)"],
  ["on:2024-03-05", "date[2024-03-05,2024-03-06)"],
  ["during:2024-02", "date[2024-02-01,2024-03-01)"],
  ["during:2024", "date[2024-01-01,2025-01-01)"],
  ["on:today", "date[2024-03-05,2024-03-06)"],
  ["on:yesterday", "date[2024-03-04,2024-03-05)"],
  ["after:2023-12-31", "date[2024-01-01,)"],
  ["has:link", "has:link"],
  ["has:reaction has:file has:pin", "(has:reaction has:file has:pin)"],
  ["HAS:LINK", "has:link"],
  ["is:thread", "is:thread"],
  ["is:bot is:edited", "(is:bot is:edited)"],
  ["is:deleted", "is:deleted"],
  ["near:C0GENERAL/1709632800.000100", "near:C0GENERAL/1709632800.000100"],
  ["id:C0GENERAL/1709632800.000100", "id:C0GENERAL/1709632800.000100"],
  ["id:https://acme.slack.com/archives/C0GENERAL/p1709632800000100", "id:C0GENERAL/1709632800.000100"],
  ["command:deploy", "command:deploy"],
  ["command:!rollback", "command:rollback"],
  ["status:FAILED", "status:failed"],
  ["bot:hubot command:deploy", "(bot:hubot command:deploy)"],
  ["foo:bar", "foo:bar"],
  ["10:30", "10:30"],
  ["db4 exit=1", "(db4 exit=1)"],
  ["deploy in:#ops from:@bob after:2024-01 has:link -is:bot", "(deploy in:ops from:bob date[2024-02-01,) has:link -is:bot)"],
  ["a - b", "(a - b)"],
  ["a-b", "a-b"],
  ["-4521", "-4521"],
  ["(deploy OR rollback) in:#ops", "((deploy | rollback) in:ops)"],
  ["café naïve", "(café naïve)"],
  ["<script>alert(1)</script>", "(<script>alert 1 </script>)"],
  ["-", "-"],
];

describe("parseSearchQuery", () => {
  for (const [q, expected] of OK) {
    it(`parses ${JSON.stringify(q)}`, () => {
      assert.equal(show(parseSearchQuery(q, { now: NOW }).root), expected);
    });
  }

  it("marks the last bare word as a prefix when asked and it ends the input", () => {
    assert.equal(show(parseSearchQuery("deploy api-g", { now: NOW, prefixLast: true }).root), "(deploy api-g*)");
    assert.equal(show(parseSearchQuery("deploy api ", { now: NOW, prefixLast: true }).root), "(deploy api)");
    assert.equal(show(parseSearchQuery("deploy in:#ops", { now: NOW, prefixLast: true }).root), "(deploy in:ops)");
    assert.equal(show(parseSearchQuery("a", { now: NOW, prefixLast: true }).root), "a");
    assert.equal(show(parseSearchQuery("deploy api-g", { now: NOW }).root), "(deploy api-g)");
  });

  const BAD: Array<[string, RegExp, number]> = [
    ['"unclosed phrase', /no closing quote/, 1],
    ["deploy (a OR b", /never closed/, 8],
    ["a)", /Unexpected '\)'/, 2],
    ["()", /Empty parentheses/, 1],
    ["OR a", /OR needs a term before/, 1],
    ["a OR", /OR needs a term after/, 3],
    ["a OR OR b", /OR needs a term after/, 3],
    ['""', /Empty phrase/, 1],
    ["in:", /needs a value/, 1],
    ["x before:2024-13", /wants a date/, 10],
    ["before:2024-02-30", /wants a date/, 8],
    ["on:tomorrow", /wants a date/, 4],
    ["has:cake", /has: wants one of link, reaction, file, pin/, 5],
    ["is:happy", /is: wants one of thread, bot, edited, deleted/, 4],
    ["near:somewhere", /wants a message/, 6],
    ["id:C1/notats", /wants a message/, 4],
    ['from:"Alice', /no closing quote/, 6],
    ["a -)", /Unexpected/, 4],
  ];
  for (const [q, message, column] of BAD) {
    it(`rejects ${JSON.stringify(q)} with a position`, () => {
      assert.throws(
        () => parseSearchQuery(q, { now: NOW }),
        (e: unknown) => {
          assert.ok(e instanceof AppError, "an AppError");
          assert.equal(e.code, "bad_input");
          assert.match(e.message, message);
          assert.equal(e.where?.column, column, `column in ${e.message}`);
          assert.equal(e.where?.field, "q");
          return true;
        },
      );
    });
  }

  it("rejects absurdly long or deep queries without a stack overflow", () => {
    assert.throws(() => parseSearchQuery("a ".repeat(600)), /too long|Too many terms/);
    assert.throws(() => parseSearchQuery("(".repeat(40) + "a" + ")".repeat(40)), /nested/);
    assert.throws(() => parseSearchQuery(Array.from({ length: 70 }, (_, i) => `w${i}`).join(" ")), /Too many terms/);
  });

  it("collects positive terms and filters", () => {
    const q = parseSearchQuery('deploy -staging "roll back" -(x OR y) in:#ops -is:bot', { now: NOW });
    assert.deepEqual(
      collectPositiveTerms(q.root).map((t) => t.value),
      ["deploy", "roll back"],
    );
    assert.deepEqual(
      collectFilters(q.root).map((f) => `${f.negated ? "-" : ""}${f.filter.op}`),
      ["in", "-is"],
    );
  });
});

describe("parseMessageRef / parseDateRange", () => {
  it("reads both message reference forms", () => {
    assert.deepEqual(parseMessageRef("C1/1.2"), { channel: "C1", ts: "1.2" });
    assert.deepEqual(parseMessageRef("https://a.slack.com/archives/D0AB/p1700000000123456?thread_ts=1"), { channel: "D0AB", ts: "1700000000.123456" });
    assert.equal(parseMessageRef("C1"), null);
    assert.equal(parseMessageRef("C1/../x"), null);
  });
  it("handles month and year ends", () => {
    assert.deepEqual(parseDateRange("2024-12", NOW), { from: "2024-12-01T00:00:00.000Z", to: "2025-01-01T00:00:00.000Z" });
    assert.deepEqual(parseDateRange("2024-02-29", NOW), { from: "2024-02-29T00:00:00.000Z", to: "2024-03-01T00:00:00.000Z" });
    assert.equal(parseDateRange("2023-02-29", NOW), null);
    assert.deepEqual(parseDateRange("yesterday", new Date("2024-03-01T00:30:00Z")), { from: "2024-02-29T00:00:00.000Z", to: "2024-03-01T00:00:00.000Z" });
  });
});
