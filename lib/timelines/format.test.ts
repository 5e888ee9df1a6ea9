import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildTimeline } from "./build";
import { parseDuration, recognizeBotReply } from "./chat-commands";
import { formatTimelineCsv, formatTimelineHtml, formatTimelineMarkdown, neutralizeCsvCell } from "./format";
import { findLinks } from "./links";
import { formatDateTimeIn, parseTimeZone } from "./time";

const channel = { id: 7, externalId: "C1", name: "inc-x", kind: "public" };
const msg = (ts: string, text: string, extra: Partial<Parameters<typeof buildTimeline>[0]["messages"][number]> = {}) => ({
  ts,
  threadTs: null,
  authorId: "U1",
  authorName: "bob",
  authorIsBot: false,
  botId: null,
  username: null,
  subtype: null,
  text,
  searchText: text,
  postedAt: new Date(Number(ts) * 1000),
  editedAt: null,
  deleted: false,
  versions: 1,
  ...extra,
});

function sample() {
  return buildTimeline({
    channel,
    messages: [
      msg("1793745600.000100", "=HYPERLINK(\"http://evil\")"),
      msg("1793749200.000100", "<script>alert(1)</script> seeing errors"),
    ],
    executions: [],
    channelEvents: [],
    people: new Map([["U1", "bob"]]),
  });
}

describe("exports", () => {
  it("neutralises spreadsheet formulas in CSV", () => {
    for (const c of ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]) assert.equal(neutralizeCsvCell(c)[0], "'");
    assert.equal(neutralizeCsvCell("ok"), "ok");
    const csv = formatTimelineCsv(sample(), { tz: "UTC" });
    assert.match(csv, /"'=HYPERLINK\(""http:\/\/evil""\)"/);
  });
  it("escapes HTML", () => {
    const html = formatTimelineHtml(sample(), { tz: "UTC" });
    assert.ok(!html.includes("<script>alert"));
    assert.match(html, /&lt;script&gt;/);
  });
  it("Markdown has day headings in the zone, and quiet gaps", () => {
    const md = formatTimelineMarkdown(sample(), { tz: "Asia/Tokyo" });
    assert.match(md, /## 2026-11-04 \(Asia\/Tokyo\)/);
    assert.match(md, /quiet for 1 h/);
  });
});

describe("time", () => {
  it("formats with full date and explicit zone", () => {
    assert.equal(formatDateTimeIn("2026-11-03T22:41:48Z", "UTC"), "2026-11-03 22:41:48 UTC");
    assert.equal(formatDateTimeIn("2026-11-03T22:41:48Z", "America/New_York"), "2026-11-03 17:41:48 America/New_York (UTC-05:00)");
  });
  it("refuses unknown zones", () => assert.throws(() => parseTimeZone("Mars/Base"), /Unknown time zone/));
});

describe("chat commands and links", () => {
  it("reads bot replies", () => {
    assert.deepEqual(recognizeBotReply(":x: `restart api-gw-03` failed after 2m03s (exit code 1)"), {
      type: "finish",
      command: "restart api-gw-03",
      status: "failed",
      exitCode: 1,
      durationMs: 123_000,
    });
    assert.equal(recognizeBotReply("Running `scale api 6` for <@U1> (job #8801) …")?.type, "start");
    assert.equal(parseDuration("1h02m"), 3_720_000);
  });
  it("classifies links", () => {
    const kinds = findLinks(
      "<https://grafana.x/d/abc|dash> <https://github.com/a/b/pull/1|PR> <https://jira.x/browse/OPS-1> <https://wiki.x/runbooks/y> <https://status.acme.com/incidents/1>",
    ).map((l) => l.kind);
    assert.deepEqual(kinds, ["dashboard", "pull_request", "ticket", "runbook", "status_page"]);
  });
});

describe("self-reporting logging bots", () => {
  it("pairs START and END lines into one execution with its exit code", () => {
    const bot = { authorIsBot: true, botId: "B1", username: "LSBot", authorName: "LSBot", authorId: "UB" };
    const t = buildTimeline({
      channel,
      messages: [
        msg("1700000000.000100", "[alex@mw1] sudo puppet agent -tv (START)", bot),
        msg("1700000060.000100", "[alex@mw1] sudo puppet agent -tv (END - exit=1)", bot),
      ],
      executions: [],
      channelEvents: [],
      people: new Map(),
    });
    assert.equal(t.events.length, 1);
    const x = t.events[0]!.execution!;
    assert.deepEqual([x.command, x.status, x.exitCode, x.durationMs, x.invoker], ["sudo puppet agent -tv", "failed", 1, 60_000, "alex"]);
  });
});
