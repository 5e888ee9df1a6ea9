import assert from "node:assert/strict";
import { test } from "node:test";
import { findDateInFileName, parseIrcLine } from "./parse";

test("messages in the common client formats", () => {
  assert.deepEqual(parseIrcLine("[09:14] <crimsun> hi there"), { kind: "message", date: null, time: { h: 9, m: 14, s: null }, channel: null, nick: "crimsun", text: "hi there" });
  assert.deepEqual(parseIrcLine("[21:20:37] <@op> x").kind, "message");
  const iso = parseIrcLine("2019-09-04 22:44:46 <w1zeman1p> If the customer");
  assert.equal(iso.kind, "message");
  assert.equal(iso.kind === "message" && iso.date, "2019-09-04");
  const withChannel = parseIrcLine("rust 2018-05-29 [21:20:37] <talchas> but I don't");
  assert.ok(withChannel.kind === "message" && withChannel.channel === "rust" && withChannel.time?.s === 37);
  const tab = parseIrcLine("2019-09-04 22:44:46\tnick\thello");
  assert.ok(tab.kind === "message" && tab.nick === "nick" && tab.text === "hello");
});

test("actions, joins, parts, quits, nick changes and date headers", () => {
  assert.equal(parseIrcLine("[18:14] * Isarra mutters").kind, "action");
  assert.equal(parseIrcLine("mediawiki 2007-09-14 [11:12:23] *hojjat \tpokes Simetrical").kind, "action");
  const join = parseIrcLine("=== L0sT [~waa3@raptor.ukc.ac.uk]  has joined #ubuntu");
  assert.ok(join.kind === "join" && join.nick === "L0sT" && join.channel === "#ubuntu" && join.time === null);
  assert.equal(parseIrcLine('-!- bob [~b@h] has quit [Ping timeout]').kind, "quit");
  assert.equal(parseIrcLine("=== bob [~b@h]  has left #ubuntu []").kind, "part");
  const nick = parseIrcLine("[10:00] -!- bob is now known as bobby");
  assert.ok(nick.kind === "nick" && nick.value === "bobby");
  assert.deepEqual(parseIrcLine("--- Day changed Mon Dec 26 2004"), { kind: "date", date: "2004-12-26" });
  assert.deepEqual(parseIrcLine("--- Log opened Sun Dec 25 09:00:00 2004"), { kind: "date", date: "2004-12-25" });
  assert.equal(parseIrcLine("random words").kind, "unknown");
});

test("dates in file names", () => {
  assert.equal(findDateInFileName("2004-12-25.train-c.raw.txt"), "2004-12-25");
  assert.equal(findDateInFileName("#ubuntu.20041225.log"), "2004-12-25");
  assert.equal(findDateInFileName("notes.log"), null);
});
