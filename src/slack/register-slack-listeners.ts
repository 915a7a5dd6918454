import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { actorName, type IncidentService } from '../core/incident-service.ts';
import type { Clock, Logger } from '../core/ports.ts';
import type { Actor } from '../core/types.ts';
import type { Health } from '../health.ts';
import type { OutboundQueue } from '../outbound/outbound-queue.ts';
import type { SeenDeliveries } from '../store/seen-deliveries.ts';
import type { PagerDutyAdapter } from '../integrations/pagerduty/create-pagerduty-adapter.ts';
import type { TicketAdapter } from '../integrations/tickets/create-ticket-adapter.ts';
import type { AppHome } from './app-home.ts';
import type { PermissionGuard } from './permissions.ts';
import type { RulesConfig } from '../rules/rules-file.ts';
import type { StatuspageAdapter } from '../integrations/statuspage/create-statuspage-adapter.ts';
import { registerStatuspageListeners } from './register-statuspage-listeners.ts';
import {
  ACTION_ACK,
  ACTION_CLOSE,
  ACTION_DECLARE,
  ACTION_PAGE,
  ACTION_REOPEN,
  ACTION_RESOLVE,
  ACTION_RETRY,
  ACTION_STATUS,
  ACTION_TICKET,
} from './blocks.ts';
import type { IncidentChannels } from './incident-channels.ts';
import { declareView, statusView } from './incident-modals.ts';
import { registerForms } from './register-forms.ts';
import { registerTicketListeners } from './register-ticket-listeners.ts';
import { registerSnoozeListeners } from './register-snooze-listeners.ts';
import { registerTimelineListeners } from './register-timeline-listeners.ts';
import { parseIncidentCommand } from './parse-incident-command.ts';
import {
  describeOutcome,
  openForm,
  runIncidentCommand,
  SORRY,
  type CommandContext,
  type CommandReply,
} from './run-incident-command.ts';
import type { SlackGateway } from './slack-gateway.ts';

export interface SlackListenerDeps {
  incidents: IncidentService;
  health: Health;
  gateway: SlackGateway;
  queue: OutboundQueue;
  seen: SeenDeliveries;
  channels: IncidentChannels;
  home: AppHome;
  alertsChannel: string;
  botUserId: () => string | undefined;
  clock: Clock;
  logger: Logger;
  pagerduty?: PagerDutyAdapter;
  tickets?: TicketAdapter;
  permissions?: PermissionGuard;
  rules?: RulesConfig;
  statuspage?: StatuspageAdapter;
}

/** Slack wants an answer within 3 s; past this we answer "working on it" and reply later. */
const COMMAND_DEADLINE_MS = 2_000;
export { SHORTCUT_ADD_TO_TIMELINE } from './register-timeline-listeners.ts';

type Click = BlockAction<ButtonAction>;

/**
 * Bolt listeners: each acknowledges Slack first (within its 3-second window), then hands the
 * work to the core. Slack's redeliveries (same `event_id`, or the same click) are applied once.
 */
