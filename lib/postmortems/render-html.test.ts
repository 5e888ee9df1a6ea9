import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AppError } from "../errors";
import { diffLines } from "./diff";
import { renderMarkdownHtml } from "./render-html";
import { DEFAULT_TEMPLATE, fillTemplate, PLACEHOLDERS, validateTemplate } from "./template";

describe("renderMarkdownHtml", () => {
  it("renders the draft's Markdown", () => {
    const html = renderMarkdownHtml("## Hi\n\n- [ ] do **it** ([source](/channels/1?day=2026-11-03#m-1.2))\n\n| a | b |\n| --- | --- |\n| 1 | 2 |");
    assert.match(html, /<h2>Hi<\/h2>/);
    assert.match(html, /<input type="checkbox" disabled> do <strong>it<\/strong> \(<a href="\/channels\/1\?day=2026-11-03#m-1.2">source<\/a>\)/);
    assert.match(html, /<th>a<\/th>/);
  });
  it("lets no markup or script URL through", () => {
    const html = renderMarkdownHtml('<img src=x onerror=alert(1)> [x](javascript:alert(1)) [y](//evil.com) "q"');
    assert.ok(!/<img|href="javascript|href="\/\/evil/.test(html), html);
  });
});

describe("templates", () => {
  it("the default uses only known placeholders and fills them all", () => {
    validateTemplate(DEFAULT_TEMPLATE);
    const values = Object.fromEntries(PLACEHOLDERS.map((p) => [p, `<${p}>`])) as Record<(typeof PLACEHOLDERS)[number], string>;
    assert.ok(!/\{\{/.test(fillTemplate(DEFAULT_TEMPLATE, values)));
  });
  it("names the line of an unknown placeholder", () => {
    assert.throws(() => validateTemplate("# {{title}}\n{{nope}}", "t.md"), (e) => e instanceof AppError && e.where?.line === 2 && e.where.field === "nope");
  });
});

describe("diffLines", () => {
  it("finds added and removed lines", () => {
    assert.deepEqual(diffLines("a\nb\nc", "a\nc\nd").map((d) => d.op + d.text), ["samea", "delb", "samec", "addd"]);
  });
});
