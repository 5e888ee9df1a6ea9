import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isPairToken, MAX_PAIRED_TEXT, PAIRS_UNKNOWN, phrasePairs, phraseQueryPairs, tagEnd } from "./phrase-pairs";
import { searchTokens } from "./ops-tokens";

const has = (text: string, ...pairs: string[]) => {
  const got = phrasePairs(text);
  for (const p of pairs) assert.ok(got.includes(p), `${JSON.stringify(text)} lacks ${p}: ${got.join(" ")}`);
};

describe("phrasePairs", () => {
  it("pairs each word with the next, lower-cased, once each", () => {
    assert.deepEqual(phrasePairs("How to roll back, how to roll back."), ["how^to", "to^roll", "roll^back", "back^how"]);
    assert.deepEqual(phrasePairs("deploy"), []);
    assert.deepEqual(phrasePairs(""), []);
  });

  it("pairs across what PostgreSQL drops: tags, entities, protocol heads", () => {
    has("roll <b>back</b> now", "roll^back", "back^now", "roll^b");
    has("salt &amp; pepper", "salt^pepper", "salt^amp");
    has("go https://foo bar", "go^foo", "foo^bar");
    has('a <a href="x>y" title=z>b', "a^b");
    has("x <!-- hidden words --> y", "x^y");
  });

  it("reads Slack's markup as text: a link or mention is not a tag", () => {
    has("see <https://example.com/runbook|the runbook> now", "the^runbook", "runbook^now");
    has("<@U0ALICE> can you look", "u0alice^can");
  });

  it("gives up where it could miss a pair: long texts, long runs, numbers PostgreSQL ends early, <script>", () => {
    for (const text of [
      "word ".repeat(MAX_PAIRED_TEXT / 5 + 1),
      `see ${"x".repeat(500)} here`,
      "latency is 1.5x worse",
      "offset -5px",
      "1e5x",
      "example.com:80x",
      "<script>x</script> y",
      "\u0130stanbul office",
    ]) {
      assert.deepEqual(phrasePairs(text), [PAIRS_UNKNOWN], text.slice(0, 40));
    }
  });

  it("finds PostgreSQL's tags as its parser does", () => {
    assert.equal(tagEnd("<b>x", 0), 3);
    assert.equal(tagEnd("<br/>", 0), 5);
    assert.equal(tagEnd('<a href="x>y">z', 0), 14);
    assert.equal(tagEnd("<!-- a > b -->c", 0), 14);
    assert.equal(tagEnd("<https://x.y/z|label>", 0), -1);
    assert.equal(tagEnd("<@U123>", 0), -1);
    assert.equal(tagEnd("<#C123|ops>", 0), -1);
    assert.equal(tagEnd("<b", 0), -1);
  });
});

describe("phraseQueryPairs", () => {
  it("gives the words and pairs of a phrase of plain words", () => {
    assert.deepEqual(phraseQueryPairs(" How to  roll back "), { words: ["How", "to", "roll", "back"], pairs: ["how^to", "to^roll", "roll^back"] });
    assert.deepEqual(phraseQueryPairs("the the")?.pairs, ["the^the"]);
  });

  it("leaves other phrases to PostgreSQL's phrase parse", () => {
    for (const q of ["deploy", "roll-back now", "api-gw-03 down", "1e5x faster", "café au lait", "a.b c"]) assert.equal(phraseQueryPairs(q), null, q);
  });
});

it("search tokens hold the operations tokens and the pairs; pairs are told apart", () => {
  const tokens = searchTokens("restart api-gw-03 now").split(" ");
  assert.ok(tokens.includes("api-gw-03") && tokens.includes("restart^api") && tokens.includes("03^now"), tokens.join(" "));
  assert.deepEqual(tokens.filter(isPairToken).sort(), ["03^now", "api^gw", "gw^03", "restart^api"]);
  assert.ok(!isPairToken("api-gw-03") && isPairToken(PAIRS_UNKNOWN));
});
