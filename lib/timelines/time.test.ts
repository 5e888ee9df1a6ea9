import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildMessageHref } from "./build";
import { formatDateTimeIn, formatDayIn, formatTimeIn } from "./time";

describe("times in a zone", () => {
  it("formats UTC the same whether given an ISO string, another offset or a Date", () => {
    for (const at of ["2026-11-03T22:41:48.000Z", "2026-11-03T23:41:48+01:00", "2026-11-03T22:41:48.999Z"]) {
      assert.equal(formatDateTimeIn(at, "UTC"), "2026-11-03 22:41:48 UTC");
      assert.equal(formatDateTimeIn(new Date(at), "Etc/UTC"), "2026-11-03 22:41:48 UTC");
    }
    assert.equal(formatDayIn("2026-12-31T23:59:59.000Z", "UTC"), "2026-12-31");
    assert.equal(formatTimeIn("2026-01-01T00:00:00.000Z", "UTC"), "00:00:00");
  });

  it("names other zones with their offset, across midnight", () => {
    assert.equal(formatDateTimeIn("2026-11-03T23:41:48.000Z", "Europe/Berlin"), "2026-11-04 00:41:48 Europe/Berlin (UTC+01:00)");
    assert.equal(formatDayIn("2026-11-04T02:00:00.000Z", "America/New_York"), "2026-11-03");
  });

  it("refuses an invalid instant", () => {
    assert.throws(() => formatDateTimeIn("not a date", "UTC"), RangeError);
  });
});

describe("message links", () => {
  it("open the day of the message, or of the thread for a reply, in UTC", () => {
    assert.equal(buildMessageHref(7, "1762214399.999900", null), "/channels/7?day=2025-11-03#m-1762214399.999900");
    assert.equal(buildMessageHref(7, "1762214400.000300", null), "/channels/7?day=2025-11-04#m-1762214400.000300");
    assert.equal(buildMessageHref(7, "1762214400.000300", "1762210799.000100"), "/channels/7?day=2025-11-03&thread=1762210799.000100#m-1762214400.000300");
    assert.equal(buildMessageHref(7, "1762214400", null), "/channels/7?day=2025-11-04#m-1762214400");
  });
});
