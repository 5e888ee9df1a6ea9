import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { IngestInput, NormalizedBatch, TCheckpoints } from "../../adapter";
import { AppError } from "../../../errors";
import { buildZip, type TZipEntrySpec } from "../../../../test/helpers/zip-writer";
import { slackExportAdapter, type TIngestWarning } from "./adapter";

let tmp: string;
let seq = 0;
before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "backscroll-slack-"));
});
after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

type TFiles = Record<string, unknown>;

function bytesOf(v: unknown): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(JSON.stringify(v, null, 2));
}

async function writeFolder(files: TFiles, name = `export-${seq++}`): Promise<string> {
  const root = path.join(tmp, name);
  for (const [rel, v] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fs.writeFile(path.join(root, rel), bytesOf(v));
  }
  return root;
}

async function writeZipFile(files: TFiles | TZipEntrySpec[], name = `export-${seq++}.zip`, truncateAt?: number): Promise<string> {
  const specs = Array.isArray(files) ? files : Object.entries(files).map(([n, v]) => ({ name: n, data: bytesOf(v) }));
  const file = path.join(tmp, name);
  await fs.writeFile(file, buildZip(specs, { truncateAt }));
  return file;
}

async function collect(input: IngestInput, checkpoints: TCheckpoints = new Map()): Promise<NormalizedBatch[]> {
  const out: NormalizedBatch[] = [];
  // Tests that look at warnings pass their own collector; the rest keep stderr quiet.
  const quiet = { ...input, options: { onWarning: () => undefined, ...input.options } };
  for await (const b of slackExportAdapter.read(quiet, checkpoints)) out.push(b);
  return out;
}

async function appError(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof AppError, String(e));
    return e;
  }
  assert.fail("expected an AppError");
}

const ts = (day: number, i: number) => `${1500000000 + day * 86400}.${String(i).padStart(6, "0")}`;

function msg(day: number, i: number, extra: Record<string, unknown> = {}) {
  return { type: "message", user: i % 2 ? "U1" : "U2", text: `message ${day}/${i}`, ts: ts(day, i), ...extra };
}

/** A small export with every layout feature. */
function fixture(): TFiles {
  return {
    "users.json": [
      { id: "U1", team_id: "T1", name: "ana", real_name: "Ana" },
      { id: "U2", team_id: "T1", name: "bo" },
      { id: "U3", team_id: "T2", name: "cy" },
    ],
    "channels.json": [
      { id: "C1", name: "general", created: 1500000000, creator: "U1", members: ["U1", "U2"], topic: { value: "t" }, purpose: { value: "p" }, pins: [{ id: ts(0, 2) }] },
      { id: "C2", name: "quiet", created: 1500000000, members: ["U1"] },
    ],
    "groups.json": [{ id: "G1", name: "secret", created: 1500000000, members: ["U1"], is_archived: true }],
    "dms.json": [{ id: "D1", created: 1500000000, members: ["U1", "U2"] }],
    "mpims.json": [{ id: "G2", name: "mpdm-ana--bo--cy-1", created: 1500000000, members: ["U1", "U2", "U3"] }],
    "integration_logs.json": { logs: "not an array, ignored" },
    "canvases/F1.json": { ignored: true },
    "general/2017-07-14.json": [
      { type: "message", subtype: "channel_join", user: "U2", inviter: "U1", text: "<@U2> has joined the channel", ts: ts(0, 1) },
      msg(0, 2),
      msg(0, 3, { thread_ts: ts(0, 2), reactions: [{ name: "+1", users: ["U1"], count: 1 }] }),
      { type: "message", subtype: "message_changed", hidden: true, ts: ts(0, 9), message: { ...msg(0, 2), text: "edited", edited: { user: "U2", ts: ts(0, 9) } }, previous_message: msg(0, 2) },
      msg(0, 4, { subtype: "some_future_subtype" }),
    ],
    "general/2017-07-15.json": [msg(1, 1), msg(1, 2), { type: "message", subtype: "tombstone", hidden: true, user: "USLACKBOT", text: "This message was deleted.", ts: ts(1, 3), thread_ts: ts(1, 3), reply_count: 1 }],
    "general/notes.json": ["ignored: not a day file"],
    "secret/2017-07-14.json": [msg(0, 1), msg(0, 2)],
    "D1/2017-07-14.json": [msg(0, 1)],
    "mpdm-ana--bo--cy-1/2017-07-16.json": [msg(2, 1)],
    "stray/2017-07-14.json": [msg(0, 1), { type: "message", subtype: "message_deleted", hidden: true, ts: ts(0, 8), deleted_ts: ts(0, 1) }],
  };
}

