import type { IncidentService } from '../../core/incident-service.ts';
import type { LifecycleCommand } from '../../core/lifecycle.ts';
import type { Logger } from '../../core/ports.ts';
import type { Actor, AlertBatch, Incident } from '../../core/types.ts';
import type { SeenDeliveries } from '../../store/seen-deliveries.ts';
import { HANDLED_EVENTS, type PagerDutyEvent } from './pagerduty-event.ts';

/** What became of one webhook event. */
export type InboundOutcome = 'applied' | 'duplicate' | 'echo' | 'stale' | 'ignored';

export interface PagerDutyInboundOptions {
  incidents: IncidentService;
  /** Event IDs already applied (PagerDuty delivers at least once, retrying for 48 h). */
  seen: SeenDeliveries;
  logger: Logger;
  /** The PagerDuty user the bot acts as (PAGERDUTY_FROM_EMAIL's), once known. */
  botUserId: () => string | undefined;
  /** Services whose incidents opened in PagerDuty open an incident here too. */
  inboundServices: ReadonlySet<string>;
}

/** How far ahead of ours PagerDuty's clock may be before its times are not believed. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
/** Events that change an incident's state; an older one than the last applied changes nothing. */
const STATE_EVENTS = new Set([
  'incident.triggered',
  'incident.acknowledged',
  'incident.unacknowledged',
  'incident.resolved',
  'incident.reopened',
]);

/**
 * Applies PagerDuty's webhook events to the linked incidents, so a phone acknowledgement or an
 * escalation shows in Slack and on the timeline. No loops and no echoes (F11): the bot's own
 * changes coming back are recognised by their agent and dropped; a redelivered event is applied
 * once; an event older than the last applied one (they can arrive out of order) moves nothing
 * back; and changes that come from PagerDuty are never sent back to it (origin 'pagerduty').
 */
export class PagerDutyInbound {
  readonly #o: PagerDutyInboundOptions;

  constructor(options: PagerDutyInboundOptions) {
    this.#o = options;
  }

  async handle(event: PagerDutyEvent): Promise<InboundOutcome> {
    const key = `pagerduty:${event.id}`;
    if (!(await this.#o.seen.firstTime(key))) return 'duplicate';
    try {
      return await this.#apply(event);
    } catch (error) {
      // Not applied: PagerDuty's retry must get another chance.
      this.#o.seen.forget(key);
      throw error;
    }
  }

  async #apply(event: PagerDutyEvent): Promise<InboundOutcome> {
    const { incidents } = this.#o;
    if (!(HANDLED_EVENTS as readonly string[]).includes(event.type)) return 'ignored';
    const linked =
      incidents.findByRef('pagerduty', 'id', event.incident.id) ?? (await this.#byKey(event));
    if (!linked) return this.#maybeOpen(event);

    const ref = linked.refs.pagerduty ?? {};
    const state = STATE_EVENTS.has(event.type);
    if (state && ref.lastEventAt && event.occurredAt < ref.lastEventAt) {
      this.#o.logger.info(
        { incident: linked.id, event: event.id, type: event.type },
        'older pagerduty event changes nothing',
      );
      return 'stale';
    }
    if (state) {
      // What PagerDuty says now: the outbound side compares with it and so never echoes back.
      const status = event.incident.status;
      // A clock far ahead must not make every later event look old: at most a little ahead.
      const latest = new Date(Date.now() + CLOCK_SKEW_MS).toISOString();
      const at = event.occurredAt < latest ? event.occurredAt : latest;
      const known = { ...ref, lastEventAt: at, ...(status ? { status } : {}) };
      await incidents.setRef(linked.id, 'pagerduty', known, { visible: status !== ref.status });
    }
    if (event.agent && event.agent.id === this.#o.botUserId()) return 'echo';
    // Through the Events API the bot has no PagerDuty user: its acknowledgement comes back with
    // the integration as agent, on the incident keyed by the bot's dedup key. PagerDuty never
    // acknowledges by itself, so that is the bot's own echo, however late it arrives.
    const ours =
      event.incident.incidentKey !== undefined && event.incident.incidentKey === ref.dedupKey;
    if (event.type === 'incident.acknowledged' && event.agent && !event.agent.person && ours) {
      return 'echo';
    }

    const actor: Actor = event.agent?.person
      ? { kind: 'external', id: `pagerduty:${event.agent.id}`, name: event.agent.name }
      : { kind: 'source', id: 'pagerduty' };
    await this.#applyTo(linked, event, actor);
    return 'applied';
  }

  async #applyTo(incident: Incident, event: PagerDutyEvent, actor: Actor) {
    const act = (command: LifecycleCommand) =>
      this.#o.incidents.act(incident.id, command, actor, 'pagerduty');
    const note = (text: string) =>
      this.#o.incidents.record({
        id: incident.id,
        kind: 'external',
        origin: 'pagerduty',
        text,
        actor,
        ...(event.incident.url ? { source: { url: event.incident.url } } : {}),
        visible: false,
      });

