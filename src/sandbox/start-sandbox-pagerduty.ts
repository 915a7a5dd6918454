import {
  BOT_USER_ID,
  DEFAULT_API_KEY,
  PagerDutyStandIn,
} from '../../test/fakes/pagerduty/pagerduty-stand-in.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../core/ports.ts';

/** Published on purpose: the sandbox's PagerDuty is a stand-in on loopback. */
const SANDBOX_WEBHOOK_SECRET = 'sandbox-pagerduty-webhook-secret';

/**
 * Runs the project's PagerDuty stand-in (the one the tests use) on loopback when the sandbox has
 * no PagerDuty of its own, and points the bot at it; once the bot listens, the stand-in sends
 * its webhooks there, signed. Every PagerDuty call is logged.
 */
export async function startSandboxPagerDuty(config: Config, logger: Logger) {
  const standIn = await PagerDutyStandIn.start({
    onCall: (call) =>
      logger.info({ method: call.method, path: call.path, status: call.status }, 'pagerduty call'),
  });
  logger.info(
    { apiUrl: standIn.url, services: 'Checkout API, Payments Gateway, Search Indexer' },
    'local PagerDuty stand-in listening',
  );
  const pagerduty = {
    ...config.pagerduty,
    token: DEFAULT_API_KEY,
    fromEmail: 'firebreak@example.com',
    apiUrl: standIn.url,
    eventsUrl: standIn.url,
    webhookSecrets: [SANDBOX_WEBHOOK_SECRET],
  };
  return {
    config: { ...config, pagerduty },
    /** Sends PagerDuty's webhooks to the bot, now that it listens. */
    subscribe(port: number) {
      standIn.subscribe(`http://127.0.0.1:${port}/webhooks/pagerduty`, SANDBOX_WEBHOOK_SECRET);
      logger.info({ botUser: BOT_USER_ID }, 'sandbox PagerDuty sends its webhooks to the bot');
    },
  };
}
