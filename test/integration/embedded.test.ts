import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { embeddedMemorySettings } from "../../lib/database/embedded";
import { createTestDatabase } from "../helpers/db";

// Several processes starting at the same moment share one embedded server,
// and the last one to leave stops it.

const SCRIPT = path.resolve(import.meta.dirname, "..", "helpers", "embedded-user.ts");

function runUser(home: string, holdMs: number): Promise<{ url: string; started: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", SCRIPT, home, String(holdMs)], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop()!)) : reject(new Error(`exit ${code}: ${err}`))));
  });
}

test("concurrent processes start one server, share it, and the last one stops it", async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "bs-embedded-"));
  fs.chmodSync(home, 0o755);
  try {
    const results = await Promise.all([runUser(home, 1500), runUser(home, 1500), runUser(home, 1500)]);
    const started = new Set(results.map((r) => r.started));
    const urls = new Set(results.map((r) => r.url));
    assert.equal(urls.size, 1, "one server for all");
    assert.equal(started.size, 1, "started once");
    assert.equal(fs.existsSync(path.join(home, "pg", "data", "postmaster.pid")), false, "stopped after the last user");
    assert.deepEqual(fs.readdirSync(path.join(home, "pg-users")), []);
    // A later user restarts it on the same data.
    const again = await runUser(home, 10);
    assert.notEqual(again.started, results[0]!.started);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test("the embedded server's memory is sized to the machine, within bounds", async () => {
  const GB = 1024 ** 3;
  assert.deepEqual(embeddedMemorySettings(24 * GB), { sharedBuffersMb: 4096, effectiveCacheSizeMb: 12288 });
  assert.deepEqual(embeddedMemorySettings(2 * GB), { sharedBuffersMb: 512, effectiveCacheSizeMb: 1024 });
  assert.deepEqual(embeddedMemorySettings(GB / 4), { sharedBuffersMb: 128, effectiveCacheSizeMb: 512 });
  const t = await createTestDatabase();
  try {
    const r = await t.pool.query<{ name: string; mb: number }>(
      "SELECT name, (setting::bigint * 8 / 1024)::int AS mb FROM pg_settings WHERE name IN ('shared_buffers', 'effective_cache_size') ORDER BY name",
    );
    const want = embeddedMemorySettings();
    assert.deepEqual(r.rows, [
      { name: "effective_cache_size", mb: want.effectiveCacheSizeMb },
      { name: "shared_buffers", mb: want.sharedBuffersMb },
    ]);
  } finally {
    await t.drop();
  }
});
