import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findDayBounds, formatDayLabel, formatUtcDateTime, formatUtcTime, isValidDay } from "./format-time";

describe("format-time", () => {
  it("accepts only real YYYY-MM-DD days", () => {
    assert.equal(isValidDay("2024-02-29"), true);
    assert.equal(isValidDay("2023-02-29"), false);
    assert.equal(isValidDay("2024-2-1"), false);
    assert.equal(isValidDay("2024-01-01T00:00"), false);
    assert.equal(isValidDay("' OR 1=1"), false);
  });

  it("gives a day's UTC bounds", () => {
    const { start, end } = findDayBounds("2024-03-31");
    assert.equal(start.toISOString(), "2024-03-31T00:00:00.000Z");
    assert.equal(end.toISOString(), "2024-04-01T00:00:00.000Z");
    assert.throws(() => findDayBounds("2024-13-01"), RangeError);
  });

  it("formats times in UTC with the date and zone", () => {
    assert.equal(formatUtcDateTime("2024-03-05T14:02:11.500Z"), "2024-03-05 14:02:11 UTC");
    assert.equal(formatUtcTime(new Date("2024-03-05T23:59:59Z")), "23:59");
    assert.equal(formatDayLabel("2024-03-05"), "Tuesday, 5 March 2024");
  });
});
