import type pg from "pg";
import { searchTokens } from "../../lib/search/ops-tokens";
import { createUser } from "../../lib/auth/users";

/**
 * A tiny archive for access, browsing and browser tests, written with plain
 * SQL (independent of the ingest loader):
 *
 * workspace "Acme" (T0SEED)
 *   people   alice (U0ALICE), bob (U0BOB), carol (U0CAROL), deploybot (U0BOT, bot)
 *   general        public   — messages on 2024-03-04 and 2024-03-05, a thread,
 *                             an XSS attempt, a bot message, a deleted and an edited message
 *   random         public, archived, no messages
 *   secret-plans   private  — bob, carol (alice is NOT a member)
 *   ops-leads      private  — alice, bob
 *   former-team    private  — alice left it; carol still a member
 *   dm alice–bob   dm       — alice, bob
 *   dm bob–carol   dm       — bob, carol
 *   group dm       mpdm     — alice, bob, carol
 * accounts
 *   alice@example.com    member, linked to alice
 *   nobody@example.com   member, linked to no person
 *   auditor@example.com  auditor
 *   admin@example.com    admin
 */

export const SEED_PASSWORD = "correct horse battery staple";

export type TSeed = {
  workspaceId: number;
  people: Record<"alice" | "bob" | "carol" | "bot", number>;
  channels: Record<"general" | "random" | "secret" | "opsLeads" | "formerTeam" | "dmAliceBob" | "dmBobCarol" | "mpdm", number>;
  users: Record<"alice" | "nobody" | "auditor" | "admin", { id: number; email: string; password: string }>;
  /** ts of the thread root in #general (2024-03-05 10:00 UTC). */
  threadTs: string;
  days: { first: string; second: string };
};

/** Slack ts for a UTC time. */
export function toTs(iso: string, micro = 100): string {
  return `${Math.floor(Date.parse(iso) / 1000)}.${String(micro).padStart(6, "0")}`;
}

async function insertPerson(db: pg.Pool, workspaceId: number, externalId: string, name: string, realName: string, isBot = false): Promise<number> {
  const r = await db.query<{ id: number }>(
    `INSERT INTO person (workspace_id, external_id, name, real_name, display_name, is_bot, source)
     VALUES ($1, $2, $3, $4, NULL, $5, 'seed') RETURNING id`,
    [workspaceId, externalId, name, realName, isBot],
  );
  return r.rows[0]!.id;
}

async function insertChannel(
  db: pg.Pool,
  workspaceId: number,
  c: { externalId: string; name: string; kind: string; topic?: string; purpose?: string; archived?: boolean },
): Promise<number> {
  const r = await db.query<{ id: number }>(
    `INSERT INTO channel (workspace_id, external_id, name, kind, topic, purpose, archived, source)
     VALUES ($1, $2, $3, $4::channel_kind, $5, $6, $7, 'seed') RETURNING id`,
    [workspaceId, c.externalId, c.name, c.kind, c.topic ?? null, c.purpose ?? null, c.archived ?? false],
  );
  return r.rows[0]!.id;
}

async function insertMembership(db: pg.Pool, channelId: number, personId: number, leftAt: string | null = null): Promise<void> {
  await db.query("INSERT INTO membership (channel_id, person_id, joined_at, left_at) VALUES ($1, $2, NULL, $3)", [channelId, personId, leftAt]);
}

