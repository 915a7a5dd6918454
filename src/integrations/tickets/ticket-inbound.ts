import type { IncidentService } from '../../core/incident-service.ts';
import type { Logger } from '../../core/ports.ts';
import { ticketName, ticketRefName, ticketsOf } from '../../core/tickets.ts';
import type { SeenDeliveries } from '../../store/seen-deliveries.ts';
import { COMMENT_SIGNATURE, type TicketDesk } from './ticket-desk.ts';
import type { TicketEvent, TicketSystemName } from './ticket-system.ts';

/** A comment longer than this is cut on the timeline; the link leads to all of it. */
const COMMENT_LIMIT = 1_000;

export type TicketEventOutcome = 'applied' | 'duplicate' | 'echo' | 'unlinked' | 'unchanged';

export interface TicketInboundOptions {
  incidents: IncidentService;
  desk: TicketDesk;
  seen: SeenDeliveries;
  logger: Logger;
  /** The bot's own account in each system (Jira accountId, GitHub login), once known. */
  botIdentity: (system: TicketSystemName) => Promise<string | undefined>;
}

/**
 * What Jira and GitHub say about the tickets linked to incidents: status changes, assignments
 * and people's comments land on the timeline (and the ticket's state on the messages). The
 * bot's own changes coming back are echoes and are dropped; a delivery is applied once.
 */
export class TicketInbound {
  readonly #o: TicketInboundOptions;

  constructor(options: TicketInboundOptions) {
    this.#o = options;
  }

  /** Applies one delivery's events; the outcome of the last one that did something wins. */
  async handle(system: TicketSystemName, deliveryId: string, events: TicketEvent[]) {
    const key = `${system}:${deliveryId}`;
    if (deliveryId && !(await this.#o.seen.firstTime(key))) return 'duplicate';
    let outcome: TicketEventOutcome = events.length === 0 ? 'unchanged' : 'unlinked';
    try {
      for (const event of events) {
        const result = await this.#apply(event);
        if (result === 'applied' || outcome === 'unlinked') outcome = result;
      }
    } catch (error) {
      // Not applied: the tool's retry (or a redelivery) must get another chance.
      this.#o.seen.forget(key);
      throw error;
    }
    return outcome;
  }

  async #apply(event: TicketEvent): Promise<TicketEventOutcome> {
    const { incidents } = this.#o;
    const name = ticketRefName(event.system, event.key);
    const incident = incidents.findByRef(name, 'container', event.container.toLowerCase());
    if (!incident) return 'unlinked';
    const bot = await this.#o.botIdentity(event.system);
    const signed = event.kind === 'comment' && event.text?.trim().endsWith(COMMENT_SIGNATURE);
    if (event.actor.bot || event.actor.id === bot || signed) return 'echo';
    const ticket = ticketsOf(incident).find(
      (t) => t.system === event.system && t.key === event.key,
    );
    if (!ticket) return 'unlinked';

    const who = event.actor.name || event.actor.id;
    const record = (text: string) =>
      incidents.record({
        id: incident.id,
        kind: 'external',
        origin: event.system,
        text,
        actor: { kind: 'external', id: `${event.system}:${event.actor.id}`, name: who },
        ...(event.url ? { source: { url: event.url } } : {}),
        visible: true,
      });
    switch (event.kind) {
      case 'status': {
        const status = event.status ?? '';
        if (status === ticket.status) return 'unchanged';
        await this.#o.desk.known(incident.id, ticket, { status, done: event.done ?? false });
        await record(`${who} moved ${ticketName(ticket)} to ${status}`);
        return 'applied';
      }
      case 'assigned':
        await record(`${who} assigned ${ticketName(ticket)} to ${event.assignee ?? 'someone'}`);
        return 'applied';
      case 'unassigned':
        await record(`${who} unassigned ${ticketName(ticket)}`);
        return 'applied';
      case 'comment': {
        const text = (event.text ?? '').trim();
        const cut = text.length > COMMENT_LIMIT ? `${text.slice(0, COMMENT_LIMIT)}…` : text;
        await record(`${who} commented on ${ticketName(ticket)}: ${cut}`);
        return 'applied';
      }
    }
  }
}
