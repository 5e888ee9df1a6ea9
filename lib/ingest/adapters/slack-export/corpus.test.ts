import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { NormalizedBatch } from "../../adapter";
import { TESTDATA, corpusSkip } from "../../../../test/helpers/corpus";
import { slackExportAdapter, type TIngestWarning } from "./adapter";

// Real exports written by other people (../shared/testdata, absent from a
// fresh clone). Expected figures come from a plain walk of the JSON that
// shares no code with the adapter.

const EVENT_SUBTYPES = new Set([
  "channel_join", "group_join", "channel_leave", "group_leave", "channel_topic", "group_topic", "channel_purpose", "group_purpose",
  "channel_name", "group_name", "channel_archive", "group_archive", "channel_unarchive", "group_unarchive", "pinned_item", "unpinned_item",
]);

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function readJson(file: string): J[] {
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as J[]) : [];
}

function walk(root: string) {
  const convs: J[] = ["channels.json", "groups.json", "dms.json", "mpims.json"].flatMap((f) => readJson(path.join(root, f)));
  let messages = 0;
  let events = 0;
  let reactions = 0;
  const keys = new Set<string>();
  for (const c of convs) {
    const folder = [c.name, c.id].filter(Boolean).map((n: string) => path.join(root, n)).find((p) => fs.existsSync(p));
    if (!folder) continue;
    for (const day of fs.readdirSync(folder).filter((f) => /^\d{4}-\d{2}-\d{2}\.json$/.test(f))) {
      for (const e of readJson(path.join(folder, day))) {
        if (EVENT_SUBTYPES.has(e.subtype)) {
          events++;
          continue;
        }
        if (e.subtype === "message_changed") {
          messages += e.previous_message ? 2 : 1;
          keys.add(`${c.id} ${e.message.ts}`);
          continue;
        }
        const ts = e.subtype === "message_deleted" && !e.previous_message ? e.deleted_ts : e.ts;
        messages++;
        keys.add(`${c.id} ${ts}`);
        reactions += (e.reactions ?? []).length;
      }
    }
  }
  return { conversations: convs.length, people: readJson(path.join(root, "users.json")).length, messages, events, reactions, keys };
}

async function readAll(location: string) {
  const warnings: TIngestWarning[] = [];
  const batches: NormalizedBatch[] = [];
  for await (const b of slackExportAdapter.read({ location, options: { onWarning: (w: TIngestWarning) => warnings.push(w) } }, new Map())) batches.push(b);
  const messages = batches.flatMap((b) => b.messages ?? []);
  return {
    batches,
    warnings,
    conversations: batches.flatMap((b) => b.channels ?? []).length,
    people: batches.flatMap((b) => b.people ?? []).length,
    messages: messages.length,
    events: batches.flatMap((b) => b.events ?? []).length,
    reactions: messages.reduce((n, m) => n + (m.reactions?.length ?? 0), 0),
    keys: new Set(messages.map((m) => `${m.channel} ${m.ts}`)),
  };
}

const SETS = [
  { name: "slack-houstondatavis (folder)", input: "slack-houstondatavis", truth: "slack-houstondatavis", messages: 1382 },
  { name: "slack-export-viewer-testarchive (zip)", input: "slack-export-viewer-testarchive/testarchive.zip", truth: "slack-export-viewer-testarchive/extracted", messages: 158 },
  { name: "slackdump-fixtures export_dir_standard (folder)", input: "slackdump-fixtures/export_dir_standard", truth: "slackdump-fixtures/export_dir_standard", messages: 16 },
];

for (const set of SETS) {
  describe(set.name, { skip: corpusSkip(set.input) }, () => {
    test("reads without errors or warnings; counts match an independent walk", async () => {
      const location = path.join(TESTDATA, set.input);
      assert.equal(await slackExportAdapter.detect({ location }), true);
      await slackExportAdapter.preflight!({ location });
      const got = await readAll(location);
      const want = walk(path.join(TESTDATA, set.truth));
      assert.deepEqual(got.warnings, []);
      assert.equal(got.messages + got.events, set.messages, "entries in the day files");
      assert.deepEqual(
        { conversations: got.conversations, people: got.people, messages: got.messages, events: got.events, reactions: got.reactions },
        { conversations: want.conversations, people: want.people, messages: want.messages, events: want.events, reactions: want.reactions },
      );
      assert.deepEqual([...got.keys].sort(), [...want.keys].sort());
      for (const b of got.batches) assert.equal(b.workspace.platform, "slack");
      assert.match(got.batches[0]!.workspace.externalId, /^T[A-Z0-9]+$/);
    });
  });
}

describe("the same export zipped and unpacked", { skip: corpusSkip("slack-export-viewer-testarchive") }, () => {
  test("gives the same source key and the same observations", async () => {
    const zip = path.join(TESTDATA, "slack-export-viewer-testarchive/testarchive.zip");
    const folder = path.join(TESTDATA, "slack-export-viewer-testarchive/extracted");
    assert.equal(await slackExportAdapter.sourceKey({ location: zip }), await slackExportAdapter.sourceKey({ location: folder }));
    const strip = (bs: NormalizedBatch[]) => bs.map(({ workspace: _w, ...rest }) => rest);
    assert.deepEqual(strip((await readAll(zip)).batches), strip((await readAll(folder)).batches));
  });
});
