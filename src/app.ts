import { createServer, type Server } from 'node:http';
import express from 'express';
import type { Config } from './config.ts';
import { IncidentService } from './core/incident-service.ts';
import { route, routeInput } from './core/routing.ts';
import { systemClock, type Clock, type Logger } from './core/ports.ts';
import { Health } from './health.ts';
import { alertWebhookRoute } from './http/alert-webhook-route.ts';
import { healthRoute } from './http/health-route.ts';
import { createPagerDutyAdapter } from './integrations/pagerduty/create-pagerduty-adapter.ts';
import { createTicketAdapter } from './integrations/tickets/create-ticket-adapter.ts';
import { createStatuspageAdapter } from './integrations/statuspage/create-statuspage-adapter.ts';
import { requestLog } from './http/request-log.ts';
import { Metrics } from './metrics.ts';
import type { OutboundError } from './outbound/outbound-error.ts';
import { OutboundQueue, type Job, type JobsDocument } from './outbound/outbound-queue.ts';
import { createSlackAdapter, type SlackAdapter } from './slack/create-slack-adapter.ts';
import { parseAlertmanager } from './sources/alertmanager.ts';
import { parseGeneric } from './sources/generic.ts';
import { cloudWatchWebhookRoute } from './sources/cloudwatch-webhook-route.ts';
import { parseDatadog } from './sources/datadog.ts';
import { fetchSnsText } from './sources/fetch-text.ts';
import { parseGrafana } from './sources/grafana.ts';
import { sentryWebhookRoute } from './sources/sentry-webhook-route.ts';
import { LowdbStore } from './store/lowdb-store.ts';
import { SeenDeliveries, type SeenDocument } from './store/seen-deliveries.ts';

/** Slack redelivers events for a few minutes; remember their IDs for an hour. */
const DELIVERY_MEMORY_MS = 60 * 60 * 1000;
/** SNS redelivers a message for hours; a captured one could be replayed later: a month. */
const SNS_MEMORY_MS = 30 * 24 * 60 * 60 * 1000;
/** The variable that turns each optional webhook route on. */
const TURNED_ON_BY: Record<string, string> = {
  '/webhooks/pagerduty': 'PAGERDUTY_WEBHOOK_SECRET',
  '/webhooks/jira': 'JIRA_WEBHOOK_SECRET (with the other JIRA_ settings)',
  '/webhooks/github': 'GITHUB_WEBHOOK_SECRET (with GITHUB_TOKEN and GITHUB_REPOSITORY)',
  '/webhooks/sentry': 'SENTRY_CLIENT_SECRET',
  '/webhooks/cloudwatch': 'CLOUDWATCH_TOPIC_ARNS',
};
/** On shutdown, connections still open after this are closed. */
const DRAIN_MS = 10_000;

export interface FirebreakOptions {
  logger: Logger;
  clock?: Clock;
  /** Outbound retry timing; tests shorten it. */
  outbound?: { baseBackoffMs?: number; maxAttempts?: number };
  /** Least time between two Slack posts to one channel; tests shorten it. */
  slackPostIntervalMs?: number;
  /** How often an unreachable Slack is checked again; tests shorten it. */
  slackRecheckMs?: number;
  /** How often incidents are checked for a due status-update reminder; tests shorten it. */
  reminderCheckMs?: number;
  /** Least wait after a GitHub secondary rate limit that names none; tests shorten it. */
  gitHubSecondaryWaitMs?: number;
  /** Extra wait per write GitHub holds back during one block; tests shorten it. */
  gitHubWriteStaggerMs?: number;
  /** How SNS certificates and confirmations are fetched; tests inject theirs (no outside call). */
  fetchSnsText?: (url: string) => Promise<string>;
  /** Socket Mode: where apps.connections.open goes (default SLACK_API_URL), ping timing. */
  slackSocket?: { apiUrl?: string; clientPingTimeoutMs?: number };
  /** More routes, served before the 404 answer: the sandbox console. */
  routes?: express.Router;
}

