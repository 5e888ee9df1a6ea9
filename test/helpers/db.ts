import { randomBytes } from "node:crypto";
import path from "node:path";
import pg from "pg";
import { acquireEmbeddedPostgres } from "../../lib/database/embedded";
import { migrate } from "../../lib/database/migrate";

/**
 * Integration tests run against a real PostgreSQL: one migrated template
 * database, cloned per test (CREATE DATABASE … TEMPLATE is a file copy, far
 * faster than migrating). `npm test` starts the cluster once and passes its
 * URL in TEST_DATABASE_URL; a test file run by hand starts the embedded
 * server under .test-home itself.
 */

pg.types.setTypeParser(20, (v) => Number(v));

const TEMPLATE = "backscroll_template";
const REPO = path.resolve(import.meta.dirname, "..", "..");

let adminUrl: Promise<string> | undefined;

async function resolveAdminUrl(): Promise<string> {
  if (process.env.TEST_DATABASE_URL) return process.env.TEST_DATABASE_URL;
  const handle = await acquireEmbeddedPostgres(process.env.BACKSCROLL_TEST_HOME ?? path.join(REPO, ".test-home"));
  process.once("exit", () => undefined);
  // Released when the test process ends; the next run reuses or restarts it.
  process.on("beforeExit", () => void handle.release());
  return handle.url;
}

function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = "/" + db;
  return u.toString();
}

async function ensureTemplate(url: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    // Serialise template creation across parallel test processes.
    await admin.query("SELECT pg_advisory_lock(4242)");
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [TEMPLATE]);
    if (exists.rowCount === 0) {
      await admin.query(`CREATE DATABASE ${TEMPLATE}`);
    }
    const migrateTemplate = async () => {
      const c = new pg.Client({ connectionString: withDb(url, TEMPLATE) });
      await c.connect();
      try {
        await migrate(c);
      } finally {
        await c.end();
      }
    };
    try {
      await migrateTemplate();
    } catch (e) {
      // A migration edited while being written: rebuild the template from scratch.
      if (!/modified after it was applied|failed earlier/.test((e as Error).message)) throw e;
      await admin.query(`DROP DATABASE ${TEMPLATE} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${TEMPLATE}`);
      await migrateTemplate();
    }
    await admin.query("SELECT pg_advisory_unlock(4242)");
  } finally {
    await admin.end();
  }
}

export interface TTestDatabase {
  url: string;
  name: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own for one test or suite. */
export async function createTestDatabase(): Promise<TTestDatabase> {
  adminUrl ??= resolveAdminUrl().then(async (u) => {
    await ensureTemplate(u);
    return u;
  });
  const base = await adminUrl;
  const name = `t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    // Cloning needs the template to have no other connections; retry briefly.
    for (let i = 0; ; i++) {
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}`);
        break;
      } catch (e) {
        if (i > 50) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    await admin.end();
  }
  const url = withDb(base, name);
  const pool = new pg.Pool({ connectionString: url, max: 5 });
  // An idle connection closed by the server during teardown is expected.
  pool.on("error", (e: Error & { code?: string }) => {
    if (e.code !== "57P01") throw e;
  });
  return {
    url,
    name,
    pool,
    drop: async () => {
      await pool.end();
      const a = new pg.Client({ connectionString: base });
      await a.connect();
      try {
        // Let this process's closing connections finish before dropping; a
        // forced drop racing with them makes their clients emit errors.
        for (let i = 0; i < 50; i++) {
          const r = await a.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1", [name]);
          if (r.rows[0].n === 0) break;
          await new Promise((res) => setTimeout(res, 100));
        }
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}
