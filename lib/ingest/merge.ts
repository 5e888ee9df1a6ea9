import { hash } from "node:crypto";
import type { NMessage, NReaction, NFile } from "./adapter";

/**
 * Merging message observations. The same rules run here (for observations
 * within one batch) and in SQL (against the stored row, see load.ts), which
 * makes the result independent of order and repetition:
 * - the current text is the one with the latest text time (edited.ts, else
 *   ts), ties broken by the text's hash, so replaying an older export after a
 *   newer one never reverts an edit;
 * - every distinct text is kept as a version, dated by its earliest time;
 * - deletion, pins, thread membership and reactions only ever accumulate
 *   (removals come from explicit events, never from an absent field).
 */

/** SHA-256 hex of `text` (one-shot: much cheaper than createHash() per message). */
export function sha256(text: string): string {
  return hash("sha256", text, "hex");
}

/** SHA-256 hex of a value's JSON: the provenance hash of every raw record. */
export function sha256Json(value: unknown): string {
  return sha256(JSON.stringify(value) ?? "null");
}

/** Compares Slack ts strings numerically ("1700000000.000100"). */
export function compareTs(a: string, b: string): number {
  const [ai = "0", af = ""] = a.split(".");
  const [bi = "0", bf = ""] = b.split(".");
  if (ai.length !== bi.length) return ai.length - bi.length;
  if (ai !== bi) return ai < bi ? -1 : 1;
  const fa = af.padEnd(6, "0");
  const fb = bf.padEnd(6, "0");
  return fa === fb ? 0 : fa < fb ? -1 : 1;
}

export interface TMessageVersionIn {
  text: string;
  textSha256: string;
  validFromTs: string;
  editedBy: string | null;
}

/** One row to upsert per (channel, ts), after merging a batch's observations. */
export interface TMergedMessage {
  channel: string;
  ts: string;
  threadTs: string | null;
  user: string | null;
  botId: string | null;
  username: string | null;
  subtype: string | null;
  /** null when no observation carried text (tombstone only). */
  text: string | null;
  textTs: string | null;
  textSha256: string | null;
  searchText: string;
  attachments: unknown[] | null;
  blocks: unknown[] | null;
  editedTs: string | null;
  editedBy: string | null;
  deleted: boolean;
  deletedTs: string | null;
  replyCount: number | null;
  pinned: boolean;
  raw: unknown;
  rawSha256: string;
  reactions: Map<string, NReaction>;
  files: Map<string, NFile>;
  versions: Map<string, TMessageVersionIn>;
}

function textTime(o: NMessage): string {
  return o.editedTs ?? o.ts;
}

function minTs(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareTs(a, b) <= 0 ? a : b;
}

/** Fresh merged state from one observation. */
export function fromObservation(o: NMessage): TMergedMessage {
  const hasText = o.text !== null;
  const m: TMergedMessage = {
    channel: o.channel,
    ts: o.ts,
    threadTs: o.threadTs ?? null,
    user: o.user ?? null,
    botId: o.botId ?? null,
    username: o.username ?? null,
    subtype: o.subtype ?? null,
    text: o.text,
    textTs: hasText ? textTime(o) : null,
    textSha256: hasText ? sha256(o.text!) : null,
    searchText: o.searchText,
    attachments: o.attachments ?? null,
    blocks: o.blocks ?? null,
    editedTs: hasText ? (o.editedTs ?? null) : null,
    editedBy: hasText ? (o.editedBy ?? null) : null,
    deleted: Boolean(o.deleted || o.deletedTs),
    deletedTs: o.deletedTs ?? null,
    replyCount: o.replyCount ?? null,
    pinned: Boolean(o.pinned),
    raw: o.raw,
    rawSha256: o.rawSha256,
    reactions: new Map(),
    files: new Map(),
    versions: new Map(),
  };
  addExtras(m, o);
  return m;
}

function addExtras(m: TMergedMessage, o: NMessage): void {
  for (const r of o.reactions ?? []) {
    const prev = m.reactions.get(r.name);
    if (!prev) m.reactions.set(r.name, { name: r.name, users: [...r.users], count: r.count });
    else {
      const users = new Set([...prev.users, ...r.users]);
      m.reactions.set(r.name, { name: r.name, users: [...users], count: Math.max(prev.count, r.count, users.size) });
    }
  }
  for (const f of o.files ?? []) if (!m.files.has(f.externalId)) m.files.set(f.externalId, f);
  if (o.text !== null) {
    const sha = sha256(o.text);
    const prev = m.versions.get(sha);
    const from = textTime(o);
    if (!prev) m.versions.set(sha, { text: o.text, textSha256: sha, validFromTs: from, editedBy: o.editedBy ?? null });
    else if (compareTs(from, prev.validFromTs) < 0) m.versions.set(sha, { ...prev, validFromTs: from, editedBy: o.editedBy ?? null });
  }
}

/** True when observation `o` should supply the current text over state `m`. */
export function takesText(m: Pick<TMergedMessage, "textTs" | "textSha256">, oTextTs: string, oSha: string): boolean {
  if (m.textTs === null || m.textSha256 === null) return true;
  const c = compareTs(oTextTs, m.textTs);
  return c > 0 || (c === 0 && oSha > m.textSha256);
}

/** Merge observation `o` into state `m` (mutates and returns `m`). */
export function mergeObservation(m: TMergedMessage, o: NMessage): TMergedMessage {
  if (o.text !== null) {
    const sha = sha256(o.text);
    const tt = textTime(o);
    if (takesText(m, tt, sha)) {
      m.text = o.text;
      m.textTs = tt;
      m.textSha256 = sha;
      m.searchText = o.searchText;
      m.attachments = o.attachments ?? null;
      m.blocks = o.blocks ?? null;
      m.editedTs = o.editedTs ?? null;
      m.editedBy = o.editedBy ?? null;
      m.subtype = o.subtype ?? null;
      m.user = o.user ?? m.user;
      m.botId = o.botId ?? m.botId;
      m.username = o.username ?? m.username;
      m.raw = o.raw;
      m.rawSha256 = o.rawSha256;
    }
  }
  m.threadTs = m.threadTs ?? o.threadTs ?? null;
  m.user = m.user ?? o.user ?? null;
  m.deleted = m.deleted || Boolean(o.deleted || o.deletedTs);
  m.deletedTs = minTs(m.deletedTs, o.deletedTs ?? null);
  if (o.replyCount != null) m.replyCount = Math.max(m.replyCount ?? 0, o.replyCount);
  m.pinned = m.pinned || Boolean(o.pinned);
  addExtras(m, o);
  return m;
}

/** Collapse a batch's observations to one merged state per (channel, ts). */
export function mergeBatch(observations: readonly NMessage[]): TMergedMessage[] {
  const byKey = new Map<string, TMergedMessage>();
  for (const o of observations) {
    const key = `${o.channel}\u0000${o.ts}`;
    const m = byKey.get(key);
    if (!m) byKey.set(key, fromObservation(o));
    else mergeObservation(m, o);
  }
  return [...byKey.values()];
}
