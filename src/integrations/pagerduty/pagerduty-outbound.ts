import type { IncidentChange, IncidentService } from '../../core/incident-service.ts';
import type { Actor, Incident } from '../../core/types.ts';
import type { Logger } from '../../core/ports.ts';
import { OutboundError } from '../../outbound/outbound-error.ts';
import type { Job, OutboundQueue } from '../../outbound/outbound-queue.ts';
import type { PagerDutyClient } from './pagerduty-client.ts';
import type { PagerDutyEvents } from './pagerduty-events.ts';

const SYNC_JOB = 'pagerduty.sync';
const PAGE_JOB = 'pagerduty.page';
const NOTE_JOB = 'pagerduty.note';
/** PagerDuty's "Incident Already Resolved": nothing left to do there. */
const ALREADY_RESOLVED = '1001';

export interface PagerDutyOutboundOptions {
  incidents: IncidentService;
  queue: OutboundQueue;
  /** With a REST API key: page a chosen service, and keep its incident in step. */
  client?: PagerDutyClient;
  /** With only a routing key: page through the Events API, keyed by `firebreak-INC-n`. */
  events?: PagerDutyEvents;
  logger: Logger;
  /** Send notes written in Slack to PagerDuty as incident notes too. */
  mirrorNotes: boolean;
}

/**
 * Keeps the linked PagerDuty incident in step with ours: paging opens it, and acknowledging or
 * resolving here does the same there. The job compares the incident with what PagerDuty is
 * known to say (`refs.pagerduty.status`, updated by our own calls and by PagerDuty's webhooks),
 * so a change that came from PagerDuty is never sent back to it (F11) and a retried job never
 * acts twice.
 */
export class PagerDutyOutbound {
  readonly #o: PagerDutyOutboundOptions;
  readonly #pagedListeners: ((incidentId: string) => void)[] = [];