export interface Firebreak {
  http: express.Express;
  incidents: IncidentService;
  queue: OutboundQueue;
  health: Health;
  metrics: Metrics;
  /** Starts serving; resolves with the bound port. */
  listen(port: number, host: string): Promise<number>;
  /** Stops taking requests, finishes what is in flight and running, and releases the store. */
  close(): Promise<void>;
}

/** The composition root: builds the store, core, adapters and HTTP routes, wired together. */
export async function createFirebreak(
  config: Config,
  options: FirebreakOptions,
): Promise<Firebreak> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  const metrics = new Metrics();
  const health = new Health();
  const store = await LowdbStore.open(config.dataDir);
  if (config.rules.file) {
    const { file, rules, permissions } = config.rules;
    const guarded = Object.keys(permissions);
    logger.info({ file, rules: rules.length, permissions: guarded }, 'routing rules loaded');
  }

  const incidents = new IncidentService({
    store,
    clock,
    logger: logger.child({ component: 'core' }),
    reopenWindowMs: config.reopenWindowMinutes * 60_000,
    route: (batch) => route(config.rules.rules, routeInput(batch)),
  });
  await incidents.load();

  let slack: SlackAdapter | undefined;
  const queue = new OutboundQueue({
    document: await store.openDocument<JobsDocument>('jobs', { jobs: [] }),
    clock,
    logger: logger.child({ component: 'outbound' }),
    ...options.outbound,
    onGiveUp: (job, error) => gaveUp(job, error),
    onRecovered: async (job) => {
      const id = job.payload.incidentId;
      const text = `Delivered ${job.payload.what ?? job.kind} after all`;
      if (id)
        await incidents.record({
          id,
          kind: 'delivery.recovered',
          origin: 'firebreak',
          text,
          visible: shown(job),
        });
    },
  });

  /**
   * A job given up lands on the timeline; if its message shows it, people are told in Slack too.
   */
  async function gaveUp(job: Job, error: OutboundError) {
    metrics.jobsGivenUp.inc({ kind: job.kind });
    const id = job.payload.incidentId;
    const what = job.payload.what ?? `a ${error.service} call`;
    const text = `Gave up on ${what} after ${job.attempts} attempt(s): ${error.message}`;
    if (!id) return;
    await incidents.record({
      id,
      kind: 'delivery.failed',
      origin: error.service,
      text,
      visible: shown(job),
    });
    if (shown(job))
      await slack?.thread.notify(id, `${text}. Press Retry on the incident message to try again.`);
  }

  const seen = new SeenDeliveries(
    await store.openDocument<SeenDocument>('seen-deliveries', { seen: {} }),
    DELIVERY_MEMORY_MS,
  );
  metrics.gauge('firebreak_incidents', 'Incidents by state.', ['state'], (set) => {
    const counts = { triggered: 0, acknowledged: 0, resolved: 0 };
    for (const incident of incidents.list({ all: true })) counts[incident.status] += 1;
    for (const [state, n] of Object.entries(counts)) set({ state }, n);
  });
  metrics.gauge(
    'firebreak_outbound_queue_depth',
    'Outbound jobs waiting or running.',
    [],
    (set) => {
      const stats = queue.stats();
      set({}, stats.waiting + stats.running);
    },
  );
  metrics.gauge(
    'firebreak_outbound_oldest_job_age_seconds',
    'Age of the oldest outbound job.',
    [],
    (set) => {
      set({}, queue.stats().oldestAgeSeconds);
    },
  );

  const http = express();
  http.disable('x-powered-by');
  http.use(requestLog(logger.child({ component: 'http' }), metrics));
  http.use((_req, res, next) => {
    if (!health.draining) return next();
    res.setHeader('Connection', 'close');
    res
      .status(503)
      .json({ error: 'shutting_down', message: 'the bot is restarting; retry shortly' });
  });
  http.use(healthRoute({ health, queue, metrics, checkStore: () => store.check() }));
  for (const [source, parse] of [
    ['alertmanager', parseAlertmanager],
    ['generic', parseGeneric],
    ['grafana', parseGrafana],
    ['datadog', parseDatadog],
  ] as const) {
    http.use(
      alertWebhookRoute({
        source,
        parse,
        token: config.sourceTokens[source] ?? config.alertWebhookToken,
        tokenName: config.sourceTokens[source]
          ? `${source.toUpperCase()}_WEBHOOK_TOKEN`
          : 'ALERT_WEBHOOK_TOKEN',
        incidents,
        metrics,
        health,
        logger,
      }),
    );
  }
  if (config.sentryClientSecret) {
    const secret = config.sentryClientSecret;
    http.use(sentryWebhookRoute({ secret, incidents, health, logger, metrics }));
  }
  if (config.cloudWatchTopicArns.length > 0) {
    http.use(
      cloudWatchWebhookRoute({
        incidents,
        health,
        logger,
        metrics,
        fetchText: options.fetchSnsText ?? fetchSnsText,
        topicArns: config.cloudWatchTopicArns,
        seen: new SeenDeliveries(
          await store.openDocument<SeenDocument>('seen-sns', { seen: {} }),
          SNS_MEMORY_MS,
        ),
      }),
    );
  }
  const pagerduty = createPagerDutyAdapter({
    config: config.pagerduty,
    http,
    incidents,
    queue,
    health,
    metrics,
    logger,
    seenDocument: await store.openDocument<SeenDocument>('seen-pagerduty', { seen: {} }),
    mirrorNotes: config.pagerduty.mirrorNotes,
  });
  const tickets = createTicketAdapter({
    jira: config.jira,
    github: config.github,
    http,
    incidents,
    queue,
    health,
    logger,
    seenDocument: await store.openDocument<SeenDocument>('seen-tickets', { seen: {} }),
    ...(options.gitHubSecondaryWaitMs === undefined
      ? {}
      : { gitHubSecondaryWaitMs: options.gitHubSecondaryWaitMs }),
    ...(options.gitHubWriteStaggerMs === undefined
      ? {}
      : { gitHubWriteStaggerMs: options.gitHubWriteStaggerMs }),
  });
  const statuspage = config.statuspage
    ? createStatuspageAdapter({ config: config.statuspage, incidents, queue, metrics, logger })
    : undefined;
  slack = createSlackAdapter({
    config,
    http,
    incidents,
    queue,
    health,
    seen,
    metrics,
    clock,
    logger,
    postIntervalMs: options.slackPostIntervalMs ?? config.slackPostIntervalMs,
    recheckMs: options.slackRecheckMs,
    pagerduty,
    tickets,
    ...(statuspage ? { statuspage } : {}),
    reminderCheckMs: options.reminderCheckMs,
    socket: options.slackSocket,
  });
  if (options.routes) http.use(options.routes);
  http.use((req, res) => {
    // A tool's webhook that is off says what turns it on: the sender's operator reads this.
    const off = TURNED_ON_BY[req.path];
    const message = off
      ? `${req.path} is off: set ${off} to turn it on (see the README)`
      : 'no such endpoint; see the README for the routes';
    res.status(404).json({ error: 'not_found', message });
  });

  let server: Server | undefined;
  const adapter = slack;
  return {
    http,
    incidents,
    queue,
    health,
    metrics,
    async listen(port, host) {
      await adapter.reconcile();
      server = createServer(http);
      await new Promise<void>((resolve, reject) => {
        server?.once('error', reject).listen(port, host, () => resolve());
      });
      // Alerts are taken (and queued) while Slack is checked; a refused token stops start-up.
      await adapter.connection.start();
      // Socket Mode: Slack's requests come over the socket from here on, after auth.test.
      await adapter.socket?.start();
      queue.start();
      await pagerduty.start();
      await tickets.start();
      adapter.reminders.start();
      health.setReady();
      const address = server.address();
      return typeof address === 'object' && address ? address.port : port;
    },
    async close() {
      health.draining = true;
      const closed = new Promise<void>((resolve) =>
        server?.listening ? server.close(() => resolve()) : resolve(),
      );
      server?.closeIdleConnections();
      const force = setTimeout(() => server?.closeAllConnections(), DRAIN_MS);
      await closed;
      clearTimeout(force);
      await adapter.socket?.stop();
      adapter.connection.stop();
      adapter.reminders.stop();
      tickets.stop();
      await queue.stop();
      await store.close();
    },
  };
}

function shown(job: Job) {
  return job.payload.show === 'true';
}
