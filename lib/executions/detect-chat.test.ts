import assert from "node:assert/strict";
import { test } from "node:test";
import { detectChatExecutions, type TChatMessage } from "./detect-chat";

const human = (ts: string, user: string, text: string): TChatMessage => ({ ts, user, isBot: false, botName: null, text, attachments: null });
const bot = (ts: string, text: string, attachments: unknown = null): TChatMessage => ({ ts, user: "UBOT", isBot: true, botName: "deploybot", text, attachments });

test("a !command with the bot's start and finish replies is one run", () => {
  const runs = detectChatExecutions("C1", [
    human("1000.000100", "U1", "!deploy api v2 to prod"),
    bot("1003.000200", "Running `deploy api v2 to prod` for <@U1> (job #7) …"),
    human("1100.000100", "U2", "looking good"),
    bot("1340.000300", ":white_check_mark: `deploy api v2 to prod` succeeded in 5m37s (exit code 0)", [
      { text: "```rolled out\nall healthy```", fields: [{ title: "Job", value: "#7" }] },
    ]),
  ]);
  assert.equal(runs.length, 1);
  const r = runs[0]!;
  assert.equal(r.externalId, "C1:1000.000100");
  assert.equal(r.messageTs, "1000.000100");
  assert.equal(r.command, "deploy");
  assert.deepEqual(r.arguments, ["api", "v2", "to", "prod"]);
  assert.equal(r.invoker, "U1");
  assert.equal(r.bot, "deploybot");
  assert.equal(r.status, "succeeded");
  assert.equal(r.exitCode, 0);
  assert.equal(r.output, "rolled out\nall healthy");
  assert.equal(r.startedAt, new Date(1003000).toISOString().replace(".000Z", ".000Z"));
});

test("failures, runs still going, unanswered commands and echoes without a trigger", () => {
  const runs = detectChatExecutions("C1", [
    human("2000.000001", "U1", "!restart host-3"),
    bot("2002.000001", "Running `restart host-3` for <@U1> (job #8) …"),
    bot("2125.000001", ":x: `restart host-3` failed after 2m3s (exit code 1)"),
    human("3000.000001", "U2", "!help"),
    human("4000.000001", "U2", "!scale web 6"),
    bot("4001.000001", "Running `scale web 6` for <@U2> (job #9) …"),
    bot("5000.000001", "Running `backup db` (job #10) …"),
    bot("5060.000001", "`backup db` succeeded in 1m (exit code 0)"),
  ]);
  assert.deepEqual(
    runs.map((r) => [r.command, r.status, r.exitCode, r.messageTs]),
    [
      ["restart", "failed", 1, "2000.000001"],
      ["scale", "running", null, "4000.000001"],
      ["backup", "succeeded", 0, "5000.000001"],
    ],
  );
});

test("the same messages always give the same runs (order of input does not matter)", () => {
  const msgs = [human("1.000001", "U1", "!x a"), bot("2.000001", "Running `x a` …"), bot("3.000001", "`x a` failed after 1s (exit code 3)")];
  assert.deepEqual(detectChatExecutions("C", msgs), detectChatExecutions("C", [...msgs].reverse()));
});
