import type { IncidentService } from '../core/incident-service.ts';
import { OutboundError } from '../outbound/outbound-error.ts';
import type { Job, OutboundQueue } from '../outbound/outbound-queue.ts';
import { MESSAGE_JOB } from './incident-message-publisher.ts';
import { escapeText, truncate } from './mrkdwn.ts';
import { renderIncidentMessage } from './render-incident-message.ts';
import type { SlackGateway } from './slack-gateway.ts';

const DETAILS_JOB = 'slack.incident-details';
const NOTICE_JOB = 'slack.notice';
/** At most this many 2,900-character sections of full alert text go to the thread (~116,000). */
const DETAILS_MAX_SECTIONS = 40;

export interface IncidentThreadOptions {
  incidents: IncidentService;
  queue: OutboundQueue;
  gateway: SlackGateway;
  alertsChannel: string;
}

/**
 * Replies in an incident message's thread, through the outbound queue: the full alert text
 * that did not fit the message, and notices about work the bot could not do.
 */
export class IncidentThread {
  readonly #o: IncidentThreadOptions;

  constructor(options: IncidentThreadOptions) {
    this.#o = options;
    options.queue.register(DETAILS_JOB, (job) => this.#postDetails(job));
    options.queue.register(NOTICE_JOB, (job) => this.#postNotice(job));
  }

  /** Queues the full alert text for the thread; shown on the message if it fails. */
  postDetailsLater(incidentId: string) {
    return this.#o.queue.enqueue({
      kind: DETAILS_JOB,
      key: `slack-details:${incidentId}`,
      payload: { incidentId, what: 'the full alert text in the thread', show: 'true' },
      priority: 6,
    });
  }

  /**
   * Tells people, in the incident message's thread (or the alerts channel), about something
   * the bot could not do. Notices are best effort: their own failure is only logged.
   */
  notify(incidentId: string | undefined, text: string) {
    return this.#o.queue.enqueue({
      kind: NOTICE_JOB,
      key: `slack-notice:${incidentId ?? 'channel'}:${text}`,
      payload: { ...(incidentId ? { incidentId } : {}), text },
      priority: 0,
    });
  }

  async #postNotice(job: Job) {
    const id = job.payload.incidentId ?? '';
    const ref = this.#o.incidents.get(id)?.refs.slack;
    // A notice about an incident goes in its message's thread: wait while that message is on
    // its way (not an attempt); if it never comes (given up), post in the channel after all.
    const coming = this.#o.queue.jobsFor(id).waiting.some((j) => j.kind === MESSAGE_JOB);
    if (id && !ref?.ts && coming) {
      const why = 'notice waits for the incident message';
      throw new OutboundError({ service: 'slack', message: why, code: 'paced', retryAfterMs: 500 });
    }
    const channel = ref?.channel ?? this.#o.alertsChannel;
    const text = escapeText(job.payload.text ?? '');
    await this.#o.gateway.postMessage(
      channel,
      { text },
      { threadTs: ref?.ts || undefined, defer: true },
    );
  }

  /**
   * Posts alert text that did not fit the message as thread replies: four sections a reply,
   * under Slack's undocumented ~13,000-character cap on a message's blocks. Progress is stored
   * after each reply, so a retry continues where it stopped.
   */
  async #postDetails(job: Job) {
    const incident = this.#o.incidents.get(job.payload.incidentId ?? '');
    const ref = incident?.refs.slack;
    if (!incident || !ref?.ts || !ref.channel) return;

    const full = escapeText(renderIncidentMessage(incident).overflow.join('\n\n'));
    const replies = group(chunk(full, 2_900).slice(0, DETAILS_MAX_SECTIONS), 4);
    for (let n = Number(ref.detailsPosted ?? 0); n < replies.length; n += 1) {
      const blocks = (replies[n] ?? []).map((text) => ({
        type: 'section',
        text: { type: 'mrkdwn', text, verbatim: true },
      }));
      const label = `Full alert text for ${incident.id} (${n + 1} of ${replies.length})`;
      await this.#o.gateway.postMessage(
        ref.channel,
        { text: label, blocks },
        { threadTs: ref.ts, defer: true },
      );
      const latest = this.#o.incidents.get(incident.id)?.refs.slack ?? ref;
      await this.#o.incidents.setRef(incident.id, 'slack', {
        ...latest,
        detailsPosted: String(n + 1),
      });
    }
  }
}

function group<T>(items: T[], size: number) {
  const groups: T[][] = [];
  for (let i = 0; i < items.length; i += size) groups.push(items.slice(i, i + size));
  return groups;
}

/** Cuts escaped text into parts of at most `size` characters, never inside an entity. */
function chunk(text: string, size: number) {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > 0) {
    const part = truncate(rest, size, '');
    parts.push(part);
    rest = rest.slice(part.length);
  }
  return parts;
}
