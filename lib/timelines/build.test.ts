import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildTimeline, type TMessageInput } from "./build";

/** The builder on a few rows (no database). */

const at = (hhmm: string) => new Date(`2021-07-25T${hhmm}:00Z`);
function message(ts: string, hhmm: string, author: string, text: string): TMessageInput {
  return { ts, threadTs: null, authorId: author, authorName: author, authorIsBot: false, botId: null, username: null, subtype: null, text, searchText: "", postedAt: at(hhmm), editedAt: null, deleted: false, versions: 1 };
}
const channel = { id: 1, externalId: "C0SAL", name: "server-admin-log", kind: "public" };

describe("detection without an alert", () => {
  it("is the first symptom a person reports, not their first unrelated message", () => {
    const t = buildTimeline({
      channel,
      messages: [
        message("1627248000.000001", "21:20", "U1", "restart dump"),
        message("1627248060.000001", "21:21", "U1", "correction: import not dump"),
        message("1627248600.000001", "21:30", "U1", "hard stop/start php-fpm on mw11 as workers 100%"),
        message("1627252380.000001", "22:33", "U1", "mw8 100% - restart"),
      ],
      executions: [],
      channelEvents: [],
      people: new Map(),
    });
    const detections = t.events.filter((e) => e.kind === "detection");
    assert.deepEqual(detections.map((e) => e.id), ["m:1627248600.000001"]);
    assert.equal(detections[0]!.ruleId, "detection.first-report");
  });

  it("falls back to the first message when nobody names a symptom", () => {
    const t = buildTimeline({ channel, messages: [message("1627248000.000001", "21:20", "U1", "restart dump"), message("1627248060.000001", "21:21", "U2", "ok")], executions: [], channelEvents: [], people: new Map() });
    assert.deepEqual(t.events.filter((e) => e.kind === "detection").map((e) => e.id), ["m:1627248000.000001"]);
  });
});

describe("isoOfDate", () => {
  it("is toISOString for every millisecond pattern, day boundary and year it takes the fast path for, and falls back outside it", async () => {
    const { isoOfDate } = await import("./build");
    const samples = [0, 1, 999, 1000, 59_999, 86_399_999, 86_400_000, 951_782_400_000, 1_627_248_000_123, 4_102_444_799_999, 253_402_300_799_999, 253_402_300_800_000, -1, -86_400_001];
    for (let i = 0; i < 5000; i++) samples.push(Math.floor(((i * 2_654_435_761) % 4_294_967_296) * 987.654321));
    for (const ms of samples) assert.equal(isoOfDate(new Date(ms)), new Date(ms).toISOString(), String(ms));
  });
});