describe("detect and sourceKey", () => {
  test("detects folders and zips of an export, nothing else", async () => {
    const folder = await writeFolder(fixture());
    const zip = await writeZipFile(fixture());
    const wrapped = await writeZipFile(Object.fromEntries(Object.entries(fixture()).map(([k, v]) => [`my-export/${k}`, v])));
    const wrappedFolder = await writeFolder(Object.fromEntries(Object.entries(fixture()).map(([k, v]) => [`my-export/${k}`, v])));
    for (const location of [folder, zip, wrapped, wrappedFolder]) assert.equal(await slackExportAdapter.detect({ location }), true, location);
    const other = await writeFolder({ "posts.jsonl": { a: 1 } });
    const text = path.join(tmp, "notes.txt");
    await fs.writeFile(text, "hello");
    const otherZip = await writeZipFile({ "data.json": [] });
    for (const location of [other, text, otherZip, path.join(tmp, "missing")]) assert.equal(await slackExportAdapter.detect({ location }), false, location);
  });

  test("the source key is stable, equal for the zipped and unpacked export, and changes with content", async () => {
    const folder = await writeFolder(fixture());
    const zip = await writeZipFile(fixture());
    const k1 = await slackExportAdapter.sourceKey({ location: folder });
    assert.match(k1, /^slack-export:[0-9a-f]{64}$/);
    assert.equal(await slackExportAdapter.sourceKey({ location: folder }), k1);
    assert.equal(await slackExportAdapter.sourceKey({ location: zip }), k1);
    const changed = fixture();
    changed["D1/2017-07-14.json"] = [msg(0, 1), msg(0, 2)];
    assert.notEqual(await slackExportAdapter.sourceKey({ location: await writeFolder(changed) }), k1);
  });
});

