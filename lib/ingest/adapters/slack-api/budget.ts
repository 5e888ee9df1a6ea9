/**
 * Per-method request budgets for the Slack Web API. Slack limits each method
 * by tier (requests per minute per workspace and app); staying under the
 * tier avoids 429s instead of reacting to them. Apps not distributed through
 * the Marketplace get, since 2025, one conversations.history/replies request
 * per minute returning at most 15 messages: the `non-marketplace` regime.
 */

export type TRateRegime = "internal" | "non-marketplace";

/** Requests per minute by method (Slack's documented tiers). */
const TIERS: Record<string, number> = {
  "auth.test": 100, // Tier 4 (special)
  "team.info": 20, // Tier 2
  "users.list": 20, // Tier 2
  "conversations.list": 20, // Tier 2
  "conversations.members": 100, // Tier 4
  "conversations.history": 50, // Tier 3
  "conversations.replies": 50, // Tier 3
};

/** Budget and page size for a regime, with per-method overrides. */
export function resolveBudget(regime: TRateRegime, overrides: Record<string, number> = {}): { perMinute: Record<string, number>; messageLimit: number } {
  const perMinute = { ...TIERS };
  let messageLimit = 200;
  if (regime === "non-marketplace") {
    perMinute["conversations.history"] = 1;
    perMinute["conversations.replies"] = 1;
    messageLimit = 15;
  }
  return { perMinute: { ...perMinute, ...overrides }, messageLimit };
}

/** Time source and sleeper; injected so tests need not wait real minutes. */
export interface TClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: TClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A sliding one-minute window per method. */
export class RequestBudget {
  private readonly sent = new Map<string, number[]>();
  /** Total time waited for the budget, ms. */
  waitedMs = 0;

  constructor(
    private readonly perMinute: Record<string, number>,
    private readonly clock: TClock = systemClock,
  ) {}

  /** Resolves when one more request of `method` fits in its minute. */
  async take(method: string): Promise<void> {
    const limit = this.perMinute[method] ?? 20;
    const list = this.sent.get(method) ?? [];
    this.sent.set(method, list);
    for (;;) {
      const now = this.clock.now();
      while (list.length && list[0]! <= now - 60_000) list.shift();
      if (list.length < limit) {
        list.push(now);
        return;
      }
      const wait = list[0]! + 60_000 - now;
      this.waitedMs += wait;
      await this.clock.sleep(wait);
    }
  }
}
