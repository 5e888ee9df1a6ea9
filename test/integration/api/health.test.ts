import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TTestDatabase } from "../../helpers/db";
import { findFreePort, startWebServer, type TWebServer } from "../../helpers/web";

/** GET /api/health over HTTP: ok with a database, 503 without one. */

let t: TTestDatabase;
const servers: TWebServer[] = [];

before(async () => {
  t = await createTestDatabase();
});

after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await t?.drop();
});

describe("GET /api/health", () => {
  it("reports ok when the database answers", async () => {
    const web = await startWebServer({ databaseUrl: t.url });
    servers.push(web);
    const r = await fetch(`${web.baseUrl}/api/health`);
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { status: "ok", database: "ok" });
    assert.equal(r.headers.get("cache-control"), "no-store");
  });

  it("answers 503 when the database is down", async () => {
    // A port nothing listens on: connections are refused.
    const port = await findFreePort();
    const web = await startWebServer({ databaseUrl: `postgresql://nobody:nothing@127.0.0.1:${port}/none` });
    servers.push(web);
    const r = await fetch(`${web.baseUrl}/api/health`);
    assert.equal(r.status, 503);
    assert.deepEqual(await r.json(), { status: "error", database: "unavailable" });
  });
});
