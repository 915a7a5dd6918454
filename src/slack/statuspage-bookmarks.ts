import type { IncidentChange, IncidentService } from '../core/incident-service.ts';
import type { Logger } from '../core/ports.ts';
import { STATUSPAGE_REF } from '../integrations/statuspage/statuspage-ref.ts';
import type { Job, OutboundQueue } from '../outbound/outbound-queue.ts';
import type { IncidentChannels } from './incident-channels.ts';
import type { SlackGateway } from './slack-gateway.ts';

const BOOKMARK_JOB = 'slack.statuspage-bookmark';

/**
 * Bookmarks the incident's Statuspage incident in its channel, once the channel is ready and
 * the Statuspage incident is linked, whichever comes first.
 */
export class StatuspageBookmarks {
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
    const ref = incident.refs[STATUSPAGE_REF];
    if (!ref?.url || ref.bookmarked || !this.#channels.channelOf(incident)) return;
    this.#queue
      .enqueue({
        kind: BOOKMARK_JOB,
        key: `slack-statuspage-bookmark:${incident.id}`,
        payload: { incidentId: incident.id, what: 'bookmarking the status page' },
        priority: 4,
      })
      .catch((error: unknown) => {
        this.#logger.error({ err: error, incident: incident.id }, 'could not queue a bookmark');
      });
  }

  async #bookmark(job: Job) {
    const incidentId = job.payload.incidentId ?? '';
    const incident = this.#incidents.get(incidentId);
    const channel = incident && this.#channels.channelOf(incident);
    const ref = incident?.refs[STATUSPAGE_REF];
    if (!incident || !channel || !ref?.url || ref.bookmarked) return;
    await this.#gateway.addBookmark(channel, 'Status page', ref.url);
    // Read again: changes may have been queued for the status page while Slack answered.
    const now = this.#incidents.get(incidentId)?.refs[STATUSPAGE_REF] ?? ref;
    await this.#incidents.setRef(incidentId, STATUSPAGE_REF, { ...now, bookmarked: 'true' });
  }
}
