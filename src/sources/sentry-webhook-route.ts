import type { Router } from 'express';
import type { IncidentService } from '../core/incident-service.ts';
import type { Logger } from '../core/ports.ts';
import type { AlertBatch } from '../core/types.ts';
import type { Health } from '../health.ts';
import { signedWebhookRoute } from '../http/signed-webhook-route.ts';
import type { Metrics } from '../metrics.ts';
import { parseSentry, sentryIgnored, sentryResourceOf, verifySentrySignature } from './sentry.ts';

/** A Sentry event with its stack traces and request is large; 1 MiB as for other alerts. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface SentryWebhookRouteOptions {
  /** The integration's Client Secret (SENTRY_CLIENT_SECRET). */
  secret: string;
  incidents: IncidentService;
  health: Health;
  logger: Logger;
  metrics?: Metrics;
}

type Delivery =
  | { kind: 'alert'; batch: AlertBatch }
  | { kind: 'ignored'; resource: string | undefined; action: string | undefined };

/**
 * `POST /webhooks/sentry`: Sentry integration-platform webhooks, signed with
 * `Sentry-Hook-Signature` over the raw body. Issue alerts fire their issue's alert, `issue`
 * deliveries resolve or re-fire it; other resources and actions are answered 202 "ignored".
 */
export function sentryWebhookRoute(options: SentryWebhookRouteOptions): Router {
  const { incidents, metrics } = options;
  const logger = options.logger.child({ route: '/webhooks/sentry' });
  const count = (outcome: string) => metrics?.alertsReceived.inc({ source: 'sentry', outcome });

  return signedWebhookRoute<Delivery>({
    path: '/webhooks/sentry',
    maxBytes: MAX_BODY_BYTES,
    verify: (req, raw) => {
      if (verifySentrySignature(req.get('sentry-hook-signature'), raw, options.secret))
        return { ok: true };
      count('refused_401');
      return { ok: false, message: 'Sentry-Hook-Signature does not match SENTRY_CLIENT_SECRET' };
    },
    parse: (body, req) => {
      const resource = sentryResourceOf(req.get('sentry-hook-resource'), body);
      const action = actionOf(body);
      if (sentryIgnored(resource, action))
        return { ok: true, value: { kind: 'ignored', resource, action } };

      const parsed = parseSentry(body, resource);
      if (!parsed.ok) count('refused_400');
      return parsed.ok ? { ok: true, value: { kind: 'alert', batch: parsed.batch } } : parsed;
    },
    apply: async (delivery) => {
      if (delivery.kind === 'ignored') {
        logger.debug(
          { resource: delivery.resource, action: delivery.action },
          'sentry delivery ignored',
        );
        count('ignored');
        return 'ignored';
      }
      const result = await incidents.ingest(delivery.batch);
      const outcome = result.ignored ? 'ignored' : 'accepted';
      logger.info(
        { incident: result.incidentId, created: result.created, outcome },
        'sentry alert',
      );
      count(outcome);
      options.health.clear('store');
      return { status: outcome, incident: result.incidentId, created: result.created };
    },
    health: options.health,
    logger: options.logger,
  });
}

function actionOf(body: unknown) {
  if (typeof body !== 'object' || body === null) return undefined;
  const action = (body as { action?: unknown }).action;
  return typeof action === 'string' ? action : undefined;
}
