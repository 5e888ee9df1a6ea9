/**
 * Secrets pasted into chat: a data-driven detector and masker. Each rule of
 * `SECRET_RULES` names a kind of credential, a pattern whose named group
 * `secret` is the part to hide, how many of its first characters stay
 * visible (so a reader still recognises "a Slack bot token", never the
 * token), and an optional acceptance test (entropy, placeholders).
 *
 * Masking is deterministic and idempotent — masking masked text changes
 * nothing — and leaves ordinary operations text alone (host names, IPs,
 * UUIDs, git SHAs, ticket keys, URLs without credentials). The archive keeps
 * the original; masking happens where text leaves it (pages, search,
 * timelines, postmortems, exports), and auditors may ask for the raw text.
 */

/** What replaces the hidden part of a secret (followed by `[kind]`). */
export const MASK_DOTS = "••••";

/** The kinds of secret the detector knows, as the mask shows them. */
export type TSecretKind =
  | "aws key"
  | "aws secret"
  | "google api key"
  | "slack token"
  | "slack webhook"
  | "github token"
  | "gitlab token"
  | "stripe key"
  | "private key"
  | "jwt"
  | "bearer token"
  | "password"
  | "secret"
  | "api key"
  | "token"
  | "credential";

/** One rule of the table. */
export type TSecretRule = {
  kind: TSecretKind | ((key: string) => TSecretKind);
  /** Global pattern with a named group `secret` (and optionally `key`, the name it was assigned to). */
  re: RegExp;
  /** How many leading characters of the secret stay visible (its recognisable prefix). */
  keep?: number;
  /** Extra test on the secret (entropy, placeholders); default: accepted. */
  accept?: (secret: string, key: string) => boolean;
};

/** A secret found in a text: `[start, end)` is hidden except its first `keep` characters. */
export type TSecretFinding = { kind: TSecretKind; start: number; end: number; keep: number };

/** Names a value may be assigned to that make it a secret (`DB_PASSWORD=`, `"api_key":`, `--token`). */
const KEY_WORDS = String.raw`(?:pass(?:word|wd|phrase)|pwd|secret|api[_-]?key|apikey|access[_-]?token|auth[_-]?token|refresh[_-]?token|token|private[_-]?key|credentials?)`;
/** The key: any identifier prefix, a key word, and only a few suffixes (so `tokenizer` or `secretName` are not keys). */
const KEY = String.raw`(?<key>[A-Za-z0-9_.-]*${KEY_WORDS}(?:[_-]?(?:key|value|access[_-]?key))?)`;
/** Characters a value runs over; a value ends at whitespace, quotes or separators (and never inside a mask). */
const VALUE = String.raw`(?<secret>[^\s"'\`,;&(){}<>\[\]•]+)`;
const VALUE_END = String.raw`(?=$|[\s"'\`,;&)}\]>])`;

/**
 * Where the masker may hide a value whose shape alone does not give it away
 * (a password after `DB_PASSWORD=`, `--token`, URL credentials, Bearer or
 * Basic), as a PostgreSQL regular expression (no named groups) that ends
 * right before the value. Search uses it so that a member who types a
 * masked value does not learn, from a hit, that it was pasted.
 */
export const SECRET_VALUE_CONTEXT_PG = String.raw`(?:[A-Za-z0-9_.-]*${KEY_WORDS}(?:[_-]?(?:key|value|access[_-]?key))?["']?\s*(?::=|=>|=|:)\s*["'${"`"}]?|--[A-Za-z0-9_.-]*${KEY_WORDS}(?:[_-]?(?:key|value|access[_-]?key))?(?:=|\s+)["']?|://[^\s:@/]*:|(?:bearer|basic)\s+)`;
/**
 * Every text SECRET_VALUE_CONTEXT_PG matches in contains one of these
 * (lowercased): a cheap test that spares most messages the expression
 * (about 2 µs against 20 µs a message in PostgreSQL).
 */
