import pg from "pg";
import { getEnv } from "../env";
import { closePool } from "../db";
import { acquireEmbeddedPostgres, type TEmbeddedHandle } from "./embedded";
import { migrate } from "./migrate";

/**
 * Resolve the database for an entry point (CLI, worker, server): DATABASE_URL,
 * or else the embedded server under BACKSCROLL_HOME, started if no other
 * process has. Migrates, and publishes the URL in process.env so child
 * processes (the web app) connect to the same server.
 */

let embedded: TEmbeddedHandle | undefined;

export async function prepareDatabase(opts: { migrate?: boolean; keepEmbedded?: boolean } = {}): Promise<string> {
  let url = process.env.DATABASE_URL;
  if (!url) {
    embedded = await acquireEmbeddedPostgres(getEnv().backscrollHome, { keep: opts.keepEmbedded });
    url = embedded.url;
    process.env.DATABASE_URL = url;
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

/** Close pools and release the embedded server (stops it if we were last). */
export async function closeDatabase(): Promise<void> {
  await closePool();
  await embedded?.release();
  embedded = undefined;
}
