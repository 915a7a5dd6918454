import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import type { IncidentService } from '../core/incident-service.ts';
import type { Logger } from '../core/ports.ts';
import type { Health } from '../health.ts';
import type { Metrics } from '../metrics.ts';
import type { AlertParser } from '../sources/parse-result.ts';
import { requireBearer } from './bearer-auth.ts';

/** Largest alert webhook body accepted; Alertmanager groups of thousands of alerts fit. */
export const MAX_ALERT_BODY_BYTES = 1024 * 1024;

export interface AlertWebhookRouteOptions {
  source: string;
  parse: AlertParser;
  token: string;
  /** The variable that holds `token`, named when a sender gets it wrong. */
  tokenName: string;
  incidents: IncidentService;
  metrics: Metrics;
  health: Health;
  logger: Logger;
}

/**
 * `POST /webhooks/<source>`: bearer token, JSON content type, at most 1 MiB, a valid payload.
 * Refused input changes nothing and gets a JSON body naming the problem; accepted alerts are
 * answered 202 only once stored.
 */
export function alertWebhookRoute(options: AlertWebhookRouteOptions): Router {
  const { source, parse, incidents, metrics } = options;
  const logger = options.logger.child({ route: `/webhooks/${source}` });
  const refuse = (res: express.Response, status: number, body: Record<string, string>) => {
    const requestId = res.getHeader('X-Request-Id');
    const from = res.req.ip;
    logger.warn(
      { status, error: body.error, field: body.field, requestId, from },
      'alert webhook refused',
    );
    metrics.alertsReceived.inc({ source, outcome: `refused_${status}` });
    res.status(status).json(body);
  };

  const requireJson: RequestHandler = (req, res, next) => {
    if (req.is('application/json') || req.is('application/*+json')) return next();
    refuse(res, 415, {
      error: 'unsupported_media_type',
      message: 'send Content-Type: application/json',
    });
  };

  const tooLarge: ErrorRequestHandler = (error: { type?: string }, _req, res, next) => {
    if (error.type === 'entity.too.large') {
      refuse(res, 413, {
        error: 'payload_too_large',
        message: `the body must be at most ${MAX_ALERT_BODY_BYTES} bytes`,
      });
      return;
    }
    if (error.type) {
      refuse(res, 400, { error: 'unreadable_body', message: 'the body could not be read' });
      return;
    }
    next(error);
  };

  const accept: RequestHandler = async (req, res) => {
    let body: unknown;
    try {
      body = JSON.parse((req.body as Buffer).toString('utf8'));
    } catch {
      refuse(res, 400, {
        error: 'invalid_json',
        field: '(body)',
        message: 'the body is not valid JSON',
      });
      return;
    }

    const parsed = parse(body);
    if (!parsed.ok) {
      const message = `${parsed.field} ${parsed.message}`;
      refuse(res, 400, { error: 'invalid_payload', field: parsed.field, message });
      return;
    }

    try {
      const result = await incidents.ingest(parsed.batch);
      metrics.alertsReceived.inc({ source, outcome: result.ignored ? 'ignored' : 'accepted' });
      options.health.clear('store');
      res.status(202).json({
        status: result.ignored ? 'ignored' : 'accepted',
        incident: result.incidentId,
        created: result.created,
      });
    } catch (error) {
      logger.error({ err: error }, 'alerts could not be stored');
      options.health.report('store', `cannot write to DATA_DIR: ${(error as Error).message}`);
      metrics.alertsReceived.inc({ source, outcome: 'failed' });
      res
        .status(500)
        .json({ error: 'store_failed', message: 'the alerts could not be stored; retry later' });
    }
  };

  const router = express.Router();
  router.post(
    `/webhooks/${source}`,
    requireBearer(options.token, (res) =>
      refuse(res, 401, {
        error: 'unauthorized',
        message: `send the webhook token as "Authorization: Bearer <${options.tokenName}>"`,
      }),
    ),
    requireJson,
    express.raw({ type: () => true, limit: MAX_ALERT_BODY_BYTES }),
    tooLarge,
    accept,
  );
  return router;
}
