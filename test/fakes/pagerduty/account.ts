/**
 * The mutable state of a PagerDuty stand-in: its configured account, the incidents opened
 * through the REST API, the Events API or a test, and their notes. Status changes follow
 * PagerDuty's incident lifecycle (triggered → acknowledged → resolved; a person may also
 * un-acknowledge or reopen) and name the webhook event type each change produces.
 */
import { checkAccountConfig } from './account-config.ts';
import type {
  AccountConfig,
  StandInOncall,
  StandInService,
  StandInUser,
} from './account-config.ts';

export type IncidentStatus = 'triggered' | 'acknowledged' | 'resolved';
export type Urgency = 'high' | 'low';

/** Who made a change: a user (REST `From`, a person in PagerDuty) or a service (Events API). */
export type Actor = { type: 'user'; id: string } | { type: 'service'; id: string };

/** The V3 webhook event types a status change produces. */
export type StatusEventType =
  'incident.acknowledged' | 'incident.unacknowledged' | 'incident.resolved' | 'incident.reopened';

export interface IncidentState {
  /** 'PI' + 5 digits. */
  id: string;
  number: number;
  title: string;
  status: IncidentStatus;
  serviceId: string;
  escalationPolicyId: string;
  urgency: Urgency;
  /** REST `incident_key`, or the Events API `dedup_key` that opened it. */
  incidentKey: string | null;
  /** REST `body.details`. */
  details?: string;
  /** The Events API trigger that opened it: its integration key and `payload`. */
  routingKey?: string;
  eventPayload?: Record<string, unknown>;
  /** Epoch milliseconds. */
  createdAt: number;
  lastStatusChangeAt: number;
  lastStatusChangeBy: Actor;
  assigneeIds: string[];
  acknowledgements: { actor: Actor; at: number }[];
  /** REST `resolution` sent with the resolving PUT. */
  resolution?: string;
}

export interface NoteState {
  /** 'PN' + 5 digits. */
  id: string;
  incidentId: string;
  content: string;
  userId: string;
  /** Epoch milliseconds. */
  createdAt: number;
}

export interface NewIncident {
  serviceId: string;
  title: string;
  urgency?: Urgency;
  incidentKey?: string | null;
  details?: string;
  routingKey?: string;
  eventPayload?: Record<string, unknown>;
  actor: Actor;
}

export class Account {
  readonly services: Map<string, StandInService>;
  readonly users: Map<string, StandInUser>;
  readonly incidents = new Map<string, IncidentState>();
  readonly notes: NoteState[] = [];
  private incidentCount = 0;
  private noteCount = 0;

  /** `apiUrl` ends with '/'; it prefixes the `self` links of answers and webhooks. */
  constructor(
    readonly config: AccountConfig,
    readonly apiUrl: string,
    readonly now: () => number,
  ) {
    checkAccountConfig(config);
    this.services = new Map(config.services.map((service) => [service.id, service]));
    this.users = new Map(config.users.map((user) => [user.id, user]));
  }

  get oncalls(): StandInOncall[] {
    return this.config.oncalls;
  }

  /** The user a `From` header names, if that email may make changes. */
  requester(email: string): StandInUser | undefined {
    const wanted = email.trim().toLowerCase();
    if (!this.config.fromEmails.includes(wanted)) return undefined;
    return this.config.users.find((user) => user.email.toLowerCase() === wanted);
  }

  policyName(id: string): string {
    return this.config.escalationPolicies.find((policy) => policy.id === id)?.name ?? id;
  }

  scheduleName(id: string): string {
    return this.config.schedules.find((schedule) => schedule.id === id)?.name ?? id;
  }

  serviceForKey(routingKey: string): StandInService | undefined {
    const serviceId = this.config.integrationKeys[routingKey];
    return serviceId === undefined ? undefined : this.services.get(serviceId);
  }

