import type { IncidentChange, IncidentService } from '../core/incident-service.ts';
import type { Clock, Logger } from '../core/ports.ts';
import { isSnoozed } from '../core/snooze.ts';
import type { Incident } from '../core/types.ts';
import type { Health } from '../health.ts';
import { OutboundError } from '../outbound/outbound-error.ts';
import type { Job, OutboundQueue } from '../outbound/outbound-queue.ts';
import type { IncidentThread } from './incident-thread.ts';
import {
  type DeliveryView,
  renderIncidentMessage,
  renderMinimalMessage,
  type IncidentMessage,
  type MessageFeatures,
} from './render-incident-message.ts';
import type { MessageContent, SlackGateway } from './slack-gateway.ts';

export const MESSAGE_JOB = 'slack.incident-message';
/** Priority of a routine update (only repeats changed); lower numbers are state changes. */
const ROUTINE_PRIORITY = 5;
/** Least time between two routine updates of one message. */
const ROUTINE_UPDATE_MS = 5_000;
/** Slack's answers that mean the blocks, not the request, were refused. */
const REFUSED_BLOCKS = new Set([
  'invalid_blocks',
  'invalid_blocks_format',
  'msg_blocks_too_long',
  'msg_too_long',
]);
/** Answers that mean the bot cannot post in the channel until a person fixes something. */
const CHANNEL_PROBLEMS = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'restricted_action',
  'missing_scope',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
]);

export interface IncidentMessagePublisherOptions {
  incidents: IncidentService;
  queue: OutboundQueue;
  gateway: SlackGateway;
  alertsChannel: string;
  health: Health;
  thread: IncidentThread;
  clock: Clock;
  logger: Logger;
  /** Told when an incident's message was first posted (its channel links to it then). */
  onPosted?: (incidentId: string) => void;
  features?: MessageFeatures;
}

/**
 * Keeps exactly one Slack message per incident in the alerts channel, current with the
 * incident: posted once, then updated in place. Work goes through the outbound queue, so
 * updates coalesce (only the latest state is sent) and survive restarts.
 */
export class IncidentMessagePublisher {
  readonly #o: IncidentMessagePublisherOptions;
  /** When each incident's message was last updated (this process only). */
  readonly #lastUpdate = new Map<string, number>();

  constructor(options: IncidentMessagePublisherOptions) {
    this.#o = options;
    options.queue.register(MESSAGE_JOB, (job) => this.#publish(job));
    options.incidents.onChange((change) => this.#changed(change));
  }

  /** After a restart: queue every incident whose message is missing or behind. */
  async reconcile() {
    const stale = this.#o.incidents
      .list({ all: true })
      .filter((i) => i.refs.slack?.version !== String(i.version));
    for (const incident of stale) await this.#enqueue(incident, 3);
    if (stale.length > 0)
      this.#o.logger.info({ incidents: stale.length }, 'slack messages queued after restart');
  }

  #changed(change: IncidentChange) {
    if (!change.viewChanged) return;
    const routine =
      change.entries.length > 0 && change.entries.every((e) => e.kind === 'alert.repeated');
    const priority = change.created ? 1 : routine ? ROUTINE_PRIORITY : 2;
    // Snoozed: repeats are recorded, not shown; the snooze's end brings the message up to date.
    if (routine && isSnoozed(change.incident, this.#o.clock.now().getTime())) return;
    this.#enqueue(change.incident, priority).catch((error: unknown) => {
      this.#o.logger.error(
        { err: error, incident: change.incident.id },
        'could not queue slack message',
      );
    });
  }

