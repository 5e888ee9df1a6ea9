import { hash as oneShotHash } from "node:crypto";
import type pg from "pg";
import {
  insertContentBatch,
  insertContentLeaves,
  lockContentChainHead,
  streamContentBatches,
  streamLeavesInChainOrder,
  streamCurrentMessages,
  streamCurrentVersions,
  streamMessageLeaves,
  streamVersionLeaves,
  withContentSnapshot,
  type TContentLeafRow,
  type TCurrentItemRow,
  type TRecordedLeafRow,
} from "./content-repository";

/**
 * Tamper evidence over archived content.
 *
 * Every transaction that creates or changes message or version rows through
 * the application (the ingest loader, the retention purge) appends one
 * *content batch*: a leaf per row it wrote — the SHA-256 of the row's
 * canonical text (content-repository.ts) —, the Merkle root over those leaves
 * (RFC 6962 tree hash, leaves in (message id, version id) order, each bound
 * to its ids) and a hash chained to the previous batch's:
 * `SHA-256("content-batch/1|seq|kind|message leaves|version leaves|root|prev")`.
 * Sequence numbers run 1, 2, 3… without gaps (appends are serialised by an
 * advisory transaction lock taken at the end of the writing transaction, so
 * ingest batches do not wait on each other while they write).
 *
 * `verifyContentChain` recomputes everything in this process from the rows as
 * they are now: each batch's root from its leaves and its chained hash; and
 * each message's and version's hash from its current canonical text, against
 * the newest leaf recorded for it. A row changed, removed or inserted behind
 * the application's back, a leaf or batch altered, or a batch removed, is
 * named. The head (seq + hash) can be written down elsewhere and checked
 * later with `expectHead`: rewriting the whole chain then shows too.
 */

export type TContentBatchKind = "ingest" | "purge" | "genesis";

/** A row a batch records: a message (versionId 0) or a version of one. */
export interface TContentLeaf {
  messageId: number;
  versionId: number;
  /** Message leaves: where the message lives, to name it after it is gone. */
  channelId: number | null;
  ts: string | null;
  /** SHA-256 of the row's canonical text (32 bytes). */
  hash: Buffer;
}

// One-shot hashing: several times faster than createHash() for the many
// small inputs of a Merkle tree (import time matters).
const sha256 = (data: Buffer | string): Buffer => oneShotHash("sha256", data, "buffer");

/** The Merkle tree's leaf node for one recorded row (0x00 ‖ message id ‖ version id ‖ hash): binds its ids to its content hash. */
export function merkleLeafNode(messageId: number, versionId: number, hash: Buffer): Buffer {
  const b = Buffer.allocUnsafe(17 + hash.length);
  b[0] = 0;
  // 64-bit big-endian ids (ids stay below 2^53).
  b.writeUInt32BE(Math.floor(messageId / 2 ** 32), 1);
  b.writeUInt32BE(messageId >>> 0, 5);
  b.writeUInt32BE(Math.floor(versionId / 2 ** 32), 9);
  b.writeUInt32BE(versionId >>> 0, 13);
  hash.copy(b, 17);
  return sha256(b);
}

/** An inner node (0x01 ‖ left ‖ right). */
function merkleNode(left: Buffer, right: Buffer): Buffer {
  const b = Buffer.allocUnsafe(1 + left.length + right.length);
  b[0] = 1;
  left.copy(b, 1);
  right.copy(b, 1 + left.length);
  return sha256(b);
}

/**
 * RFC 6962 Merkle tree hash, built incrementally in O(log n) memory: push
 * leaf nodes in order, then read the root.
 */
export class MerkleBuilder {
  private readonly stack: { height: number; hash: Buffer }[] = [];
  count = 0;

  push(leafNode: Buffer): void {
    let hash = leafNode;
    let height = 0;
    while (this.stack.length && this.stack[this.stack.length - 1]!.height === height) {
      hash = merkleNode(this.stack.pop()!.hash, hash);
      height++;
    }
    this.stack.push({ height, hash });
    this.count++;
  }

