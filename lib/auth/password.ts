import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

/**
 * Password hashing with scrypt (node:crypto). The stored string carries its
 * own parameters, so they can be raised later without breaking old hashes:
 *
 *     scrypt$ln=15,r=8,p=1$<salt, base64url>$<key, base64url>
 *
 * ln is log2 of the cost N. N=2^15, r=8 uses 32 MiB per hash — strong, and
 * cheap enough for a rate-limited sign-in form.
 */

const DEFAULT = { ln: 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

function deriveKey(password: string, salt: Buffer, params: { ln: number; r: number; p: number }, keyLength: number): Promise<Buffer> {
  const N = 2 ** params.ln;
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 256 * N * params.r * params.p };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFC"), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

type TParsedHash = { ln: number; r: number; p: number; salt: Buffer; key: Buffer };

/** Parse a stored hash; null when it is not one of ours or out of bounds. */
function parseHash(stored: string): TParsedHash | null {
  const m = /^scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(stored);
  if (!m) return null;
  const ln = Number(m[1]);
  const r = Number(m[2]);
  const p = Number(m[3]);
  // Bounds keep a corrupted row from asking for gigabytes of memory.
  if (ln < 10 || ln > 20 || r < 1 || r > 32 || p < 1 || p > 16) return null;
  const salt = Buffer.from(m[4]!, "base64url");
  const key = Buffer.from(m[5]!, "base64url");
  if (salt.length < 8 || key.length < 16) return null;
  return { ln, r, p, salt, key };
}

/** Hash a password with a fresh random salt; returns the self-describing string. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await deriveKey(password, salt, DEFAULT, KEY_LENGTH);
  return `scrypt$ln=${DEFAULT.ln},r=${DEFAULT.r},p=${DEFAULT.p}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

/** Check a password against a stored hash in constant time; false for malformed hashes. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const key = await deriveKey(password, parsed.salt, parsed, parsed.key.length);
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

/** True when a stored hash uses weaker parameters than today's default. */
export function needsRehash(stored: string): boolean {
  const parsed = parseHash(stored);
  return !parsed || parsed.ln < DEFAULT.ln || parsed.r < DEFAULT.r;
}

/** A random password of 24 characters (144 bits), for accounts created without one. */
export function generatePassword(): string {
  return randomBytes(18).toString("base64url");
}

let dummyHash: Promise<string> | undefined;

/**
 * A hash of a random password: verifying against it costs the same as a real
 * check, so unknown accounts cannot be told apart by response time.
 */
export function getDummyHash(): Promise<string> {
  dummyHash ??= hashPassword(generatePassword());
  return dummyHash;
}
