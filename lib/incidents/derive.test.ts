import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findIncidentPatterns, globToLike, matchesIncidentPattern } from "./config";
import { findStatedWindow } from "./derive";
import { findChronologyError } from "./service";

describe("findStatedWindow", () => {
  it("places a stated window on the right days across midnight", () => {
    assert.deepEqual(findStatedWindow("Customer impact 22:38–23:10 UTC (~32 min)", "2026-11-04T01:00:30Z"), {
      from: "2026-11-03T22:38:00.000Z",
      to: "2026-11-03T23:10:00.000Z",
    });
    assert.deepEqual(findStatedWindow("between 23:50 and 00:20 UTC", "2026-11-04T01:00:00Z"), {
      from: "2026-11-03T23:50:00.000Z",
      to: "2026-11-04T00:20:00.000Z",
    });
    assert.equal(findStatedWindow("22:38–23:10 somewhere", "2026-11-04T01:00:30Z"), null);
  });
});

describe("chronology", () => {
  it("requires started ≤ detected ≤ acknowledged ≤ mitigated ≤ resolved", () => {
    const ok = { startedAt: "2026-01-01T00:00:00Z", detectedAt: null, acknowledgedAt: "2026-01-01T00:05:00Z", mitigatedAt: null, resolvedAt: "2026-01-01T01:00:00Z" };
    assert.equal(findChronologyError(ok), null);
    assert.equal(findChronologyError({ ...ok, resolvedAt: "2025-12-31T00:00:00Z" })?.field, "resolvedAt");
  });
});

describe("patterns", () => {
  it("defaults to inc-* and incident-*, and reads INCIDENT_CHANNEL_PATTERNS", () => {
    assert.deepEqual(findIncidentPatterns({}), ["inc-*", "incident-*"]);
    assert.deepEqual(findIncidentPatterns({ INCIDENT_CHANNEL_PATTERNS: "sev-*, outage_*" }), ["sev-*", "outage_*"]);
    assert.throws(() => findIncidentPatterns({ INCIDENT_CHANNEL_PATTERNS: "a'; drop" }));
    assert.equal(globToLike("outage_*"), "outage\\_%");
    assert.ok(matchesIncidentPattern("inc-2026-api", ["inc-*"]));
    assert.ok(!matchesIncidentPattern("incoming", ["inc-*"]));
  });
});
