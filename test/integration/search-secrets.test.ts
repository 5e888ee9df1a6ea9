import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { createTestDatabase, type TTestDatabase } from "../helpers/db";
import { insertMessage, seedArchive, type TSeed } from "../helpers/seed";
import { postgresSearchBackend } from "../../lib/search/backends/postgres";
import { searchMessages } from "../../lib/search/service";
import type { TViewer } from "../../lib/access/types";

// A member who types a value the masker hides (a password after a key, a
// --password flag, URL credentials, a Bearer token) does not find the
// message by it: a hit would confirm the guess. The same word elsewhere, and
// every other word of the message, still find it; auditors find it all.
// Ordinary words and numbers are never masked values, so they are not checked.

// Example credentials built from parts, so this file is not itself flagged by secret scanners.
const PASSWORD = "Hunter2" + "Xq9z";
const FLAG_PASSWORD = "S3cret" + "Passw0rd";
const URL_PASSWORD = "Wint3r" + "IsComing";
const BEARER = "abcdEFGH1234" + "ijklMNOP5678";

let t: TTestDatabase;
let s: TSeed;
let member: TViewer;
let auditor: TViewer;
const texts = async (viewer: TViewer, q: string, prefixLast = false) =>
  (await searchMessages(t.pool, viewer, { q, limit: 50, prefixLast }, { backend: postgresSearchBackend })).hits.map((h) => h.text).sort();

before(async () => {
  t = await createTestDatabase();
  s = await seedArchive(t.pool);
  member = { userId: s.users.alice.id, role: "member", personId: s.people.alice };
  auditor = { userId: s.users.auditor.id, role: "auditor", personId: null };
  let minute = 10;
  for (const text of [
    `staging creds: DB_PASSWORD=${PASSWORD} until friday`,
    `"api_password": "${PASSWORD}" in the old config`,
    `run mysql --password ${FLAG_PASSWORD} -h db4`,
    `clone https://deploy:${URL_PASSWORD}@git.example.com/ops.git`,
    `curl -H 'Authorization: Bearer ${BEARER}' https://api.example.com`,
    `${URL_PASSWORD} is also what we called the rollout`,
  ]) {
    await insertMessage(t.pool, { channelId: s.channels.general, at: `2024-05-01T09:${minute++}:00Z`, authorId: s.people.bob, text });
  }
});
after(async () => {
  await t?.drop();
});

it("a member does not find a message by a value the masker hides in it", async () => {
  for (const q of [PASSWORD, PASSWORD.toLowerCase(), FLAG_PASSWORD, BEARER, `"${PASSWORD}"`]) assert.deepEqual(await texts(member, q), [], q);
  assert.deepEqual(await texts(member, PASSWORD.slice(0, 8), true), [], "nor by typing its start");
  assert.deepEqual(await texts(member, URL_PASSWORD), [`${URL_PASSWORD} is also what we called the rollout`], "the same word outside a secret still counts");
});

it("couldBeMaskedValue leaves ordinary words, numbers and short terms alone", async () => {
  const { couldBeMaskedValue } = await import("../../lib/compliance/secrets");
  for (const t of ["runbooks", "Deploy", "rolled-back", "503", "v2.31.0", "db4", "abc12"]) assert.equal(couldBeMaskedValue(t), false, t);
  for (const t of [PASSWORD, FLAG_PASSWORD, URL_PASSWORD, BEARER, "hunter2", "api-gw-03"]) assert.equal(couldBeMaskedValue(t), true, t);
});

it("the other words of such a message still find it, and auditors find it by the value", async () => {
  assert.equal((await texts(member, "staging creds")).length, 1);
  assert.equal((await texts(member, "mysql")).length, 1);
  assert.equal((await texts(auditor, PASSWORD)).length, 2);
  assert.equal((await texts(auditor, URL_PASSWORD)).length, 2);
});
