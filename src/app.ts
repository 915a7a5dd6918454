import { createServer, type Server } from 'node:http';
import { App, ExpressReceiver } from '@slack/bolt';
import express from 'express';
import type { Config } from './config.ts';
import { IncidentService } from './core/incident-service.ts';
import { systemClock, type Clock, type Logger } from './core/ports.ts';
import { Health } from './health.ts';
import { alertWebhookRoute } from './http/alert-webhook-route.ts';
import { healthRoute } from './http/health-route.ts';
import { OutboundQueue, type JobsDocument } from './outbound/outbound-queue.ts';
import { boltLogger } from './slack/bolt-logger.ts';
import { IncidentMessagePublisher } from './slack/incident-message-publisher.ts';
import { registerSlackListeners } from './slack/register-slack-listeners.ts';
import { SlackConnection } from './slack/slack-connection.ts';
import { SlackGateway } from './slack/slack-gateway.ts';
import { parseAlertmanager } from './sources/alertmanager.ts';
import { parseGeneric } from './sources/generic.ts';
import { LowdbStore } from './store/lowdb-store.ts';
import { SeenDeliveries, type SeenDocument } from './store/seen-deliveries.ts';

/** Slack redelivers events for a few minutes; remember their IDs for an hour. */
const DELIVERY_MEMORY_MS = 60 * 60 * 1000;

export interface FirebreakOptions {
  logger: Logger;
  clock?: Clock;
  /** Outbound retry timing; tests shorten it. */
  outbound?: { baseBackoffMs?: number; maxAttempts?: number };
  /** Least time between two Slack posts to one channel; tests shorten it. */
  slackPostIntervalMs?: number;
}

export interface Firebreak {
  http: express.Express;
  incidents: IncidentService;
  queue: OutboundQueue;
  health: Health;
  /** Starts serving; resolves with the bound port. */
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

/** The composition root: builds the store, core, adapters and HTTP routes, wired together. */
export async function createFirebreak(
  config: Config,
  options: FirebreakOptions,
): Promise<Firebreak> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  const store = await LowdbStore.open(config.dataDir);
  const health = new Health();

  const incidents = new IncidentService({
    store,
    clock,
    logger: logger.child({ component: 'core' }),
    reopenWindowMs: config.reopenWindowMinutes * 60_000,
  });
  await incidents.load();

  const queue = new OutboundQueue({
    document: await store.openDocument<JobsDocument>('jobs', { jobs: [] }),
    clock,
    logger: logger.child({ component: 'outbound' }),
    ...options.outbound,
    onGiveUp: async (job, error) => {
      const id = job.payload.incidentId;
      const what = job.payload.what ?? `a ${error.service} call`;
      const text = `Gave up on ${what} after ${job.attempts} attempt(s): ${error.message}`;
      if (id) await incidents.recordFailure(id, error.service, text);
    },
  });
  const gateway = new SlackGateway({
    token: config.slack.botToken,
    apiUrl: config.slack.apiUrl,
    logger: logger.child({ component: 'slack' }),
    postIntervalMs: options.slackPostIntervalMs,
  });
  const publisher = new IncidentMessagePublisher({
    incidents,
    queue,
    gateway,
    alertsChannel: config.alertsChannel,
    health,
    clock,
    logger: logger.child({ component: 'slack' }),
  });
  const seen = new SeenDeliveries(
    await store.openDocument<SeenDocument>('seen-deliveries', { seen: {} }),
    DELIVERY_MEMORY_MS,
  );

  const http = express();
  http.disable('x-powered-by');
  http.use(healthRoute(health, queue));
  for (const [source, parse] of [
    ['alertmanager', parseAlertmanager],
    ['generic', parseGeneric],
  ] as const) {
    http.use(
      alertWebhookRoute({ source, parse, token: config.alertWebhookToken, incidents, logger }),
    );
  }

  const receiver = new ExpressReceiver({
    signingSecret: config.slack.signingSecret,
    endpoints: '/slack/events',
    app: http,
    logger: boltLogger(logger),
  });
  const connection = new SlackConnection(
    gateway,
    health,
    logger.child({ component: 'slack' }),
    () => publisher.reconcile(),
  );
  const slackApp = new App({
    receiver,
    logger: boltLogger(logger),
    // Our own auth.test runs at start-up (SlackConnection); Bolt must not crash on its own.
    authorize: async () => ({ botToken: config.slack.botToken, ...connection.identity }),
    clientOptions: { slackApiUrl: config.slack.apiUrl, retryConfig: { retries: 2 } },
  });
  registerSlackListeners(slackApp, {
    incidents,
    health,
    gateway,
    seen,
    alertsChannel: config.alertsChannel,
    logger: logger.child({ component: 'slack' }),
  });
  http.use((_req, res) => {
    res
      .status(404)
      .json({ error: 'not_found', message: 'no such endpoint; see the README for the routes' });
  });

  let server: Server | undefined;
  return {
    http,
    incidents,
    queue,
    health,
    async listen(port, host) {
      await connection.start();
      await publisher.reconcile();
      server = createServer(http);
      await new Promise<void>((resolve, reject) => {
        server?.once('error', reject).listen(port, host, () => resolve());
      });
      queue.start();
      health.setReady();
      const address = server.address();
      return typeof address === 'object' && address ? address.port : port;
    },
    async close() {
      const closed = new Promise<void>((resolve) =>
        server?.listening ? server.close(() => resolve()) : resolve(),
      );
      server?.closeIdleConnections();
      await closed;
      connection.stop();
      await queue.stop();
      await store.close();
    },
  };
}
