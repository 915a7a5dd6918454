import { App, ExpressReceiver } from '@slack/bolt';
import type { Express } from 'express';
import type { Config } from '../config.ts';
import type { IncidentService } from '../core/incident-service.ts';
import type { Clock, Logger } from '../core/ports.ts';
import type { Health } from '../health.ts';
import type { Metrics } from '../metrics.ts';
import type { OutboundQueue } from '../outbound/outbound-queue.ts';
import type { SeenDeliveries } from '../store/seen-deliveries.ts';
import { boltLogger } from './bolt-logger.ts';
import type { PagerDutyAdapter } from '../integrations/pagerduty/create-pagerduty-adapter.ts';
import type { TicketAdapter } from '../integrations/tickets/create-ticket-adapter.ts';
import type { StatuspageAdapter } from '../integrations/statuspage/create-statuspage-adapter.ts';
import { AppHome } from './app-home.ts';
import { Automations } from './automations.ts';
import { IncidentChannels } from './incident-channels.ts';
import { IncidentMessagePublisher } from './incident-message-publisher.ts';
import { IncidentThread } from './incident-thread.ts';
import { registerSlackListeners } from './register-slack-listeners.ts';
import { SlackConnection } from './slack-connection.ts';
import { SlackGateway } from './slack-gateway.ts';
import { PermissionGuard } from './permissions.ts';
import { ThrottleNotice } from './throttle-notice.ts';
import { LinkBookmarks } from './link-bookmarks.ts';
import { UpdateReminders } from './update-reminders.ts';
import { SlackSocket } from './slack-socket.ts';
import { endSnoozes } from '../core/end-snoozes.ts';

export interface SlackAdapterOptions {
  config: Config;
  http: Express;
  incidents: IncidentService;
  queue: OutboundQueue;
  health: Health;
  seen: SeenDeliveries;
  metrics: Metrics;
  clock: Clock;
  logger: Logger;
  postIntervalMs?: number;
  /** How often to check whether an unreachable Slack answers again; default 30 s. */
  recheckMs?: number;
  /** How often to look for incidents due a status-update reminder; default 1 min. */
  reminderCheckMs?: number;
  /** Socket Mode (SLACK_APP_TOKEN): where apps.connections.open goes, and ping timing. */
  socket?: { apiUrl?: string; clientPingTimeoutMs?: number };
  pagerduty?: PagerDutyAdapter;
  tickets?: TicketAdapter;
  statuspage?: StatuspageAdapter;
}

/**
 * Slack, both halves: the Web API gateway and the message publisher (out), Bolt's receiver
 * on `POST /slack/events` (or a Socket Mode connection with SLACK_APP_TOKEN) and its listeners
 * (in), and the start-up token check.
 */
