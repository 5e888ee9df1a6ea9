import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client";
import { getEnv } from "./env";
import { acquireEmbeddedPostgres, type TEmbeddedHandle } from "./database/embedded";
import { migrate } from "./database/migrate";

/**
 * Database access for every entry point. `prepareDatabase()` resolves the
 * connection (DATABASE_URL, or the embedded server under BACKSCROLL_HOME),
 * migrates, and publishes the URL in process.env so child processes (the web
 * app, workers) connect to the same server. After that, `getPool()` and
 * `getPrisma()` share one pool.
 */

// int8 (ids, counts) as strings would leak into arithmetic; our ids and
// counts stay far below 2^53, so parse them as numbers.
pg.types.setTypeParser(20, (v) => Number(v));

let pool: pg.Pool | undefined;
let prisma: PrismaClient | undefined;
let embedded: TEmbeddedHandle | undefined;

export type TDb = pg.Pool | pg.PoolClient;

/** Resolve, start if needed, and migrate the database. Idempotent. */
export async function prepareDatabase(opts: { migrate?: boolean; keepEmbedded?: boolean } = {}): Promise<string> {
  const env = getEnv();
  let url = process.env.DATABASE_URL;
  if (!url) {
    embedded = await acquireEmbeddedPostgres(env.backscrollHome, { keep: opts.keepEmbedded });
    url = embedded.url;
    process.env.DATABASE_URL = url;
    process.env.BACKSCROLL_EMBEDDED = "1";
  }
  if (opts.migrate !== false) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await migrate(client);
    } finally {
      await client.end();
    }
  }
  return url;
}

/** The shared pool; requires DATABASE_URL (set by prepareDatabase). */
export function getPool(): pg.Pool {
  if (!pool) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: call prepareDatabase() first");
    pool = new pg.Pool({ connectionString: url, max: Number(process.env.DB_POOL_MAX ?? 10) });
    pool.on("error", () => {
      // Idle clients lose their server on shutdown; the next query reconnects.
    });
  }
  return pool;
}

/** The Prisma client, on the same pool. */
export function getPrisma(): PrismaClient {
  if (!prisma) prisma = new PrismaClient({ adapter: new PrismaPg(getPool()) });
  return prisma;
}

/** Run `fn` in one transaction on a dedicated client. */
export async function withTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>, db: pg.Pool = getPool()): Promise<T> {
  const client = await db.connect();
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

/** Close pools and release the embedded server (stops it if we were last). */
export async function closeDatabase(): Promise<void> {
  await prisma?.$disconnect().catch(() => undefined);
  prisma = undefined;
  await pool?.end().catch(() => undefined);
  pool = undefined;
  await embedded?.release();
  embedded = undefined;
}