export function registerSlackListeners(app: App, deps: SlackListenerDeps) {
  const { incidents, gateway, seen, logger, channels } = deps;
  const context = (actor: Actor, extra: Partial<CommandContext> = {}): CommandContext => ({
    incidents,
    health: deps.health,
    alertsChannel: deps.alertsChannel,
    channels,
    gateway,
    clock: deps.clock,
    botUserId: deps.botUserId(),
    ...(deps.pagerduty ? { pagerduty: deps.pagerduty } : {}),
    ...(deps.tickets ? { tickets: deps.tickets } : {}),
    ...(deps.permissions ? { permissions: deps.permissions } : {}),
    ...(deps.rules ? { rules: deps.rules } : {}),
    ...(deps.statuspage ? { statuspage: deps.statuspage } : {}),
    actor,
    ...extra,
  });
  const tell = (channel: string | undefined, user: string, text: string) =>
    channel && text
      ? gateway.postEphemeral(channel, user, text).catch((error: unknown) => {
          logger.warn({ err: error }, 'could not send an ephemeral reply');
        })
      : Promise.resolve();

  app.use(async ({ body, next }) => {
    // Every message in the bot's channels arrives as an event; only edits and deletions (of
    // messages added to a timeline) matter, so the rest stop here, before any write.
    if (isChatter(body)) return;
    const eventId = (body as { event_id?: unknown }).event_id;
    if (typeof eventId === 'string' && !(await seen.firstTime(`slack-event:${eventId}`))) {
      logger.info({ eventId }, 'duplicate slack event ignored');
      return;
    }
    await next();
  });

  // Any slash command of this app is `/incident`, so a command renamed in the manifest still works.
  app.command(/^\/.+/, async ({ command, ack }) => {
    const actor: Actor = { kind: 'user', id: command.user_id, name: command.user_name };
    const ctx = context(actor, { channel: command.channel_id, triggerId: command.trigger_id });
    const work = runIncidentCommand(parseIncidentCommand(command.text), ctx).catch(
      (error: unknown) => {
        logger.error({ err: error, user: command.user_id }, 'incident command failed');
        return { text: SORRY, public: false } satisfies CommandReply;
      },
    );

    const reply = await withDeadline(work, COMMAND_DEADLINE_MS);
    if (reply) {
      if (!reply.text) return ack();
      await ack({ response_type: reply.public ? 'in_channel' : 'ephemeral', text: reply.text });
      return;
    }
    await ack({ response_type: 'ephemeral', text: 'Working on it…' });
    const late = await work;
    await tell(command.channel_id, command.user_id, late.text);
  });

  app.action<Click>(ACTION_ACK, async ({ ack, body, action }) => {
    await ack();
    if (!(await firstClick(body, action))) return;
    const actor = clicker(body);
    const id = action.value ?? '';
    try {
      const result = await incidents.acknowledge(id, actor, 'slack');
      if (result.outcome !== 'done')
        await tell(where(body), actor.id, describeOutcome(result, id, 'acknowledged', actor).text);
    } catch (error) {
      logger.error({ err: error, incident: id, action: ACTION_ACK }, 'incident button failed');
    }
  });

  // Resolve: a declared incident asks for the resolution in a form; an alert's resolves at once.
  app.action<Click>(ACTION_RESOLVE, async ({ ack, body, action }) => {
    await ack();
    if (!(await firstClick(body, action))) return;
    const actor = clicker(body);
    const id = action.value ?? '';
    const ctx = context(actor, { channel: where(body), triggerId: body.trigger_id });
    const reply = await runIncidentCommand({ name: 'resolve', id }, ctx).catch((error: unknown) => {
      logger.error({ err: error, incident: id }, 'resolve button failed');
      return { text: SORRY, public: false };
    });
    if (!reply.public) await tell(where(body), actor.id, reply.text);
  });

  for (const [actionId, name] of [
    [ACTION_REOPEN, 'reopen'],
    [ACTION_STATUS, 'status-form'],
    [ACTION_CLOSE, 'close'],
    [ACTION_DECLARE, 'declare-form'],
    [ACTION_PAGE, 'page'],
    [ACTION_TICKET, 'ticket'],
  ] as const) {
    app.action<Click>(actionId, async ({ ack, body, action }) => {
      await ack();
      if (!(await firstClick(body, action))) return;
      const actor = clicker(body);
      const id = action.value ?? '';
      const ctx = context(actor, { channel: where(body), triggerId: body.trigger_id });
      try {
        const reply = await clickCommand(name, id, ctx);
        await tell(where(body), actor.id, reply.text);
      } catch (error) {
        logger.error({ err: error, incident: id, action: actionId }, 'incident button failed');
        await tell(where(body), actor.id, SORRY);
      }
    });
  }

  app.action<Click>(ACTION_RETRY, async ({ ack, body, action }) => {
    await ack();
    const actor = clicker(body);
    const job = await deps.queue.retry(action.value ?? '');
    if (!job) {
      await tell(
        where(body),
        actor.id,
        'That work is no longer waiting for a retry (it was retried already, or done).',
      );
      return;
    }
    const id = job.payload.incidentId;
    const text = `Retry of ${job.payload.what ?? job.kind} requested by ${actorName(actor)}`;
    if (id)
      await incidents.record({
        id,
        kind: 'delivery.retried',
        origin: 'slack',
        text,
        actor,
        visible: true,
      });
  });

  registerForms(app, { ...deps, tell });

  registerTimelineListeners(app, { ...deps, tell });

  registerTicketListeners(app, { ...deps, tell });

  registerSnoozeListeners(app, { ...deps, tell, context });

  registerStatuspageListeners(app, { ...deps, tell });

  app.event('app_home_opened', async ({ event }) => {
    if (event.tab && event.tab !== 'home') return;
    await deps.home.publish(event.user).catch((error: unknown) => {
      logger.warn({ err: error }, 'could not publish the home tab');
    });
  });

  app.event('app_mention', async ({ event }) => {
    // Another bot or an app echoing text is nobody: only people give commands.
    if (!event.user || 'bot_id' in event) {
      logger.info({ channel: event.channel }, 'mention without a person ignored');
      return;
    }
    const text = event.text.replace(/^\s*<@[A-Z0-9]+>/, '').trim();
    const actor: Actor = { kind: 'user', id: event.user };
    try {
      const reply = await runIncidentCommand(
        parseIncidentCommand(text),
        context(actor, { channel: event.channel }),
      );
      await gateway.postMessage(
        event.channel,
        { text: reply.text },
        { threadTs: event.thread_ts ?? event.ts },
      );
    } catch (error) {
      logger.error({ err: error, channel: event.channel }, 'mention command failed');
    }
  });

  /** A click counts once: Slack's redelivery of the same click (same user, same action_ts). */
  function firstClick(body: Click, action: ButtonAction) {
    return seen.firstTime(`slack-action:${body.user.id}:${action.action_ts}`);
  }

  async function clickCommand(
    name: 'reopen' | 'status-form' | 'close' | 'declare-form' | 'page' | 'ticket',
    id: string,
    ctx: CommandContext,
  ): Promise<CommandReply> {
    const incident = incidents.get(id);
    if (!incident) return { text: `There is no incident *${id}*.`, public: false };
    if (name === 'reopen') {
      const reply = await runIncidentCommand({ name: 'reopen', id }, ctx);
      return reply;
    }
    if (name === 'close') return runIncidentCommand({ name: 'close', id }, ctx);
    if (name === 'page') return runIncidentCommand({ name: 'page', id }, ctx);
    if (name === 'ticket') return runIncidentCommand({ name: 'ticket', id }, ctx);
    const form = { incidentId: id, ...(ctx.channel ? { channel: ctx.channel } : {}) };
    if (name === 'status-form') {
      if (incident.status === 'resolved')
        return { text: `*${id}* is resolved; reopen it to post updates.`, public: false };
      return openForm(ctx, statusView(incident, form));
    }
    if (incident.declaredAt) {
      const channel = channels.channelOf(incident);
      const there = channel ? ` and is worked in <#${channel}>` : '';
      return { text: `*${id}* is already declared${there}.`, public: false };
    }
    return openForm(ctx, declareView({ declarer: ctx.actor.id, incident, context: form }));
  }
}

function clicker(body: Click): Actor {
  return { kind: 'user', id: body.user.id, name: body.user.username ?? body.user.name };
}

function where(body: Click) {
  return body.channel?.id ?? body.container.channel_id;
}

function isChatter(body: unknown) {
  const event = (body as { event?: { type?: string; subtype?: string } }).event;
  if (event?.type !== 'message') return false;
  return event.subtype !== 'message_changed' && event.subtype !== 'message_deleted';
}

async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