  #enqueue(incident: Incident, priority: number) {
    return this.#o.queue.enqueue({
      kind: MESSAGE_JOB,
      key: `slack-message:${incident.id}`,
      payload: { incidentId: incident.id, what: 'the incident message' },
      priority,
    });
  }

  async #publish(job: Job) {
    const { incidents, gateway, alertsChannel, clock } = this.#o;
    const incident = incidents.get(job.payload.incidentId ?? '');
    if (!incident) return;

    const ref = incident.refs.slack ?? {};
    const version = String(incident.version);
    if (ref.ts && ref.version === version) return;

    const message = renderIncidentMessage(
      incident,
      this.#deliveries(incident.id),
      this.#o.features,
    );
    const channel = ref.channel ?? alertsChannel;
    // A crash between posting and storing the ts would post twice: look for our message first.
    let ts: string | undefined = ref.ts;
    if (!ts && ref.postStartedAt) {
      ts = await gateway.findIncidentMessage(channel, incident.id, ref.postStartedAt);
    }
    if (ts) this.#holdRoutineUpdate(incident.id, job.priority);
    if (ts && !(await this.#update(incident, channel, ts, message))) ts = undefined;

    if (ts) {
      await incidents.setRef(incident.id, 'slack', { ...ref, channel, ts, version });
    } else {
      const wait = gateway.postDelay(channel);
      if (wait > 0) {
        const why = 'chat.postMessage: paced';
        throw new OutboundError({
          service: 'slack',
          message: why,
          code: 'paced',
          retryAfterMs: wait,
        });
      }
      const postStartedAt = clock.now().toISOString();
      await incidents.setRef(incident.id, 'slack', { channel, postStartedAt });
      const post = (c: MessageContent) => this.#post(channel, incident, c);
      ts = await this.#send(incident, channel, message, post).catch(async (error: unknown) => {
        if (channel !== alertsChannel && isChannelProblem(error))
          return this.#fallBack(incident, channel, error);
        // Slack answered (an error, a 429) or we never asked (paced): nothing was posted, so
        // the retry need not look for a message. Only a lost answer keeps postStartedAt.
        if (
          error instanceof OutboundError &&
          error.code !== 'request_error' &&
          !/^\d+$/.test(error.code ?? '')
        ) {
          await incidents.setRef(incident.id, 'slack', { channel });
        }
        throw error;
      });
      await incidents.setRef(incident.id, 'slack', { channel, ts, version });
      this.#o.onPosted?.(incident.id);
      if (message.overflow.length > 0) await this.#o.thread.postDetailsLater(incident.id);
    }
    this.#o.health.clear('slack');
  }

  /** Work about this incident that its message shows: retrying, or given up. */
  #deliveries(incidentId: string): DeliveryView[] {
    const { waiting, failed } = this.#o.queue.jobsFor(incidentId);
    const view = (state: DeliveryView['state']) => (job: Job) => ({
      jobId: job.id,
      what: job.payload.what ?? job.kind,
      state,
      attempts: job.attempts,
      reason: job.lastError,
    });
    const shown = (job: Job) => job.payload.show === 'true';
    return [
      ...failed.filter(shown).map(view('failed')),
      ...waiting.filter((j) => shown(j) && j.attempts > 0).map(view('retrying')),
    ];
  }

  /**
   * Routine updates (repeats) of one message go out at most every ROUTINE_UPDATE_MS; meanwhile
   * later changes fold into the waiting job. State changes (ack, resolve) go at once.
   */
  #holdRoutineUpdate(incidentId: string, priority: number) {
    if (priority < ROUTINE_PRIORITY) return;
    const wait = (this.#lastUpdate.get(incidentId) ?? 0) + ROUTINE_UPDATE_MS - Date.now();
    if (wait <= 0) return;
    const why = 'chat.update: routine update held back';
    throw new OutboundError({ service: 'slack', message: why, code: 'paced', retryAfterMs: wait });
  }

  /** Updates the message in place; false when it is gone (deleted in Slack), to post it anew. */
  async #update(incident: Incident, channel: string, ts: string, message: IncidentMessage) {
    try {
      const update = (c: MessageContent) => this.#o.gateway.updateMessage(channel, ts, c);
      await this.#send(incident, channel, message, update);
      this.#lastUpdate.set(incident.id, Date.now());
      return true;
    } catch (error) {
      if (!(error instanceof OutboundError) || error.code !== 'message_not_found') throw error;
      this.#o.logger.info(
        { incident: incident.id },
        'incident message is gone from slack, posting it again',
      );
      return false;
    }
  }

  /** Sends the full message; if Slack refuses its blocks, logs why and sends the minimal one. */
  async #send<T>(
    incident: Incident,
    channel: string,
    message: IncidentMessage,
    send: (content: MessageContent) => Promise<T>,
  ) {
    try {
      return await send(message);
    } catch (error) {
      if (!(error instanceof OutboundError) || !REFUSED_BLOCKS.has(error.code ?? ''))
        throw this.#noted(error, channel);
      this.#o.logger.error(
        { incident: incident.id, code: error.code, err: error },
        'slack refused the incident message, sending the minimal one',
      );
      return await send(renderMinimalMessage(incident)).catch((e: unknown) => {
        throw this.#noted(e, channel);
      });
    }
  }

  /** Posts; a bot that is not in a public channel joins it and tries once more. */
  async #post(channel: string, incident: Incident, content: MessageContent) {
    try {
      return (
        await this.#o.gateway.postMessage(channel, content, {
          incidentId: incident.id,
          defer: true,
        })
      ).ts;
    } catch (error) {
      if (!(error instanceof OutboundError) || error.code !== 'not_in_channel') throw error;
      await this.#o.gateway.joinChannel(channel).catch(() => {
        throw error;
      });
      return (
        await this.#o.gateway.postMessage(channel, content, {
          incidentId: incident.id,
          defer: true,
        })
      ).ts;
    }
  }

  /** Channel trouble is a misconfiguration: /healthz and `/incident` say so until a post works. */
  #noted(error: unknown, channel: string) {
    if (error instanceof OutboundError && CHANNEL_PROBLEMS.has(error.code ?? '')) {
      const which =
        channel === this.#o.alertsChannel ? `ALERTS_CHANNEL ${channel}` : `rule channel ${channel}`;
      this.#o.health.report(
        'slack',
        `cannot post to ${which} (${error.code}): ${advice(error.code ?? '')}`,
      );
    }
    return error;
  }

  /**
   * A routing rule's channel the bot cannot post in (a typo, a private channel it is not in):
   * the message goes to the alerts channel instead, and the timeline and the thread say why.
   */
  async #fallBack(incident: Incident, channel: string, error: OutboundError): Promise<never> {
    const { incidents, alertsChannel } = this.#o;
    const rule = incident.refs.route?.rule;
    const text =
      `Could not post to channel ${channel} (${error.code ?? 'refused'}), the channel of rule ` +
      `"${rule ?? '?'}": posted in ALERTS_CHANNEL ${alertsChannel} instead. ` +
      `${advice(error.code ?? '')}.`;
    await incidents.record({
      id: incident.id,
      kind: 'channel.failed',
      origin: 'slack',
      text,
      visible: false,
      refs: { slack: { channel: alertsChannel } },
    });
    this.#o.logger.warn(
      { incident: incident.id, channel, code: error.code },
      'rule channel refused',
    );
    await this.#o.thread.notify(incident.id, text);
    // Stays on /healthz until a restart: the rule file names a channel that does not work.
    this.#o.health.report(
      `rule-channel:${channel}`,
      `cannot post to rule channel ${channel} (rule "${rule ?? '?'}", ` +
        `${error.code ?? 'refused'}): ${advice(error.code ?? '')}`,
    );
    // Not a failure of this job: it runs again at once, for the alerts channel.
    throw new OutboundError({ service: 'slack', message: text, code: 'paced', retryAfterMs: 1 });
  }
}

function isChannelProblem(error: unknown): error is OutboundError {
  return (
    error instanceof OutboundError &&
    ['channel_not_found', 'not_in_channel', 'is_archived', 'restricted_action'].includes(
      error.code ?? '',
    )
  );
}

function advice(code: string) {
  if (code === 'channel_not_found' || code === 'not_in_channel')
    return 'invite the bot to the channel (/invite @Firebreak) or check the channel ID';
  if (code === 'is_archived')
    return 'the channel is archived; unarchive it or set another ALERTS_CHANNEL';
  if (code === 'missing_scope')
    return 'reinstall the app from manifest.yml to grant the scopes it needs';
  return 'check SLACK_BOT_TOKEN and the app installation';
}