describe("read", () => {
  test("metadata first, then day files in folder/date order, with finished channels and warnings", async () => {
    const warnings: TIngestWarning[] = [];
    const location = await writeZipFile(fixture(), "acme.zip");
    const batches = await collect({ location, options: { batchSize: 3, onWarning: (w: TIngestWarning) => warnings.push(w) } });

    for (const b of batches) assert.deepEqual(b.workspace, { platform: "slack", externalId: "T1", name: "acme", domain: null });
    assert.deepEqual(batches[0]!.people!.map((p) => p.externalId), ["U1", "U2", "U3"]);
    const channels = batches.flatMap((b) => b.channels ?? []);
    assert.deepEqual(
      channels.map((c) => [c.externalId, c.kind, c.name]),
      [
        ["C1", "public", "general"],
        ["C2", "public", "quiet"],
        ["G1", "private", "secret"],
        ["D1", "dm", "U1--U2"],
        ["G2", "mpdm", "mpdm-ana--bo--cy-1"],
        ["folder:stray", "public", "stray"],
      ],
    );
    assert.equal(batches.filter((b) => b.channels).length, 2, "channels are batched too");
    assert.deepEqual(warnings.map((w) => [w.code, w.file]), [["unlisted_folder", "stray"]]);

    const day = batches.filter((b) => b.messages || b.events);
    for (const b of day) assert.ok((b.messages?.length ?? 0) + (b.events?.length ?? 0) <= 3);
    // Folders in code-unit order (D1 < general < mpdm… < secret < stray), then entry order.
    const msgs = day.flatMap((b) => b.messages ?? []);
    assert.deepEqual(msgs.map((m) => m.channel), ["D1", ...Array(8).fill("C1"), "G2", "G1", "G1", "folder:stray", "folder:stray"]);
    assert.deepEqual(msgs.filter((m) => m.channel === "C1").map((m) => m.ts), [ts(0, 2), ts(0, 3), ts(0, 2), ts(0, 2), ts(0, 4), ts(1, 1), ts(1, 2), ts(1, 3)]);
    const events = day.flatMap((b) => b.events ?? []);
    assert.deepEqual(events.map((e) => [e.kind, e.actor, e.subject]), [["join", "U2", "U1"]]);

    // Each conversation is finished exactly once, and nothing of it comes after.
    const finishedAt = new Map<string, number>();
    batches.forEach((b, i) => b.finishedChannels?.forEach((c) => {
      assert.equal(finishedAt.has(c), false, `${c} finished twice`);
      finishedAt.set(c, i);
    }));
    assert.deepEqual([...finishedAt.keys()].sort(), ["C1", "C2", "D1", "G1", "G2", "folder:stray"]);
    assert.ok(finishedAt.get("C2")! < 3, "a conversation without day files is finished with the metadata");
    batches.forEach((b, i) => {
      for (const o of [...(b.messages ?? []), ...(b.events ?? [])]) {
        const f = finishedAt.get(o.channel)!;
        assert.ok(i <= f, `${o.channel} ${o.ts} in batch ${i} after its channel finished in batch ${f}`);
      }
    });

    // Checkpoints never go backwards; progress ends at the total.
    let prev = { file: -1, entry: -1 };
    for (const b of batches) {
      assert.equal(b.checkpoint!.scope, "export");
      const p = b.checkpoint!.position as { file: number; entry: number };
      assert.ok(p.file > prev.file || (p.file === prev.file && p.entry >= prev.entry), JSON.stringify([prev, p]));
      prev = p;
      assert.equal(b.progress!.unit, "bytes");
    }
    const last = batches[batches.length - 1]!;
    assert.equal(last.progress!.done, last.progress!.total);
    assert.deepEqual(last.checkpoint!.position, { file: 6, entry: 0 });
  });

  test("zip and folder of the same export give the same batches", async () => {
    const strip = (bs: NormalizedBatch[]) => bs.map(({ workspace: _w, ...rest }) => rest);
    const a = await collect({ location: await writeZipFile(fixture()), options: { batchSize: 4 } });
    const b = await collect({ location: await writeFolder(fixture()), options: { batchSize: 4 } });
    assert.deepEqual(strip(a), strip(b));
  });

  test("a resumed read yields exactly what the interrupted one had not committed", async () => {
    const files = fixture();
    // More volume, and entries that yield two observations, to exercise cutting.
    for (let d = 3; d < 6; d++) {
      files[`general/2017-07-${14 + d}.json`] = Array.from({ length: 7 }, (_, i) =>
        i % 3 === 0 ? { type: "message", subtype: "message_changed", ts: ts(d, i + 50), message: { ...msg(d, i), edited: { user: "U1", ts: ts(d, i + 50) } }, previous_message: msg(d, i) } : msg(d, i),
      );
    }
    const location = await writeFolder(files);
    const options = { batchSize: 4, onWarning: () => undefined };
    const fresh = await collect({ location, options });
    const key = (b: NormalizedBatch) => [...(b.messages ?? []), ...(b.events ?? [])].map((o) => `${o.channel}|${o.ts}|${o.rawSha256}`);
    const metaCount = fresh.findIndex((b) => b.messages || b.events);
    assert.ok(metaCount > 0 && fresh.length - metaCount > 8);
    for (let k = 0; k < fresh.length; k++) {
      const cp = fresh[k]!.checkpoint!;
      const resumed = await collect({ location, options }, new Map([[cp.scope, cp.position]]));
      assert.deepEqual(resumed.slice(0, metaCount).map((b) => b.checkpoint!.position), Array(metaCount).fill(cp.position), "metadata batches carry the resumed position");
      assert.deepEqual(
        resumed.slice(metaCount).flatMap(key),
        fresh.slice(k + 1).flatMap(key),
        `resuming after batch ${k} at ${JSON.stringify(cp.position)}`,
      );
      const finished = (bs: NormalizedBatch[]) => bs.flatMap((b) => b.finishedChannels ?? []);
      assert.deepEqual(finished(resumed.slice(metaCount)), finished(fresh.slice(Math.max(k + 1, metaCount))));
    }
  });

  test("a checkpoint from a different listing is ignored with a warning", async () => {
    const warnings: TIngestWarning[] = [];
    const location = await writeFolder(fixture());
    const options = { onWarning: (w: TIngestWarning) => warnings.push(w) };
    const all = await collect({ location, options });
    const resumed = await collect({ location, options }, new Map([["export", { file: 2, entry: 1, path: "elsewhere/2017-07-14.json" }]]));
    assert.deepEqual(resumed.flatMap((b) => b.messages ?? []).length, all.flatMap((b) => b.messages ?? []).length);
    assert.ok(warnings.some((w) => w.code === "checkpoint_ignored"));
  });

  test("a 10 MB message parses, from a zip and a folder", async () => {
    const text = crypto.randomBytes(7.5 * 1024 * 1024).toString("base64");
    assert.ok(text.length >= 10 * 1024 * 1024);
    const files: TFiles = {
      "users.json": [{ id: "U1", team_id: "T1", name: "ana" }],
      "channels.json": [{ id: "C1", name: "general" }],
      "general/2020-01-01.json": [msg(0, 1, { text }), msg(0, 2)],
    };
    for (const location of [await writeZipFile(files), await writeFolder(files)]) {
      const ms = (await collect({ location })).flatMap((b) => b.messages ?? []);
      assert.equal(ms.length, 2);
      assert.equal(ms[0]!.text!.length, text.length);
      assert.equal(ms[0]!.searchText.length, text.length);
    }
  });

  test("without users.json the team comes from the messages, else from the name", async () => {
    const withTeam = await collect({
      location: await writeFolder({ "channels.json": [{ id: "C1", name: "general" }], "general/2020-01-01.json": [msg(0, 1, { team: "T9" }), msg(0, 2, { team: "T9" }), msg(0, 3, { team: "T8" })] }),
    });
    assert.equal(withTeam[0]!.workspace.externalId, "T9");
    const bare = await collect({ location: await writeFolder({ "channels.json": [{ id: "C1", name: "general" }] }, "lonely") });
    assert.equal(bare[0]!.workspace.externalId, "export:lonely");
    assert.deepEqual(bare.map((b) => b.finishedChannels), [["C1"]]);
  });

  test("options are validated", async () => {
    const location = await writeFolder(fixture());
    const e = await appError(collect({ location, options: { batchSize: 0 } }));
    assert.equal(e.code, "usage");
    assert.match(e.message, /batchSize/);
  });
});

