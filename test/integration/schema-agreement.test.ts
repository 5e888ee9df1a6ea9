import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { readPrismaSchema } from "../../lib/database/prisma-schema";
import { listMigrations } from "../../lib/database/migrate";

// schema.prisma is what the application's Prisma client believes; the SQL
// migrations are what the database is. They must describe the same thing.

let db: TTestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  await db.drop();
});

const PG_TYPE: Record<string, string> = {
  String: "text",
  Int: "integer",
  BigInt: "bigint",
  Boolean: "boolean",
  Json: "jsonb",
  DateTime: "timestamp with time zone",
  Float: "double precision",
  Bytes: "bytea",
};

test("every model is a table with exactly its columns, types and nullability", async () => {
  const schema = readPrismaSchema();
  const enumDb = new Map(schema.enums.map((e) => [e.name, e.dbName]));
  const cols = await db.pool.query<{ table_name: string; column_name: string; data_type: string; udt_name: string; is_nullable: string }>(
    `SELECT table_name, column_name, data_type, udt_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public'`,
  );
  const byTable = new Map<string, Map<string, (typeof cols.rows)[number]>>();
  for (const c of cols.rows) {
    if (!byTable.has(c.table_name)) byTable.set(c.table_name, new Map());
    byTable.get(c.table_name)!.set(c.column_name, c);
  }
  const modelTables = new Set(schema.models.map((m) => m.table));
  const dbTables = [...byTable.keys()].filter((t) => t !== "_prisma_migrations").sort();
  assert.deepEqual(dbTables, [...modelTables].sort(), "tables in the database vs models in schema.prisma");
  for (const model of schema.models) {
    const dbCols = byTable.get(model.table)!;
    const scalar = model.fields.filter((f) => !f.isRelation);
    assert.deepEqual(
      [...dbCols.keys()].sort(),
      scalar.map((f) => f.column).sort(),
      `columns of ${model.table}`,
    );
    for (const f of scalar) {
      const c = dbCols.get(f.column)!;
      const where = `${model.table}.${f.column}`;
      if (enumDb.has(f.type)) {
        assert.equal(c.data_type, "USER-DEFINED", `${where} is an enum`);
        assert.equal(c.udt_name, enumDb.get(f.type), `${where} enum type`);
      } else if (f.type.startsWith("Unsupported:")) {
        assert.equal(c.data_type, f.type.slice("Unsupported:".length), `${where} type`);
      } else {
        assert.equal(c.data_type, PG_TYPE[f.type], `${where} type`);
      }
      assert.equal(c.is_nullable === "YES", f.optional, `${where} nullability`);
    }
  }
});

test("enums have the same values", async () => {
  const schema = readPrismaSchema();
  for (const e of schema.enums) {
    const r = await db.pool.query<{ v: string }>(
      `SELECT e.enumlabel AS v FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = $1 ORDER BY e.enumsortorder`,
      [e.dbName],
    );
    assert.deepEqual(r.rows.map((x) => x.v), e.values, `enum ${e.dbName}`);
  }
});

test("primary keys, unique constraints and indexes exist as declared", async () => {
  const schema = readPrismaSchema();
  const idx = await db.pool.query<{ table: string; cols: string[]; unique: boolean; primary: boolean }>(
    `SELECT t.relname AS table, array_agg(a.attname::text ORDER BY k.ord) AS cols, i.indisunique AS unique, i.indisprimary AS primary
     FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
     CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
     WHERE n.nspname = 'public' GROUP BY t.relname, i.indexrelid, i.indisunique, i.indisprimary`,
  );
  const has = (table: string, cols: string[], kind: "primary" | "unique" | "index") =>
    idx.rows.some(
      (r) => r.table === table && r.cols.join(",") === cols.join(",") && (kind === "index" || (kind === "unique" ? r.unique : r.primary)),
    );
  for (const m of schema.models) {
    const col = (name: string) => m.fields.find((f) => f.name === name)!.column;
    const pk = m.compositeId ?? m.fields.filter((f) => f.id).map((f) => f.name);
    assert.ok(has(m.table, pk.map(col), "primary"), `primary key of ${m.table} (${pk})`);
    for (const f of m.fields.filter((x) => x.unique)) assert.ok(has(m.table, [f.column], "unique"), `unique ${m.table}.${f.column}`);
    for (const u of m.uniques) assert.ok(has(m.table, u.map(col), "unique"), `unique ${m.table}(${u})`);
    for (const i of m.indexes) assert.ok(has(m.table, i.map(col), "index"), `index ${m.table}(${i})`);
  }
});

test("migrations are recorded in _prisma_migrations as Prisma records them", async () => {
  const rows = await db.pool.query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
    `SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name`,
  );
  const files = listMigrations();
  assert.deepEqual(rows.rows.map((r) => r.migration_name), files.map((f) => f.name));
  for (const [i, r] of rows.rows.entries()) {
    assert.equal(r.checksum, files[i]!.checksum, "checksum is the SHA-256 of migration.sql");
    assert.ok(r.finished_at instanceof Date);
    assert.equal(r.applied_steps_count, 1);
  }
});
