import { test } from "node:test";
import assert from "node:assert/strict";
import { RequestBudget, resolveBudget } from "./budget";

function fakeClock() {
  let now = 0;
  const sleeps: number[] = [];
  return { sleeps, now: () => now, sleep: async (ms: number) => void (sleeps.push(ms), (now += ms)) };
}

test("Tier 3 by default; the non-Marketplace regime is one history/replies request a minute of 15 messages", () => {
  const internal = resolveBudget("internal");
  assert.equal(internal.perMinute["conversations.history"], 50);
  assert.equal(internal.messageLimit, 200);
  const nm = resolveBudget("non-marketplace");
  assert.equal(nm.perMinute["conversations.history"], 1);
  assert.equal(nm.perMinute["conversations.replies"], 1);
  assert.equal(nm.messageLimit, 15);
  assert.equal(resolveBudget("internal", { "users.list": 5 }).perMinute["users.list"], 5);
});

test("a method waits when its minute is full; other methods do not", async () => {
  const clock = fakeClock();
  const b = new RequestBudget({ a: 2, b: 1 }, clock);
  await b.take("a");
  await b.take("a");
  await b.take("b");
  assert.deepEqual(clock.sleeps, []);
  await b.take("a");
  assert.deepEqual(clock.sleeps, [60_000]);
  await b.take("b");
  assert.deepEqual(clock.sleeps, [60_000], "b's minute has passed meanwhile");
  assert.equal(b.waitedMs, 60_000);
});
