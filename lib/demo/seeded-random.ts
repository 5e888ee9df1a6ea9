/**
 * A small seeded pseudo-random generator (mulberry32) with the helpers the demo
 * and load-test generators need.
 *
 * Generated exports must be byte-identical for the same seed, on any machine
 * and Node version, so nothing here may touch `Math.random` or the clock.
 * mulberry32 is 32-bit integer arithmetic only, which JavaScript evaluates
 * identically everywhere, and it is fast enough for millions of draws.
 */
export class SeededRandom {
  private state: number;

  /** @param seed any integer; equal seeds give equal sequences. */
  constructor(seed: number) {
    // Mix the seed once so that neighbouring seeds (1, 2, 3…) do not start
    // from neighbouring states.
    this.state = (Math.imul(seed | 0, 0x9e3779b1) ^ 0x5bd1e995) >>> 0;
  }

  /** Next float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Integer in [min, max] (both inclusive). */
  between(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A uniformly chosen element; throws on an empty list (a generator bug). */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error("SeededRandom.pick: empty list");
    return item;
  }

  /**
   * An index in [0, n) biased towards 0: a few chatty people and busy channels
   * produce most of the traffic, as in real workspaces.
   */
  skewedIndex(n: number, power = 2): number {
    return Math.min(n - 1, Math.floor(Math.pow(this.next(), power) * n));
  }

  /** Exponentially distributed value with the given mean (waiting times). */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** `count` lowercase hex digits. */
  hex(count: number): string {
    let out = "";
    while (out.length < count) out += (this.int(0x10000) | 0x10000).toString(16).slice(1);
    return out.slice(0, count);
  }

  /** `count` characters from [A-Z0-9]. */
  alnum(count: number): string {
    let out = "";
    for (let i = 0; i < count; i++) out += ALNUM[this.int(36)];
    return out;
  }

  /** An RFC 4122 version-4 shaped UUID, as Slack puts in `client_msg_id`. */
  uuid(): string {
    const h = this.hex(32);
    const variant = "89ab"[this.int(4)];
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
