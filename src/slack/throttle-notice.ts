/** After this long without a 429, a new one starts a new episode (and a new notice). */
const QUIET_MS = 10 * 60_000;

/**
 * Says once in the alerts channel that Slack is slowing the bot down, per episode of rate
 * limiting, so people know why messages lag and that nothing is lost.
 */
export class ThrottleNotice {
  readonly #notify: (text: string) => Promise<void>;
  readonly #now: () => number;
  #lastLimitedAt = -Infinity;

  constructor(notify: (text: string) => Promise<void>, now: () => number = Date.now) {
    this.#notify = notify;
    this.#now = now;
  }

  rateLimited(method: string, waitMs: number) {
    const now = this.#now();
    const newEpisode = now - this.#lastLimitedAt > QUIET_MS;
    this.#lastLimitedAt = now;
    if (!newEpisode) return;

    const wait = Math.ceil(waitMs / 1000);
    const text =
      ':hourglass_flowing_sand: Slack is rate-limiting Firebreak ' +
      `(${method}, asked to wait ${wait} s). ` +
      'Incident messages may lag behind; every alert is stored and will be shown.';
    void this.#notify(text).catch(() => undefined);
  }
}