  root(): Buffer {
    if (this.stack.length === 0) return sha256("");
    let hash = this.stack[this.stack.length - 1]!.hash;
    for (let i = this.stack.length - 2; i >= 0; i--) hash = merkleNode(this.stack[i]!.hash, hash);
    return hash;
  }
}

/** Sort leaves into Merkle order (message id, version id) and return the root. */
export function computeMerkleRoot(leaves: readonly Pick<TContentLeaf, "messageId" | "versionId" | "hash">[]): Buffer {
  const sorted = [...leaves].sort((a, b) => a.messageId - b.messageId || a.versionId - b.versionId);
  const m = new MerkleBuilder();
  for (const l of sorted) m.push(merkleLeafNode(l.messageId, l.versionId, l.hash));
  return m.root();
}

/** The chained hash of a batch (the migration's content_record_unrecorded computes the same). */
export function computeBatchHash(b: {
  seq: number;
  kind: string;
  messageLeaves: number;
  versionLeaves: number;
  root: Buffer;
  prevHash: Buffer | null;
}): Buffer {
  const text = ["content-batch/1", String(b.seq), b.kind, String(b.messageLeaves), String(b.versionLeaves), b.root.toString("hex"), b.prevHash?.toString("hex") ?? ""].join("|");
  return sha256(Buffer.from(text, "utf8"));
}

/**
 * Append a batch recording `leaves` to the chain. Call inside the writing
 * transaction, after its last write to message rows: the chain lock is held
 * from here until COMMIT. Leaves with the same (message, version) keep the
 * last one. `writeLeaves` stores the leaf rows when the writer staged them in
 * the database already (the loader); by default they are inserted from
 * `leaves`. Returns the new head, or null when there is nothing to record.
 */
export async function recordContentBatch(
  db: pg.ClientBase,
  batch: {
    kind: TContentBatchKind;
    source?: string | null;
    ingestRunId?: number | null;
    leaves: readonly TContentLeaf[];
    writeLeaves?: (seq: number) => Promise<void>;
  },
): Promise<{ seq: number; hash: string } | null> {
  if (batch.leaves.length === 0) return null;
  const unique = new Map<string, TContentLeaf>();
  for (const l of batch.leaves) unique.set(`${l.messageId}:${l.versionId}`, l);
  const leaves = [...unique.values()].sort((a, b) => a.messageId - b.messageId || a.versionId - b.versionId);
  const head = await lockContentChainHead(db);
  const seq = (head?.seq ?? 0) + 1;
  // The leaf rows are written while this process computes the root.
  const written = batch.writeLeaves ? batch.writeLeaves(seq) : insertContentLeaves(db, seq, leaves as TContentLeafRow[]);
  written.catch(() => undefined); // surfaced below
  const m = new MerkleBuilder();
  let messageLeaves = 0;
  for (const l of leaves) {
    m.push(merkleLeafNode(l.messageId, l.versionId, l.hash));
    if (l.versionId === 0) messageLeaves++;
  }
  const row = {
    seq,
    kind: batch.kind,
    source: batch.source ?? null,
    ingestRunId: batch.ingestRunId ?? null,
    messageLeaves,
    versionLeaves: leaves.length - messageLeaves,
    root: m.root(),
    prevHash: head?.hash ?? null,
  };
  const hash = computeBatchHash(row);
  await written;
  await insertContentBatch(db, { ...row, hash });
  return { seq: row.seq, hash: hash.toString("hex") };
}

export type TContentProblemKind =
  | "batch_missing"
  | "chain_broken"
  | "batch_changed"
  | "leaves_changed"
  | "leaves_without_batch"
  | "head_not_found"
  | "message_changed"
  | "message_removed"
  | "message_unrecorded"
  | "message_changed_before_purge"
  | "version_changed"
  | "version_removed"
  | "version_unrecorded";

export interface TContentProblem {
  problem: TContentProblemKind;
  batchSeq?: number;
  messageId?: number;
  versionId?: number;
  channel?: string | null;
  ts?: string | null;
  detail: string;
}

