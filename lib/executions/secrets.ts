/**
 * Secret masking for execution records. Arguments, command lines and output
 * are masked before anything is stored: Backscroll keeps only the masked copy
 * of an execution (the original never reaches the database), so no reader —
 * search, timelines, exports — can leak what a bot was given.
 */

import { findSecrets } from "../compliance/secrets";

/** What a masked value is replaced with. */
export const MASK = "[masked]";

/** Object keys whose values are secrets wherever they appear. */
const SECRET_KEY = /pass(word|wd|phrase)?$|^pwd$|secret|token|api[-_]?key|apikey|access[-_]?key|private[-_]?key|credential|^authorization$|^auth$|cookie/i;

/** Key names that mark a `key=value` / `--key value` pair in free text. */
const KEY_WORD = String.raw`[\w.-]*(?:password|passwd|passphrase|pwd|secret|token|api[-_]?key|apikey|access[-_]?key|private[-_]?key|credentials?)[\w.-]*`;

type TRule = { re: RegExp; keep?: number };

/**
 * Execution-specific patterns, applied after the well-known credential
 * shapes of the shared table (lib/compliance/secrets.ts: Slack, AWS, Google,
 * GitHub, GitLab, Stripe, JWT, private keys). A command line is not prose,
 * so any value of a secret-looking key is masked here. `keep` = number of
 * leading capture groups kept as they are (the key, the "Bearer " prefix…);
 * the group after them is the secret.
 */
const RULES: TRule[] = [
  // Backscroll bot tokens.
  { re: /\bbsb_[A-Za-z0-9_-]{20,}/g },
  // Other API keys seen in command lines (OpenAI-style sk-…).
  { re: /\bsk-[A-Za-z0-9_-]{20,}\b/g },
  // Authorization headers (any value: a command line is not prose).
  { re: /(\b(?:Bearer|Basic|Token)\s+)[A-Za-z0-9._~+/=-]{8,}/gi, keep: 1 },
  // Passwords in URLs: scheme://user:PASSWORD@host
  { re: /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:)([^\s@/]+)(?=@)/gi, keep: 1 },
  // --password value, --password=value
  { re: new RegExp(String.raw`(--${KEY_WORD}(?:=|\s+)["']?)([^\s"']+)`, "gi"), keep: 1 },
  // password=value, "token": "value", API_KEY: value
  { re: new RegExp(String.raw`(\b${KEY_WORD}["']?\s*[=:]\s*["']?)([^\s"',;&}]+)`, "gi"), keep: 1 },
];

export interface TMaskResult<T> {
  value: T;
  /** How many secrets were replaced. */
  count: number;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Mask credentials in free text (command lines, output). `knownSecrets` are
 * literal values that must disappear wherever they occur (e.g. the values of
 * parameters a bot declared secret).
 */
export function maskSecretsInText(text: string, knownSecrets: readonly string[] = []): TMaskResult<string> {
  let count = 0;
  let out = text;
  // Longest first, so a secret containing another is masked whole.
  for (const s of [...new Set(knownSecrets)].filter((x) => x.length >= 4).sort((a, b) => b.length - a.length)) {
    out = out.replace(new RegExp(escapeRegExp(s), "g"), () => {
      count++;
      return MASK;
    });
  }
  // The shared table of credential shapes first (one table for chat and executions).
  const found = findSecrets(out);
  for (const f of [...found].reverse()) out = out.slice(0, f.start) + MASK + out.slice(f.end);
  count += found.length;
  for (const rule of RULES) {
    out = out.replace(rule.re, (...m: unknown[]) => {
      const groups = m.slice(1, -2) as (string | undefined)[];
      const kept = groups.slice(0, rule.keep ?? 0).join("");
      const secret = rule.keep ? groups[rule.keep] ?? "" : String(m[0]);
      if (secret === MASK || secret.startsWith(MASK)) return String(m[0]);
      count++;
      return kept + MASK;
    });
  }
  return { value: out, count };
}

/** True when an object key names a secret (`password`, `api_key`, `token`, …). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * Mask a JSON value: values under secret keys (or under `secretKeys`, the
 * parameters a source declared secret) are replaced whole; strings anywhere
 * are masked as text. Returns a new value; the input is not changed.
 */
export function maskSecretsInJson(value: unknown, opts: { secretKeys?: readonly string[]; knownSecrets?: readonly string[] } = {}): TMaskResult<unknown> {
  const declared = new Set(opts.secretKeys ?? []);
  let count = 0;
  const walk = (v: unknown, key: string | null): unknown => {
    if (key !== null && (declared.has(key) || isSecretKey(key)) && v !== null && v !== undefined && v !== "" && typeof v !== "boolean") {
      count++;
      return MASK;
    }
    if (typeof v === "string") {
      const r = maskSecretsInText(v, opts.knownSecrets);
      count += r.count;
      return r.value;
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, null));
    if (v && typeof v === "object") {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) o[k] = walk(x, k);
      return o;
    }
    return v;
  };
  return { value: walk(value, null), count };
}

/**
 * The literal values of secret parameters, so they can also be masked where
 * they leak into the command line or the output.
 */
export function collectSecretValues(args: unknown, secretKeys: readonly string[] = []): string[] {
  const declared = new Set(secretKeys);
  const found: string[] = [];
  const walk = (v: unknown, key: string | null) => {
    if (key !== null && (declared.has(key) || isSecretKey(key)) && (typeof v === "string" || typeof v === "number")) {
      found.push(String(v));
      return;
    }
    if (Array.isArray(v)) v.forEach((x) => walk(x, null));
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(args, null);
  return found;
}