  constructor(options: PagerDutyOutboundOptions) {
    this.#o = options;
    options.queue.register(SYNC_JOB, (job) => this.#sync(job));
    options.queue.register(PAGE_JOB, (job) => this.#page(job));
    options.queue.register(NOTE_JOB, (job) => this.#note(job));
    options.incidents.onChange((change) => this.#changed(change));
  }

  /** Told once an incident is paged (its channel, if any, then invites the on-call people). */
  onPaged(listener: (incidentId: string) => void) {
    this.#pagedListeners.push(listener);
  }

  /** The service a page of this incident is on its way to, if one is queued. */
  pendingPage(incidentId: string) {
    const job = this.#o.queue.jobsFor(incidentId).waiting.find((j) => j.kind === PAGE_JOB);
    return job?.payload.serviceName;
  }

  /**
   * Pages a PagerDuty service about the incident; done at most once per incident (the incident
   * key is its ID), the outcome on the timeline. Resolves once the job is stored, with
   * undefined; or, when a page of it is already queued, with that page's service (a second page
   * would replace the first, so it is not queued).
   */
  page(input: {
    incident: Incident;
    serviceId: string;
    serviceName: string;
    urgency: 'high' | 'low';
    message: string;
    actor: Actor;
  }) {
    // Checked and queued in one turn of the event loop: two pages at once cannot both pass.
    const pending = this.pendingPage(input.incident.id);
    if (pending) return Promise.resolve(pending);
    return this.#o.queue
      .enqueue({
        kind: PAGE_JOB,
        key: `pagerduty-page:${input.incident.id}`,
        payload: {
          incidentId: input.incident.id,
          serviceId: input.serviceId,
          serviceName: input.serviceName,
          urgency: input.urgency,
          message: input.message,
          actorId: input.actor.id,
          actorName: input.actor.name ?? input.actor.id,
          what: `paging ${input.serviceName} in PagerDuty`,
          show: 'true',
        },
        priority: 0,
      })
      .then(() => undefined);
  }

  #changed(change: IncidentChange) {
    const { incident } = change;
    const ref = incident.refs.pagerduty;
    if (!ref?.id && !ref?.dedupKey) return;
    const fromHere = change.entries.filter((e) => e.origin !== 'pagerduty');
    const work: Promise<unknown>[] = [];
    if (fromHere.some((e) => e.kind === 'incident.acknowledged' || e.kind === 'incident.resolved'))
      work.push(this.#enqueueSync(incident));
    if (this.#o.mirrorNotes) {
      for (const entry of fromHere.filter((e) => e.kind === 'note')) {
        work.push(
          this.#o.queue.enqueue({
            kind: NOTE_JOB,
            key: `pagerduty-note:${incident.id}:${entry.seq}`,
            payload: { incidentId: incident.id, text: entry.text, what: 'a note in PagerDuty' },
            priority: 4,
          }),
        );
      }
    }
    Promise.all(work).catch((error: unknown) => {
      this.#o.logger.error({ err: error, incident: incident.id }, 'could not queue pagerduty work');
    });
  }

  #enqueueSync(incident: Incident) {
    const verb = incident.status === 'resolved' ? 'resolving' : 'acknowledging';
    return this.#o.queue.enqueue({
      kind: SYNC_JOB,
      key: `pagerduty-sync:${incident.id}`,
      payload: { incidentId: incident.id, what: `${verb} in PagerDuty`, show: 'true' },
      priority: 1,
    });
  }

  async #sync(job: Job) {
    const { incidents, client, events } = this.#o;
    const incident = incidents.get(job.payload.incidentId ?? '');
    const ref = incident?.refs.pagerduty;
    if (!incident || !(ref?.id || ref?.dedupKey)) return;
    const wanted = incident.status === 'triggered' ? undefined : incident.status;
    if (!wanted || ref.status === wanted || ref.status === 'resolved') return;
    if (ref.via === 'events' && events && ref.dedupKey) {
      if (wanted === 'resolved') await events.resolve(ref.dedupKey);
      else await events.acknowledge(ref.dedupKey);
      await this.#known(incident.id, wanted);
      return;
    }
    if (!client || !ref.id) return;
    try {
      const resolution = wanted === 'resolved' ? incident.resolution : undefined;
      await client.setStatus(ref.id, wanted, resolution);
      await this.#known(incident.id, wanted);
    } catch (error) {
      // Resolved there already (by a person, or it timed out): both sides agree now.
      if (!(error instanceof OutboundError) || error.code !== ALREADY_RESOLVED) throw error;
      await this.#known(incident.id, 'resolved');
    }
  }

  async #page(job: Job) {
    const { incidents, client, events } = this.#o;
    const incident = incidents.get(job.payload.incidentId ?? '');
    if (!incident || incident.refs.pagerduty?.id || incident.refs.pagerduty?.dedupKey) return;
    const p = job.payload;
    const dedupKey = `firebreak-${incident.id}`;
    if (incident.status === 'resolved') {
      // Resolved while the page waited (a 429, an outage): nobody is woken for nothing.
      await incidents.record({
        id: incident.id,
        kind: 'external',
        origin: 'slack',
        text: `Page to ${p.serviceName} not sent: ${incident.id} was resolved first`,
        visible: false,
      });
      return;
    }
    if (!client && events) {
      await events.trigger(dedupKey, {
        summary: `${incident.id}: ${incident.title}`,
        severity: incident.severity,
        details: { message: p.message || incident.description || incident.title },
      });
      await incidents.setRef(incident.id, 'pagerduty', {
        dedupKey,
        via: 'events',
        status: 'triggered',
        service: p.serviceName ?? '',
      });
      await this.#paged(incident, p);
      return;
    }
    if (!client) return;
    const opened = await client
      .createIncident({
        serviceId: p.serviceId ?? '',
        title: `${incident.id}: ${incident.title}`,
        urgency: p.urgency === 'low' ? 'low' : 'high',
        details: p.message || incident.description || incident.title,
        incidentKey: dedupKey,
      })
      .catch(async (error: unknown) => {
        // Opened by an attempt whose answer was lost (a crash, a timeout): find it by its key.
        const existing = await client.openIncidentByKey(dedupKey);
        if (existing) return existing;
        throw error;
      });
    await incidents.setRef(incident.id, 'pagerduty', {
      id: opened.id,
      url: opened.url,
      status: opened.status || 'triggered',
      service: p.serviceName ?? '',
      serviceId: p.serviceId ?? '',
    });
    await this.#paged(incident, p, opened.url);
  }

  /** The page on the timeline (and so on the message); a change made meanwhile follows. */
  async #paged(incident: Incident, p: Job['payload'], url?: string) {
    await this.#o.incidents.record({
      id: incident.id,
      kind: 'external',
      origin: 'slack',
      text:
        `Paged ${p.serviceName} in PagerDuty (${p.urgency} urgency)` +
        (p.message ? `: ${p.message}` : ''),
      actor: { kind: 'user', id: p.actorId ?? '', name: p.actorName ?? '' },
      ...(url ? { source: { url } } : {}),
      visible: true,
    });
    for (const listener of this.#pagedListeners) listener(incident.id);
    // Acknowledged or resolved here before PagerDuty heard of it: catch up.
    if (incident.status !== 'triggered') await this.#enqueueSync(incident);
  }

  async #note(job: Job) {
    const incident = this.#o.incidents.get(job.payload.incidentId ?? '');
    const id = incident?.refs.pagerduty?.id;
    if (!id || !this.#o.client) return;
    await this.#o.client.addNote(id, job.payload.text ?? '');
  }

  async #known(incidentId: string, status: string) {
    const ref = this.#o.incidents.get(incidentId)?.refs.pagerduty ?? {};
    const visible = { visible: true };
    await this.#o.incidents.setRef(incidentId, 'pagerduty', { ...ref, status }, visible);
  }
}
