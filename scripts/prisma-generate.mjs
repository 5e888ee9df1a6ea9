// Runs `prisma generate` without network access: the CLI insists on a
// schema-engine binary even though generating the client does not use it, so
// when none is installed we point it at a harmless existing file.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY || !existsSync(env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}
const cli = path.join(import.meta.dirname, "..", "node_modules", "prisma", "build", "index.js");
const r = spawnSync(process.execPath, [cli, "generate"], { stdio: "inherit", env });
process.exit(r.status ?? 1);
