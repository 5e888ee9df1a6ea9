import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestDatabase, type TTestDatabase } from "../../helpers/db";
import { seedArchive, SEED_PASSWORD, type TSeed } from "../../helpers/seed";
import { readSetCookie, startWebServer, type TWebServer } from "../../helpers/web";

/**
 * The incident routes over HTTP: bodies as JSON or forms, whatever the client
 * accepts; a malformed JSON body is bad input, never a 500, here and on the
 * other routes that take JSON (sign-in, exports).
 */

let t: TTestDatabase;
let s: TSeed;
let web: TWebServer;
let admin: { cookie: string; csrf: string };

before(async () => {
  t = await createTestDatabase();
  s = await seedArchive(t.pool);
  web = await startWebServer({ databaseUrl: t.url });
  const r = await fetch(`${web.baseUrl}/api/auth/login`, {
    method: "POST",
    headers: { origin: web.baseUrl, "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ email: s.users.admin.email, password: SEED_PASSWORD }),
  });
  assert.equal(r.status, 200);
  admin = { cookie: `bs_session=${readSetCookie(r, "bs_session")!.value}`, csrf: ((await r.json()) as { csrfToken: string }).csrfToken };
});
after(async () => {
  await web?.stop();
  await t?.drop();
});

function send(p: string, method: string, contentType: string, body: string): Promise<Response> {
  return fetch(`${web.baseUrl}${p}`, {
    method,
    headers: { origin: web.baseUrl, accept: "application/json", cookie: admin.cookie, "x-csrf-token": admin.csrf, "content-type": contentType },
    body,
    redirect: "manual",
  });
}

describe("request bodies", () => {
  it("an incident is made from a form by a client that asks for JSON; a malformed JSON body is bad input on every route that takes JSON", async () => {
    const form = await send("/api/incidents", "POST", "application/x-www-form-urlencoded", new URLSearchParams({ channel: "#general", title: "Form-made" }).toString());
    assert.equal(form.status, 201, await form.clone().text());
    const { incident } = (await form.json()) as { incident: { id: number; title: string } };
    assert.equal(incident.title, "Form-made");

    for (const [p, method] of [
      ["/api/auth/login", "POST"],
      ["/api/exports", "POST"],
      ["/api/incidents", "POST"],
      [`/api/incidents/${incident.id}`, "PATCH"],
      [`/api/incidents/${incident.id}/marks`, "POST"],
      [`/api/incidents/${incident.id}/postmortem`, "POST"],
    ] as const) {
      const r = await send(p, method, "application/json", "{not json");
      assert.equal(r.status, 400, `${method} ${p}`);
      assert.deepEqual(
        { error: ((await r.json()) as { error: string }).error },
        { error: "bad_input" },
        `${method} ${p}`,
      );
    }
  });

  it("a body that is neither JSON nor a form, or JSON that is no object, is bad input everywhere", async () => {
    const routes = [
      ["/api/auth/login", "POST"],
      ["/api/exports", "POST"],
      ["/api/holds", "POST"],
      ["/api/incidents", "POST"],
      ["/api/incidents/1", "POST"],
      ["/api/incidents/1/postmortem", "POST"],
      ["/api/messages/1/redaction", "POST"],
      ["/api/retention/policies", "POST"],
      ["/api/users", "POST"],
    ] as const;
    for (const [p, method] of routes) {
      for (const [type, body] of [["text/plain", "reason=x"], ["application/json", "null"], ["application/json", "[1]"]] as const) {
        const r = await send(p, method, type, body);
        assert.equal(r.status, 400, `${method} ${p} ${type} ${body}: ${await r.clone().text()}`);
      }
    }
  });
});
