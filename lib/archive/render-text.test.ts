import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  escapeHtml,
  findMentionedChannelIds,
  findMentionedUserIds,
  parseSlackText,
  renderSlackText,
  toPlainText,
  type TRenderContext,
} from "./render-text";

const ctx: TRenderContext = {
  userName: (id) => ({ U1: "alice", U2: "bob <b>" })[id],
  channelName: (id) => ({ C1: "general" })[id],
  channelHref: (id) => ({ C1: "/channels/1" })[id],
};

describe("renderSlackText", () => {
  it("escapes HTML in plain text", () => {
    assert.equal(renderSlackText("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
    assert.equal(renderSlackText(`<img src=x onerror="alert(1)">`), "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    assert.equal(renderSlackText("a & b \"c\" 'd'"), "a &amp; b &quot;c&quot; &#39;d&#39;");
  });

  it("decodes Slack's own escapes exactly once", () => {
    assert.equal(renderSlackText("&lt;b&gt; &amp;amp;"), "&lt;b&gt; &amp;amp;");
    assert.deepEqual(parseSlackText("&lt;b&gt; &amp;lt;"), [{ type: "text", text: "<b> &lt;" }]);
  });

  it("renders user mentions with names from the context, escaped", () => {
    assert.equal(renderSlackText("hi <@U1>"), "hi <span class=\"mention\">@U1</span>");
    assert.equal(renderSlackText("hi <@U1>", ctx), "hi <span class=\"mention\">@alice</span>");
    assert.equal(renderSlackText("<@U2>", ctx), "<span class=\"mention\">@bob &lt;b&gt;</span>");
    assert.equal(renderSlackText("<@U9|carol>", ctx), "<span class=\"mention\">@carol</span>");
  });

  it("renders channel mentions, linking only where the context allows", () => {
    assert.equal(renderSlackText("<#C1|general>", ctx), "<a class=\"mention\" href=\"/channels/1\">#general</a>");
    assert.equal(renderSlackText("<#C1>", ctx), "<a class=\"mention\" href=\"/channels/1\">#general</a>");
    assert.equal(renderSlackText("<#C2|secret>", ctx), "<span class=\"mention\">#secret</span>");
    assert.equal(renderSlackText("<#C3>", ctx), "<span class=\"mention\">#C3</span>");
  });

  it("renders broadcasts, user groups and dates", () => {
    assert.equal(renderSlackText("<!here> <!channel>"), "<span class=\"mention\">@here</span> <span class=\"mention\">@channel</span>");
    assert.equal(renderSlackText("<!subteam^S1|@oncall>"), "<span class=\"mention\">@oncall</span>");
    assert.equal(renderSlackText("<!date^1392734382^{date}|Feb 18, 2014>"), "Feb 18, 2014");
  });

  it("renders links with rel=noopener nofollow and escaped attributes", () => {
    assert.equal(
      renderSlackText("<https://example.com/a?b=1&amp;c=2|the docs>"),
      '<a href="https://example.com/a?b=1&amp;c=2" rel="noopener nofollow noreferrer" target="_blank">the docs</a>',
    );
    assert.equal(
      renderSlackText("<https://example.com>"),
      '<a href="https://example.com" rel="noopener nofollow noreferrer" target="_blank">https://example.com</a>',
    );
    assert.match(renderSlackText("<mailto:a@b.c|a@b.c>"), /^<a href="mailto:a@b.c" [^>]*>a@b.c<\/a>$/);
  });

  it("never links dangerous schemes", () => {
    assert.equal(renderSlackText("<javascript:alert(1)|click>"), "click");
    assert.equal(renderSlackText("<javascript:alert(1)>"), "javascript:alert(1)");
    assert.equal(renderSlackText("<data:text/html;base64,xx|x>"), "x");
    assert.doesNotMatch(renderSlackText('<https://x.com" onmouseover="alert(1)|y>'), /onmouseover="/);
  });

  it("links bare URLs without trailing punctuation", () => {
    assert.equal(
      renderSlackText("see https://example.com/x_y_z."),
      'see <a href="https://example.com/x_y_z" rel="noopener nofollow noreferrer" target="_blank">https://example.com/x_y_z</a>.',
    );
  });

  it("renders bold, italic, strike, nested and around mentions", () => {
    assert.equal(renderSlackText("*bold* _it_ ~gone~"), "<strong>bold</strong> <em>it</em> <del>gone</del>");
    assert.equal(renderSlackText("*bold _both_*"), "<strong>bold <em>both</em></strong>");
    assert.equal(renderSlackText("*<@U1>*", ctx), '<strong><span class="mention">@alice</span></strong>');
  });

  it("leaves markers inside words and padded markers alone", () => {
    assert.equal(renderSlackText("snake_case_name"), "snake_case_name");
    assert.equal(renderSlackText("2 * 3 * 4"), "2 * 3 * 4");
    assert.equal(renderSlackText("a*b*c"), "a*b*c");
  });

  it("renders inline code without formatting inside", () => {
    assert.equal(renderSlackText("run `rm -rf *tmp*` now"), "run <code>rm -rf *tmp*</code> now");
    assert.equal(renderSlackText("`<b>x</b>`"), "<code>&lt;b&gt;x&lt;/b&gt;</code>");
    assert.equal(renderSlackText("`&lt;tag&gt;`"), "<code>&lt;tag&gt;</code>");
  });

  it("renders code blocks verbatim, with links as plain text", () => {
    assert.equal(
      renderSlackText("before\n```\nkubectl get *pods*\n<https://x.io|x.io>\n```\nafter"),
      "before<pre><code>kubectl get *pods*\nx.io</code></pre>after",
    );
  });

  it("renders quotes as blocks", () => {
    assert.equal(renderSlackText("&gt; quoted *text*\nreply"), "<blockquote>quoted <strong>text</strong></blockquote>reply");
  });

  it("keeps line breaks", () => {
    assert.equal(renderSlackText("a\nb"), "a<br>b");
  });

  it("turns known :emoji: into characters and leaves others", () => {
    assert.equal(renderSlackText(":tada: :not_an_emoji:"), '<span class="emoji" title=":tada:">🎉</span> :not_an_emoji:');
    assert.equal(renderSlackText("at 12:30:45"), "at 12:30:45");
  });

  it("cannot be tricked by private-use characters in the input", () => {
    assert.equal(renderSlackText("x\ue000y <https://a.b|l>"), 'xy <a href="https://a.b" rel="noopener nofollow noreferrer" target="_blank">l</a>');
  });
});

describe("toPlainText and mention extraction", () => {
  it("flattens a tree", () => {
    assert.equal(toPlainText(parseSlackText("*hi* <@U1> <#C1|general> <https://x.io|x>", ctx)), "hi @alice #general x");
  });

  it("finds mentioned ids", () => {
    assert.deepEqual(findMentionedUserIds("<@U1> and <@U2|bob> and <#C1|c>"), ["U1", "U2"]);
    assert.deepEqual(findMentionedChannelIds("<#C1|c> <#C2>"), ["C1", "C2"]);
  });

  it("escapeHtml escapes the five characters", () => {
    assert.equal(escapeHtml(`<>&"'`), "&lt;&gt;&amp;&quot;&#39;");
  });
});
