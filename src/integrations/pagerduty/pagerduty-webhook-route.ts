import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import type { Logger } from '../../core/ports.ts';
import type { Health } from '../../health.ts';
import { parsePagerDutyEvent } from './pagerduty-event.ts';
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

/**
 * `POST /webhooks/pagerduty`: PagerDuty V3 webhooks. The signature is checked on the raw bytes
 * before anything is parsed; a bad one is refused 401 and changes nothing. An accepted event is
 * answered 202 once applied and stored; a store failure answers 500 so PagerDuty retries.
 */
export function pagerDutyWebhookRoute(options: PagerDutyWebhookRouteOptions): Router {
  const logger = options.logger.child({ route: '/webhooks/pagerduty' });
  const refuse = (res: express.Response, status: number, body: Record<string, string>) => {
    logger.warn(
      { status, error: body.error, field: body.field, from: res.req.ip },
      'webhook refused',
    );
    res.status(status).json(body);
  };
  const unreadable: ErrorRequestHandler = (error: { type?: string }, _req, res, next) => {
    if (error.type === 'entity.too.large')
      return refuse(res, 413, { error: 'payload_too_large', message: 'at most 256 KB' });
    if (error.type) return refuse(res, 400, { error: 'unreadable_body', message: 'unreadable' });
    next(error);
  };

  const router = express.Router();
  router.post(
    '/webhooks/pagerduty',
    express.raw({ type: () => true, limit: MAX_BODY_BYTES }),
    unreadable,
    (async (req, res) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!verifyPagerDutySignature(req.get('x-pagerduty-signature'), raw, options.secrets)) {
        return refuse(res, 401, {
          error: 'bad_signature',
          message: 'X-PagerDuty-Signature does not match PAGERDUTY_WEBHOOK_SECRET',
        });
      }
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return refuse(res, 400, { error: 'invalid_json', field: '(body)', message: 'not JSON' });
      }
      const parsed = parsePagerDutyEvent(body);
      if (!parsed.ok) {
        const message = `${parsed.field} ${parsed.message}`;
        return refuse(res, 400, { error: 'invalid_payload', field: parsed.field, message });
      }
      try {
        const outcome = await options.inbound.handle(parsed.event);
        logger.info(
          { event: parsed.event.id, type: parsed.event.type, outcome },
          'pagerduty event',
        );
        res.status(202).json({ status: outcome });
      } catch (error) {
        logger.error({ err: error, event: parsed.event.id }, 'pagerduty event not applied');
        options.health.report('store', `cannot write to DATA_DIR: ${(error as Error).message}`);
        res.status(500).json({ error: 'store_failed', message: 'not applied; retry later' });
      }
    }) satisfies RequestHandler,
  );
  return router;
}
