import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { createBotToken, verifyBotAuthorization } from "../../lib/bots/service";
import { recordExecution } from "../../lib/executions/service";
import { applyBatch } from "../../lib/ingest/load";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";

/**
 * Bots post runs concurrently: a post must not wait for another
 * transaction that holds the workspace row (it used to: the loader's
 * workspace upsert locked that row in every batch, so concurrent posts ran
 * one commit at a time). A changed workspace name is still written.
 */

const TEAM = "T0EXCONC01";
let t: TTestDatabase;

before(async () => {
  t = await createTestDatabase();
  const c = await t.pool.connect();
  try {
    await applyBatch(c, { workspace: { platform: "slack", externalId: TEAM, name: "Conc" } }, { source: "test", ingestRunId: null });
  } finally {
    c.release();
  }
});
after(async () => {
  await t?.drop();
});

const run = (id: string) => ({ id, bot: "concbot", command: "deploy", arguments: ["api"], startedAt: "2026-11-04T00:00:00Z", status: "succeeded", exitCode: 0 });

describe("executions posted while another transaction holds the workspace row", () => {
  it("are stored without waiting for it", async () => {
    const { token } = await createBotToken(t.pool, { bot: "concbot", workspace: TEAM });
    const bot = await verifyBotAuthorization(t.pool, `Bearer ${token}`);
    const holder = await t.pool.connect();
    try {
      await holder.query("BEGIN");
      // What an update of the workspace (a rename) holds; foreign keys to the row are still allowed.
      await holder.query("SELECT id FROM workspace WHERE external_id = $1 FOR NO KEY UPDATE", [TEAM]);
      // A post that waited would block until the holder ends: the lock timeout turns that into an error.
      const impatient = new pg.Pool({ connectionString: t.url, max: 2, options: "-c lock_timeout=5s" });
      try {
        const r = await recordExecution(impatient, bot, run("held-1"));
        assert.equal(r.changed, true);
      } finally {
        await impatient.end();
      }
    } finally {
      await holder.query("ROLLBACK");
      holder.release();
    }
  });

  it("still records a renamed workspace", async () => {
    const c = await t.pool.connect();
    try {
      await applyBatch(c, { workspace: { platform: "slack", externalId: TEAM, name: "Renamed", domain: "renamed" } }, { source: "test", ingestRunId: null });
    } finally {
      c.release();
    }
    const r = await t.pool.query("SELECT name, domain FROM workspace WHERE external_id = $1", [TEAM]);
    assert.deepEqual(r.rows[0], { name: "Renamed", domain: "renamed" });
  });
});