export interface TContentVerification {
  ok: boolean;
  batches: number;
  leaves: number;
  messages: number;
  versions: number;
  /** Messages and versions removed by retention purges (recorded, so not problems). */
  purged: number;
  head: { seq: number; hash: string } | null;
  /** When an expected head was given: whether the verified chain contains it. */
  expectedHeadFound?: boolean;
  problems: TContentProblem[];
  /** All problems found; `problems` lists at most `maxProblems` of them. */
  problemCount: number;
}

/** Pull-based reader over an async iterator, grouping consecutive rows with the same id. */
class Peek<T> {
  private cur: IteratorResult<T> | undefined;
  constructor(private readonly it: AsyncIterator<T>) {}
  async peek(): Promise<T | undefined> {
    this.cur ??= await this.it.next();
    return this.cur.done ? undefined : this.cur.value;
  }
  async take(): Promise<T | undefined> {
    const v = await this.peek();
    this.cur = undefined;
    return v;
  }
}

async function takeGroup(p: Peek<TRecordedLeafRow>, id: number): Promise<TRecordedLeafRow[]> {
  const out: TRecordedLeafRow[] = [];
  for (let l = await p.peek(); l && l.id === id; l = await p.peek()) out.push((await p.take())!);
  return out;
}

/**
 * Verify the content chain and every message and version against it, in one
 * consistent snapshot and in constant memory (streamed through cursors).
 */
