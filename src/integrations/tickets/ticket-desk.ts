import { randomBytes } from 'node:crypto';
import type { IncidentChange, IncidentService } from '../../core/incident-service.ts';
import type { Logger } from '../../core/ports.ts';
import { ticketName, ticketRef, ticketRefName, ticketsOf } from '../../core/tickets.ts';
import type { LinkedTicket, TicketPurpose } from '../../core/tickets.ts';
import type { Actor, Incident, TimelineEntry } from '../../core/types.ts';
import type { Job, OutboundQueue } from '../../outbound/outbound-queue.ts';
import type { TicketDoc } from './ticket-doc.ts';
import type { TicketState, TicketSystem, TicketSystemName } from './ticket-system.ts';
import { textToDoc } from './text-to-doc.ts';

const CREATE_JOB = 'tickets.create';
const COMMENT_JOB = 'tickets.comment';
const STATE_JOB = 'tickets.state';
/**
 * The last line of the bot's comments: people see where they came from, and a comment coming
 * back by webhook is known as the bot's own even when its account could not be looked up.
 */
export const COMMENT_SIGNATURE = 'Posted by Firebreak from Slack.';
const PURPOSE_WORD: Record<TicketPurpose, string> = {
  incident: 'ticket',
  followup: 'follow-up',
  review: 'review',
};
/** Where a ticket's creation started, so a retry looks for what a lost answer opened. */
const ATTEMPT_PREFIX = 'ticket-attempt:';

export interface TicketDeskOptions {
  incidents: IncidentService;
  queue: OutboundQueue;
  systems: TicketSystem[];
  logger: Logger;
  /** Systems whose incident tickets are closed when the incident is resolved. */
  closeOnResolve: ReadonlySet<TicketSystemName>;
}

export interface TicketRequest {
  incident: Incident;
  system: TicketSystemName;
  purpose: TicketPurpose;
  title: string;
  /** What people wrote (or accepted from the form's draft); links become links. */
  text: string;
  labels?: string[];
  /** Jira custom fields by ID. */
  fields?: Record<string, string>;
  actor: Actor;
  /** Open one even though the incident already has a ticket there. */
  another?: boolean;
}

export type TicketRequestOutcome =
  | { outcome: 'queued' }
  | { outcome: 'exists'; ticket: LinkedTicket }
  | { outcome: 'pending'; title: string }
  | { outcome: 'unconfigured' };

/** A ticket being opened, as the incident's views show it. */
export interface PendingTicket {
  incidentId: string;
  system: string;
  purpose: TicketPurpose;
  title: string;
}

/**
 * The bot's side of tickets: opening them (through stored jobs, at most once per request even
 * when an answer is lost), commenting status updates and the resolution on the incident's
 * tickets, and moving them to done when the incident is resolved. Changes that came from the
 * ticket systems themselves are never sent back (no echoes).
 */
export class TicketDesk {
  readonly #o: TicketDeskOptions;
  readonly #problemListeners: ((incidentId: string, text: string) => void)[] = [];
  /** Requests between their check and their job being stored. */
  readonly #requesting: PendingTicket[] = [];

  constructor(options: TicketDeskOptions) {
    this.#o = options;
    options.queue.register(CREATE_JOB, (job) => this.#create(job));
    options.queue.register(COMMENT_JOB, (job) => this.#comment(job));
    options.queue.register(STATE_JOB, (job) => this.#syncState(job));
    options.incidents.onChange((change) => this.#changed(change));
  }

  get systems(): readonly TicketSystem[] {
    return this.#o.systems;
  }

  /** The named system, or the first configured one. */
  system(name?: string) {
    return name ? this.#o.systems.find((s) => s.name === name) : this.#o.systems[0];
  }

  /** Told when something people should see went wrong (a transition that is not available). */
  onProblem(listener: (incidentId: string, text: string) => void) {
    this.#problemListeners.push(listener);
  }

  /** Tickets of the incident still being opened. */
  pending(incidentId: string): PendingTicket[] {
    const queued = this.#o.queue
      .jobsFor(incidentId)
      .waiting.filter((job) => job.kind === CREATE_JOB)
      .map((job) => ({
        incidentId,
        system: job.payload.system ?? '',
        purpose: (job.payload.purpose ?? 'incident') as TicketPurpose,
        title: job.payload.title ?? '',
      }));
    return [...this.#requesting.filter((r) => r.incidentId === incidentId), ...queued];
  }

  /**
   * Queues the ticket. An incident has one ticket per system unless people ask for another; a
   * follow-up with the same title (case, spacing and end punctuation aside) as one already
   * opened or queued is that one; a review is published afresh each time, but not twice at once.
   */
  async request(input: TicketRequest): Promise<TicketRequestOutcome> {
    const system = this.system(input.system);
    if (!system) return { outcome: 'unconfigured' };
    const { incident, purpose } = input;
    const same = (t: { system: string; purpose: TicketPurpose; title: string }) =>
      t.system === system.name &&
      t.purpose === purpose &&
      (purpose !== 'followup' || sameTitle(t.title, input.title));
    if (!input.another) {
      const current = this.#o.incidents.get(incident.id) ?? incident;
      const existing = purpose === 'review' ? undefined : ticketsOf(current).find(same);
      if (existing) return { outcome: 'exists', ticket: existing };
      const pending = this.pending(incident.id).find(same);
      if (pending) return { outcome: 'pending', title: pending.title };
    }
    // Counted as pending from here, before the first await: requests arriving while this one
    // is being stored see it (two clicks, a double submit).
    const request = { incidentId: incident.id, system: system.name, purpose, title: input.title };
    this.#requesting.push(request);
    try {
      await this.#queueCreate(input, system);
    } finally {
      this.#requesting.splice(this.#requesting.indexOf(request), 1);
    }
    return { outcome: 'queued' };
  }

  async #queueCreate(input: TicketRequest, system: TicketSystem) {
    const { incident, purpose } = input;
    const marker = `fb-${incident.id}-${randomBytes(4).toString('hex')}`;
    const attempt = { state: 'queued', queuedAt: new Date().toISOString() };
    // Visible: the message shows the ticket as being opened (from the job) until it is.
    await this.#o.incidents.setRef(incident.id, ATTEMPT_PREFIX + marker, attempt, {
      visible: true,
    });
    await this.#o.queue.enqueue({
      kind: CREATE_JOB,
      key: `ticket-create:${marker}`,
      payload: {
        incidentId: incident.id,
        system: system.name,
        purpose,
        title: input.title,
        body: JSON.stringify(textToDoc(input.text)),
        labels: JSON.stringify(input.labels ?? []),
        fields: JSON.stringify(input.fields ?? {}),
        marker,
        actorId: input.actor.id,
        actorName: input.actor.name ?? input.actor.id,
        what: `opening a ${system.label} ${PURPOSE_WORD[purpose]}`,
        show: 'true',
      },
      priority: 1,
    });
  }

