import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { actorName, type IncidentService } from '../core/incident-service.ts';
import type { Logger } from '../core/ports.ts';
import type { Actor } from '../core/types.ts';
import type { Health } from '../health.ts';
import type { OutboundQueue } from '../outbound/outbound-queue.ts';
import type { SeenDeliveries } from '../store/seen-deliveries.ts';
import { parseIncidentCommand } from './parse-incident-command.ts';
import { ACTION_ACK, ACTION_RESOLVE, ACTION_RETRY } from './render-incident-message.ts';
import { describeOutcome, runIncidentCommand, type CommandReply } from './run-incident-command.ts';
import type { SlackGateway } from './slack-gateway.ts';

export interface SlackListenerDeps {
  incidents: IncidentService;
  health: Health;
  gateway: SlackGateway;
  queue: OutboundQueue;
  seen: SeenDeliveries;
  alertsChannel: string;
  logger: Logger;
}

/** Slack wants an answer within 3 s; past this we answer "working on it" and reply later. */
const COMMAND_DEADLINE_MS = 2_000;
const SORRY =
  'Something went wrong on my side; the details are in the bot’s log. Please try again.';

/**
 * Bolt listeners: each acknowledges Slack first (within its 3-second window), then hands the
 * work to the core. Slack's redeliveries (same `event_id`, or the same click) are applied once.
 */
export function registerSlackListeners(app: App, deps: SlackListenerDeps) {
  const { incidents, gateway, seen, logger } = deps;
  const context = (actor: Actor) => ({
    incidents,
    health: deps.health,
    alertsChannel: deps.alertsChannel,
    actor,
  });

  app.use(async ({ body, next }) => {
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
    const work = runIncidentCommand(parseIncidentCommand(command.text), context(actor)).catch(
      (error: unknown) => {
        logger.error({ err: error, user: command.user_id }, 'incident command failed');
        return { text: SORRY, public: false } satisfies CommandReply;
      },
    );

    const reply = await withDeadline(work, COMMAND_DEADLINE_MS);
    if (reply) {
      await ack({ response_type: reply.public ? 'in_channel' : 'ephemeral', text: reply.text });
      return;
    }
    await ack({ response_type: 'ephemeral', text: 'Working on it…' });
    const late = await work;
    await gateway
      .postEphemeral(command.channel_id, command.user_id, late.text)
      .catch((error: unknown) => {
        logger.warn({ err: error }, 'could not send a late command reply');
      });
  });

  for (const [actionId, verb] of [
    [ACTION_ACK, 'acknowledged'],
    [ACTION_RESOLVE, 'resolved'],
  ] as const) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action }) => {
      await ack();
      if (!(await seen.firstTime(`slack-action:${body.user.id}:${action.action_ts}`))) return;

      const actor: Actor = {
        kind: 'user',
        id: body.user.id,
        name: body.user.username ?? body.user.name,
      };
      const id = action.value ?? '';
      try {
        const result =
          verb === 'acknowledged'
            ? await incidents.acknowledge(id, actor, 'slack')
            : await incidents.resolve(id, actor, 'slack');
        if (result.outcome === 'done') return;
        const channel = body.channel?.id ?? body.container.channel_id;
        if (channel)
          await gateway.postEphemeral(
            channel,
            actor.id,
            describeOutcome(result, id, verb, actor).text,
          );
      } catch (error) {
        logger.error({ err: error, incident: id, action: actionId }, 'incident button failed');
      }
    });
  }

  app.action<BlockAction<ButtonAction>>(ACTION_RETRY, async ({ ack, body, action }) => {
    await ack();
    const actor: Actor = {
      kind: 'user',
      id: body.user.id,
      name: body.user.username ?? body.user.name,
    };
    const job = await deps.queue.retry(action.value ?? '');
    const channel = body.channel?.id ?? body.container.channel_id;
    if (!job) {
      if (channel)
        await gateway
          .postEphemeral(
            channel,
            actor.id,
            'That work is no longer waiting for a retry (it was retried already, or done).',
          )
          .catch(() => undefined);
      return;
    }
    const id = job.payload.incidentId;
    const text = `Retry of ${job.payload.what ?? job.kind} requested by ${actorName(actor)}`;
    if (id)
      await incidents.recordDelivery({
        id,
        kind: 'delivery.retried',
        origin: 'slack',
        text,
        actor,
        visible: true,
      });
  });

  app.event('app_mention', async ({ event }) => {
    const text = event.text.replace(/^\s*<@[A-Z0-9]+>/, '').trim();
    const actor: Actor = { kind: 'user', id: event.user ?? 'unknown' };
    try {
      const reply = await runIncidentCommand(parseIncidentCommand(text), context(actor));
      await gateway.postMessage(
        event.channel,
        { text: reply.text },
        { threadTs: event.thread_ts ?? event.ts },
      );
    } catch (error) {
      logger.error({ err: error, channel: event.channel }, 'mention command failed');
    }
  });
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