    switch (event.type) {
      case 'incident.acknowledged': {
        const result = await act({ type: 'acknowledge' });
        // Someone else acknowledging too is worth a line; the state stays as it is.
        if (result.outcome === 'already' && actor.kind === 'external')
          await note('Acknowledged in PagerDuty too');
        if (result.outcome === 'resolved')
          await note('Acknowledged in PagerDuty after it resolved');
        return;
      }
      case 'incident.unacknowledged':
        await act({ type: 'unacknowledge' });
        return;
      case 'incident.resolved':
        if (incident.source === 'pagerduty')
          await this.#o.incidents.ingest(batchOf(event, 'resolved'));
        await act({ type: 'resolve' });
        return;
      case 'incident.reopened': {
        const result = await act({ type: 'reopen' });
        if (result.outcome !== 'done') await note('Reopened in PagerDuty');
        return;
      }
      case 'incident.reassigned':
        await note(`Reassigned in PagerDuty to ${listOf(event.incident.assignees)}`);
        return;
      case 'incident.escalated':
        await note(`Escalated in PagerDuty to ${listOf(event.incident.assignees)}`);
        return;
      case 'incident.priority_updated':
        await note(`Priority in PagerDuty: ${event.incident.priority ?? 'none'}`);
        return;
      case 'incident.annotated':
        if (event.note) await act({ type: 'note', text: `PagerDuty note: ${event.note}` });
        return;
      default:
        return;
    }
  }

  /**
   * Paged through the Events API, an incident is known by its dedup key until PagerDuty's first
   * webhook names its incident (`incident_key`); then it is linked by ID, with its link.
   */
  async #byKey(event: PagerDutyEvent) {
    const key = event.incident.incidentKey;
    const incident = key ? this.#o.incidents.findByRef('pagerduty', 'dedupKey', key) : undefined;
    if (!incident) return undefined;
    const { id, url } = event.incident;
    const ref = { ...incident.refs.pagerduty, id, ...(url ? { url } : {}) };
    await this.#o.incidents.setRef(incident.id, 'pagerduty', ref, { visible: true });
    return this.#o.incidents.get(incident.id);
  }

  /** An incident opened in PagerDuty for a mapped service opens one here, like an alert. */
  async #maybeOpen(event: PagerDutyEvent): Promise<InboundOutcome> {
    const service = event.incident.service?.id;
    if (event.type !== 'incident.triggered' || !service || !this.#o.inboundServices.has(service))
      return 'ignored';
    const result = await this.#o.incidents.ingest(batchOf(event, 'firing'));
    if (result.incidentId) {
      const { id, url } = event.incident;
      await this.#o.incidents.setRef(result.incidentId, 'pagerduty', {
        id,
        ...(url ? { url } : {}),
        lastEventAt: event.occurredAt,
      });
    }
    return 'applied';
  }
}

/** A PagerDuty incident as an alert of source 'pagerduty', keyed by its ID. */
function batchOf(event: PagerDutyEvent, status: 'firing' | 'resolved'): AlertBatch {
  const { incident } = event;
  const title = incident.title ?? `PagerDuty incident ${incident.id}`;
  const links = incident.url
    ? [{ title: 'PagerDuty incident', url: incident.url, kind: 'source' as const }]
    : [];
  return {
    source: 'pagerduty',
    groupKey: incident.id,
    title,
    links,
    alerts: [
      {
        key: incident.id,
        status,
        title,
        summary: title,
        severity: incident.urgency === 'low' ? 'warning' : 'error',
        labels: incident.service ? { service: incident.service.name } : {},
        links,
        startsAt: event.occurredAt,
      },
    ],
  };
}

function listOf(names: string[]) {
  return names.length > 0 ? names.join(', ') : 'nobody';
}
