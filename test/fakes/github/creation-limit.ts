/**
 * GitHub's secondary limit on content creation (wire-formats.md §4.4, field report F14): past a
 * number of issues and comments created per minute, GitHub answers 403 with its secondary-limit
 * message even though the primary limit has room, and only some of those answers carry
 * `retry-after`. The stand-in alternates: the first refusal carries it, the next does not, and so
 * on.
 */
import { RateWindow } from '../http/wire.ts';
import { SECONDARY_RATE_LIMIT_MESSAGE } from './faults.ts';
import { ghError, type Reply } from './wire.ts';

/** `POST /repos/{o}/{r}/issues` and `POST /repos/{o}/{r}/issues/{n}/comments`. */
const CREATION = /^\/repos\/[^/]+\/[^/]+\/issues(?:\/\d+\/comments)?\/?$/;

export class CreationLimit {
  private readonly window: RateWindow;
  private refusals = 0;

  constructor(
    /** Creations accepted per rolling 60 s; the next get 403. */
    perMinute: number,
    /** The `retry-after` value on every other refusal, seconds. */
    private readonly retryAfterSeconds: number,
    now: () => number,
  ) {
    if (!Number.isInteger(retryAfterSeconds) || retryAfterSeconds < 0) {
      throw new Error(`GitHubStandIn: bad secondaryRetryAfterSeconds ${retryAfterSeconds}`);
    }
    this.window = new RateWindow(perMinute, now);
  }

  /**
   * Counts a creation request; answers the refusal when the minute's budget is spent, undefined
   * otherwise (and for requests that create nothing). Refused requests do not count.
   */
  check(method: string, path: string, rateHeaders: Record<string, string>): Reply | undefined {
    if (method !== 'POST' || !CREATION.test(path)) return undefined;
    if (this.window.take('content').allowed) return undefined;

    this.refusals += 1;
    const retryAfter: Record<string, string> =
      this.refusals % 2 === 1 ? { 'retry-after': String(this.retryAfterSeconds) } : {};
    return {
      ...ghError(403, SECONDARY_RATE_LIMIT_MESSAGE),
      headers: { ...rateHeaders, ...retryAfter },
    };
  }

  clear(): void {
    this.window.clear();
    this.refusals = 0;
  }
}
