import type { IncidentChange, IncidentService } from '../core/incident-service.ts';
import type { Logger } from '../core/ports.ts';
import { ticketName, ticketRefName, ticketsOf } from '../core/tickets.ts';
import type { Incident } from '../core/types.ts';
import { STATUSPAGE_REF } from '../integrations/statuspage/statuspage-ref.ts';
import type { Job, OutboundQueue } from '../outbound/outbound-queue.ts';
import type { IncidentChannels } from './incident-channels.ts';
import type { SlackGateway } from './slack-gateway.ts';

const BOOKMARK_JOB = 'slack.link-bookmark';

/** A link worth a bookmark in the incident's channel, kept in one of its refs. */
interface Bookmarkable {
  /** The ref that holds `url` and, once done, `bookmarked`. */
  ref: string;
  title: string;
}

/**
 * What the incident's channel bookmarks besides its alert message: the incident's tickets and
 * its published review (follow-ups are listed on the messages instead: the bar is short), and
 * its status page incident.
 */
export function bookmarkables(incident: Incident): Bookmarkable[] {
  const tickets = ticketsOf(incident)
    .filter((t) => t.purpose !== 'followup')
    .map((t) => ({
      ref: ticketRefName(t.system, t.key),
      title: t.purpose === 'review' ? `Review: ${ticketName(t)}` : ticketName(t),
    }));
  const page = incident.refs[STATUSPAGE_REF]?.url
    ? [{ ref: STATUSPAGE_REF, title: 'Status page' }]
    : [];
  return [...tickets, ...page];
}

/**
 * Bookmarks those links in the incident's channel once both exist (whichever comes first), one
 * stored job each; a ref marked `bookmarked` is not bookmarked again.
 */
export class LinkBookmarks {
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
    for (const { ref, title } of bookmarkables(incident)) {
      if (incident.refs[ref]?.bookmarked) continue;
      this.#queue
        .enqueue({
          kind: BOOKMARK_JOB,
          key: `slack-bookmark:${incident.id}:${ref}`,
          payload: { incidentId: incident.id, ref, what: `bookmarking ${title}` },
          priority: 4,
        })
        .catch((error: unknown) => {
          this.#logger.error({ err: error, incident: incident.id }, 'could not queue a bookmark');
        });
    }
  }

  async #bookmark(job: Job) {
    const { incidentId = '', ref: name = '' } = job.payload;
    const incident = this.#incidents.get(incidentId);
    const channel = incident && this.#channels.channelOf(incident);
    const wanted = incident && bookmarkables(incident).find((b) => b.ref === name);
    const ref = incident?.refs[name];
    if (!channel || !wanted || !ref?.url || ref.bookmarked) return;
    await this.#gateway.addBookmark(channel, wanted.title, ref.url);
    // Read again: the ref may have changed while Slack answered (a status, say).
    const now = this.#incidents.get(incidentId)?.refs[name] ?? ref;
    await this.#incidents.setRef(incidentId, name, { ...now, bookmarked: 'true' });
  }
}
