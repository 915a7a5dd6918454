import type { IncidentChange, IncidentService } from '../core/incident-service.ts';
import type { Logger } from '../core/ports.ts';
import { automationText, type Automation } from '../core/routing.ts';
import type { Actor, Incident } from '../core/types.ts';
import type { PagerDutyAdapter } from '../integrations/pagerduty/create-pagerduty-adapter.ts';
import type { TicketAdapter } from '../integrations/tickets/create-ticket-adapter.ts';
import { OutboundError } from '../outbound/outbound-error.ts';
import type { Job, OutboundQueue } from '../outbound/outbound-queue.ts';
import type { IncidentChannels } from './incident-channels.ts';
import type { IncidentThread } from './incident-thread.ts';
import type { SlackGateway } from './slack-gateway.ts';
import { ticketDraftText } from './ticket-views.ts';

const RUN_JOB = 'automations.run';

export interface AutomationsOptions {
  incidents: IncidentService;
  queue: OutboundQueue;
  channels: IncidentChannels;
  thread: IncidentThread;
  gateway: SlackGateway;
  logger: Logger;
  pagerduty?: PagerDutyAdapter;
  tickets?: TicketAdapter;
}

/** The steps a routing rule gave an incident (kept with it when it was routed). */
export function automationsOf(incident: Incident): Automation[] {
  const plan = incident.refs.route?.automations;
  if (!plan) return [];
  try {
    return JSON.parse(plan) as Automation[];
  } catch {
    return [];
  }
}

/**
 * Runs a routing rule's automations on the incident it opened, in order, in one stored job: each
 * step's result (or failure) is on the timeline, written together with the count of steps done,
 * so after a restart the job goes on at the next step and none runs twice. Every step is also
 * safe to repeat (a page and a ticket are deduplicated by the incident, a declare is refused as
 * "already"), for the instant between doing a step and storing that it was done. What they
 * opened is resolved with the incident: the page and the ticket follow it by themselves.
 */
export class Automations {
  readonly #o: AutomationsOptions;

  constructor(options: AutomationsOptions) {
    this.#o = options;
    options.queue.register(RUN_JOB, (job) => this.#run(job));
    options.incidents.onChange((change) => this.#changed(change));
  }

  /** People of the rule's user groups, for the incident's channel when it is made. */
  async invitees(incident: Incident) {
    const groups = automationsOf(incident).flatMap((s) =>
      s.type === 'invite' ? [s.usergroup] : [],
    );
    const members = await Promise.all(
      groups.map((g) =>
        this.#o.gateway.usergroupMembers(g).catch((error: unknown) => {
          this.#o.logger.warn({ err: error, usergroup: g }, 'could not read a user group');
          return [] as string[];
        }),
      ),
    );
    return [...new Set(members.flat())];
  }