describe("bad input", () => {
  const hostile: Array<[string, TZipEntrySpec]> = [
    ["traversal", { name: "../../../../tmp/evil.json", data: "[]" }],
    ["absolute path", { name: "/etc/cron.d/evil", data: "x" }],
    ["drive letter", { name: "C:\\evil.json", data: "x" }],
    ["symlink", { name: "general/2017-07-14.json", data: "/etc/passwd", unixMode: 0o120777 }],
    ["zip bomb", { name: "general/2017-07-14.json", data: Buffer.alloc(8 * 1024 * 1024, 0x20) }],
  ];
  for (const [label, spec] of hostile) {
    test(`a zip with a ${label} entry is refused before any batch`, async () => {
      const location = await writeZipFile([{ name: "users.json", data: "[]" }, { name: "channels.json", data: '[{"id":"C1","name":"general"}]' }, spec]);
      let yielded = 0;
      const e = await appError(
        (async () => {
          for await (const _ of slackExportAdapter.read({ location }, new Map())) yielded++;
        })(),
      );
      assert.equal(e.code, "hostile_archive", e.message);
      assert.equal(yielded, 0);
      assert.equal((await appError(slackExportAdapter.preflight!({ location }))).code, "hostile_archive");
      assert.equal((await appError(slackExportAdapter.detect({ location }))).code, "hostile_archive");
    });
  }

  test("a truncated zip is bad input naming the file, before any batch", async () => {
    const full = buildZip(Object.entries(fixture()).map(([n, v]) => ({ name: n, data: bytesOf(v) })));
    const location = await writeZipFile(Object.entries(fixture()).map(([n, v]) => ({ name: n, data: bytesOf(v) })), "cut.zip", Math.floor(full.length * 0.6));
    const e = await appError(collect({ location }));
    assert.equal(e.code, "bad_input");
    assert.match(e.message, /cut\.zip/);
  });

  test("a folder with a symlink is refused", async () => {
    const location = await writeFolder(fixture());
    await fs.symlink("/etc/passwd", path.join(location, "general", "2017-07-20.json"));
    const e = await appError(collect({ location }));
    assert.equal(e.code, "hostile_archive");
    assert.match(e.message, /general\/2017-07-20\.json/);
  });

  test("invalid UTF-8 in a day file names the file, byte and line", async () => {
    const files = fixture();
    const head = Buffer.from('[\n  {"type": "message", "ts": "1.1", "text": "caf');
    files["secret/2017-07-14.json"] = Buffer.concat([head, Buffer.from([0xe9]), Buffer.from('"}\n]')]);
    const e = await appError(collect({ location: await writeFolder(files) }));
    assert.equal(e.code, "bad_input");
    assert.equal(e.where?.file, "secret/2017-07-14.json");
    assert.equal(e.where?.line, 2);
    assert.equal(e.where?.position, head.length);
    assert.match(e.message, new RegExp(`secret/2017-07-14\\.json is not valid UTF-8: .* at byte ${head.length} \\(line 2\\)`));
  });

  test("invalid JSON in users.json fails preflight with file, line and column", async () => {
    const files = fixture();
    files["users.json"] = Buffer.from('[\n  {"id": "U1"},\n  {"id": "U2",}\n]');
    const e = await appError(slackExportAdapter.preflight!({ location: await writeFolder(files) }));
    assert.equal(e.code, "bad_input");
    assert.deepEqual([e.where?.file, e.where?.line, e.where?.column], ["users.json", 3, 15]);
    assert.match(e.message, /users\.json is not valid JSON: .* at line 3, column 15/);
  });

  test("a wrong type in metadata names file, entry, line and field", async () => {
    const files = fixture();
    files["channels.json"] = [{ id: "C1", name: "general" }, { id: "C2", name: "quiet", members: "U1" }];
    const e = await appError(slackExportAdapter.preflight!({ location: await writeFolder(files) }));
    assert.equal(e.code, "bad_input");
    assert.deepEqual(e.where, { file: "channels.json", line: 6, field: "[1].members" });
    assert.match(e.message, /channels\.json: entry 1 \(line 6\), field \[1\]\.members: /);
  });

  test("a wrong type in a day file names file, entry and field; batches before it were complete files", async () => {
    const files = fixture();
    files["secret/2017-07-14.json"] = [msg(0, 1), { ...msg(0, 2), ts: 1500000000.5 }];
    const location = await writeFolder(files);
    const got: NormalizedBatch[] = [];
    const e = await appError(
      (async () => {
        for await (const b of slackExportAdapter.read({ location, options: { onWarning: () => undefined } }, new Map())) got.push(b);
      })(),
    );
    assert.equal(e.code, "bad_input");
    // Entry 1 starts on line 8 of the pretty-printed file.
    assert.deepEqual(e.where, { file: "secret/2017-07-14.json", line: 8, field: "[1].ts" });
    assert.ok(got.flatMap((b) => b.messages ?? []).every((m) => m.channel !== "G1"), "no part of the bad file was yielded");
  });

  test("a folder without Slack metadata is not an export", async () => {
    const e = await appError(slackExportAdapter.preflight!({ location: await writeFolder({ "general/2017-07-14.json": [msg(0, 1)] }) }));
    assert.equal(e.code, "bad_input");
    assert.match(e.message, /is not a Slack export/);
  });
});
