import type { Logger } from '../core/ports.ts';
import type { Health } from '../health.ts';
import { OutboundError } from '../outbound/outbound-error.ts';
import type { SlackGateway } from './slack-gateway.ts';

/** Slack's answers to auth.test that mean the token itself is wrong. */
const REFUSED_TOKEN = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
]);
const RECHECK_MS = 30_000;

export class SlackTokenRefusedError extends Error {
  constructor(code: string) {
    super(
      `SLACK_BOT_TOKEN was refused by Slack (${code}): ` +
        'copy the Bot User OAuth Token (xoxb-…) again from OAuth & Permissions',
    );
    this.name = 'SlackTokenRefusedError';
  }
}

/**
 * Checks the token with auth.test at start-up. A refused token stops start-up with a clear
 * error; an unreachable Slack does not: alerts are still taken and stored, /healthz says
 * Slack cannot be reached, and the check is repeated until it passes.
 */
export class SlackConnection {
  readonly #gateway: SlackGateway;
  readonly #health: Health;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  /** The bot's own user and bot IDs, once known (Bolt uses them to ignore the bot's own events). */
  identity: { botUserId?: string; botId?: string } = {};

  readonly #onRecovered: () => Promise<void>;

  readonly #recheckMs: number;

  /** `onRecovered` runs when Slack answers again after it could not be reached. */
  constructor(
    gateway: SlackGateway,
    health: Health,
    logger: Logger,
    onRecovered: () => Promise<void>,
    recheckMs = RECHECK_MS,
  ) {
    this.#recheckMs = recheckMs;
    this.#gateway = gateway;
    this.#health = health;
    this.#logger = logger;
    this.#onRecovered = onRecovered;
  }

  async start() {
    await this.#check(true);
  }

  stop() {
    clearTimeout(this.#timer);
    this.#stopped = true;
  }

  /**
   * Told by the gateway that a call could not reach Slack (network error, timeout, 5xx): shows
   * it in /healthz and checks every 30 s until Slack answers, then catches up on messages.
   */
  unreachable(error: OutboundError) {
    if (this.#timer || this.#stopped) return;
    this.#report(error);
    this.#schedule();
  }

  async #check(first: boolean) {
    this.#timer = undefined;
    try {
      const { userId, botId, team } = await this.#gateway.authTest();
      this.identity = { botUserId: userId, botId };
      this.#health.clear('slack-connection');
      this.#logger.info({ team, botUserId: userId }, 'connected to slack');
      if (!first) await this.#onRecovered();
    } catch (error) {
      const e = OutboundError.from(error);
      if (REFUSED_TOKEN.has(e.code ?? '')) {
        if (first) throw new SlackTokenRefusedError(e.code ?? '');
        this.#health.report('slack-connection', new SlackTokenRefusedError(e.code ?? '').message);
        return;
      }
      this.#report(e);
      this.#schedule();
    }
  }

  #report(error: OutboundError) {
    const text =
      `cannot reach the Slack API (${error.message}); ` +
      'alerts are stored and will be posted when it answers';
    this.#health.report('slack-connection', text);
    this.#logger.warn(
      { code: error.code, error: error.message, retryInMs: this.#recheckMs },
      'slack is not reachable',
    );
  }

  #schedule() {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#check(false), this.#recheckMs);
    this.#timer.unref();
  }
}
