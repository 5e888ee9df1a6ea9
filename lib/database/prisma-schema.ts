import fs from "node:fs";
import path from "node:path";

/**
 * A small reader of schema.prisma, enough to compare the declared model with
 * the migrated database (the schema engine that would do this, `prisma
 * migrate diff`, is a separate binary that is not always available).
 */

export interface TPrismaField {
  name: string;
  column: string;
  type: string;
  optional: boolean;
  list: boolean;
  isRelation: boolean;
  id: boolean;
  unique: boolean;
  nativeType?: string;
}

export interface TPrismaModel {
  name: string;
  table: string;
  fields: TPrismaField[];
  uniques: string[][];
  indexes: string[][];
  compositeId?: string[];
}

export interface TPrismaSchema {
  models: TPrismaModel[];
  enums: { name: string; dbName: string; values: string[] }[];
}

export const SCHEMA_PATH = path.resolve(import.meta.dirname, "..", "..", "prisma", "schema.prisma");

const SCALARS = new Set(["String", "Int", "BigInt", "Boolean", "DateTime", "Json", "Float", "Decimal", "Bytes"]);

function fieldList(s: string): string[] {
  const m = /\[([^\]]*)\]/.exec(s);
  return m ? m[1]!.split(",").map((x) => x.trim().replace(/\(.*\)$/, "")).filter(Boolean) : [];
}

/** Parse schema.prisma into models and enums. */
export function readPrismaSchema(file = SCHEMA_PATH): TPrismaSchema {
  const text = fs.readFileSync(file, "utf8").replace(/\/\/.*$/gm, "");
  const enums: TPrismaSchema["enums"] = [];
  const models: TPrismaModel[] = [];
  // A block ends at a line holding only "}" (defaults like "{}" may contain braces).
  const blockRe = /^(model|enum)\s+(\w+)\s*\{\n([\s\S]*?)^\}/gm;
  const enumNames = new Set<string>();
  for (const m of text.matchAll(blockRe)) if (m[1] === "enum") enumNames.add(m[2]!);
  for (const m of text.matchAll(blockRe)) {
    const [, kind, name, body] = m as unknown as [string, string, string, string];
    const lines = body.split("\n").map((l) => l.trim()).filter(Boolean);
    if (kind === "enum") {
      const map = lines.find((l) => l.startsWith("@@map"));
      enums.push({
        name,
        dbName: map ? /"([^"]+)"/.exec(map)![1]! : name,
        values: lines.filter((l) => !l.startsWith("@@")).map((l) => l.split(/\s+/)[0]!),
      });
      continue;
    }
    const model: TPrismaModel = { name, table: name, fields: [], uniques: [], indexes: [] };
    for (const l of lines) {
      if (l.startsWith("@@map")) model.table = /"([^"]+)"/.exec(l)![1]!;
      else if (l.startsWith("@@unique")) model.uniques.push(fieldList(l));
      else if (l.startsWith("@@index")) model.indexes.push(fieldList(l));
      else if (l.startsWith("@@id")) model.compositeId = fieldList(l);
      else if (!l.startsWith("@@")) {
        const [fname, ftypeRaw = ""] = l.split(/\s+/);
        const unsupported = /^Unsupported\("([^"]+)"\)/.exec(ftypeRaw);
        // Unsupported("tsvector") → "Unsupported:tsvector": a column Prisma cannot read but the database has.
        const base = unsupported ? `Unsupported:${unsupported[1]}` : ftypeRaw.replace(/[?[\]]/g, "");
        const isRelation = !unsupported && !SCALARS.has(base) && !enumNames.has(base);
        const map = /@map\("([^"]+)"\)/.exec(l);
        const native = /@db\.(\w+)/.exec(l);
        model.fields.push({
          name: fname!,
          column: map ? map[1]! : fname!,
          type: base,
          optional: ftypeRaw.endsWith("?"),
          list: ftypeRaw.endsWith("[]"),
          isRelation,
          id: /@id\b/.test(l),
          unique: /@unique\b/.test(l),
          nativeType: native?.[1],
        });
      }
    }
    models.push(model);
  }
  return { models, enums };
}
