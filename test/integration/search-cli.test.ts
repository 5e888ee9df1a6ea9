import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { runCli } from "../helpers/cli";
import { insertMessage, seedArchive, type TSeed } from "../helpers/seed";

describe("backscroll search / reindex", () => {
  let t: TTestDatabase;
  let seed: TSeed;
  before(async () => {
    t = await createTestDatabase();
    seed = await seedArchive(t.pool);
    await insertMessage(t.pool, { channelId: seed.channels.secret, at: "2024-04-02T10:00:00Z", authorId: seed.people.bob, text: "secret api-gw-03 failover plan" });
  });
  after(async () => {
    await t?.drop();
  });
  const env = () => ({ DATABASE_URL: t.url, MEILI_HOST: undefined });

  it("prints JSON results as a local administrator by default", async () => {
    const r = await runCli(["search", "api-gw-03", "--json"], env());
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { total: number; results: Array<{ id: string; channel: string; user: string; ts: string; text: string; highlight: string }> };
    assert.equal(out.total, 2);
    assert.deepEqual(Object.keys(out.results[0]!).sort(), ["channel", "highlight", "id", "text", "ts", "user"]);
    assert.ok(out.results.some((x) => x.channel === "secret-plans"));
    assert.ok(out.results.every((x) => /«api-gw-03»/.test(x.highlight)), r.stdout);
  });

  it("applies the access rules of --as", async () => {
    const r = await runCli(["search", "api-gw-03", "--json", "--as", "alice@example.com", "--limit", "5"], env());
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { total: number; results: Array<{ channel: string }> };
    assert.equal(out.total, 1);
    assert.deepEqual(out.results.map((x) => x.channel), ["general"]);
  });

  it("exits 2 with the column for a malformed query", async () => {
    const r = await runCli(["search", 'deploy "unclosed'], env());
    assert.equal(r.code, 2);
    assert.match(r.stderr, /column 8/);
  });

  it("rebuilds the vocabulary with reindex", async () => {
    const r = await runCli(["reindex", "--json"], env());
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { backend: string; words: number };
    assert.equal(out.backend, "postgres");
    assert.ok(out.words > 10);
    const typo = await runCli(["search", "failovr", "--json"], env());
    assert.equal((JSON.parse(typo.stdout) as { total: number }).total, 1, typo.stdout + typo.stderr);
  });

  it("refreshes the operations tokens of messages stored without them", async () => {
    // As an archive imported before the extractor knew hostnames would hold them.
    await t.pool.query("UPDATE message SET search_tokens = NULL");
    const r = await runCli(["reindex", "--json"], env());
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { tokensUpdated: number };
    assert.ok(out.tokensUpdated > 0);
    const after = await runCli(["search", "api-gw-03", "--json"], env());
    assert.equal((JSON.parse(after.stdout) as { total: number }).total, 2, after.stdout);
    const again = JSON.parse((await runCli(["reindex", "--json"], env())).stdout) as { tokensUpdated: number };
    assert.equal(again.tokensUpdated, 0, "nothing left to refresh");
  });
});
