import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type JWK } from "jose";

/**
 * A small OpenID Connect provider on 127.0.0.1 for tests: discovery
 * document, JWKS, an authorize endpoint that approves at once (redirecting
 * back with a code), and a token endpoint that checks the client secret,
 * the redirect URI and the PKCE verifier and issues RS256-signed id_tokens
 * (jose). What the next sign-in carries — claims, a tampered state or
 * nonce, a refusal — is set with `setNextLogin`.
 */

export type TTestLogin = {
  /** Claims of the id_token besides iss, aud, iat, exp and nonce (`sub` is required). */
  claims: Record<string, unknown> & { sub: string };
  /** Redirect back with this state instead of the one asked for. */
  state?: string;
  /** Put this nonce into the id_token instead of the one asked for. */
  nonce?: string;
  /** Redirect back with `error=<this>` instead of a code. */
  error?: string;
};

export type TTestOidcProvider = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The claims (and tampering) of the next authorization; later ones reuse the default. */
  setNextLogin(login: TTestLogin): void;
  /** What the last authorization request asked for (query parameters). */
  lastAuthorization(): URLSearchParams | null;
  /** Token requests refused, with the reason (for failure messages). */
  refusals(): string[];
  stop(): Promise<void>;
};

type TCode = { login: TTestLogin; nonce: string | undefined; redirectUri: string; codeChallenge: string | null; used: boolean };

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store" });
  res.end(JSON.stringify(body));
}

/** Start a provider for one client; `defaultLogin` is used when no next login was set. */
export async function startTestOidcProvider(opts: {
  clientId?: string;
  clientSecret?: string;
  defaultLogin?: TTestLogin;
} = {}): Promise<TTestOidcProvider> {
  const clientId = opts.clientId ?? "backscroll-test";
  const clientSecret = opts.clientSecret ?? randomBytes(16).toString("hex");
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const kid = randomBytes(8).toString("hex");
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  const codes = new Map<string, TCode>();
  const refused: string[] = [];
  let next: TTestLogin | null = null;
  let last: URLSearchParams | null = null;
  let issuer = "";

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", issuer);
    if (req.method === "GET" && url.pathname === "/.well-known/openid-configuration") {
      return sendJson(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        scopes_supported: ["openid", "email", "profile"],
        code_challenge_methods_supported: ["S256"],
        token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
      });
    }
    if (req.method === "GET" && url.pathname === "/jwks") return sendJson(res, 200, { keys: [jwk] });
    if (req.method === "GET" && url.pathname === "/authorize") {
      const q = url.searchParams;
      last = q;
      const redirectUri = q.get("redirect_uri");
      if (q.get("client_id") !== clientId || !redirectUri || q.get("response_type") !== "code") {
        return sendJson(res, 400, { error: "invalid_request" });
      }
      const login = next ?? opts.defaultLogin ?? { claims: { sub: "test-user", email: "test@example.com", email_verified: true } };
      next = null;
      const back = new URL(redirectUri);
      const state = login.state ?? q.get("state");
      if (login.error) {
        back.searchParams.set("error", login.error);
      } else {
        const code = randomBytes(16).toString("base64url");
        codes.set(code, {
          login,
          nonce: login.nonce ?? q.get("nonce") ?? undefined,
          redirectUri,
          codeChallenge: q.get("code_challenge_method") === "S256" ? q.get("code_challenge") : null,
          used: false,
        });
        back.searchParams.set("code", code);
      }
      if (state !== null) back.searchParams.set("state", state);
      res.writeHead(302, { Location: back.href, "Cache-Control": "no-store" });
      return void res.end();
    }
    if (req.method === "POST" && url.pathname === "/token") {
      const form = new URLSearchParams(await readBody(req));
      const basic = (req.headers.authorization ?? "").replace(/^Basic /, "");
      const [basicId, basicSecret] = basic ? Buffer.from(basic, "base64").toString("utf8").split(":").map(decodeURIComponent) : [];
      const givenId = form.get("client_id") ?? basicId;
      const givenSecret = form.get("client_secret") ?? basicSecret;
      const refuse = (error: string, why: string) => {
        refused.push(why);
        sendJson(res, 400, { error });
      };
      if (givenId !== clientId || givenSecret !== clientSecret) return refuse("invalid_client", "client credentials");
      if (form.get("grant_type") !== "authorization_code") return refuse("unsupported_grant_type", "grant type");
      const code = codes.get(form.get("code") ?? "");
      if (!code || code.used) return refuse("invalid_grant", "unknown or reused code");
      code.used = true;
      if (form.get("redirect_uri") !== code.redirectUri) return refuse("invalid_grant", "redirect_uri mismatch");
      if (code.codeChallenge !== null) {
        const verifier = form.get("code_verifier") ?? "";
        if (createHash("sha256").update(verifier).digest("base64url") !== code.codeChallenge) return refuse("invalid_grant", "PKCE verifier");
      }
      const now = Math.floor(Date.now() / 1000);
      const idToken = await new SignJWT({ ...code.login.claims, ...(code.nonce !== undefined ? { nonce: code.nonce } : {}) })
        .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
        .setIssuer(issuer)
        .setAudience(clientId)
        .setSubject(code.login.claims.sub)
        .setIssuedAt(now)
        .setExpirationTime(now + 300)
        .sign(privateKey);
      return sendJson(res, 200, { access_token: randomBytes(16).toString("base64url"), token_type: "Bearer", expires_in: 300, id_token: idToken });
    }
    sendJson(res, 404, { error: "not_found" });
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      refused.push(`internal: ${String(e)}`);
      if (!res.headersSent) sendJson(res, 500, { error: "server_error" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    issuer,
    clientId,
    clientSecret,
    setNextLogin: (login) => {
      next = login;
    },
    lastAuthorization: () => last,
    refusals: () => [...refused],
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
