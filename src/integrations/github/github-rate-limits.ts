import { OutboundError } from '../../outbound/outbound-error.ts';

/** GitHub's own advice caps the back-off; past this, waiting longer helps nobody. */
const MAX_SECONDARY_WAIT_MS = 15 * 60_000;

export interface GitHubRateLimitsOptions {
  /** Least wait after a secondary limit without `retry-after`, ms; doubles per repeat. */
  secondaryWaitMs: number;
  /** Extra wait per write refused during one block, ms, so that they come back one by one. */
  staggerMs: number;
  /** Epoch milliseconds. */
  now: () => number;
}

/** What a refusal asked for: which limit, and how long to wait. */
export interface RateLimitWait {
  kind: 'primary' | 'secondary';
  waitMs: number;
}

/**
 * GitHub's rate limits as one token sees them (wire-formats.md §4.4, field report F14), kept here
 * instead of in @octokit/plugin-throttling so that the durable outbound queue does the waiting:
 * - primary (remaining 0): every call fails fast until `x-ratelimit-reset` (+1 s);
 * - secondary (content creation, bursts): writes run one at a time and, once GitHub refuses one,
 *   fail fast for `retry-after` seconds, or `secondaryWaitMs` doubling per repeat. Each refused
 *   write is told to come back a little later than the one before, so there is no burst when
 *   the wait ends.
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
 */
export class GitHubRateLimits {
  readonly #o: GitHubRateLimitsOptions;
  #primaryUntil = 0;
  #secondaryUntil = 0;
  #refusedInBlock = 0;
  #streak = 0;
  #writes: Promise<unknown> = Promise.resolve();

  constructor(options: GitHubRateLimitsOptions) {
    this.#o = options;
  }

  /** Runs writes one after another: GitHub counts concurrent content creation against us. */
  serialise<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#writes.then(work);
    this.#writes = result.catch(() => undefined);
    return result;
  }

  /** Throws an OutboundError with the remaining wait while a limit blocks this call. */
  check(what: string, write: boolean): void {
    const now = this.#o.now();
    const primary = this.#primaryUntil - now;
    const secondary = write ? this.#secondaryUntil - now : 0;
    if (primary <= 0 && secondary <= 0) return;

    if (primary >= secondary) throw limited(what, 'primary', primary);
    this.#refusedInBlock += 1;
    throw limited(what, 'secondary', secondary + this.#refusedInBlock * this.#o.staggerMs);
  }

  /**
   * Reads a 403 or 429 and starts the block it asks for; undefined when it is no rate limit
   * (a 403 for missing permissions, say).
   */
  refused(status: number, headers: Record<string, unknown>, message: string) {
    if (status !== 403 && status !== 429) return undefined;
    const now = this.#o.now();
    const retryAfterMs = secondsHeader(headers['retry-after']);
    const secondary = /secondary rate limit|abuse detection/i.test(message);

    if (String(headers['x-ratelimit-remaining']) === '0' && !secondary) {
      const reset = secondsHeader(headers['x-ratelimit-reset']);
      const waitMs = retryAfterMs ?? (reset === undefined ? 60_000 : reset - now + 1_000);
      this.#primaryUntil = now + Math.max(1_000, waitMs);
      return { kind: 'primary', waitMs: this.#primaryUntil - now } satisfies RateLimitWait;
    }
    if (!secondary && retryAfterMs === undefined && status === 403) return undefined;

    this.#streak += 1;
    const backoff = this.#o.secondaryWaitMs * 2 ** (this.#streak - 1);
    const waitMs = Math.min(retryAfterMs ?? backoff, MAX_SECONDARY_WAIT_MS);
    if (this.#secondaryUntil <= now) this.#refusedInBlock = 0;
    this.#secondaryUntil = Math.max(this.#secondaryUntil, now + waitMs);
    return { kind: 'secondary', waitMs } satisfies RateLimitWait;
  }

  /** A write went through: the next secondary limit starts the back-off afresh. */
  wrote(): void {
    this.#streak = 0;
  }
}

function limited(what: string, kind: RateLimitWait['kind'], waitMs: number) {
  return new OutboundError({
    service: 'github',
    message: `${what}: waiting out a GitHub ${kind} rate limit`,
    code: `${kind}_rate_limit`,
    retryAfterMs: Math.ceil(waitMs),
  });
}

/**
 * `retry-after` (seconds to wait) or `x-ratelimit-reset` (epoch seconds), in ms; undefined when
 * absent or not a number.
 */
function secondsHeader(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}
