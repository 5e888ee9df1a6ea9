// A process that uses the embedded server for a moment, as a CLI command
// would: acquire, query, hold, release. Prints "url pid" of the server.
import pg from "pg";
import { acquireEmbeddedPostgres } from "../../lib/database/embedded";

const [home, holdMs = "300"] = process.argv.slice(2);
const h = await acquireEmbeddedPostgres(home!);
const c = new pg.Client({ connectionString: h.url });
await c.connect();
const r = await c.query("SELECT pg_backend_pid() AS b, (SELECT setting FROM pg_settings WHERE name = 'data_directory') AS d, pg_postmaster_start_time()::text AS started");
await new Promise((res) => setTimeout(res, Number(holdMs)));
await c.end();
process.stdout.write(JSON.stringify({ url: h.url, started: r.rows[0].started }) + "\n");
await h.release();
