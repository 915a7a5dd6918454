import type { IncidentService } from '../core/incident-service.ts';
import type { Logger } from '../core/ports.ts';
import type { Incident } from '../core/types.ts';
import { OutboundError } from '../outbound/outbound-error.ts';
import type { Job, OutboundQueue } from '../outbound/outbound-queue.ts';
import { incidentChannelName } from './channel-name.ts';
import { escapeText, safe, truncate } from './mrkdwn.ts';
import type { MessageFeatures } from './render-incident-message.ts';
import { renderIncidentSummary, topicText } from './render-incident-summary.ts';
import type { SlackGateway } from './slack-gateway.ts';

const SETUP_JOB = 'slack.channel-setup';
/** Names tried with a suffix (-2, -3…) when Slack says the name is taken. */
const MAX_NAME_TRIES = 20;
/** Answers to conversations.create that no retry will change: tell people, do not retry. */
const CREATE_REFUSALS: Record<string, string> = {
  missing_scope: 'the app lacks the channels:manage scope; reinstall it from manifest.yml',
  restricted_action: 'this workspace does not let the app create channels',
  too_many_convos_for_app_on_team: 'the app has created too many channels in this workspace',
  too_many_convos_for_team: 'the workspace has too many channels',
  invalid_name_specials: 'Slack refused the channel name',
  invalid_name_maxlength: 'Slack refused the channel name as too long',
  invalid_name_punctuation: 'Slack refused the channel name',
  invalid_name_required: 'Slack refused the channel name',
  invalid_name: 'Slack refused the channel name',
  not_allowed_token_type: 'SLACK_BOT_TOKEN is not a bot token',
};
export interface ChannelSetupOptions {
  incidents: IncidentService;
  queue: OutboundQueue;
  gateway: SlackGateway;
  alertsChannel: string;
  logger: Logger;
  /** The bot's own user ID, never invited. */
  botUserId: () => string | undefined;
  /** Decides the summary's buttons (Page, when PagerDuty is set up). */
  features?: MessageFeatures;
  /** More people to invite: who is on call for the PagerDuty service it was paged to. */
  moreInvitees?: (incident: Incident) => Promise<string[]>;
}

/**
 * Makes an incident's channel, as one outbound job that works in steps: create (a suffix while
 * the name is taken), invite, link the alert message, post and pin the summary, set the topic,
 * bookmark, post the timeline so far. Each step is stored in `refs.channel` as it completes, so a
 * retry or a restart continues at the first missing step and repeats none.
 */
export class ChannelSetup {
  readonly #o: ChannelSetupOptions;