/** Insert one message; returns its id. */
export async function insertMessage(
  db: pg.Pool,
  m: {
    channelId: number;
    at: string;
    text: string;
    authorId?: number | null;
    micro?: number;
    threadTs?: string | null;
    botId?: string | null;
    username?: string | null;
    subtype?: string | null;
    searchText?: string;
    editedAt?: string | null;
    deleted?: boolean;
  },
): Promise<{ id: number; ts: string }> {
  const ts = toTs(m.at, m.micro);
  const r = await db.query<{ id: number }>(
    `INSERT INTO message (channel_id, ts, thread_ts, author_id, bot_id, username, subtype, text, search_text, posted_at,
                          edited_ts, edited_at, deleted, deleted_at, source, raw_sha256, search_tokens)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'seed', 'seed', $15) RETURNING id`,
    [
      m.channelId,
      ts,
      m.threadTs ?? null,
      m.authorId ?? null,
      m.botId ?? null,
      m.username ?? null,
      m.subtype ?? null,
      m.text,
      m.searchText ?? m.text,
      m.at,
      m.editedAt ? toTs(m.editedAt) : null,
      m.editedAt ?? null,
      m.deleted ?? false,
      m.deleted ? m.at : null,
      // As the loader does: operations tokens are extracted when a message is written.
      searchTokens(m.searchText ?? m.text),
    ],
  );
  return { id: r.rows[0]!.id, ts };
}