export const SECRET_VALUE_CONTEXT_HINTS = ["pass", "pwd", "secret", "api", "token", "private", "credential", "://", "bearer", "basic"] as const;

/** Shannon entropy in bits per character. */
export function measureEntropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  const n = [...s].length;
  for (const c of counts.values()) h -= (c / n) * Math.log2(c / n);
  return h;
}

/** Values that stand for a secret without being one: `<token>`, `${DB_PASSWORD}`, `****`, `xxxx`, `changeme`, `[masked]`. */
function isPlaceholder(v: string): boolean {
  return (
    /^[<{[$%]|^\*+$|^x+$|^\.+$/i.test(v) ||
    /\$\{|\{\{|%\(|^(?:redacted|masked|hidden|none|null|undefined|true|false|example|changeme|placeholder|your[_-]?\w*)$/i.test(v) ||
    /(.)\1{5,}/.test(v)
  );
}

/** An ordinary word or hyphenated words (`expired`, `reset-required`), not a secret. */
function isOrdinaryWords(v: string): boolean {
  return /^[a-z]+(?:[-_][a-z]+)*$/.test(v) || /^[A-Z][a-z]+(?:[-_][A-Za-z][a-z]+)*$/.test(v) || /^[A-Z]+(?:[-_][A-Z]+)*$/.test(v);
}

function characterClasses(v: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(v)).length;
}

/**
 * Whether a search term could be a value the masker hides behind a key, a
 * flag, URL credentials or Bearer: not an ordinary word, not a number or
 * version, and not too short to be a password. Only such terms need search's
 * check of where they stand in a message (see SECRET_VALUE_CONTEXT_PG).
 */
export function couldBeMaskedValue(term: string): boolean {
  const v = term.replace(/^["'`]|["'`]$/g, "");
  if (v.length < 6 || v.length > 4096) return false;
  if (isPlaceholder(v) || isOrdinaryWords(v)) return false;
  return !/^v?\d+(?:[.:-]\d+)*$/.test(v);
}

/**
 * Whether a value assigned to a secret-looking key is a secret: long enough,
 * not a placeholder, not ordinary words, and varied enough (several
 * character classes, or high entropy). Passwords may be shorter than tokens.
 */
export function isSecretLikeValue(value: string, key = ""): boolean {
  const v = value.replace(/^["'`]|["'`]$/g, "");
  const isPassword = /pass|pwd|secret|credential/i.test(key);
  if (v.length < (isPassword ? 8 : 12) || v.length > 4096) return false;
  if (isPlaceholder(v) || isOrdinaryWords(v)) return false;
  // Numbers, versions, dates and times are not secrets even under such keys.
  if (/^v?\d+(?:[.:-]\d+)*$/.test(v)) return false;
  // Paths and URLs name where a secret lives, not the secret (URL passwords have their own rule).
  if (/^(?:\/|~\/|\.\.?\/|[a-z][a-z0-9+.-]*:\/\/)/i.test(v)) return false;
  const entropy = measureEntropy(v);
  if (characterClasses(v) >= 2 && entropy >= (isPassword ? 2.5 : 3)) return true;
  return v.length >= 20 && entropy >= 3.5;
}

function kindOfKey(key: string): TSecretKind {
  const k = key.toLowerCase();
  if (/pass|pwd/.test(k)) return "password";
  if (/api[_-]?key|apikey/.test(k)) return "api key";
  if (/private[_-]?key/.test(k)) return "private key";
  if (/secret/.test(k)) return "secret";
  if (/credential/.test(k)) return "credential";
  return "token";
}

/**
 * The rule table, most specific first: where two rules find overlapping
 * text, the earlier one wins (`SLACK_TOKEN=xoxb-…` is a Slack token).
 */
export const SECRET_RULES: readonly TSecretRule[] = [
  // PEM private keys: keep the BEGIN line, hide the body and END (or the rest of a truncated paste).
  {
    kind: "private key",
    re: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----(?<secret>[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|[A-Za-z0-9+/=\s:,-]*[A-Za-z0-9+/=])/g,
  },
  // Slack incoming webhooks: keep the URL up to the secret path.
  { kind: "slack webhook", re: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/(?<secret>[A-Za-z0-9_/-]{8,})/g },
  // Slack tokens: bot, user, app-level, workspace, legacy and refresh tokens.
  { kind: "slack token", re: /(?<![A-Za-z0-9])(?<secret>xox[abposre]-[A-Za-z0-9-]{10,}|xapp-[A-Za-z0-9-]{10,})/g, keep: 5 },
  // AWS access key ids (long-term AKIA, temporary ASIA).
  { kind: "aws key", re: /(?<![A-Za-z0-9])(?<secret>(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{16})(?![A-Za-z0-9])/g, keep: 4 },
  // AWS secret access keys: 40 characters assigned to a secret key name.
  {
    kind: "aws secret",
    re: /(?<key>\b(?:aws[_-]?)?secret[_-]?(?:access[_-]?)?key(?:[_-]?id)?)["']?\s*(?::=|=>|=|:)\s*["']?(?<secret>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi,
  },
  // Google / GCP API keys.
  { kind: "google api key", re: /(?<![A-Za-z0-9_-])(?<secret>AIza[0-9A-Za-z_-]{35})(?![A-Za-z0-9_-])/g, keep: 4 },
  // GitHub tokens: classic (ghp_, gho_, ghu_, ghs_, ghr_) and fine-grained.
  { kind: "github token", re: /(?<![A-Za-z0-9_])(?<secret>gh[pousr]_[A-Za-z0-9]{30,255})(?![A-Za-z0-9_])/g, keep: 4 },
  { kind: "github token", re: /(?<![A-Za-z0-9_])(?<secret>github_pat_[A-Za-z0-9_]{30,255})(?![A-Za-z0-9_])/g, keep: 11 },
  { kind: "gitlab token", re: /(?<![A-Za-z0-9_])(?<secret>glpat-[A-Za-z0-9_-]{20,})(?![A-Za-z0-9_-])/g, keep: 6 },
  // Stripe secret and restricted keys.
  { kind: "stripe key", re: /(?<![A-Za-z0-9_])(?<secret>(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,247})(?![A-Za-z0-9_])/g, keep: 8 },
  // JSON Web Tokens: header and payload are base64url JSON objects ("eyJ").
  { kind: "jwt", re: /(?<![A-Za-z0-9_-])(?<secret>eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})(?![A-Za-z0-9_-])/g, keep: 3 },
  // Passwords in URLs: scheme://user:PASSWORD@host keeps the user and the host.
  {
    kind: "password",
    re: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]*:(?<secret>[^\s@/•]+)@(?=[^\s@])/gi,
    accept: (v) => !isPlaceholder(v),
  },
  // Authorization headers: Bearer / Basic <credential> (long and varied, so "Bearer auth" is prose).
  {
    kind: "bearer token",
    re: /\b(?:Bearer|Basic)\s+(?<secret>[A-Za-z0-9._~+/=-]{16,})(?![A-Za-z0-9._~+/=-])/g,
    accept: (v) => !isPlaceholder(v) && measureEntropy(v) >= 3,
  },
  // password=…, "api_key": "…", SLACK_TOKEN: …, secret => …
  {
    kind: kindOfKey,
    re: new RegExp(String.raw`(?<![A-Za-z0-9_-])${KEY}["']?\s*(?::=|=>|=|:)\s*["'\`]?${VALUE}${VALUE_END}`, "gi"),
    accept: (v, key) => isSecretLikeValue(v, key),
  },
  // --password value, --api-key=value
  {
    kind: kindOfKey,
    re: new RegExp(String.raw`(?<![A-Za-z0-9_-])--${KEY}(?:=|\s+)["']?${VALUE}${VALUE_END}`, "gi"),
    accept: (v, key) => isSecretLikeValue(v, key),
  },
];

/** The table with match indices turned on (`d`), to place each secret exactly. */
const COMPILED_RULES = SECRET_RULES.map((r) => ({ ...r, re: new RegExp(r.re.source, r.re.flags.includes("d") ? r.re.flags : `${r.re.flags}d`) }));

/** Texts longer than this are scanned in their first part only (alerts and pastes stay bounded). */
const MAX_SCAN = 200_000;

/**
 * Every secret in `text`, in order, without overlaps (the earlier rule of
 * the table wins). Spans already masked are never found again.
 */
export function findSecrets(text: string): TSecretFinding[] {
  return findWith(COMPILED_RULES, text);
}

/** The table matching in any letter case: search terms arrive lower-cased as often as not. */
const CASELESS_RULES = COMPILED_RULES.map((r) => ({ ...r, re: new RegExp(r.re.source, r.re.flags.includes("i") ? r.re.flags : `${r.re.flags}i`) }));

/**
 * True when a search term is (or holds) a secret, in any letter case
 * (`akiaiosfodnn7example` too): such terms must not find the message the
 * secret was pasted in, or search would confirm a guessed secret.
 */
export function isSecretSearchTerm(term: string): boolean {
  return findWith(CASELESS_RULES, term).length > 0;
}

/**
 * A quick test every rule's match must pass (a prefix, key word or URL with
 * credentials), so ordinary messages — nearly all of them — cost one scan.
 */
const MAY_HOLD_SECRET = /xox|xapp-|A[KS]IA|AGPA|AIDA|AROA|ANPA|AIza|gh[pousr]_|github_pat_|glpat-|[sr]k_(?:live|test)_|eyJ|PRIVATE KEY|hooks\.slack\.com|:\/\/[^\s@/]*:[^\s@/]+@|bearer|basic|pass|pwd|secret|key|token|credential/i;

function findWith(rules: typeof COMPILED_RULES, text: string): TSecretFinding[] {
  if (!text || !MAY_HOLD_SECRET.test(text)) return [];
  const scanned = text.length > MAX_SCAN ? text.slice(0, MAX_SCAN) : text;
  const found: TSecretFinding[] = [];
  const overlaps = (s: number, e: number) => found.some((f) => s < f.end && f.start < e);
  for (const rule of rules) {
    for (const m of scanned.matchAll(rule.re)) {
      const secret = m.groups?.secret;
      const span = m.indices?.groups?.secret;
      if (!secret || !span) continue;
      const key = m.groups?.key ?? "";
      if (rule.accept && !rule.accept(secret, key)) continue;
      const [start, end] = span;
      if (overlaps(start, end)) continue;
      found.push({ kind: typeof rule.kind === "function" ? rule.kind(key) : rule.kind, start, end, keep: Math.min(rule.keep ?? 0, secret.length) });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/** True when `text` holds a secret the detector knows. */
export function hasSecrets(text: string): boolean {
  return findSecrets(text).length > 0;
}

/** How one secret looks once masked: its recognisable prefix, dots and the kind (`xoxb-••••[slack token]`). */
export function formatMask(visiblePrefix: string, kind: TSecretKind): string {
  return `${visiblePrefix}${MASK_DOTS}[${kind}]`;
}

/**
 * `text` with every secret masked, e.g. `xoxb-••••[slack token]`,
 * `AKIA••••[aws key]`, `postgres://app:••••[password]@db`. Deterministic
 * and idempotent.
 */
export function maskSecrets(text: string): string {
  const found = findSecrets(text);
  if (found.length === 0) return text;
  let out = "";
  let at = 0;
  for (const f of found) {
    out += text.slice(at, f.start) + formatMask(text.slice(f.start, f.start + f.keep), f.kind);
    at = f.end;
  }
  return out + text.slice(at);
}

/**
 * A JSON value (attachments, blocks) with secrets masked in every string.
 * Returns a new value; the input is not changed.
 */
export function maskSecretsInValue<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return maskSecrets(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) o[k] = walk(x);
      return o;
    }
    return v;
  };
  return walk(value) as T;
}
