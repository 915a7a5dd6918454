import type { IncidentChange, IncidentService } from '../core/incident-service.ts';
import type { Logger } from '../core/ports.ts';
import { ticketName, ticketRefName, ticketsOf } from '../core/tickets.ts';
import type { Job, OutboundQueue } from '../outbound/outbound-queue.ts';
import type { IncidentChannels } from './incident-channels.ts';
import type { SlackGateway } from './slack-gateway.ts';

const BOOKMARK_JOB = 'slack.ticket-bookmark';

/**
 * Bookmarks the incident's ticket (and its published review) in its channel, once the channel
 * is ready and the ticket is linked, whichever comes first. Follow-ups are listed on the
 * messages, not bookmarked: a channel's bookmark bar is short.
 */
export class TicketBookmarks {
  readonly #incidents: IncidentService;
  readonly #queue: OutboundQueue;
  readonly #gateway: SlackGateway;
  readonly #channels: IncidentChannels;
  readonly #logger: Logger;

  constructor(options: {
    incidents: IncidentService;
    queue: OutboundQueue;
    gateway: SlackGateway;
    channels: IncidentChannels;
    logger: Logger;
  }) {
    this.#incidents = options.incidents;
    this.#queue = options.queue;
    this.#gateway = options.gateway;
    this.#channels = options.channels;
    this.#logger = options.logger;
    options.queue.register(BOOKMARK_JOB, (job) => this.#bookmark(job));
    options.incidents.onChange((change) => this.#changed(change));
  }

  #changed({ incident }: IncidentChange) {
    if (!this.#channels.channelOf(incident)) return;
    for (const ticket of ticketsOf(incident)) {
      const ref = incident.refs[ticketRefName(ticket.system, ticket.key)];
      if (ticket.purpose === 'followup' || ref?.bookmarked) continue;
      this.#queue
        .enqueue({
          kind: BOOKMARK_JOB,
          key: `slack-ticket-bookmark:${incident.id}:${ticket.system}:${ticket.key}`,
          payload: {
            incidentId: incident.id,
            system: ticket.system,
            key: ticket.key,
            what: `bookmarking ${ticketName(ticket)}`,
          },
          priority: 4,
        })
        .catch((error: unknown) => {
          this.#logger.error({ err: error, incident: incident.id }, 'could not queue a bookmark');
        });
    }
  }

  async #bookmark(job: Job) {
    const { incidentId = '', system = '', key = '' } = job.payload;
    const incident = this.#incidents.get(incidentId);
    const channel = incident && this.#channels.channelOf(incident);
    const name = ticketRefName(system, key);
    const ref = incident?.refs[name];
    if (!incident || !channel || !ref || ref.bookmarked) return;
    const title =
      ref.purpose === 'review'
        ? `Review: ${ticketName({ system, key })}`
        : ticketName({ system, key });
    await this.#gateway.addBookmark(channel, title, ref.url ?? '');
    // Read again: the ticket's state may have changed while Slack answered.
    const now = this.#incidents.get(incidentId)?.refs[name] ?? ref;
    await this.#incidents.setRef(incidentId, name, { ...now, bookmarked: 'true' });
  }
}
