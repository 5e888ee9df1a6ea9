import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { generateSlackExport } from "./generate-slack-export";

// A file of its own: node --test runs each file in a separate process, so
// other tests' allocations do not blur the measurement.
test("generating 200,000 messages keeps memory bounded (RSS growth < 150 MB)", async () => {
  const dir = await mkdtemp(join(tmpdir(), "backscroll-gen-mem-"));
  try {
    const rssBefore = process.memoryUsage().rss;
    const summary = await generateSlackExport(dir, { messages: 200_000, seed: 11 });
    // maxRSS is the process's peak resident set (KiB), so a short spike between
    // samples cannot slip through.
    const peakRss = process.resourceUsage().maxRSS * 1024;
    const growthMb = (peakRss - rssBefore) / 1e6;
    assert.equal(summary.messages, 200_000);
    assert.ok(summary.bytes > 50e6, `wrote ${summary.bytes} bytes`);
    assert.ok(growthMb < 150, `RSS grew by ${growthMb.toFixed(0)} MB`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
