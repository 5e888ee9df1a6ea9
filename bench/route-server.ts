import http from "node:http";

/**
 * A plain node:http server around the product's route handlers
 * (`app/api/slack/events/route.ts`, `app/api/executions/route.ts`), for the
 * events and executions benches: each request becomes a web `Request`, the
 * exported `POST` handles it exactly as under Next.js, and its `Response` is
 * written back. Both routes are thin wrappers over lib services, so this
 * measures what production runs minus Next's router. Prints the port on
 * stdout; stops on SIGTERM.
 */

const { POST: slackEvents } = await import("../app/api/slack/events/route");
const { POST: executions } = await import("../app/api/executions/route");
const { closePool } = await import("../lib/db");

const routes: Record<string, (r: Request) => Promise<Response>> = { "/api/slack/events": slackEvents, "/api/executions": executions };

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    void (async () => {
      const handler = routes[(req.url ?? "").split("?")[0]!];
      if (!handler || req.method !== "POST") {
        res.writeHead(404).end();
        return;
      }
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const response = await handler(new Request(`http://127.0.0.1${req.url}`, { method: "POST", headers, body: Buffer.concat(chunks) }));
      const body = Buffer.from(await response.arrayBuffer());
      res.writeHead(response.status, Object.fromEntries(response.headers)).end(body);
    })().catch(() => res.writeHead(500).end());
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const a = server.address();
  process.stdout.write(`${typeof a === "object" && a ? a.port : 0}\n`);
});
process.once("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  void closePool().finally(() => process.exit(0));
});