export function createSlackAdapter(options: SlackAdapterOptions) {
  const { config, incidents, queue, health, clock, metrics } = options;
  const logger = options.logger.child({ component: 'slack' });

  let throttle: ThrottleNotice | undefined;
  let connection: SlackConnection | undefined;
  const gateway = new SlackGateway({
    token: config.slack.botToken,
    apiUrl: config.slack.apiUrl,
    logger,
    postIntervalMs: options.postIntervalMs,
    metrics,
    onRateLimited: (method, waitMs) => throttle?.rateLimited(method, waitMs),
    onUnreachable: (error) => connection?.unreachable(error),
  });
  const thread = new IncidentThread({
    incidents,
    queue,
    gateway,
    alertsChannel: config.alertsChannel,
  });
  const desk = options.tickets?.desk;
  const features = {
    canPage: Boolean(options.pagerduty?.outbound),
    canTicket: Boolean(desk && desk.systems.length > 0),
    ...(desk ? { pendingTickets: (id: string) => desk.pending(id) } : {}),
    canStatuspage: Boolean(options.statuspage),
  };
  let channels: IncidentChannels | undefined;
  let automations: Automations | undefined;
  const publisher = new IncidentMessagePublisher({
    incidents,
    queue,
    gateway,
    alertsChannel: config.alertsChannel,
    health,
    thread,
    clock,
    logger,
    onPosted: (id) => channels?.alertMessagePosted(id),
    features,
  });
  throttle = new ThrottleNotice((text) => thread.notify(undefined, text));
  const botUserId = () => connection?.identity.botUserId;
  channels = new IncidentChannels({
    incidents,
    queue,
    gateway,
    alertsChannel: config.alertsChannel,
    logger,
    botUserId,
    features,
    moreInvitees: async (incident) => {
      const fromRule = (await automations?.invitees(incident)) ?? [];
      const serviceId = incident.refs.pagerduty?.serviceId;
      if (!serviceId || !options.pagerduty) return fromRule;
      const emails = await options.pagerduty.onCallEmails(serviceId);
      const ids = await Promise.all(emails.map((email) => gateway.userIdByEmail(email)));
      return [...fromRule, ...ids.filter((id): id is string => id !== undefined)];
    },
  });
  options.pagerduty?.outbound?.onPaged((id) => channels?.inviteMore(id));
  automations = new Automations({
    incidents,
    queue,
    channels,
    thread,
    gateway,
    logger,
    ...(options.pagerduty ? { pagerduty: options.pagerduty } : {}),
    ...(options.tickets ? { tickets: options.tickets } : {}),
  });
  desk?.onProblem((id, text) => void thread.notify(id, text));
  new LinkBookmarks({ incidents, queue, gateway, channels, logger });
  const reconcile = async () => {
    await publisher.reconcile();
    await channels.reconcile();
  };
  connection = new SlackConnection(gateway, health, logger, reconcile, options.recheckMs);
  const home = new AppHome(incidents, channels, gateway, clock);
  const reminders = new UpdateReminders({
    incidents,
    channels,
    clock,
    logger,
    minutes: config.reminderMinutes,
    checkMs: options.reminderCheckMs,
    onCheck: (now) => endSnoozes(incidents, now, logger),
  });

  const { appToken, signingSecret } = config.slack;
  const socket = appToken
    ? new SlackSocket({
        appToken,
        apiUrl: options.socket?.apiUrl ?? config.slack.apiUrl,
        health,
        logger,
        clientPingTimeoutMs: options.socket?.clientPingTimeoutMs,
      })
    : undefined;
  // loadConfig requires SLACK_SIGNING_SECRET unless SLACK_APP_TOKEN is set.
  if (!socket && !signingSecret) throw new Error('SLACK_SIGNING_SECRET is required');
  const receiver =
    socket?.receiver ??
    new ExpressReceiver({
      signingSecret: signingSecret ?? '',
      endpoints: '/slack/events',
      app: options.http,
      logger: boltLogger(options.logger),
    });
  const app = new App({
    receiver,
    logger: boltLogger(options.logger),
    // Our own auth.test runs at start-up (SlackConnection); Bolt must not crash on its own.
    authorize: async () => ({ botToken: config.slack.botToken, ...connection?.identity }),
    clientOptions: { slackApiUrl: config.slack.apiUrl, retryConfig: { retries: 2 } },
  });
  registerSlackListeners(app, {
    incidents,
    health,
    gateway,
    queue,
    seen: options.seen,
    channels,
    home,
    alertsChannel: config.alertsChannel,
    botUserId,
    clock,
    logger,
    ...(options.pagerduty ? { pagerduty: options.pagerduty } : {}),
    ...(options.tickets ? { tickets: options.tickets } : {}),
    ...(options.statuspage ? { statuspage: options.statuspage } : {}),
    permissions: new PermissionGuard(config.rules.permissions, gateway, logger),
    rules: config.rules,
  });

  return { gateway, publisher, thread, connection, channels, reminders, reconcile, socket };
}

export type SlackAdapter = ReturnType<typeof createSlackAdapter>;
