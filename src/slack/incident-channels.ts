import type { IncidentChange, IncidentService } from '../core/incident-service.ts';
import type { Logger } from '../core/ports.ts';
import type { Incident, TimelineEntry } from '../core/types.ts';
import { OutboundError } from '../outbound/outbound-error.ts';
import type { Job, OutboundQueue } from '../outbound/outbound-queue.ts';
import { incidentChannelName } from './channel-name.ts';
import { MESSAGE_JOB } from './incident-message-publisher.ts';
import { escapeText, mention, safe, truncate } from './mrkdwn.ts';
import { renderIncidentSummary, topicText } from './render-incident-summary.ts';
import type { SlackGateway } from './slack-gateway.ts';

const SETUP_JOB = 'slack.channel-setup';
const SYNC_JOB = 'slack.channel-sync';
const POST_JOB = 'slack.incident-post';
const ARCHIVE_JOB = 'slack.channel-archive';
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
/** Said in the channel when its incident resolves. */
const NEXT_STEPS =
  '`/incident review` drafts the post-incident review from the timeline; ' +
  '`/incident close` archives this channel when you are done.';
/** Entries worth a line in the incident's channel or thread, beyond the message itself. */
const POSTED_KINDS = new Set<TimelineEntry['kind']>([
  'note',
  'incident.status',
  'incident.severity',
  'incident.role',
  'incident.summary',
  'incident.acknowledged',
  'incident.resolved',
  'incident.reopened',
  'alert.fired',
  'alert.resolved',
]);
/** What the alert message already shows: not repeated in its thread. */
const SHOWN_ON_MESSAGE = new Set<TimelineEntry['kind']>([
  'incident.acknowledged',
  'incident.resolved',
  'incident.reopened',
  'alert.fired',
  'alert.resolved',
]);

export interface IncidentChannelsOptions {
  incidents: IncidentService;
  queue: OutboundQueue;
  gateway: SlackGateway;
  alertsChannel: string;
  logger: Logger;
  /** The bot's own user ID, never invited. */
  botUserId: () => string | undefined;
}

/**
 * An incident's own space. Until it has a channel, that is the thread of its alert message;
 * declaring (with "create channel") makes a channel `inc-<date>-<n>-<slug>`, invites its people,
 * pins a summary kept current and sets the topic. Every step is an outbound job whose progress
 * is stored on the incident (`refs.channel`), so a restart continues where it stopped and no
 * step runs twice. People's changes are posted where the incident lives.
 */
export class IncidentChannels {
  readonly #o: IncidentChannelsOptions;

