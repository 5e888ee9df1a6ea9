import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { runCli } from "../helpers/cli";
import { writeDemoExport } from "../../lib/demo/demo-workspace";
import { assembleExport, resolveExportScope } from "../../lib/export/assemble";
import type { TExportRecord, TExportScope } from "../../lib/export/types";
import type { TViewer } from "../../lib/access/types";

// The export's record stream is the same however it is paged: pages that end
// inside a channel, at a channel's end, or run on over several channels.

let db: TTestDatabase;
let tmp: string;
const admin: TViewer = { userId: 0, role: "admin", personId: null };

async function records(scope: TExportScope, pageSize?: number): Promise<TExportRecord[]> {
  const out: TExportRecord[] = [];
  for await (const r of assembleExport(db.pool, await resolveExportScope(db.pool, admin, scope), { includeDeleted: true, pageSize })) out.push(r);
  return out;
}

before(async () => {
  db = await createTestDatabase();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bs-export-paging-"));
  await writeDemoExport(path.join(tmp, "demo"));
  const imp = await runCli(["import", path.join(tmp, "demo")], { DATABASE_URL: db.url });
  assert.equal(imp.code, 0, imp.stderr);
});
after(async () => {
  await db.drop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test("every page size gives the same records in (channel, ts) order, whatever the scope", async () => {
  const author = (await db.pool.query<{ name: string }>(
    "SELECT p.name FROM message m JOIN person p ON p.id = m.author_id GROUP BY p.name ORDER BY count(*) DESC LIMIT 1",
  )).rows[0]!.name;
  const span = (await db.pool.query<{ lo: string; hi: string }>(
    "SELECT to_char(min(posted_at), 'YYYY-MM-DD') AS lo, to_char(max(posted_at) - interval '2 days', 'YYYY-MM-DD') AS hi FROM message",
  )).rows[0]!;
  const total = (await db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM message")).rows[0]!.n;
  const scopes: TExportScope[] = [{}, { users: [author] }, { from: span.lo, to: span.hi }, { kinds: ["private", "dm", "mpdm"] }];
  for (const scope of scopes) {
    const whole = await records(scope);
    if (Object.keys(scope).length === 0) assert.equal(whole.length, total);
    assert.ok(whole.length > 3, `${JSON.stringify(scope)} selects messages`);
    const channels = (await db.pool.query<{ external_id: string; id: number }>("SELECT external_id, id FROM channel")).rows;
    const channelOrder = new Map(channels.map((c) => [c.external_id, c.id]));
    for (let i = 1; i < whole.length; i++) {
      const [a, b] = [whole[i - 1]!, whole[i]!];
      const ca = channelOrder.get(a.channel.id)!;
      const cb = channelOrder.get(b.channel.id)!;
      assert.ok(ca < cb || (ca === cb && a.ts < b.ts), `${JSON.stringify(scope)}: record ${i} out of order`);
    }
    for (const pageSize of [1, 2, 7, whole.length, whole.length + 1]) {
      assert.deepEqual(await records(scope, pageSize), whole, `${JSON.stringify(scope)} in pages of ${pageSize}`);
    }
  }
});