  /** An open incident on the service with that `incident_key`, however it was opened. */
  openIncidentWithKey(serviceId: string, incidentKey: string): IncidentState | undefined {
    return [...this.incidents.values()].find(
      (incident) =>
        incident.status !== 'resolved' &&
        incident.serviceId === serviceId &&
        incident.incidentKey === incidentKey,
    );
  }

  /** Follow-up events apply only to an alert opened with the same routing key (§4.1). */
  openIncidentForEvent(routingKey: string, dedupKey: string): IncidentState | undefined {
    return [...this.incidents.values()].find(
      (incident) =>
        incident.status !== 'resolved' &&
        incident.routingKey === routingKey &&
        incident.incidentKey === dedupKey,
    );
  }

  /** Opens a triggered incident assigned to the level-1 on-call users of the service's policy. */
  createIncident(input: NewIncident): IncidentState {
    const service = this.services.get(input.serviceId);
    if (service === undefined)
      throw new Error(`createIncident: unknown service ${input.serviceId}`);

    const now = this.now();
    this.incidentCount += 1;
    const incident: IncidentState = {
      id: `PI${String(this.incidentCount).padStart(5, '0')}`,
      number: this.incidentCount,
      title: input.title,
      status: 'triggered',
      serviceId: service.id,
      escalationPolicyId: service.escalationPolicyId,
      urgency: input.urgency ?? 'high',
      incidentKey: input.incidentKey ?? null,
      ...(input.details !== undefined && { details: input.details }),
      ...(input.routingKey !== undefined && { routingKey: input.routingKey }),
      ...(input.eventPayload !== undefined && { eventPayload: input.eventPayload }),
      createdAt: now,
      lastStatusChangeAt: now,
      lastStatusChangeBy: input.actor,
      assigneeIds: this.levelOneUsers(service.escalationPolicyId),
      acknowledgements: [],
    };
    this.incidents.set(incident.id, incident);
    return incident;
  }

  /**
   * Moves an incident to `status` on behalf of `actor` and names the webhook event PagerDuty
   * sends; undefined when nothing changed (acknowledging an acknowledged incident). Throws for
   * a move PagerDuty refuses: acknowledging a resolved incident.
   */
  changeStatus(
    incident: IncidentState,
    status: IncidentStatus,
    actor: Actor,
  ): StatusEventType | undefined {
    const from = incident.status;
    if (from === status) return undefined;
    if (from === 'resolved' && status === 'acknowledged') {
      throw new Error(`changeStatus: ${incident.id} is resolved and cannot be acknowledged`);
    }

    const now = this.now();
    incident.status = status;
    incident.lastStatusChangeAt = now;
    incident.lastStatusChangeBy = actor;
    if (status === 'acknowledged') incident.acknowledgements.push({ actor, at: now });
    if (status === 'triggered') incident.acknowledgements = [];

    if (status === 'acknowledged') return 'incident.acknowledged';
    if (status === 'resolved') return 'incident.resolved';
    return from === 'resolved' ? 'incident.reopened' : 'incident.unacknowledged';
  }

  addNote(incident: IncidentState, content: string, userId: string): NoteState {
    this.noteCount += 1;
    const note: NoteState = {
      id: `PN${String(this.noteCount).padStart(5, '0')}`,
      incidentId: incident.id,
      content,
      userId,
      createdAt: this.now(),
    };
    this.notes.push(note);
    return note;
  }

  /** Forgets incidents and notes; numbering starts again at 1. */
  clearIncidents(): void {
    this.incidents.clear();
    this.notes.length = 0;
    this.incidentCount = 0;
    this.noteCount = 0;
  }

  private levelOneUsers(escalationPolicyId: string): string[] {
    const ids = this.config.oncalls
      .filter((oncall) => oncall.escalationPolicyId === escalationPolicyId && oncall.level === 1)
      .map((oncall) => oncall.userId);
    return [...new Set(ids)];
  }
}
