import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  authorizeChannelRead,
  canReadChannel,
  findChannelAccess,
  findReadableChannelIds,
  readableChannelsSql,
} from "../../lib/access/service";
import type { TViewer } from "../../lib/access/types";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { insertMessage, seedArchive, type TSeed } from "../helpers/seed";

/** Access rules against a real PostgreSQL with every kind of conversation. */

let t: TTestDatabase;
let s: TSeed;
let alice: TViewer;
let nobody: TViewer;
let auditor: TViewer;
let admin: TViewer;

before(async () => {
  t = await createTestDatabase();
  s = await seedArchive(t.pool);
  alice = { userId: s.users.alice.id, role: "member", personId: s.people.alice };
  nobody = { userId: s.users.nobody.id, role: "member", personId: null };
  auditor = { userId: s.users.auditor.id, role: "auditor", personId: null };
  admin = { userId: s.users.admin.id, role: "admin", personId: null };
});

after(async () => {
  await t?.drop();
});

function sorted(ids: number[]): number[] {
  return [...ids].sort((a, b) => a - b);
}

describe("findReadableChannelIds", () => {
  it("gives a member public channels and the private conversations they currently belong to", async () => {
    const c = s.channels;
    assert.deepEqual(await findReadableChannelIds(t.pool, alice), sorted([c.general, c.random, c.opsLeads, c.dmAliceBob, c.mpdm]));
  });

  it("gives a member with no linked person only public channels", async () => {
    assert.deepEqual(await findReadableChannelIds(t.pool, nobody), sorted([s.channels.general, s.channels.random]));
  });

  it("gives auditors and admins every channel", async () => {
    const all = sorted(Object.values(s.channels));
    assert.deepEqual(await findReadableChannelIds(t.pool, auditor), all);
    assert.deepEqual(await findReadableChannelIds(t.pool, admin), all);
  });

  it("gives bob (via an unlinked viewer for bob's person) his own DMs and private channels", async () => {
    const bob: TViewer = { userId: 999, role: "member", personId: s.people.bob };
    const c = s.channels;
    assert.deepEqual(
      await findReadableChannelIds(t.pool, bob),
      sorted([c.general, c.random, c.secret, c.opsLeads, c.dmAliceBob, c.dmBobCarol, c.mpdm]),
    );
  });
});

describe("canReadChannel and findChannelAccess", () => {
  it("agrees with the readable set for every channel and viewer", async () => {
    for (const viewer of [alice, nobody, auditor, admin]) {
      const readable = new Set(await findReadableChannelIds(t.pool, viewer));
      for (const [name, id] of Object.entries(s.channels)) {
        assert.equal(await canReadChannel(t.pool, viewer, id), readable.has(id), `${viewer.role}/${viewer.personId} on ${name}`);
      }
    }
  });

  it("denies a member who left a private channel (past membership grants nothing)", async () => {
    assert.equal(await findChannelAccess(t.pool, alice, s.channels.formerTeam), "none");
  });

  it("names the basis of each decision", async () => {
    assert.equal(await findChannelAccess(t.pool, alice, s.channels.general), "public");
    assert.equal(await findChannelAccess(t.pool, alice, s.channels.dmAliceBob), "member");
    assert.equal(await findChannelAccess(t.pool, alice, s.channels.dmBobCarol), "none");
    assert.equal(await findChannelAccess(t.pool, auditor, s.channels.dmBobCarol), "privileged");
  });

  it("answers false for channels that do not exist or bad ids", async () => {
    assert.equal(await canReadChannel(t.pool, admin, 999_999), false);
    assert.equal(await canReadChannel(t.pool, admin, -1), false);
    assert.equal(await canReadChannel(t.pool, admin, Number.NaN), false);
  });
});