  /** Asks each system for the current state of the incident's tickets (for the review). */
  async refresh(incidentId: string) {
    const incident = this.#o.incidents.get(incidentId);
    if (!incident) return;
    await Promise.all(
      ticketsOf(incident).map(async (ticket) => {
        const system = this.system(ticket.system);
        const state = await system?.get(ticket.key).catch((error: unknown) => {
          const where = { incident: incidentId, ticket: ticket.key, err: error };
          this.#o.logger.warn(where, 'could not refresh a ticket');
          return undefined;
        });
        if (state && (state.status !== ticket.status || state.done !== ticket.done))
          await this.known(incidentId, ticket, state);
      }),
    );
  }

  /** Stores what a ticket system says a ticket's state is now; the views show it. */
  async known(
    incidentId: string,
    ticket: LinkedTicket,
    state: Pick<TicketState, 'status' | 'done'>,
  ) {
    const name = ticketRefName(ticket.system, ticket.key);
    const current = this.#o.incidents.get(incidentId)?.refs[name] ?? ticketRef(ticket);
    const value = { ...current, status: state.status, done: String(state.done) };
    await this.#o.incidents.setRef(incidentId, name, value, { visible: true });
  }

  async #create(job: Job) {
    const p = job.payload;
    const { incidents } = this.#o;
    const incident = incidents.get(p.incidentId ?? '');
    const system = this.system(p.system);
    const marker = p.marker ?? '';
    if (!incident || !system) return;
    if (
      ticketsOf(incident).some(
        (t) => incident.refs[ticketRefName(t.system, t.key)]?.marker === marker,
      )
    )
      return;
    const attempt = ATTEMPT_PREFIX + marker;
    // An earlier attempt may have opened it and lost the answer (a crash, a timeout, a limit).
    let state =
      incident.refs[attempt]?.state === 'started'
        ? await system.findByMarker(incident.id, marker)
        : undefined;
    if (!state) {
      const started = { state: 'started', startedAt: new Date().toISOString() };
      await incidents.setRef(incident.id, attempt, { ...incident.refs[attempt], ...started });
      state = await system.create({
        incidentId: incident.id,
        purpose: (p.purpose ?? 'incident') as TicketPurpose,
        title: p.title ?? incident.title,
        body: JSON.parse(p.body ?? '[]') as TicketDoc,
        labels: JSON.parse(p.labels ?? '[]') as string[],
        severity: incident.severity,
        marker,
        fields: JSON.parse(p.fields ?? '{}') as Record<string, string>,
      });
    }
    const ticket: LinkedTicket = {
      system: system.name,
      key: state.key,
      container: system.container.toLowerCase(),
      url: state.url,
      purpose: (p.purpose ?? 'incident') as TicketPurpose,
      title: state.title ?? p.title ?? '',
      status: state.status,
      done: state.done,
      createdAt: new Date().toISOString(),
    };
    const what = PURPOSE_WORD[ticket.purpose];
    await incidents.record({
      id: incident.id,
      kind: 'external',
      origin: 'slack',
      text: `Opened ${what} ${ticketName(ticket)}: ${ticket.title}`,
      actor: { kind: 'user', id: p.actorId ?? '', name: p.actorName ?? '' },
      source: { url: ticket.url },
      visible: true,
      refs: { [ticketRefName(ticket.system, ticket.key)]: { ...ticketRef(ticket), marker } },
    });
  }

  #changed(change: IncidentChange) {
    const { incident } = change;
    const tickets = ticketsOf(incident).filter(
      (t) => t.purpose === 'incident' && this.system(t.system),
    );
    if (tickets.length === 0) return;
    // What came from the ticket systems is not sent back to them.
    const fromHere = change.entries.filter((e) => e.origin !== 'jira' && e.origin !== 'github');
    const work: Promise<unknown>[] = [];
    const resolvedToo = fromHere.some((e) => e.kind === 'incident.resolved');
    for (const entry of fromHere) {
      const text = commentText(incident, entry, resolvedToo);
      if (!text) continue;
      for (const ticket of tickets) {
        work.push(
          this.#o.queue.enqueue({
            kind: COMMENT_JOB,
            key: `ticket-comment:${incident.id}:${entry.seq}:${ticket.system}:${ticket.key}`,
            payload: {
              incidentId: incident.id,
              system: ticket.system,
              key: ticket.key,
              text,
              what: `a comment on ${ticketName(ticket)}`,
            },
            priority: 3,
          }),
        );
      }
    }
    // Resolving closes the incident's tickets and reopening reopens them. One job per ticket
    // compares the two when it runs, so a reopen that comes while it closes is caught up after.
    const moved = fromHere.some(
      (e) => e.kind === 'incident.resolved' || e.kind === 'incident.reopened',
    );
    for (const ticket of moved ? tickets : []) {
      if (!this.#o.closeOnResolve.has(ticket.system as TicketSystemName)) continue;
      const closing = incident.status === 'resolved';
      work.push(
        this.#o.queue.enqueue({
          kind: STATE_JOB,
          key: `ticket-state:${incident.id}:${ticket.system}:${ticket.key}`,
          payload: {
            incidentId: incident.id,
            system: ticket.system,
            key: ticket.key,
            what: `${closing ? 'closing' : 'reopening'} ${ticketName(ticket)}`,
            show: 'true',
          },
          priority: 4,
        }),
      );
    }
    Promise.all(work).catch((error: unknown) => {
      this.#o.logger.error({ err: error, incident: incident.id }, 'could not queue ticket work');
    });
  }

  async #comment(job: Job) {
    const { system: name, key, text } = job.payload;
    const system = this.system(name);
    if (!system || !key || !text) return;
    await system.comment(key, textToDoc(`${text}\n\n${COMMENT_SIGNATURE}`));
  }

  /** Moves the ticket to done while the incident is resolved, and out of it once reopened. */
  async #syncState(job: Job) {
    const { incidentId = '', system: name, key = '' } = job.payload;
    const system = this.system(name);
    const incident = this.#o.incidents.get(incidentId);
    const ticket = incident && ticketsOf(incident).find((t) => t.system === name && t.key === key);
    if (!system || !ticket) return;
    const closing = incident.status === 'resolved';
    const result = closing ? await system.close(key) : await system.reopen(key);
    const record = (text: string) =>
      this.#o.incidents.record({
        id: incidentId,
        kind: 'external',
        origin: 'firebreak',
        text,
        source: { url: ticket.url },
        visible: false,
      });
    if (result.outcome === 'unavailable') {
      const wanted = result.wanted.map((w) => `"${w}"`).join(' or ');
      const fix = closing
        ? 'Set JIRA_RESOLVE_TRANSITION to one of those names, or move it in Jira.'
        : 'Reopen it in Jira.';
      const text =
        `Could not move ${ticketName(ticket)} ${closing ? 'to done' : 'out of done'}: no ` +
        `transition named ${wanted} from "${result.status}" ` +
        `(available: ${result.available.join(', ') || 'none'}). ${fix}`;
      await record(text);
      for (const listener of this.#problemListeners) listener(incidentId, text);
      return;
    }
    await this.known(incidentId, ticket, { status: result.status, done: closing });
    if (result.outcome !== 'already')
      await record(`Moved ${ticketName(ticket)} to ${result.status}`);
  }
}

/** Two follow-up titles name the same work: case, spacing and closing punctuation aside. */
function sameTitle(a: string, b: string) {
  const plain = (t: string) =>
    t
      .toLowerCase()
      .replace(/\s+/g, ' ')
      .replace(/[\s.!?:;,]+$/, '')
      .trim();
  return plain(a) === plain(b);
}

/** The comment a ticket gets for a timeline entry: status updates and the resolution. */
function commentText(incident: Incident, entry: TimelineEntry, resolvedToo: boolean) {
  const by = entry.actor.name ?? entry.actor.id;
  // A "resolved" status update also resolves: one comment says both.
  if (entry.kind === 'incident.status' && !resolvedToo)
    return `Status update on ${incident.id} by ${by}. ${entry.text}`;
  if (entry.kind === 'incident.resolved') return `${incident.id}: ${entry.text}`;
  return undefined;
}