export async function verifyContentChain(
  pool: pg.Pool,
  opts: { expectHead?: string; maxProblems?: number } = {},
): Promise<TContentVerification> {
  const max = opts.maxProblems ?? 1000;
  const problems: TContentProblem[] = [];
  let problemCount = 0;
  const report = (p: TContentProblem) => {
    problemCount++;
    if (problems.length < max) problems.push(p);
  };
  const expect = opts.expectHead?.toLowerCase();
  return withContentSnapshot(pool, async (db) => {
    // 1. The chain: gap-free, linked, each root and hash recomputed.
    let batches = 0;
    let leaves = 0;
    let expectSeq = 1;
    let prev: Buffer | null = null;
    let head: TContentVerification["head"] = null;
    let expectedHeadFound = false;
    const chainLeaves = new Peek(streamLeavesInChainOrder(db));
    const orphans = async (below: number) => {
      // Leaves of a batch that is not in the chain (one report per batch).
      for (let l = await chainLeaves.peek(); l && l.batchSeq < below; l = await chainLeaves.peek()) {
        const seq = l.batchSeq;
        while ((await chainLeaves.peek())?.batchSeq === seq) await chainLeaves.take();
        report({ problem: "leaves_without_batch", batchSeq: seq, detail: `leaves of batch ${seq}, which is not in the chain` });
      }
    };
    for await (const b of streamContentBatches(db)) {
      batches++;
      if (b.seq !== expectSeq) {
        report({ problem: "batch_missing", batchSeq: b.seq, detail: `batch ${b.seq} follows batch ${expectSeq - 1}: ${b.seq - expectSeq} batch(es) removed` });
      }
      if (!(b.prevHash === null ? prev === null : prev !== null && b.prevHash.equals(prev))) {
        report({ problem: "chain_broken", batchSeq: b.seq, detail: "its previous hash is not the hash of the batch before it" });
      }
      await orphans(b.seq);
      const m = new MerkleBuilder();
      let messageLeaves = 0;
      let versionLeaves = 0;
      for (let l = await chainLeaves.peek(); l && l.batchSeq === b.seq; l = await chainLeaves.peek()) {
        await chainLeaves.take();
        m.push(merkleLeafNode(l.messageId, l.versionId, l.hash));
        if (l.versionId === 0) messageLeaves++;
        else versionLeaves++;
      }
      leaves += messageLeaves + versionLeaves;
      if (!m.root().equals(b.root) || messageLeaves !== b.messageLeaves || versionLeaves !== b.versionLeaves) {
        report({
          problem: "leaves_changed",
          batchSeq: b.seq,
          detail: `its leaves (${messageLeaves} message, ${versionLeaves} version) do not give its recorded root (${b.messageLeaves} message, ${b.versionLeaves} version)`,
        });
      }
      if (!computeBatchHash(b).equals(b.hash)) {
        report({ problem: "batch_changed", batchSeq: b.seq, detail: "its root, counts or previous hash do not give its recorded hash" });
      }
      if (expect && b.hash.toString("hex") === expect) expectedHeadFound = true;
      prev = b.hash;
      expectSeq = b.seq + 1;
      head = { seq: b.seq, hash: b.hash.toString("hex") };
    }
    await orphans(Number.MAX_SAFE_INTEGER);
    if (expect && !expectedHeadFound) {
      report({ problem: "head_not_found", detail: `the chain does not contain the expected head ${expect}` });
    }

    // 2. Every message and version, as it is now, against its newest leaf.
    let purged = 0;
    const checkItems = async (
      what: "message" | "version",
      current: AsyncGenerator<TCurrentItemRow>,
      recorded: AsyncGenerator<TRecordedLeafRow>,
    ): Promise<number> => {
      const cur = new Peek(current);
      const rec = new Peek(recorded);
      let n = 0;
      for (;;) {
        const c = await cur.peek();
        const r = await rec.peek();
        if (!c && !r) break;
        const id = !r || (c && c.id <= r.id) ? c!.id : r.id;
        const row = c && c.id === id ? (await cur.take())! : undefined;
        const group = r && r.id === id ? await takeGroup(rec, id) : [];
        if (row) n++;
        const name = (x: { channel: string | null; ts: string | null; messageId: number }) =>
          x.ts ? `${x.channel ?? "?"}/${x.ts}` : `of message id ${x.messageId}`;
        const ids = what === "message" ? { messageId: id } : { messageId: row?.messageId ?? group[0]!.messageId, versionId: id };
        const latest = group[group.length - 1];
        if (latest && latest.kind === "purge") {
          // Recorded as purged: the row must be gone, and what was purged must be what had been recorded.
          const before = group[group.length - 2];
          if (before && !before.hash.equals(latest.hash)) {
            report({ problem: "message_changed_before_purge", ...ids, channel: latest.channel, ts: latest.ts, detail: `${what} ${name(latest)} was altered before it was purged` });
          }
          if (row) report({ problem: `${what}_unrecorded`, ...ids, channel: row.channel, ts: row.ts, detail: `${what} ${name(row)} is back after its purge, not through ingest` });
          else purged++;
          continue;
        }
        if (row && !latest) {
          report({ problem: `${what}_unrecorded`, ...ids, channel: row.channel, ts: row.ts, detail: `${what} ${name(row)} was inserted without being recorded` });
        } else if (!row && latest) {
          report({ problem: `${what}_removed`, ...ids, channel: latest.channel, ts: latest.ts, detail: `${what} ${name(latest)} was removed (last recorded in batch ${latest.batchSeq})` });
        } else if (row && latest) {
          if (latest.kind === null) {
            report({ problem: "leaves_without_batch", ...ids, batchSeq: latest.batchSeq, detail: `${what} ${name(row)} was last recorded in batch ${latest.batchSeq}, which is not in the chain` });
          }
          if (!sha256(Buffer.from(row.canonical, "utf8")).equals(latest.hash)) {
            report({ problem: `${what}_changed`, ...ids, channel: row.channel, ts: row.ts, detail: `${what} ${name(row)} differs from what batch ${latest.batchSeq} recorded` });
          }
        }
      }
      return n;
    };
    const messages = await checkItems("message", streamCurrentMessages(db), streamMessageLeaves(db));
    const versions = await checkItems("version", streamCurrentVersions(db), streamVersionLeaves(db));
    return {
      ok: problemCount === 0,
      batches,
      leaves,
      messages,
      versions,
      purged,
      head,
      ...(expect ? { expectedHeadFound } : {}),
      problems,
      problemCount,
    };
  });
}