  constructor(options: ChannelSetupOptions) {
    this.#o = options;
    options.queue.register(SETUP_JOB, (job) => this.#run(job));
  }

  /** Queues the set-up (or refreshes the waiting one); the declarer is told how it went. */
  enqueue(incident: Incident, declarer?: string, replyTo?: string) {
    return this.#o.queue.enqueue({
      kind: SETUP_JOB,
      key: `slack-channel:${incident.id}`,
      payload: {
        incidentId: incident.id,
        what: 'creating the incident channel',
        show: 'true',
        ...(declarer ? { declarer } : {}),
        ...(replyTo ? { replyTo } : {}),
      },
      priority: 1,
    });
  }

  /** Creates and sets up the channel, one stored step at a time. */
  async #run(job: Job) {
    const { incidents, gateway } = this.#o;
    let incident = incidents.get(job.payload.incidentId ?? '');
    // Closed, or set up already (a second request while the first ran): nothing to do.
    if (!incident || incident.closedAt || incident.refs.channel?.state === 'ready') return;
    const save = (fields: Record<string, string>) => this.#save(incident!.id, fields);
    let ref = incident.refs.channel ?? {};

    if (!ref.id) {
      const created = await this.#create(incident, job);
      if (!created) return;
      ref = await save({ state: 'creating', id: created.id, name: created.name });
      incident = incidents.get(incident.id)!;
    }
    const channel = ref.id!;
    if (!ref.invited) {
      await this.#invite(incident, channel, await this.#people(incident));
      ref = await save({ invited: 'true' });
    }
    // The alert message may still be waiting its turn in a busy alerts channel: the channel
    // does not wait for it; the link and bookmark follow once it is posted (linkAlertMessage).
    ref = await this.#linkAlertLink(incident);
    if (!ref.summaryTs) {
      // A crash after Slack took the post but before its ts was stored: find it, do not repost.
      const posted = ref.summaryStartedAt
        ? await gateway.findIncidentMessage(channel, incident.id, ref.summaryStartedAt, 'summary')
        : undefined;
      ref = await save({ summaryStartedAt: new Date().toISOString() });
      const summary = renderIncidentSummary(incident, ref.alertLink, this.#o.features);
      const options = { incidentId: incident.id, kind: 'summary' };
      const ts = posted ?? (await gateway.postMessage(channel, summary, options)).ts;
      ref = await save({ summaryTs: ts, summaryVersion: posted ? '' : String(incident.version) });
    }
    if (!ref.pinned) {
      await gateway.pin(channel, ref.summaryTs!);
      ref = await save({ pinned: 'true' });
    }
    if (!ref.topic) {
      const topic = topicText(incident);
      await gateway.setTopic(channel, topic);
      ref = await save({ topic });
    }
    ref = await this.linkAlertMessage(incident);
    if (!ref.carried) {
      const posted = ref.carryStartedAt
        ? await gateway.findIncidentMessage(channel, incident.id, ref.carryStartedAt, 'timeline')
        : undefined;
      await save({ carryStartedAt: new Date().toISOString() });
      if (!posted) await this.#carryOver(incident, channel);
      ref = await save({ carried: 'true' });
    }
    await save({ state: 'ready' });
    await incidents.record({
      id: incident.id,
      kind: 'channel.created',
      origin: 'slack',
      text: `Channel #${ref.name} created`,
      visible: true,
    });
    await this.#tell(job, `:white_check_mark: *${incident.id}* is worked in <#${channel}>.`);
  }

  /**
   * Links the channel to the incident's alert message, once that message is posted: its
   * permalink (shown on the summary) and a bookmark. Safe to call again; does what is missing.
   */
  async linkAlertMessage(incident: Incident) {
    let ref = await this.#linkAlertLink(incident);
    const channel = ref.id;
    if (!channel || ref.bookmarked || !ref.alertLink) return ref;
    // Slack cannot be asked for the bookmark without another scope: a bookmark whose answer was
    // lost (a crash, a timeout) counts as made rather than risk a second one.
    if (!ref.bookmarkStartedAt) {
      await this.#save(incident.id, { bookmarkStartedAt: new Date().toISOString() });
      const title = `Alert message (${incident.id})`;
      await this.#o.gateway.addBookmark(channel, title, ref.alertLink).catch(async (error) => {
        if (slackAnswered(error)) await this.#save(incident.id, { bookmarkStartedAt: '' });
        throw error;
      });
    }
    ref = await this.#save(incident.id, { bookmarked: 'true' });
    return ref;
  }

  async #linkAlertLink(incident: Incident) {
    const ref = this.#o.incidents.get(incident.id)?.refs.channel ?? {};
    const message = this.#o.incidents.get(incident.id)?.refs.slack;
    if (ref.alertLink || !message?.ts) return ref;
    const alertLink = await this.#o.gateway.permalink(
      message.channel ?? this.#o.alertsChannel,
      message.ts,
    );
    return this.#save(incident.id, { alertLink });
  }

  /**
   * conversations.create, with a suffix while the name is taken; undefined when refused. The
   * name is stored before each try: if Slack made the channel but its answer was lost (a crash,
   * a timeout), the retry finds it taken, sees the bot made it since, and takes it.
   */
  async #create(incident: Incident, job: Job) {
    const date = incident.declaredAt ?? incident.createdAt;
    const before = incident.refs.channel ?? {};
    for (let suffix = 1; suffix <= MAX_NAME_TRIES; suffix += 1) {
      const name = incidentChannelName({
        date,
        number: incident.number,
        title: incident.title,
        ...(suffix > 1 ? { suffix } : {}),
      });
      try {
        await this.#save(incident.id, {
          creating: name,
          createStartedAt: new Date().toISOString(),
        });
        return await this.#o.gateway.createChannel(name);
      } catch (error) {
        if (!(error instanceof OutboundError)) throw error;
        if (error.code === 'name_taken') {
          const mine = before.creating === name ? await this.#ownChannel(name, before) : undefined;
          if (mine) return mine;
          continue;
        }
        const reason = CREATE_REFUSALS[error.code ?? ''];
        if (!reason) {
          if (error.retryAfterMs !== undefined && job.payload.toldWait !== 'true') {
            job.payload.toldWait = 'true';
            const seconds = Math.ceil(error.retryAfterMs / 1000);
            const text = `Slack is rate-limiting new channels; *${incident.id}*'s channel follows`;
            await this.#tell(job, `:hourglass_flowing_sand: ${text} in about ${seconds} s.`);
          }
          throw error;
        }
        await this.#failed(incident, job, `${reason} (${error.code})`);
        return undefined;
      }
    }
    await this.#failed(incident, job, `every name up to -${MAX_NAME_TRIES} is taken`);
    return undefined;
  }

  /** The channel of that name, if the bot made it after `createStartedAt` (a lost answer). */
  async #ownChannel(name: string, before: Record<string, string>) {
    const found = await this.#o.gateway.findChannel(name);
    const since = Date.parse(before.createStartedAt ?? '') / 1000 - 60;
    const mine = found && found.creator === this.#o.botUserId() && found.created >= since;
    if (mine) this.#o.logger.info({ channel: found.id, name }, 'found the channel made before');
    return mine ? { id: found.id, name: found.name } : undefined;
  }

  async #save(incidentId: string, fields: Record<string, string>) {
    const { incidents } = this.#o;
    const latest = incidents.get(incidentId)?.refs.channel ?? {};
    await incidents.setRef(incidentId, 'channel', { ...latest, ...fields });
    return incidents.get(incidentId)!.refs.channel!;
  }

  async #failed(incident: Incident, job: Job, reason: string) {
    const latest = this.#o.incidents.get(incident.id)?.refs.channel ?? {};
    await this.#o.incidents.setRef(incident.id, 'channel', { ...latest, state: 'failed', reason });
    await this.#o.incidents.record({
      id: incident.id,
      kind: 'channel.failed',
      origin: 'slack',
      text: `No channel: ${reason}`,
      visible: true,
    });
    this.#o.logger.warn({ incident: incident.id, reason }, 'incident channel not created');
    await this.#tell(
      job,
      `:warning: *${incident.id}* is declared, but its channel could not be created: ` +
        `${escapeText(reason)}. Updates go to the thread of its alert message.`,
    );
  }

  /** The declarer hears how it went, in the channel they declared from. */
  async #tell(job: Job, text: string) {
    const { declarer, replyTo } = job.payload;
    if (!declarer || !replyTo) return;
    await this.#o.gateway.postEphemeral(replyTo, declarer, text).catch((error: unknown) => {
      this.#o.logger.warn({ err: error }, 'could not tell the declarer');
    });
  }

  /** The declarer, the roles, and whoever acted on the incident so far (its responders). */
  async #people(incident: Incident) {
    const entries = await this.#o.incidents.timeline(incident.id);
    const people = [
      incident.declaredBy,
      incident.roles?.lead,
      incident.roles?.comms,
      incident.acknowledgedBy,
      ...entries.map((e) => e.actor),
    ]
      .filter((a) => a?.kind === 'user')
      .map((a) => a!.id);
    const more = await this.#o.moreInvitees?.(incident).catch((error: unknown) => {
      this.#o.logger.warn({ err: error, incident: incident.id }, 'could not find on-call people');
      return [];
    });
    people.push(...(more ?? []));
    const bot = this.#o.botUserId();
    return [...new Set(people)].filter((id) => id !== bot && /^[UW][A-Z0-9]+$/.test(id));
  }

  /**
   * Invites everyone at once; if Slack refuses the list (one deactivated user, say), each person
   * alone, so one bad ID does not keep the others out. Only a gone channel stops the set-up.
   */
  async #invite(incident: Incident, channel: string, users: string[]) {
    const { gateway, logger } = this.#o;
    // Slack's trouble (429, 5xx) and a gone channel are retried by the queue; a refused person
    // (deactivated, unknown) is only logged.
    const refused = (error: unknown) =>
      error instanceof OutboundError && !error.retryable && error.retryAfterMs === undefined;
    try {
      await gateway.invite(channel, users);
      return;
    } catch (error) {
      if (!refused(error) || isChannelGone(error)) throw error;
      if (users.length <= 1) {
        logger.warn({ err: error, incident: incident.id }, 'could not invite');
        return;
      }
    }
    for (const user of users) {
      await gateway.invite(channel, [user]).catch((error: unknown) => {
        if (!refused(error) || isChannelGone(error)) throw error;
        logger.warn({ err: error, incident: incident.id, user }, 'could not invite');
      });
    }
  }

  /** What happened before the channel existed, so nobody has to scroll the alerts channel. */
  async #carryOver(incident: Incident, channel: string) {
    const entries = await this.#o.incidents.timeline(incident.id);
    const earlier = entries.filter((e) => e.kind !== 'alert.repeated').slice(-25);
    if (earlier.length <= 1) return;
    const lines = earlier.map((e) => {
      const time = `${e.at.slice(11, 19)} UTC`;
      return `\`${time}\` ${safe(e.text, 200)}`;
    });
    const text = `*Timeline so far* (\`/incident timeline\` shows all of it)\n${lines.join('\n')}`;
    await this.#o.gateway.postMessage(
      channel,
      { text: truncate(text, 3_500) },
      { incidentId: incident.id, kind: 'timeline' },
    );
  }
}

export function isSetUp(ref: Record<string, string> | undefined) {
  return ref?.state === 'ready' || ref?.state === 'failed' || ref?.state === 'archived';
}

/** The channel is archived, or the bot was removed from it (or it is gone). */
export function isChannelGone(error: unknown) {
  return (
    error instanceof OutboundError &&
    ['is_archived', 'channel_not_found', 'not_in_channel'].includes(error.code ?? '')
  );
}

/** Slack answered (with an error): the call did nothing, unlike a lost answer. */
function slackAnswered(error: unknown) {
  return (
    error instanceof OutboundError &&
    error.code !== 'request_error' &&
    !/^\d+$/.test(error.code ?? '')
  );
}
