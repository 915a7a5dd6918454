import type { IncidentChange } from '../core/incident-service.ts';
import { heldBySnooze } from '../core/snooze.ts';
import type { Incident, TimelineEntry } from '../core/types.ts';
import { OutboundError } from '../outbound/outbound-error.ts';
import type { Job } from '../outbound/outbound-queue.ts';
import { ChannelSetup, isChannelGone, isSetUp, type ChannelSetupOptions } from './channel-setup.ts';
import { link, safe, truncate, who } from './mrkdwn.ts';
import { renderIncidentSummary, topicText } from './render-incident-summary.ts';

const SYNC_JOB = 'slack.channel-sync';
const POST_JOB = 'slack.incident-post';
const ARCHIVE_JOB = 'slack.channel-archive';
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
  'incident.unacknowledged',
  'external',
  'alert.fired',
  'alert.resolved',
]);
/** What the alert message already shows: not repeated in its thread. */
const SHOWN_ON_MESSAGE = new Set<TimelineEntry['kind']>([
  'incident.acknowledged',
  'incident.unacknowledged',
  'incident.resolved',
  'incident.reopened',
  'alert.fired',
  'alert.resolved',
]);

/** The same as the set-up's: IncidentChannels hands them on to it. */
export type IncidentChannelsOptions = ChannelSetupOptions;

/**
 * An incident's own space. Until it has a channel, that is the thread of its alert message;
 * declaring (with "create channel") makes a channel `inc-<date>-<n>-<slug>`, invites its people,
 * pins a summary kept current and sets the topic. Every step is an outbound job whose progress
 * is stored on the incident (`refs.channel`), so a restart continues where it stopped and no
 * step runs twice. People's changes are posted where the incident lives.
 */
export class IncidentChannels {
  readonly #o: IncidentChannelsOptions;
  readonly #setUp: ChannelSetup;

  constructor(options: IncidentChannelsOptions) {
    this.#o = options;
    this.#setUp = new ChannelSetup(options);
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
        await this.#setUp.enqueue(incident, ref?.declarer, ref?.replyTo);
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
    await this.#setUp.enqueue(incident, declarer, replyTo);
  }