  constructor(options: IncidentChannelsOptions) {
    this.#o = options;
    options.queue.register(SETUP_JOB, (job) => this.#setUp(job));
    options.queue.register(SYNC_JOB, (job) => this.#sync(job));
    options.queue.register(POST_JOB, (job) => this.#post(job));
    options.queue.register(ARCHIVE_JOB, (job) => this.#archive(job));
    options.incidents.onChange((change) => this.#changed(change));
  }

  /** The incident whose channel this is, if any. */
  incidentOf(channelId: string) {
    return this.#o.incidents.findByRef('channel', 'id', channelId);
  }

  /** A channel in use: made, and neither failed nor archived. */
  channelOf(incident: Incident) {
    const ref = incident.refs.channel;
    return ref?.id && ref.state === 'ready' ? ref.id : undefined;
  }

  /** After a restart: set-ups that did not finish, and summaries behind their incident. */
  async reconcile() {
    for (const incident of this.#o.incidents.list({ all: true })) {
      const ref = incident.refs.channel;
      const wanted = incident.channelRequested || ref?.state === 'creating';
      if (wanted && !incident.closedAt && !isSetUp(ref))
        await this.#enqueueSetUp(incident, ref?.declarer, ref?.replyTo);
      else if (ref?.state === 'ready' && ref.summaryVersion !== String(incident.version))
        await this.#enqueueSync(incident);
    }
  }

  /** Asks for the incident's channel; `declarer` is told in `replyTo` if it cannot be made. */
  async requestChannel(incident: Incident, declarer?: string, replyTo?: string) {
    const ref = incident.refs.channel ?? {};
    // A failed or archived channel starts over: a new channel, set up from the first step.
    const fresh = !ref.state || ref.state === 'failed' || ref.state === 'archived';
    await this.#o.incidents.setRef(incident.id, 'channel', {
      ...(fresh ? { state: 'creating', ...(ref.id ? { previous: ref.id } : {}) } : ref),
      ...(declarer ? { declarer } : {}),
      ...(replyTo ? { replyTo } : {}),
    });
    await this.#enqueueSetUp(incident, declarer, replyTo);
  }

  /** Invites people to the incident's channel now; throws OutboundError with Slack's code. */
  async invite(incident: Incident, users: string[]) {
    const channel = this.channelOf(incident);
    if (!channel) throw new Error('no channel');
    await this.#o.gateway.invite(channel, users);
  }

  /** Archives the incident's channel (after `close`). */
  archiveLater(incident: Incident, by: string) {
    return this.#o.queue.enqueue({
      kind: ARCHIVE_JOB,
      key: `slack-archive:${incident.id}`,
      payload: {
        incidentId: incident.id,
        by,
        what: 'archiving the incident channel',
        show: 'true',
      },
      priority: 1,
    });
  }

  /** Posts a line to where the incident lives (its channel, else its alert message's thread). */
  postLater(
    incident: Incident,
    text: string,
    key: string,
    where: 'space' | 'both' = 'space',
    /** Added only when the line goes to the incident's channel. */
    channelTail?: string,
  ) {
    return this.#o.queue.enqueue({
      kind: POST_JOB,
      key: `slack-post:${incident.id}:${key}`,
      payload: { incidentId: incident.id, text, where, ...(channelTail && { channelTail }) },
      priority: 2,
    });
  }

  /**
   * One post per change (60 alerts firing at once are one message of 60 lines, not 60 posts);
   * status updates also go to the alert message's thread.
   */
  #changed(change: IncidentChange) {
    const { incident } = change;
    const work: Promise<unknown>[] = [];
    if (change.viewChanged && this.channelOf(incident)) work.push(this.#enqueueSync(incident));
    const lines = change.entries.flatMap((entry) => this.#lineFor(incident, entry) ?? []);
    const first = change.entries[0];
    const resolved = change.entries.some((e) => e.kind === 'incident.resolved');
    if (lines.length > 0 && first) {
      const text = truncate(lines.map((l) => l.text).join('\n'), 3_500);
      const where = lines.some((l) => l.where === 'both') ? 'both' : 'space';
      const tail = resolved ? NEXT_STEPS : undefined;
      work.push(this.postLater(incident, text, `e${first.seq}`, where, tail));
    } else if (resolved && first && this.channelOf(incident)) {
      // Resolved by a command in the channel: its reply is there; what comes next is not.
      work.push(this.postLater(incident, NEXT_STEPS, `e${first.seq}`));
    }
    Promise.all(work).catch((error: unknown) => {
      this.#o.logger.error({ err: error, incident: incident.id }, 'could not queue channel work');
    });
  }

  /**
   * The line a timeline entry gets in the incident's space: people's changes and, in a channel,
   * the alerts' too. A command's own public reply already shows in the channel it ran in.
   */
  #lineFor(incident: Incident, entry: TimelineEntry) {
    if (!POSTED_KINDS.has(entry.kind)) return undefined;
    const channel = this.channelOf(incident);
    const status = entry.kind === 'incident.status';
    if (!channel && (SHOWN_ON_MESSAGE.has(entry.kind) || !incident.refs.slack?.ts))
      return undefined;
    if (channel && entry.source?.channel === channel && !status) return undefined;
    const who = entry.actor.kind === 'user' ? mention(entry.actor.id) : escapeText(entry.actor.id);
    const text = `${icon(entry.kind)} *${incident.id}* · ${who}: ${safe(entry.text, 2_500)}`;
    return { text, where: status ? ('both' as const) : ('space' as const) };
  }

  #enqueueSetUp(incident: Incident, declarer?: string, replyTo?: string) {
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

  #enqueueSync(incident: Incident) {
    return this.#o.queue.enqueue({
      kind: SYNC_JOB,
      key: `slack-channel-sync:${incident.id}`,
      payload: { incidentId: incident.id },
      priority: 3,
    });
  }

  /** Creates and sets up the channel, one stored step at a time. */
  async #setUp(job: Job) {
    const { incidents, gateway } = this.#o;
    let incident = incidents.get(job.payload.incidentId ?? '');
    if (!incident || incident.closedAt) return;
    const save = async (fields: Record<string, string>) => {
      const latest = incidents.get(incident!.id)?.refs.channel ?? {};
      await incidents.setRef(incident!.id, 'channel', { ...latest, ...fields });
      return incidents.get(incident!.id)!.refs.channel!;
    };
    let ref = incident.refs.channel ?? {};

    if (!ref.id) {
      const created = await this.#create(incident, job);
      if (!created) return;
      ref = await save({ state: 'creating', id: created.id, name: created.name });
      incident = incidents.get(incident.id)!;
    }
    const channel = ref.id!;
    if (!ref.invited) {
      await gateway.invite(channel, this.#people(incident)).catch((error: unknown) => {
        if (isChannelGone(error)) throw error;
        this.#o.logger.warn({ err: error, incident: incident!.id }, 'could not invite everyone');
      });
      ref = await save({ invited: 'true' });
    }
    if (!ref.alertLink && !incident.refs.slack?.ts && this.#messagePending(incident, job)) {
      // Link the alert message from the channel: its first post is on its way.
      job.payload.waits = String(Number(job.payload.waits ?? 0) + 1);
      const message = 'waiting for the incident message';
      throw new OutboundError({ service: 'slack', message, code: 'paced', retryAfterMs: 1_000 });
    }
    if (!ref.alertLink && incident.refs.slack?.ts) {
      const alertLink = await gateway.permalink(
        incident.refs.slack.channel ?? this.#o.alertsChannel,
        incident.refs.slack.ts,
      );
      ref = await save({ alertLink });
    }
    if (!ref.summaryTs) {
      const summary = renderIncidentSummary(incident, ref.alertLink);
      const { ts } = await gateway.postMessage(channel, summary, { incidentId: incident.id });
      ref = await save({ summaryTs: ts, summaryVersion: String(incident.version) });
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
    if (!ref.bookmarked && ref.alertLink) {
      await gateway.addBookmark(channel, `Alert message (${incident.id})`, ref.alertLink);
      ref = await save({ bookmarked: 'true' });
    }
    if (!ref.carried) {
      await this.#carryOver(incident, channel);
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

  /** The incident's alert message is still queued (and we have not waited for it long). */
  #messagePending(incident: Incident, job: Job) {
    const { waiting } = this.#o.queue.jobsFor(incident.id);
    return Number(job.payload.waits ?? 0) < 20 && waiting.some((j) => j.kind === MESSAGE_JOB);
  }

  /** conversations.create, with a suffix while the name is taken; undefined when refused. */
  async #create(incident: Incident, job: Job) {
    const date = incident.declaredAt ?? incident.createdAt;
    for (let suffix = 1; suffix <= MAX_NAME_TRIES; suffix += 1) {
      const name = incidentChannelName({
        date,
        number: incident.number,
        title: incident.title,
        ...(suffix > 1 ? { suffix } : {}),
      });
      try {
        return await this.#o.gateway.createChannel(name);
      } catch (error) {
        if (!(error instanceof OutboundError)) throw error;
        if (error.code === 'name_taken') continue;
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

  /** The declarer, the roles, and whoever acted on the incident so far. */
  #people(incident: Incident) {
    const people = [
      incident.declaredBy,
      incident.roles?.lead,
      incident.roles?.comms,
      incident.acknowledgedBy,
    ]
      .filter((a) => a?.kind === 'user')
      .map((a) => a!.id);
    const bot = this.#o.botUserId();
    return [...new Set(people)].filter((id) => id !== bot && /^[UW][A-Z0-9]+$/.test(id));
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
    await this.#o.gateway.postMessage(channel, { text: truncate(text, 3_500) });
  }

  /** Keeps the pinned summary and the topic current. */
  async #sync(job: Job) {
    const incident = this.#o.incidents.get(job.payload.incidentId ?? '');
    const ref = incident?.refs.channel;
    if (!incident || ref?.state !== 'ready' || !ref.id) return;
    try {
      const topic = topicText(incident);
      if (topic !== ref.topic) {
        await this.#o.gateway.setTopic(ref.id, topic);
        await this.#o.incidents.setRef(incident.id, 'channel', { ...ref, topic });
      }
      const version = String(incident.version);
      if (ref.summaryTs && ref.summaryVersion !== version) {
        const summary = renderIncidentSummary(incident, ref.alertLink);
        await this.#o.gateway.updateMessage(ref.id, ref.summaryTs, summary);
        const latest = this.#o.incidents.get(incident.id)?.refs.channel ?? ref;
        await this.#o.incidents.setRef(incident.id, 'channel', {
          ...latest,
          summaryVersion: version,
        });
      }
    } catch (error) {
      if (!isChannelGone(error)) throw error;
      await this.#lost(incident, error);
    }
  }

  /** Posts a line to the incident's channel, else to its alert message's thread. */
  async #post(job: Job) {
    const incident = this.#o.incidents.get(job.payload.incidentId ?? '');
    if (!incident) return;
    const text = job.payload.text ?? '';
    const channel = this.channelOf(incident);
    if (channel) {
      try {
        const tail = job.payload.channelTail;
        const full = tail ? `${text}\n${tail}` : text;
        await this.#o.gateway.postMessage(channel, { text: full }, { defer: true });
        if (job.payload.where !== 'both') return;
      } catch (error) {
        if (!isChannelGone(error)) throw error;
        await this.#lost(incident, error);
      }
    }
    const message = incident.refs.slack;
    if (!message?.ts) {
      // The alert message is not posted yet; the thread waits for it.
      throw new OutboundError({
        service: 'slack',
        message: 'waiting for the incident message',
        code: 'paced',
        retryAfterMs: 2_000,
      });
    }
    await this.#o.gateway.postMessage(
      message.channel ?? this.#o.alertsChannel,
      { text },
      { threadTs: message.ts, defer: true },
    );
  }

  /**
   * The channel was archived or removed by a person (F07): the incident goes on in its alert
   * message's thread, and the bot stops posting there, instead of failing on every update.
   */
  async #lost(incident: Incident, error: unknown) {
    const ref = incident.refs.channel ?? {};
    if (ref.state !== 'ready') return;
    const code = error instanceof OutboundError ? error.code : 'error';
    await this.#o.incidents.setRef(incident.id, 'channel', { ...ref, state: 'archived' });
    this.#o.logger.warn(
      { incident: incident.id, channel: ref.id, code },
      'incident channel is archived or gone; updates go to the alert thread',
    );
    await this.#o.incidents.record({
      id: incident.id,
      kind: 'channel.failed',
      origin: 'slack',
      text:
        `Channel #${ref.name ?? ref.id} is archived (${code}); ` +
        `updates go to the alert message's thread`,
      visible: true,
    });
  }

  async #archive(job: Job) {
    const incident = this.#o.incidents.get(job.payload.incidentId ?? '');
    const ref = incident?.refs.channel;
    if (!incident || !ref?.id || ref.state !== 'ready') return;
    await this.#o.gateway.archive(ref.id);
    await this.#o.incidents.setRef(incident.id, 'channel', { ...ref, state: 'archived' });
  }
}

function isSetUp(ref: Record<string, string> | undefined) {
  return ref?.state === 'ready' || ref?.state === 'failed' || ref?.state === 'archived';
}

/** The channel is archived, or the bot was removed from it (or it is gone). */
function isChannelGone(error: unknown) {
  return (
    error instanceof OutboundError &&
    ['is_archived', 'channel_not_found', 'not_in_channel'].includes(error.code ?? '')
  );
}

function icon(kind: TimelineEntry['kind']) {
  switch (kind) {
    case 'incident.status':
      return ':mega:';
    case 'incident.severity':
      return ':rotating_light:';
    case 'incident.role':
      return ':bust_in_silhouette:';
    case 'incident.resolved':
      return ':white_check_mark:';
    case 'alert.fired':
      return ':fire:';
    default:
      return ':memo:';
  }
}
