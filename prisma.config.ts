import { defineConfig } from "prisma/config";

// The CLI's connection (migrate deploy/status where the schema engine is
// available). The application itself connects through lib/db.ts.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost/backscroll" },
});
