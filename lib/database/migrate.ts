import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type pg from "pg";

/**
 * Applies prisma/migrations/<name>/migration.sql in name order and records
 * each in `_prisma_migrations` exactly as `prisma migrate deploy` does (same
 * table, SHA-256 checksum of the file, same advisory lock key), so Prisma's own
 * `migrate deploy` / `migrate status` agree wherever its schema engine exists.
 */

/** prisma/migrations of this checkout (resolved lazily: bundlers may leave import.meta.dirname undefined). */
export function migrationsDir(): string {
  const here = import.meta.dirname ?? path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, "..", "..", "prisma", "migrations");
}

// The advisory lock key Prisma's migration engine takes.
const PRISMA_LOCK_KEY = 72707369;

export interface TMigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

/** The migration files on disk, oldest first. */
export function listMigrations(dir = migrationsDir()): TMigrationFile[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

/** Apply pending migrations; returns the names applied. */
export async function migrate(client: pg.ClientBase, dir = migrationsDir()): Promise<string[]> {
  const files = listMigrations(dir);
  await client.query("SELECT pg_advisory_lock($1)", [PRISMA_LOCK_KEY]);
  const applied: string[] = [];
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0
    )`);
    const done = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
    );
    const byName = new Map(done.rows.map((r) => [r.migration_name, r]));
    for (const f of files) {
      const prev = byName.get(f.name);
      if (prev?.finished_at) {
        if (prev.checksum !== f.checksum) {
          throw new Error(`Migration ${f.name} was modified after it was applied (checksum differs).`);
        }
        continue;
      }
      if (prev && !prev.finished_at) {
        throw new Error(`Migration ${f.name} failed earlier and needs attention (see _prisma_migrations).`);
      }
      await client.query("BEGIN");
      try {
        await client.query(f.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, now(), 1)`,
          [randomUUID(), f.checksum, f.name],
        );
        await client.query("COMMIT");
      } catch (e) {
        await client.query("ROLLBACK");
        throw new Error(`Migration ${f.name} failed: ${(e as Error).message}`, { cause: e });
      }
      applied.push(f.name);
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_LOCK_KEY]);
  }
  return applied;
}
