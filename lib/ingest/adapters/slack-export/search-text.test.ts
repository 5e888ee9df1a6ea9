import { test } from "node:test";
import assert from "node:assert/strict";
import { buildSearchText } from "./search-text";

test("text alone", () => {
  assert.equal(buildSearchText("restart `api-gw-03`\n\nOPS-1234", null, null), "restart `api-gw-03`\nOPS-1234");
  assert.equal(buildSearchText("", undefined, undefined), "");
  assert.equal(buildSearchText(null, [], []), "");
});

test("attachments: pretext, author, title, text, fallback, footer and fields", () => {
  const s = buildSearchText(
    "",
    [
      {
        pretext: "[enrique:master] 1 new commit",
        title: "Build #42 failed",
        text: "ERR_CONNECTION_RESET in <https://ci/42|job>",
        fallback: "Build #42 failed",
        footer: "Travis CI",
        fields: [{ title: "Status", value: "HTTP 503", short: true }, { title: "Duration", value: 42 }],
      },
      "not an object",
      { fallback: "second attachment" },
    ],
    null,
  );
  assert.equal(
    s,
    ["[enrique:master] 1 new commit", "Build #42 failed", "ERR_CONNECTION_RESET in <https://ci/42|job>", "Travis CI", "Status", "HTTP 503", "Duration", "42", "second attachment"].join("\n"),
  );
});

test("blocks: section, fields, header, context, rich text; duplicates of the text dropped", () => {
  const blocks = [
    { type: "header", text: { type: "plain_text", text: "Incident INC-7" } },
    { type: "section", text: { type: "mrkdwn", text: "*Severity*: SEV2" }, fields: [{ type: "mrkdwn", text: "Owner: <@U1>" }], accessory: { type: "button", text: { type: "plain_text", text: "Ack" } } },
    { type: "context", elements: [{ type: "mrkdwn", text: "opened by PagerDuty" }, { type: "image", image_url: "x", alt_text: "logo" }] },
    { type: "divider" },
    { type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "Resolve" } }] },
    {
      type: "rich_text",
      elements: [
        {
          type: "rich_text_section",
          elements: [
            { type: "text", text: "rolled back " },
            { type: "user", user_id: "U2" },
            { type: "text", text: " see " },
            { type: "link", url: "https://grafana/d/1", text: "dashboard" },
            { type: "text", text: " " },
            { type: "emoji", name: "fire" },
          ],
        },
        { type: "rich_text_list", style: "bullet", elements: [{ type: "rich_text_section", elements: [{ type: "text", text: "step one" }] }, { type: "rich_text_section", elements: [{ type: "channel", channel_id: "C9" }, { type: "broadcast", range: "here" }] }] },
        { type: "rich_text_preformatted", elements: [{ type: "text", text: "kubectl rollout undo deploy/api\nexit 0" }] },
        { type: "rich_text_quote", elements: [{ type: "link", url: "https://x.example" }] },
      ],
    },
  ];
  const text = "rolled back <@U2> see <https://grafana/d/1|dashboard> :fire:";
  assert.equal(
    buildSearchText(text, null, blocks),
    [
      text,
      "Incident INC-7",
      "*Severity*: SEV2",
      "Owner: <@U1>",
      "opened by PagerDuty",
      "step one",
      "<#C9><!here>",
      "kubectl rollout undo deploy/api",
      "exit 0",
      "<https://x.example>",
    ].join("\n"),
  );
});

test("attachment blocks and shared-message blocks; hostile nesting is bounded", () => {
  const deep: Record<string, unknown> = { type: "rich_text", elements: [] };
  let cur = deep;
  for (let i = 0; i < 10_000; i++) {
    const next = { type: "rich_text_list", elements: [] as unknown[] };
    (cur.elements as unknown[]).push(next);
    cur = next;
  }
  const s = buildSearchText(
    "",
    [{ blocks: [{ type: "section", text: { type: "mrkdwn", text: "from attachment blocks" } }] }, { message_blocks: [{ message: { blocks: [{ type: "section", text: { type: "mrkdwn", text: "quoted" } }] } }] }],
    [deep],
  );
  assert.equal(s, "from attachment blocks\nquoted");
});
