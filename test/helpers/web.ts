import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

/**
 * The built web app (`next start`) on a free port, for API and browser
 * tests. The build in .next must exist: the test runner builds first.
 */

const REPO = path.resolve(import.meta.dirname, "..", "..");

export interface TWebServer {
  baseUrl: string;
  /** Everything the server printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** A TCP port that was free a moment ago. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/**
 * Start `next start` against `databaseUrl` and wait until /api/health
 * answers (any status). Fails with the server's output if it exits first or
 * does not come up within `startupLimitMs`.
 */
export async function startWebServer(opts: {
  databaseUrl: string;
  env?: Record<string, string>;
  startupLimitMs?: number;
}): Promise<TWebServer> {
  const dist = process.env.NEXT_DIST_DIR || ".next";
  if (!fs.existsSync(path.join(REPO, dist, "BUILD_ID"))) {
    throw new Error(`No Next.js build in ${path.join(REPO, dist)}: run \`./node_modules/.bin/next build\` first`);
  }
  const port = await findFreePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  let out = "";
  const child = spawn(process.execPath, [path.join(REPO, "node_modules", "next", "dist", "bin", "next"), "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: REPO,
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: opts.databaseUrl,
      COOKIE_SECURE: "auto",
      LOG_LEVEL: "warn",
      NEXT_TELEMETRY_DISABLED: "1",
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so stop() ends the server and anything it forked.
    detached: true,
  });
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      return;
    }
    const killer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }, 5000);
    await waitForExit(child);
    clearTimeout(killer);
  };

  const deadline = Date.now() + (opts.startupLimitMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}:\n${out}`);
    try {
      const r = await fetch(`${baseUrl}/api/health`);
      await r.arrayBuffer();
      break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`next start did not answer on ${baseUrl}:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return { baseUrl, output: () => out, stop };
}

/** The value of a Set-Cookie header's cookie `name`, or null. */
export function readSetCookie(response: Response, name: string): { value: string; attributes: string } | null {
  for (const line of response.headers.getSetCookie()) {
    const [pair = "", ...attrs] = line.split(";");
    const eq = pair.indexOf("=");
    if (pair.slice(0, eq).trim() === name) return { value: pair.slice(eq + 1).trim(), attributes: attrs.join(";").trim() };
  }
  return null;
}
