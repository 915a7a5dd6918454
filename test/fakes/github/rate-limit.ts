/**
 * GitHub's primary rate limit for one token (wire-formats.md §4.4): a fixed hourly window that
 * starts with the first request, announced on every answer by `x-ratelimit-limit`, `-remaining`,
 * `-used`, `-reset` (UTC epoch seconds) and `-resource` (`core`). Over it: 403 with remaining
 * 0. Refused requests do not count.
 */
const HOUR_MS = 3_600_000;

export class PrimaryRateLimit {
  private windowStart: number | undefined;
  private used = 0;

  constructor(
    /** Requests per hour; GitHub gives personal tokens 5000. */
    readonly limit: number,
    private readonly now: () => number,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`bad requestsPerHour ${limit}`);
  }

  /** Counts one request if there is room; false when the hour's budget is spent. */
  take(): boolean {
    this.roll();
    if (this.used >= this.limit) return false;
    this.used += 1;
    return true;
  }

  headers(): Record<string, string> {
    this.roll();
    const reset = Math.ceil(((this.windowStart ?? this.now()) + HOUR_MS) / 1000);
    return {
      'x-ratelimit-limit': String(this.limit),
      'x-ratelimit-remaining': String(this.limit - this.used),
      'x-ratelimit-reset': String(reset),
      'x-ratelimit-used': String(this.used),
      'x-ratelimit-resource': 'core',
    };
  }

  clear(): void {
    this.windowStart = undefined;
    this.used = 0;
  }

  private roll(): void {
    const now = this.now();
    if (this.windowStart === undefined || now - this.windowStart >= HOUR_MS) {
      this.windowStart = now;
      this.used = 0;
    }
  }
}
