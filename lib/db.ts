import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client";

/**
 * Database access: one pool (and a Prisma client on it) for the process,
 * connected to DATABASE_URL. Processes that may need to start the embedded
 * server call `prepareDatabase()` (lib/database/prepare.ts) first; the web app
 * is started with DATABASE_URL already set.
 */

// int8 (ids, counts) as strings would leak into arithmetic; our ids and
// counts stay far below 2^53, so parse them as numbers.
pg.types.setTypeParser(20, (v) => Number(v));

let pool: pg.Pool | undefined;
let prisma: PrismaClient | undefined;

export type TDb = pg.Pool | pg.PoolClient;

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

/** Close the pool and the Prisma client. */
export async function closePool(): Promise<void> {
  await prisma?.$disconnect().catch(() => undefined);
  prisma = undefined;
  await pool?.end().catch(() => undefined);
  pool = undefined;
}
