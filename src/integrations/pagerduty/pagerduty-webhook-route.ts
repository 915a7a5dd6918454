import type { Router } from 'express';
import type { Logger } from '../../core/ports.ts';
import type { Health } from '../../health.ts';
import { signedWebhookRoute } from '../../http/signed-webhook-route.ts';
import { parsePagerDutyEvent, type PagerDutyEvent } from './pagerduty-event.ts';
import type { PagerDutyInbound } from './pagerduty-inbound.ts';
import { verifyPagerDutySignature } from './pagerduty-signature.ts';

/** PagerDuty guarantees up to 55 KB and drops what is above 256 KB (wire-formats.md §2.1). */
const MAX_BODY_BYTES = 256 * 1024;

export interface PagerDutyWebhookRouteOptions {
  secrets: readonly string[];
  inbound: PagerDutyInbound;
  health: Health;
  logger: Logger;
}

/** `POST /webhooks/pagerduty`: PagerDuty V3 webhooks, signed with `X-PagerDuty-Signature`. */
export function pagerDutyWebhookRoute(options: PagerDutyWebhookRouteOptions): Router {
  const logger = options.logger.child({ route: '/webhooks/pagerduty' });
  return signedWebhookRoute<PagerDutyEvent>({
    path: '/webhooks/pagerduty',
    maxBytes: MAX_BODY_BYTES,
    verify: (req, raw) =>
      verifyPagerDutySignature(req.get('x-pagerduty-signature'), raw, options.secrets)
        ? { ok: true }
        : {
            ok: false,
            message: 'X-PagerDuty-Signature does not match PAGERDUTY_WEBHOOK_SECRET',
          },
    parse: (body) => {
      const parsed = parsePagerDutyEvent(body);
      return parsed.ok ? { ok: true, value: parsed.event } : parsed;
    },
    apply: async (event) => {
      const outcome = await options.inbound.handle(event);
      logger.info({ event: event.id, type: event.type, outcome }, 'pagerduty event');
      return outcome;
    },
    health: options.health,
    logger: options.logger,
  });
}
