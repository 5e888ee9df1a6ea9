import { createHash } from "node:crypto";
import type pg from "pg";
import { streamAuditChain } from "./audit-repository";

/**
 * Verifies the audit log's hash chain in this process (not with the
 * database's own functions, which whoever altered rows could also replace):
 * each row's hash must be the SHA-256 of its canonical text, which embeds the
 * previous row's hash, and the chain positions must run 1, 2, 3… without gaps.
 */

export interface TAuditProblem {
  id: number;
  chainSeq: number | null;
  problem: "content_changed" | "chain_broken" | "missing_before" | "unchained";
  detail: string;
}

export interface TAuditVerification {
  ok: boolean;
  rows: number;
  head: { chainSeq: number; hash: string } | null;
  problems: TAuditProblem[];
}

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

export async function verifyAuditChain(db: pg.Pool | pg.ClientBase, opts: { maxProblems?: number } = {}): Promise<TAuditVerification> {
  const max = opts.maxProblems ?? 100;
  const problems: TAuditProblem[] = [];
  let rows = 0;
  let prevHash: string | null = null;
  let expectSeq = 1;
  let head: TAuditVerification["head"] = null;
  for await (const r of streamAuditChain(db)) {
    rows++;
    if (r.chainSeq === null || r.hash === null) {
      problems.push({ id: r.id, chainSeq: r.chainSeq, problem: "unchained", detail: "row has no place in the chain (written around the database's trigger)" });
    } else {
      if (r.chainSeq !== expectSeq) {
        problems.push({
          id: r.id,
          chainSeq: r.chainSeq,
          problem: "missing_before",
          detail: `chain position ${r.chainSeq} follows ${expectSeq - 1}: ${r.chainSeq - expectSeq} row(s) removed`,
        });
      }
      if (r.prevHash !== prevHash) {
        problems.push({ id: r.id, chainSeq: r.chainSeq, problem: "chain_broken", detail: "previous hash does not match the row before it" });
      }
      if (sha256(r.canonical) !== r.hash) {
        problems.push({ id: r.id, chainSeq: r.chainSeq, problem: "content_changed", detail: "content does not match its hash" });
      }
      prevHash = r.hash;
      expectSeq = r.chainSeq + 1;
      head = { chainSeq: r.chainSeq, hash: r.hash };
    }
    if (problems.length >= max) break;
  }
  return { ok: problems.length === 0, rows, head, problems };
}