  #changed({ incident, created }: IncidentChange) {
    if (!created || automationsOf(incident).length === 0) return;
    this.#o.queue
      .enqueue({
        kind: RUN_JOB,
        key: `automations:${incident.id}`,
        payload: { incidentId: incident.id, what: 'the rule’s automations', show: 'true' },
        priority: 1,
      })
      .catch((error: unknown) => {
        this.#o.logger.error({ err: error, incident: incident.id }, 'could not queue automations');
      });
  }

  async #run(job: Job) {
    const { incidents } = this.#o;
    const id = job.payload.incidentId ?? '';
    for (;;) {
      const incident = incidents.get(id);
      if (!incident) return;
      const steps = automationsOf(incident);
      const done = Number(incident.refs.automations?.done ?? '0');
      const step = steps[done];
      if (!step) return;
      const rule = incident.refs.route?.rule ?? '';
      const actor: Actor = { kind: 'system', id: 'firebreak', name: `rule ${rule}` };
      let text: string;
      try {
        text = await this.#step(incident, step, actor);
      } catch (error) {
        // A rate limit or an outage: the job waits and comes back to this step.
        if (error instanceof OutboundError && (error.retryable || error.retryAfterMs)) throw error;
        text = `failed: ${error instanceof Error ? error.message : String(error)}`;
        this.#o.logger.warn({ err: error, incident: id, step: step.type }, 'automation failed');
      }
      await incidents.record({
        id,
        kind: 'external',
        origin: 'firebreak',
        text:
          `Automation ${done + 1}/${steps.length} (rule "${rule}"), ` +
          `${automationText(step)}: ${text}`,
        actor,
        visible: false,
        refs: { automations: { done: String(done + 1) } },
      });
    }
  }

  async #step(incident: Incident, step: Automation, actor: Actor): Promise<string> {
    switch (step.type) {
      case 'page':
        return this.#page(incident, step, actor);
      case 'ticket':
        return this.#ticket(incident, step, actor);
      case 'declare': {
        const result = await this.#o.incidents.declare({
          incidentId: incident.id,
          title: incident.title,
          severity: incident.severity,
          actor,
          origin: 'firebreak',
          channel: step.channel,
        });
        if (result.outcome === 'already') return 'it was declared already';
        if (result.outcome !== 'done') return `not declared (${result.outcome})`;
        if (step.channel) await this.#o.channels.requestChannel(result.incident);
        return step.channel ? 'declared; its channel is being created' : 'declared';
      }
      case 'post':
        // In the thread of the incident's message: wait until that message is posted.
        if (!incident.refs.slack?.ts) throw waitForMessage();
        await this.#o.thread.notify(incident.id, step.text);
        return 'queued in its thread';
      case 'invite': {
        // Read now, so a wrong group ID or a missing scope shows here, not silently later.
        const members = await this.#o.gateway.usergroupMembers(step.usergroup);
        if (!this.#o.channels.channelOf(incident))
          return `its ${members.length} members are invited when the incident gets a channel`;
        if (members.length > 0) await this.#o.channels.invite(incident, members);
        return `invited ${members.length} people`;
      }
    }
  }

  async #page(incident: Incident, step: Extract<Automation, { type: 'page' }>, actor: Actor) {
    const pagerduty = this.#o.pagerduty;
    const outbound = pagerduty?.outbound;
    if (!pagerduty || !outbound) return 'PagerDuty is not set up (PAGERDUTY_TOKEN)';
    if (incident.refs.pagerduty?.id || incident.refs.pagerduty?.dedupKey) return 'paged already';
    const wanted = step.service.toLowerCase();
    const services = pagerduty.client ? await pagerduty.services() : [];
    const service =
      services.find((s) => s.id === step.service || s.name.toLowerCase() === wanted) ??
      (pagerduty.client ? undefined : { id: '', name: 'the PagerDuty integration' });
    if (!service) return `no PagerDuty service named "${step.service}"`;
    const message = incident.description ?? incident.title;
    const pending = await outbound.page({
      incident,
      serviceId: service.id,
      serviceName: service.name,
      urgency: step.urgency,
      message,
      actor,
    });
    return pending ? `a page to ${pending} was on its way` : `paging ${service.name}`;
  }

  async #ticket(incident: Incident, step: Extract<Automation, { type: 'ticket' }>, actor: Actor) {
    const desk = this.#o.tickets?.desk;
    const system = desk?.system(step.system);
    if (!desk || !system) return `${step.system ?? 'a ticket system'} is not set up`;
    const entries = await this.#o.incidents.timeline(incident.id);
    const outcome = await desk.request({
      incident,
      system: system.name,
      purpose: 'incident',
      title: `${incident.id}: ${incident.title}`,
      text: ticketDraftText(incident, entries, {}),
      actor,
    });
    if (outcome.outcome === 'exists') return `it has ${outcome.ticket.key} already`;
    if (outcome.outcome === 'pending') return 'its ticket is being opened already';
    return `opening a ${system.label} ticket`;
  }
}

function waitForMessage() {
  return new OutboundError({
    service: 'slack',
    message: 'waiting for the incident message',
    code: 'paced',
    retryAfterMs: 1_000,
  });
}