  /** The incident's alert message was just posted: link it from the channel, if there is one. */
  alertMessagePosted(incidentId: string) {
    const incident = this.#o.incidents.get(incidentId);
    if (!incident || !this.channelOf(incident) || incident.refs.channel?.bookmarked) return;
    this.#enqueueSync(incident).catch((error: unknown) => {
      this.#o.logger.error({ err: error, incident: incidentId }, 'could not queue channel work');
    });
  }

  /**
   * Invites the people `moreInvitees` names (the on-call of a service paged after the channel
   * was made). Best effort: a failure is logged, and they can be invited by hand.
   */
  inviteMore(incidentId: string) {
    const incident = this.#o.incidents.get(incidentId);
    const channel = incident && this.channelOf(incident);
    if (!incident || !channel || !this.#o.moreInvitees) return;
    this.#o
      .moreInvitees(incident)
      .then((users) => (users.length > 0 ? this.#o.gateway.invite(channel, users) : undefined))
      .catch((error: unknown) => {
        this.#o.logger.warn({ err: error, incident: incidentId }, 'could not invite the on-call');
      });
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
    if (!POSTED_KINDS.has(entry.kind) || heldBySnooze(incident, entry)) return undefined;
    const channel = this.channelOf(incident);
    const status = entry.kind === 'incident.status';
    if (!channel && (SHOWN_ON_MESSAGE.has(entry.kind) || !incident.refs.slack?.ts))
      return undefined;
    if (channel && entry.source?.channel === channel && !status) return undefined;
    const actor = who(entry.actor);
    // An entry from a linked tool links to it (the PagerDuty incident a page opened, say).
    const url = entry.kind === 'external' ? entry.source?.url : undefined;
    const more = url ? ` · ${link(url, 'open')}` : '';
    const what = `${safe(entry.text, 2_500)}${more}`;
    const text = `${icon(entry.kind)} *${incident.id}* · ${actor}: ${what}`;
    return { text, where: status ? ('both' as const) : ('space' as const) };
  }

  #enqueueSync(incident: Incident) {
    return this.#o.queue.enqueue({
      kind: SYNC_JOB,
      key: `slack-channel-sync:${incident.id}`,
      payload: { incidentId: incident.id },
      priority: 3,
    });
  }

  /** Keeps the pinned summary and the topic current. */
  async #sync(job: Job) {
    const incident = this.#o.incidents.get(job.payload.incidentId ?? '');
    const ref = incident?.refs.channel;
    if (!incident || ref?.state !== 'ready' || !ref.id) return;
    const channel = ref.id;
    const { gateway } = this.#o;
    await this.#inChannel(incident, async () => {
      const topic = topicText(incident);
      if (topic !== ref.topic) {
        await gateway.setTopic(channel, topic);
        await this.#save(incident.id, { topic });
      }
      // The alert message may have been posted after the channel was made: link it now.
      const linked = ref.bookmarked ? ref : await this.#setUp.linkAlertMessage(incident);
      const newLink = linked.alertLink !== ref.alertLink;
      const version = String(incident.version);
      if (!ref.summaryTs || (ref.summaryVersion === version && !newLink)) return;
      const summary = renderIncidentSummary(incident, linked.alertLink, this.#o.features);
      const updated = await gateway.updateMessage(channel, ref.summaryTs, summary).then(
        () => true,
        (error: unknown) => {
          if (error instanceof OutboundError && error.code === 'message_not_found') return false;
          throw error;
        },
      );
      if (updated) {
        await this.#save(incident.id, { summaryVersion: version });
        return;
      }
      // Someone deleted the pinned summary: post and pin it again, once.
      this.#o.logger.info(
        { incident: incident.id },
        'incident summary was deleted, posting it again',
      );
      const options = { incidentId: incident.id, kind: 'summary' };
      const { ts } = await gateway.postMessage(channel, summary, options);
      await this.#save(incident.id, { summaryTs: ts, summaryVersion: version, pinned: '' });
      await gateway.pin(channel, ts);
      await this.#save(incident.id, { pinned: 'true' });
    });
  }

  /**
   * Runs Slack calls about the incident's channel. A bot removed from a public channel joins it
   * again and tries once more; an archived or deleted channel is given up for the thread.
   * Resolves false when the channel could not be used.
   */
  async #inChannel(incident: Incident, work: () => Promise<void>) {
    const channel = incident.refs.channel?.id ?? '';
    try {
      await work();
      return true;
    } catch (error) {
      if (!isChannelGone(error)) throw error;
      const removed = error instanceof OutboundError && error.code === 'not_in_channel';
      const rejoined =
        removed &&
        (await this.#o.gateway.joinChannel(channel).then(
          () => true,
          () => false,
        ));
      if (rejoined) {
        this.#o.logger.info({ incident: incident.id, channel }, 'rejoined the incident channel');
        await work();
        return true;
      }
      await this.#lost(incident, error);
      return false;
    }
  }

  async #save(incidentId: string, fields: Record<string, string>) {
    const latest = this.#o.incidents.get(incidentId)?.refs.channel ?? {};
    await this.#o.incidents.setRef(incidentId, 'channel', { ...latest, ...fields });
  }

  /** Posts a line to the incident's channel, else to its alert message's thread. */
  async #post(job: Job) {
    const incident = this.#o.incidents.get(job.payload.incidentId ?? '');
    if (!incident) return;
    const text = job.payload.text ?? '';
    const channel = this.channelOf(incident);
    if (channel && job.payload.channelDone !== 'true') {
      const tail = job.payload.channelTail;
      const full = tail ? `${text}\n${tail}` : text;
      const posted = await this.#inChannel(incident, async () => {
        await this.#o.gateway.postMessage(channel, { text: full }, { defer: true });
      });
      if (posted && job.payload.where !== 'both') return;
      // A retry of the thread half must not post in the channel again.
      if (posted) job.payload.channelDone = 'true';
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
    const what =
      code === 'is_archived'
        ? 'was archived'
        : code === 'channel_not_found'
          ? 'is gone'
          : 'no longer has the bot in it';
    await this.#o.incidents.record({
      id: incident.id,
      kind: 'channel.failed',
      origin: 'slack',
      text: `Channel #${ref.name ?? ref.id} ${what} (${code}); updates go to the alert thread`,
      visible: true,
    });
  }

  /** Archives the channel on close; a bot removed from it joins again to do so. */
  async #archive(job: Job) {
    const incident = this.#o.incidents.get(job.payload.incidentId ?? '');
    const ref = incident?.refs.channel;
    if (!incident || !ref?.id || ref.archivedByBot === 'true') return;
    const id = ref.id;
    try {
      await this.#o.gateway.archive(id).catch(async (error: unknown) => {
        if (!(error instanceof OutboundError) || error.code !== 'not_in_channel') throw error;
        await this.#o.gateway.joinChannel(id);
        await this.#o.gateway.archive(id);
      });
    } catch (error) {
      // Archived by a person already, or deleted: there is nothing left to archive.
      const code = error instanceof OutboundError ? error.code : undefined;
      if (code !== 'is_archived' && code !== 'channel_not_found') throw error;
    }
    await this.#save(incident.id, { state: 'archived', archivedByBot: 'true' });
  }
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
