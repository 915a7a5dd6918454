/**
 * The state behind the Statuspage stand-in: one page, its components (and component groups)
 * and its incidents with their updates. Component statuses change only when an incident
 * create or update names them, as on Statuspage.
 */
export const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export const COMPONENT_STATUSES = [
  'operational',
  'under_maintenance',
  'degraded_performance',
  'partial_outage',
  'major_outage',
] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

/** A component to seed; `group` names the component group it sits in (made on first use). */
export interface ComponentSeed {
  name: string;
  /** Default 'operational'. */
  status?: ComponentStatus;
  group?: string;
  description?: string;
}

export interface ComponentState {
  id: string;
  name: string;
  description: string | null;
  status: ComponentStatus;
  /** A group container: it has member `components` and its status is not set by incidents. */
  group: boolean;
  groupId: string | null;
  /** Members of a group, by id. */
  components: string[];
  position: number;
  createdAt: string;
  updatedAt: string;
}

export interface AffectedComponent {
  code: string;
  name: string;
  old_status: ComponentStatus;
  new_status: ComponentStatus;
}

export interface IncidentUpdateState {
  id: string;
  incidentId: string;
  status: IncidentStatus;
  body: string;
  deliverNotifications: boolean;
  affectedComponents: AffectedComponent[];
  createdAt: string;
}

export interface IncidentState {
  id: string;
  name: string;
  status: IncidentStatus;
  impactOverride: string | null;
  shortlink: string;
  /** Components attached to the incident, in the order first named. */
  componentIds: string[];
  metadata: Record<string, object>;
  /** Oldest first (the API answers newest first). */
  updates: IncidentUpdateState[];
  createdAt: string;
  updatedAt: string;
  monitoringAt: string | null;
  resolvedAt: string | null;
}

/** What a create or update asks for, already validated. */
export interface IncidentChange {
  name?: string;
  status?: IncidentStatus;
  body?: string;
  components?: Record<string, ComponentStatus>;
  componentIds?: string[];
  deliverNotifications?: boolean;
  impactOverride?: string | null;
  metadata?: Record<string, object>;
}

export const DEFAULT_COMPONENTS: readonly ComponentSeed[] = [
  { name: 'Checkout API', group: 'Core services', description: 'Cart, checkout and orders' },
  { name: 'Payments', group: 'Core services' },
  { name: 'Search' },
];

export class StatusPage {
  readonly #seeds: readonly ComponentSeed[];
  readonly #clock: () => number;
  #components: ComponentState[] = [];
  #incidents: IncidentState[] = [];
  #sequence = 0;

  constructor(
    readonly id: string,
    readonly name: string,
    seeds: readonly ComponentSeed[],
    clock: () => number,
  ) {
    for (const seed of seeds) {
      if (seed.name.trim() === '') throw new Error('StatuspageStandIn: a component needs a name');
      if (seed.status && !COMPONENT_STATUSES.includes(seed.status)) {
        throw new Error(`StatuspageStandIn: bad component status ${seed.status}`);
      }
    }
    this.#seeds = seeds;
    this.#clock = clock;
    this.clear();
  }

  now(): string {
    return new Date(this.#clock()).toISOString();
  }

  components(): ComponentState[] {
    return this.#components;
  }

  component(id: string): ComponentState | undefined {
    return this.#components.find((component) => component.id === id);
  }

  /** Oldest first. */
  incidents(): IncidentState[] {
    return this.#incidents;
  }

  incident(id: string): IncidentState | undefined {
    return this.#incidents.find((incident) => incident.id === id);
  }

  create(change: IncidentChange & { name: string }): IncidentState {
    const now = this.now();
    const id = this.#nextId('i');
    const incident: IncidentState = {
      id,
      name: change.name,
      status: change.status ?? 'investigating',
      impactOverride: change.impactOverride ?? null,
      shortlink: `https://stspg.invalid/${id.slice(-6)}`,
      componentIds: [],
      metadata: change.metadata ?? {},
      updates: [],
      createdAt: now,
      updatedAt: now,
      monitoringAt: null,
      resolvedAt: null,
    };
    this.#incidents.push(incident);
    this.#apply(incident, change, true);
    return incident;
  }

  update(incident: IncidentState, change: IncidentChange): IncidentState {
    this.#apply(incident, change, false);
    return incident;
  }

  /** Drops incidents and puts components back as seeded. */
  clear(): void {
    const now = this.now();
    this.#incidents = [];
    this.#sequence = 0;
    this.#components = [];
    for (const seed of this.#seeds) {
      const groupId = seed.group === undefined ? null : this.#group(seed.group, now).id;
      const component = this.#newComponent(seed.name, now, groupId);
      component.status = seed.status ?? 'operational';
      component.description = seed.description ?? null;
      this.#components.push(component);
      if (groupId !== null) this.component(groupId)?.components.push(component.id);
    }
  }

  #apply(incident: IncidentState, change: IncidentChange, created: boolean): void {
    const now = this.now();
    const before = incident.status;
    if (change.name !== undefined) incident.name = change.name;
    if (change.status !== undefined) incident.status = change.status;
    if (change.impactOverride !== undefined) incident.impactOverride = change.impactOverride;
    if (change.metadata !== undefined) incident.metadata = change.metadata;
    this.#stamp(incident, before, now);

    const affected = this.#setComponents(incident, change, now);
    const statusChanged = created || incident.status !== before;
    if (change.body !== undefined || statusChanged || affected.length > 0) {
      incident.updates.push({
        id: this.#nextId('u'),
        incidentId: incident.id,
        status: incident.status,
        body: change.body ?? '',
        deliverNotifications: change.deliverNotifications ?? true,
        affectedComponents: affected,
        createdAt: now,
      });
    }
    incident.updatedAt = now;
  }

  /** `monitoring_at` on entering monitoring; `resolved_at` on resolving, cleared on reopening. */
  #stamp(incident: IncidentState, before: IncidentStatus, now: string): void {
    if (incident.status === before && incident.updates.length > 0) return;
    if (incident.status === 'monitoring') incident.monitoringAt = now;
    if (incident.status === 'resolved') incident.resolvedAt = now;
    else incident.resolvedAt = null;
  }

  #setComponents(incident: IncidentState, change: IncidentChange, now: string) {
    const attach = (id: string) => {
      if (!incident.componentIds.includes(id)) incident.componentIds.push(id);
    };
    change.componentIds?.forEach(attach);

    const affected: AffectedComponent[] = [];
    for (const [id, status] of Object.entries(change.components ?? {})) {
      const component = this.component(id);
      if (!component) continue; // checked by the caller
      attach(id);
      if (component.status === status) continue;
      affected.push({
        code: id,
        name: component.name,
        old_status: component.status,
        new_status: status,
      });
      component.status = status;
      component.updatedAt = now;
    }
    return affected;
  }

  #group(name: string, now: string): ComponentState {
    const existing = this.#components.find((item) => item.group && item.name === name);
    if (existing) return existing;
    const group = this.#newComponent(name, now, null);
    group.group = true;
    this.#components.push(group);
    return group;
  }

  #newComponent(name: string, now: string, groupId: string | null): ComponentState {
    return {
      id: this.#nextId('c'),
      name,
      description: null,
      status: 'operational',
      group: false,
      groupId,
      components: [],
      position: this.#components.length + 1,
      createdAt: now,
      updatedAt: now,
    };
  }

  /** Statuspage ids are 12 lower-case letters and digits. */
  #nextId(prefix: string): string {
    this.#sequence += 1;
    return `${prefix}${this.#sequence.toString(36).padStart(11, '0')}`;
  }
}
