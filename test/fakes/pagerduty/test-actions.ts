/**
 * What tests do to the stand-in's PagerDuty from the inside, as a person in the web app or an
 * alert from another integration would: open an incident, change its status, add a note. Each
 * returns the V3 webhook event the change produces and hands it to the subscriptions.
 */
import type { Account, Actor, IncidentState, IncidentStatus, Urgency } from './account.ts';
import { incidentEvent, type IncidentEventType, type WebhookEvent } from './webhook-events.ts';

export interface OpenIncidentInput {
  serviceId: string;
  title: string;
  incidentKey?: string;
  /** Default 'high'. */
  urgency?: Urgency;
  /** A person who opened it. Default: the service itself (an alert), agent a service_reference. */
  byUserId?: string;
  /**
   * Open it as an Events API trigger through this integration key would, so later events with
   * `dedup_key` = `incidentKey` act on it.
   */
  routingKey?: string;
}

export interface EventBuildOptions {
  /** The agent: a user id, or null for PagerDuty itself. Default: who last changed the status. */
  agentUserId?: string | null;
  /** `event.id`. Default: a fresh UUID. */
  id?: string;
  /** Epoch milliseconds. Default: the stand-in's clock. */
  occurredAt?: number;
}

export class TestActions {
  constructor(
    private readonly account: Account,
    private readonly dispatch: (event: WebhookEvent) => void,
  ) {}

  openIncident(input: OpenIncidentInput): { incident: IncidentState; event: WebhookEvent } {
    const actor: Actor =
      input.byUserId === undefined
        ? { type: 'service', id: input.serviceId }
        : { type: 'user', id: this.userId('openIncident', input.byUserId) };
    if (!this.account.services.has(input.serviceId)) {
      throw new Error(`openIncident: unknown service ${input.serviceId}`);
    }
    const { routingKey } = input;
    if (
      routingKey !== undefined &&
      this.account.serviceForKey(routingKey)?.id !== input.serviceId
    ) {
      throw new Error(
        `openIncident: ${routingKey} is not an integration key of ${input.serviceId}`,
      );
    }

    const incident = this.account.createIncident({
      serviceId: input.serviceId,
      title: input.title,
      incidentKey: input.incidentKey ?? null,
      ...(input.urgency !== undefined && { urgency: input.urgency }),
      ...(input.routingKey !== undefined && { routingKey: input.routingKey }),
      actor,
    });
    const event = incidentEvent(this.account, 'incident.triggered', incident, actor);
    this.dispatch(event);
    return { incident, event };
  }

  setIncidentStatus(id: string, status: IncidentStatus, byUserId: string | null): WebhookEvent {
    const incident = this.incidentOrThrow('setIncidentStatus', id);
    const actor = byUserId === null ? null : this.userActor('setIncidentStatus', byUserId);

    // PagerDuty records a system change without a person; the stand-in names the service.
    const eventType = this.account.changeStatus(
      incident,
      status,
      actor ?? { type: 'service', id: incident.serviceId },
    );
    if (eventType === undefined) {
      throw new Error(
        `setIncidentStatus: ${id} is already ${status}; PagerDuty would send nothing`,
      );
    }
    const event = incidentEvent(this.account, eventType, incident, actor);
    this.dispatch(event);
    return event;
  }

  addNote(incidentId: string, content: string, byUserId: string): WebhookEvent {
    const incident = this.incidentOrThrow('addNote', incidentId);
    const actor = this.userActor('addNote', byUserId);

    const note = this.account.addNote(incident, content, actor.id);
    const event = incidentEvent(this.account, 'incident.annotated', incident, actor, { note });
    this.dispatch(event);
    return event;
  }

  buildEvent(
    type: IncidentEventType,
    incidentId: string,
    options: EventBuildOptions = {},
  ): WebhookEvent {
    const incident = this.incidentOrThrow('webhookEvent', incidentId);
    const note = this.account.notes
      .filter((candidate) => candidate.incidentId === incidentId)
      .at(-1);
    if (type === 'incident.annotated' && note === undefined) {
      throw new Error(`webhookEvent: ${incidentId} has no note to announce`);
    }

    const { agentUserId } = options;
    const actor =
      agentUserId === undefined
        ? incident.lastStatusChangeBy
        : agentUserId === null
          ? null
          : this.userActor('webhookEvent', agentUserId);
    return incidentEvent(this.account, type, incident, actor, {
      ...(options.id !== undefined && { id: options.id }),
      ...(options.occurredAt !== undefined && { occurredAt: options.occurredAt }),
      ...(note !== undefined && { note }),
    });
  }

  private incidentOrThrow(caller: string, id: string): IncidentState {
    const incident = this.account.incidents.get(id);
    if (incident === undefined) throw new Error(`${caller}: unknown incident ${id}`);
    return incident;
  }

  private userActor(caller: string, userId: string): { type: 'user'; id: string } {
    return { type: 'user', id: this.userId(caller, userId) };
  }

  private userId(caller: string, userId: string): string {
    if (!this.account.users.has(userId)) throw new Error(`${caller}: unknown user ${userId}`);
    return userId;
  }
}
