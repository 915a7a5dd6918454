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
      `SLACK_BOT_TOKEN was refused by Slack (${code}): copy the Bot User OAuth Token (xoxb-…) again from OAuth & Permissions`,
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
  /** The bot's own user and bot IDs, once known (Bolt uses them to ignore the bot's own events). */
  identity: { botUserId?: string; botId?: string } = {};

  readonly #onRecovered: () => Promise<void>;

  /** `onRecovered` runs when Slack answers again after it could not be reached. */
  constructor(
    gateway: SlackGateway,
    health: Health,
    logger: Logger,
    onRecovered: () => Promise<void>,
  ) {
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
  }

  async #check(first: boolean) {
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
      this.#health.report(
        'slack-connection',
        `cannot reach the Slack API (${e.message}); alerts are stored and will be posted when it answers`,
      );
      this.#logger.warn({ code: e.code, retryInMs: RECHECK_MS }, 'slack is not reachable');
      this.#timer = setTimeout(() => void this.#check(false), RECHECK_MS);
      this.#timer.unref();
    }
  }
}
