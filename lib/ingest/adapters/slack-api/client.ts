import { ErrorCode, LogLevel, WebClient, WebClientEvent } from "@slack/web-api";
import { AppError } from "../../../errors";
import { RequestBudget, type TClock } from "./budget";

/**
 * The Slack Web API as the sync uses it: the official WebClient (which
 * honours `429` + `Retry-After` by pausing and retrying), behind a
 * per-method request budget, with Slack's `ok:false` answers turned into
 * typed errors.
 */

/** Answers that end the whole sync: the token cannot be used. */
const FATAL = new Set(["invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive", "missing_scope", "no_permission", "team_access_not_granted"]);

/** An `ok:false` answer from Slack. */
export class SlackApiError extends Error {
  constructor(
    readonly method: string,
    readonly slackError: string,
  ) {
    super(`Slack ${method} failed: ${slackError}`);
    this.name = "SlackApiError";
  }
  /** True when the token itself is refused, so no other call can succeed. */
  get isFatal(): boolean {
    return FATAL.has(this.slackError);
  }
}

export interface TSlackClientOptions {
  token: string;
  /** Base URL ending in `/api/` (default Slack's). */
  apiUrl?: string;
  perMinute: Record<string, number>;
  clock?: TClock;
  /** Retries after a 429 or a network error (each 429 waits its Retry-After first). */
  retries?: number;
}

export interface TSlackCaller {
  call<T>(method: string, params: Record<string, unknown>): Promise<T>;
  readonly budget: RequestBudget;
  /** 429 answers seen (and waited out). */
  rateLimited: number;
}

/** A budgeted caller on a real WebClient. */
export function createSlackCaller(opts: TSlackClientOptions): TSlackCaller {
  const client = new WebClient(opts.token, {
    slackApiUrl: opts.apiUrl,
    logLevel: LogLevel.ERROR,
    rejectRateLimitedCalls: false,
    // Retry-After is waited inside the client before each retry; no extra backoff on top.
    retryConfig: { retries: opts.retries ?? 5, factor: 1, minTimeout: 50, maxTimeout: 1000, randomize: false },
  });
  const budget = new RequestBudget(opts.perMinute, opts.clock);
  const caller: TSlackCaller = {
    budget,
    rateLimited: 0,
    async call<T>(method: string, params: Record<string, unknown>): Promise<T> {
      await budget.take(method);
      try {
        return (await client.apiCall(method, params)) as unknown as T;
      } catch (e) {
        const err = e as { code?: string; data?: { error?: string } };
        if (err.code === ErrorCode.PlatformError) throw new SlackApiError(method, err.data?.error ?? "unknown_error");
        if (err.code === ErrorCode.RateLimitedError) throw new AppError("rate_limited", `Slack ${method}: rate limited`);
        throw new AppError("internal", `Slack ${method}: ${(e as Error).message}`, undefined, { cause: e });
      }
    },
  };
  client.on(WebClientEvent.RATE_LIMITED, () => {
    caller.rateLimited++;
  });
  return caller;
}