describe("the source's member list", () => {
  it("grants access when a person has no membership rows but the channel lists them", async () => {
    const r = await t.pool.query<{ id: number }>(
      `INSERT INTO channel (workspace_id, external_id, name, kind, members, source)
       VALUES ($1, 'G0LISTED', 'listed-only', 'private', '["U0ALICE", "U0BOB"]', 'seed') RETURNING id`,
      [s.workspaceId],
    );
    const id = r.rows[0]!.id;
    try {
      assert.equal(await canReadChannel(t.pool, alice, id), true);
      assert.ok((await findReadableChannelIds(t.pool, alice)).includes(id));
      // Membership rows, once a person has any for the channel, are authoritative.
      await t.pool.query("INSERT INTO membership (channel_id, person_id, left_at) VALUES ($1, $2, now())", [id, s.people.alice]);
      assert.equal(await canReadChannel(t.pool, alice, id), false);
      assert.ok(!(await findReadableChannelIds(t.pool, alice)).includes(id));
    } finally {
      await t.pool.query("DELETE FROM channel WHERE id = $1", [id]);
    }
  });

  it("does not match a person of another workspace with the same external id", async () => {
    const w2 = await t.pool.query<{ id: number }>("INSERT INTO workspace (platform, external_id, name) VALUES ('slack', 'T0OTHER', 'Other') RETURNING id");
    const wid = w2.rows[0]!.id;
    const c = await t.pool.query<{ id: number }>(
      `INSERT INTO channel (workspace_id, external_id, name, kind, members, source)
       VALUES ($1, 'G0ELSEWHERE', 'elsewhere', 'private', '["U0ALICE"]', 'seed') RETURNING id`,
      [wid],
    );
    try {
      assert.equal(await canReadChannel(t.pool, alice, c.rows[0]!.id), false);
      assert.equal(await canReadChannel(t.pool, auditor, c.rows[0]!.id), true);
    } finally {
      await t.pool.query("DELETE FROM workspace WHERE id = $1", [wid]);
    }
  });
});

describe("readableChannelsSql", () => {
  it("filters inside another query, with placeholders after the caller's", async () => {
    const count = async (viewer: TViewer) => {
      const scope = readableChannelsSql(viewer, 2);
      const r = await t.pool.query<{ text: string }>(
        `SELECT m.text FROM message m WHERE m.text LIKE $1 AND m.channel_id IN (${scope.sql}) ORDER BY m.text`,
        ["hi %", ...scope.params],
      );
      return r.rows.map((row) => row.text);
    };
    assert.deepEqual(await count(alice), ["hi alice, a DM", "hi all three"]);
    assert.deepEqual(await count(nobody), []);
    assert.deepEqual(await count(auditor), ["hi alice, a DM", "hi all three", "hi bob, a private DM"]);
  });

  it("is usable with a joined alias named like its own (aliases do not clash)", async () => {
    const scope = readableChannelsSql(alice);
    const r = await t.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM channel c JOIN message m ON m.channel_id = c.id WHERE c.id IN (${scope.sql}) AND c.kind <> 'public'`,
      scope.params,
    );
    // ops-leads, the alice–bob DM and the group DM: one message each.
    assert.equal(r.rows[0]!.n, 3);
  });
});

describe("authorizeChannelRead", () => {
  async function auditCount(): Promise<number> {
    const r = await t.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_event WHERE action = 'archive.read_private'");
    return r.rows[0]!.n;
  }

  it("audits an auditor reading a conversation they do not belong to", async () => {
    const before = await auditCount();
    assert.equal(await authorizeChannelRead(t.pool, auditor, s.channels.dmBobCarol, { day: "2024-03-05" }), true);
    assert.equal(await auditCount(), before + 1);
    const r = await t.pool.query(
      "SELECT actor_id, actor, target, details FROM audit_event WHERE action = 'archive.read_private' ORDER BY id DESC LIMIT 1",
    );
    assert.deepEqual(r.rows[0], {
      actor_id: auditor.userId,
      actor: "auditor@example.com",
      target: `channel:${s.channels.dmBobCarol}`,
      details: { role: "auditor", day: "2024-03-05" },
    });
  });

  it("does not audit public or own reads, and refuses others", async () => {
    const before = await auditCount();
    assert.equal(await authorizeChannelRead(t.pool, auditor, s.channels.general, {}), true);
    assert.equal(await authorizeChannelRead(t.pool, alice, s.channels.dmAliceBob, {}), true);
    assert.equal(await authorizeChannelRead(t.pool, alice, s.channels.secret, {}), false);
    assert.equal(await auditCount(), before);
  });

  it("sees messages added later through the same rules", async () => {
    await insertMessage(t.pool, { channelId: s.channels.secret, at: "2024-03-06T00:00:00Z", text: "later secret" });
    const scope = readableChannelsSql(alice);
    const r = await t.pool.query(`SELECT 1 FROM message WHERE text = 'later secret' AND channel_id IN (${scope.sql})`, scope.params);
    assert.equal(r.rowCount, 0);
  });
});
