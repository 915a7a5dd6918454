import type { StatuspageConfig } from '../../config.ts';
import type { IncidentService } from '../../core/incident-service.ts';
import type { Logger } from '../../core/ports.ts';
import type { Metrics } from '../../metrics.ts';
import type { OutboundQueue } from '../../outbound/outbound-queue.ts';
import { StatuspageClient, type StatuspageComponent } from './statuspage-client.ts';
import { StatuspageDesk } from './statuspage-desk.ts';

/** Components change rarely; the form lists them from a copy this old at most. */
const COMPONENTS_TTL_MS = 60 * 1000;

export interface StatuspageAdapterOptions {
  config: StatuspageConfig;
  incidents: IncidentService;
  queue: OutboundQueue;
  metrics?: Metrics;
  logger: Logger;
}

/**
 * Atlassian Statuspage, outbound only: the client and the desk that opens, updates and mirrors
 * the incident's Statuspage incident (STATUSPAGE_API_KEY and STATUSPAGE_PAGE_ID).
 */
export function createStatuspageAdapter(options: StatuspageAdapterOptions) {
  const { config } = options;
  const logger = options.logger.child({ component: 'statuspage' });
  const client = new StatuspageClient({
    apiUrl: config.apiUrl,
    apiKey: config.apiKey,
    pageId: config.pageId,
    logger,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  const desk = new StatuspageDesk({
    incidents: options.incidents,
    queue: options.queue,
    client,
    logger,
    mirrorStatus: config.mirrorStatus,
  });

  let components: { at: number; list: StatuspageComponent[] } | undefined;
  return {
    client,
    desk,
    /** The page's components, from a copy at most a minute old. */
    async components() {
      if (components && Date.now() - components.at < COMPONENTS_TTL_MS) return components.list;
      components = { at: Date.now(), list: await client.components() };
      return components.list;
    },
  };
}

export type StatuspageAdapter = ReturnType<typeof createStatuspageAdapter>;