/** Write the tiny archive and its accounts into `db`. */
export async function seedArchive(db: pg.Pool): Promise<TSeed> {
  const ws = await db.query<{ id: number }>(
    "INSERT INTO workspace (platform, external_id, name, domain) VALUES ('slack', 'T0SEED', 'Acme', 'acme') RETURNING id",
  );
  const w = ws.rows[0]!.id;
  const people = {
    alice: await insertPerson(db, w, "U0ALICE", "alice", "Alice Anders"),
    bob: await insertPerson(db, w, "U0BOB", "bob", "Bob Brown"),
    carol: await insertPerson(db, w, "U0CAROL", "carol", "Carol Chen"),
    bot: await insertPerson(db, w, "U0BOT", "deploybot", "Deploy Bot", true),
  };
  const channels = {
    general: await insertChannel(db, w, { externalId: "C0GENERAL", name: "general", kind: "public", topic: "Company-wide chat", purpose: "Announcements and everything else" }),
    random: await insertChannel(db, w, { externalId: "C0RANDOM", name: "random", kind: "public", archived: true }),
    secret: await insertChannel(db, w, { externalId: "G0SECRET", name: "secret-plans", kind: "private", purpose: "Not for alice" }),
    opsLeads: await insertChannel(db, w, { externalId: "G0OPS", name: "ops-leads", kind: "private" }),
    formerTeam: await insertChannel(db, w, { externalId: "G0FORMER", name: "former-team", kind: "private" }),
    dmAliceBob: await insertChannel(db, w, { externalId: "D0AB", name: "U0BOB", kind: "dm" }),
    dmBobCarol: await insertChannel(db, w, { externalId: "D0BC", name: "U0CAROL", kind: "dm" }),
    mpdm: await insertChannel(db, w, { externalId: "G0MPDM", name: "mpdm-alice--bob--carol-1", kind: "mpdm" }),
  };
  for (const p of [people.alice, people.bob, people.carol, people.bot]) await insertMembership(db, channels.general, p);
  for (const p of [people.bob, people.carol]) await insertMembership(db, channels.secret, p);
  for (const p of [people.alice, people.bob]) await insertMembership(db, channels.opsLeads, p);
  await insertMembership(db, channels.formerTeam, people.alice, "2024-02-01T00:00:00Z");
  await insertMembership(db, channels.formerTeam, people.carol);
  for (const p of [people.alice, people.bob]) await insertMembership(db, channels.dmAliceBob, p);
  for (const p of [people.bob, people.carol]) await insertMembership(db, channels.dmBobCarol, p);
  for (const p of [people.alice, people.bob, people.carol]) await insertMembership(db, channels.mpdm, p);

  const g = channels.general;
  await insertMessage(db, { channelId: g, at: "2024-03-04T09:00:00Z", authorId: people.alice, text: "Good morning <!here>, deploy of the API is at 10:00" });
  const sounds = await insertMessage(db, { channelId: g, at: "2024-03-04T09:05:00Z", authorId: people.bob, text: "Sounds good, <@U0ALICE> :+1:" });
  await db.query("INSERT INTO reaction (message_id, name, user_external) VALUES ($1, 'tada', 'U0ALICE'), ($1, 'tada', 'U0CAROL'), ($1, 'eyes', 'U0CAROL')", [sounds.id]);

  const root = await insertMessage(db, {
    channelId: g,
    at: "2024-03-05T10:00:00Z",
    authorId: people.alice,
    text: "Deploying *api-gw-03* now, see <https://example.com/runbook|the runbook>",
  });
  await db.query("UPDATE message SET thread_ts = ts, reply_count = 2 WHERE id = $1", [root.id]);
  await insertMessage(db, { channelId: g, at: "2024-03-05T10:01:00Z", authorId: people.bob, threadTs: root.ts, text: "Reply one: health checks are green" });
  await insertMessage(db, { channelId: g, at: "2024-03-05T10:02:00Z", authorId: people.carol, threadTs: root.ts, text: "Reply two: `kubectl rollout status` done" });
  await insertMessage(db, {
    channelId: g,
    at: "2024-03-05T10:10:00Z",
    authorId: people.carol,
    text: `<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">`,
  });
  await insertMessage(db, {
    channelId: g,
    at: "2024-03-05T10:15:00Z",
    authorId: people.bot,
    botId: "B0DEPLOY",
    username: "deploybot",
    subtype: "bot_message",
    text: "",
    searchText: "Deploy finished: api 1.2.3 (attachment)",
  });
  await insertMessage(db, { channelId: g, at: "2024-03-05T10:20:00Z", authorId: people.bob, text: "the staging password is hunter2", deleted: true });
  const edited = await insertMessage(db, {
    channelId: g,
    at: "2024-03-05T10:30:00Z",
    authorId: people.alice,
    text: "Rollout complete (fixed typo)",
    editedAt: "2024-03-05T10:31:00Z",
  });
  const f = await db.query<{ id: number }>(
    `INSERT INTO file (workspace_id, external_id, name, title, mimetype, size, permalink)
     VALUES ($1, 'F0LOG', 'deploy.log', 'Deploy log', 'text/plain', 2048, 'https://acme.slack.com/files/U0ALICE/F0LOG/deploy.log') RETURNING id`,
    [w],
  );
  await db.query("INSERT INTO message_file (message_id, file_id) VALUES ($1, $2)", [edited.id, f.rows[0]!.id]);

  await insertMessage(db, { channelId: channels.secret, at: "2024-03-05T11:00:00Z", authorId: people.bob, text: "the secret plan" });
  await insertMessage(db, { channelId: channels.opsLeads, at: "2024-03-05T11:05:00Z", authorId: people.alice, text: "ops leads sync" });
  await insertMessage(db, { channelId: channels.formerTeam, at: "2024-03-05T11:10:00Z", authorId: people.carol, text: "former team news" });
  await insertMessage(db, { channelId: channels.dmAliceBob, at: "2024-03-05T11:15:00Z", authorId: people.bob, text: "hi alice, a DM" });
  await insertMessage(db, { channelId: channels.dmBobCarol, at: "2024-03-05T11:20:00Z", authorId: people.carol, text: "hi bob, a private DM" });
  await insertMessage(db, { channelId: channels.mpdm, at: "2024-03-05T11:25:00Z", authorId: people.carol, text: "hi all three" });

  const make = async (email: string, role: "admin" | "auditor" | "member", personExternalId?: string) => {
    const r = await createUser(db, { email, role, password: SEED_PASSWORD, personExternalId });
    return { id: r.user.id, email, password: SEED_PASSWORD };
  };
  const users = {
    alice: await make("alice@example.com", "member", "U0ALICE"),
    nobody: await make("nobody@example.com", "member"),
    auditor: await make("auditor@example.com", "auditor"),
    admin: await make("admin@example.com", "admin"),
  };
  return { workspaceId: w, people, channels, users, threadTs: root.ts, days: { first: "2024-03-04", second: "2024-03-05" } };
}
