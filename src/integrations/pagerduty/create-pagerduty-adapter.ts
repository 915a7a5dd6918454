import type { Express } from 'express';
import type { PagerDutyConfig } from '../../config.ts';
import type { IncidentService } from '../../core/incident-service.ts';
import type { Logger, StoredDocument } from '../../core/ports.ts';
import type { Health } from '../../health.ts';
import type { Metrics } from '../../metrics.ts';
import type { OutboundQueue } from '../../outbound/outbound-queue.ts';
import { SeenDeliveries, type SeenDocument } from '../../store/seen-deliveries.ts';
import { PagerDutyClient, type PagerDutyService } from './pagerduty-client.ts';
import { PagerDutyEvents } from './pagerduty-events.ts';
import { PagerDutyInbound } from './pagerduty-inbound.ts';
import { PagerDutyOutbound } from './pagerduty-outbound.ts';
import { pagerDutyWebhookRoute } from './pagerduty-webhook-route.ts';

/** PagerDuty retries a webhook for up to 48 hours. */
const EVENT_MEMORY_MS = 48 * 60 * 60 * 1000;
/** Services change rarely; the paging form lists them from a copy this old at most. */
const SERVICES_TTL_MS = 5 * 60 * 1000;

export interface PagerDutyAdapterOptions {
  config: PagerDutyConfig;
  http: Express;
  incidents: IncidentService;
  queue: OutboundQueue;
  health: Health;
  metrics: Metrics;
  logger: Logger;
  seenDocument: StoredDocument<SeenDocument>;
  mirrorNotes: boolean;
}

/**
 * PagerDuty, both halves: with PAGERDUTY_TOKEN the client and the outbound side (paging,
 * acknowledging, resolving); with PAGERDUTY_WEBHOOK_SECRET the webhook route and the inbound
 * side. Either may be off.
 */
export function createPagerDutyAdapter(options: PagerDutyAdapterOptions) {
  const { config, incidents } = options;
  const logger = options.logger.child({ component: 'pagerduty' });
  const identity: { botUserId?: string } = {};

  const client =
    config.token && config.fromEmail
      ? new PagerDutyClient({
          token: config.token,
          fromEmail: config.fromEmail,
          apiUrl: config.apiUrl,
          logger,
          metrics: options.metrics,
        })
      : undefined;
  // Without a REST key, a routing key pages through the Events API (one integration's service).
  const events =
    !client && config.routingKey
      ? new PagerDutyEvents({ routingKey: config.routingKey, eventsUrl: config.eventsUrl, logger })
      : undefined;
  const outbound =
    client || events
      ? new PagerDutyOutbound({
          incidents,
          queue: options.queue,
          ...(client ? { client } : {}),
          ...(events ? { events } : {}),
          logger,
          mirrorNotes: options.mirrorNotes,
        })
      : undefined;

  if (config.webhookSecrets.length > 0) {
    const inbound = new PagerDutyInbound({
      incidents,
      seen: new SeenDeliveries(options.seenDocument, EVENT_MEMORY_MS),
      logger,
      botUserId: () => identity.botUserId,
      inboundServices: new Set(config.inboundServices),
    });
    options.http.use(
      pagerDutyWebhookRoute({
        secrets: config.webhookSecrets,
        inbound,
        health: options.health,
        logger: options.logger,
      }),
    );
  }

  let services: { at: number; list: PagerDutyService[] } | undefined;
  return {
    client,
    events,
    outbound,
    /** Learns which PagerDuty user the bot is, so its own changes coming back are echoes. */
    async start() {
      if (!client || !config.fromEmail) return;
      try {
        identity.botUserId = await client.userIdByEmail(config.fromEmail);
        if (!identity.botUserId)
          logger.warn({}, 'PAGERDUTY_FROM_EMAIL is no PagerDuty user; writes will be refused');
      } catch (error) {
        logger.warn({ err: error }, 'could not look up the PagerDuty user; echoes count as people');
      }
    },
    /** Emails of who is on call now for the service an incident was paged to (its policy). */
    async onCallEmails(serviceId: string) {
      if (!client) return [];
      const service = (await this.services()).find((s) => s.id === serviceId);
      if (!service?.escalationPolicyId) return [];
      const oncalls = await client.onCalls({ escalationPolicyIds: [service.escalationPolicyId] });
      return [...new Set(oncalls.flatMap((o) => (o.email ? [o.email] : [])))];
    },
    /** The services to page, from a copy at most five minutes old. */
    async services() {
      if (!client) return [];
      if (services && Date.now() - services.at < SERVICES_TTL_MS) return services.list;
      services = { at: Date.now(), list: await client.listServices() };
      return services.list;
    },
  };
}

export type PagerDutyAdapter = ReturnType<typeof createPagerDutyAdapter>;
