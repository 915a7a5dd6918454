import { applyAlerts } from './apply-alerts.ts';
import { formatIncidentId } from './incident-id.ts';
import type { Clock, IncidentStore, Logger } from './ports.ts';
import type {
  Actor,
  AlertBatch,
  Incident,
  NewTimelineEntry,
  Severity,
  TimelineEntry,
} from './types.ts';

export interface IncidentServiceOptions {
  store: IncidentStore;
  clock: Clock;
  logger: Logger;
  /**
   * How long after its resolution a re-firing alert reopens an incident instead of opening a new
   * one.
   */
  reopenWindowMs: number;
}

/** What a change did, handed to listeners once it is stored. */
export interface IncidentChange {
  incident: Incident;
  entries: TimelineEntry[];
  created: boolean;
  /** False when the change does not alter how the incident looks (a note, say). */
  viewChanged: boolean;
}

export type ChangeListener = (change: IncidentChange) => void;

export interface IngestResult {
  incidentId?: string;
  created: boolean;
  /** True when the batch held only resolved alerts of no known incident. */
  ignored: boolean;
}

/** A person's command: done, already in that state, or refused because of another state. */
export type CommandResult =
  | { outcome: 'done'; incident: Incident }
  | { outcome: 'already'; incident: Incident }
  | { outcome: 'resolved'; incident: Incident }
  | { outcome: 'not_found' };

export interface DeclareInput {
  title: string;
  severity: Severity;
  description?: string;
  actor: Actor;
  origin: string;
}

/**
 * The incident lifecycle: alerts grouped into incidents, people's commands, the timeline.
 * Changes are applied to memory synchronously (so concurrent calls never interleave) and
 * resolve once stored; listeners hear of a change after that. If storing fails the caller is
 * told, and listeners still hear of the change, which the store writes at its next checkpoint.
 */
export class IncidentService {
  readonly #store: IncidentStore;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #reopenWindowMs: number;
  readonly #incidents = new Map<string, Incident>();
  readonly #byAlertKey = new Map<string, string>();
  readonly #byGroupKey = new Map<string, string>();
  readonly #listeners: ChangeListener[] = [];
  #nextNumber = 1;

  constructor(options: IncidentServiceOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#reopenWindowMs = options.reopenWindowMs;
  }

  async load() {
    const incidents = await this.#store.loadIncidents();
    incidents.sort((a, b) => a.number - b.number);
    for (const incident of incidents) this.#index(incident);
    this.#logger.info({ incidents: incidents.length }, 'incidents loaded');
  }

  onChange(listener: ChangeListener) {
    this.#listeners.push(listener);
  }

  get(id: string) {
    return this.#incidents.get(id);
  }

  /** Incidents, newest first; open ones only unless `all`. */
  list(options: { all?: boolean } = {}) {
    const incidents = [...this.#incidents.values()].reverse();
    return options.all ? incidents : incidents.filter((i) => i.status !== 'resolved');
  }

  timeline(id: string) {
    return this.#store.readTimeline(id);
  }

  /** Groups a delivery's alerts into its incident, opening or reopening one as needed. */
  async ingest(batch: AlertBatch): Promise<IngestResult> {
    const now = this.#clock.now().toISOString();
    const source: Actor = { kind: 'source', id: batch.source };
    const target = this.#findTarget(batch);
    const anyFiring = batch.alerts.some((a) => a.status === 'firing');

    if (!target && !anyFiring) return { created: false, ignored: true };

    let incident = target;
    let created = false;
    const entries: NewTimelineEntry[] = [];
    if (!incident || this.#opensNewIncident(incident, batch, now)) {
      incident = this.#open(batch, now);
      created = true;
      entries.push(
        this.#entry(
          now,
          'incident.opened',
          source,
          batch.source,
          `Opened by ${batch.source}: ${batch.title}`,
        ),
      );
    } else if (incident.status === 'resolved' && refires(incident, batch)) {
      reopen(incident, now);
      entries.push(
        this.#entry(
          now,
          'incident.reopened',
          source,
          batch.source,
          'Reopened: an alert fired again',
        ),
      );
    }

    const wasResolved = incident.status === 'resolved';
    entries.push(...applyAlerts(incident, batch, now));
    if (!wasResolved && Object.values(incident.alerts).every((a) => a.status === 'resolved')) {
      resolve(incident, source, now);
      entries.push(
        this.#entry(
          now,
          'incident.resolved',
          source,
          batch.source,
          'Resolved: all alerts resolved',
        ),
      );
    }

    for (const alert of batch.alerts)
      this.#byAlertKey.set(alertKey(batch.source, alert.key), incident.id);
    this.#byGroupKey.set(groupKey(batch.source, batch.groupKey), incident.id);
    await this.#commit(incident, entries, created);
    return { incidentId: incident.id, created, ignored: false };
  }

  /** Opens an incident with no alert behind it. */
  async declare(input: DeclareInput) {
    const now = this.#clock.now().toISOString();
    const incident = this.#create(now, {
      title: input.title,
      severity: input.severity,
      source: input.origin,
      description: input.description,
      startedAt: now,
    });
    incident.declaredBy = input.actor;
    const text = `Declared by ${actorName(input.actor)}: ${input.title}`;
    await this.#commit(
      incident,
      [this.#entry(now, 'incident.declared', input.actor, input.origin, text)],
      true,
    );
    return incident;
  }

  async acknowledge(id: string, actor: Actor, origin: string): Promise<CommandResult> {
    const incident = this.#incidents.get(id);
    if (!incident) return { outcome: 'not_found' };
    if (incident.status === 'resolved') return { outcome: 'resolved', incident };
    if (incident.status === 'acknowledged') return { outcome: 'already', incident };

    const now = this.#clock.now().toISOString();
    incident.status = 'acknowledged';
    incident.acknowledgedBy = actor;
    incident.acknowledgedAt = now;
    const entry = this.#entry(
      now,
      'incident.acknowledged',
      actor,
      origin,
      `Acknowledged by ${actorName(actor)}`,
    );
    await this.#commit(incident, [entry], false);
    return { outcome: 'done', incident };
  }

  async resolve(id: string, actor: Actor, origin: string, note?: string): Promise<CommandResult> {
    const incident = this.#incidents.get(id);
    if (!incident) return { outcome: 'not_found' };
    if (incident.status === 'resolved') return { outcome: 'already', incident };

    const now = this.#clock.now().toISOString();
    resolve(incident, actor, now, note);
    const text = `Resolved by ${actorName(actor)}${note ? `: ${note}` : ''}`;
    await this.#commit(
      incident,
      [this.#entry(now, 'incident.resolved', actor, origin, text)],
      false,
    );
    return { outcome: 'done', incident };
  }

  async addNote(id: string, actor: Actor, origin: string, text: string): Promise<CommandResult> {
    const incident = this.#incidents.get(id);
    if (!incident) return { outcome: 'not_found' };

    const now = this.#clock.now().toISOString();
    await this.#commit(incident, [this.#entry(now, 'note', actor, origin, text)], false, false);
    return { outcome: 'done', incident };
  }

  /**
   * Records what happened to outbound work about an incident: given up, retried by a person,
   * delivered after all. `visible` when the incident's message shows that work's state.
   */
  async recordDelivery(input: {
    id: string;
    kind: 'delivery.failed' | 'delivery.retried' | 'delivery.recovered';
    origin: string;
    text: string;
    actor?: Actor;
    visible: boolean;
  }) {
    const incident = this.#incidents.get(input.id);
    if (!incident) return;

    const now = this.#clock.now().toISOString();
    const actor: Actor = input.actor ?? { kind: 'system', id: 'firebreak' };
    const entry = this.#entry(now, input.kind, actor, input.origin, input.text);
    await this.#commit(incident, [entry], false, input.visible);
  }

  /** Stores an adapter's reference on an incident (its Slack message, say); no timeline entry. */
  async setRef(id: string, name: string, value: Record<string, string>) {
    const incident = this.#incidents.get(id);
    if (!incident) return;

    incident.refs[name] = value;
    await this.#store.saveIncident(incident);
  }

  #findTarget(batch: AlertBatch) {
    let best: Incident | undefined;
    const consider = (id: string | undefined) => {
      const incident = id === undefined ? undefined : this.#incidents.get(id);
      if (incident && (!best || incident.number > best.number)) best = incident;
    };
    for (const alert of batch.alerts)
      consider(this.#byAlertKey.get(alertKey(batch.source, alert.key)));
    consider(this.#byGroupKey.get(groupKey(batch.source, batch.groupKey)));
    return best;
  }

  /**
   * A resolved incident stays closed once its reopen window has passed: a re-fire opens a new one.
   */
  #opensNewIncident(incident: Incident, batch: AlertBatch, now: string) {
    if (incident.status !== 'resolved' || !refires(incident, batch)) return false;
    const resolvedAt = Date.parse(incident.resolvedAt ?? now);
    return Date.parse(now) - resolvedAt > this.#reopenWindowMs;
  }

  #open(batch: AlertBatch, now: string) {
    const starts = batch.alerts.map((a) => a.startsAt ?? now);
    const startedAt = starts.sort()[0] ?? now;
    return this.#create(now, {
      title: batch.title,
      severity: 'info',
      source: batch.source,
      groupKey: batch.groupKey,
      description: batch.description,
      startedAt,
    });
  }

  #create(
    now: string,
    fields: Pick<Incident, 'title' | 'severity' | 'source' | 'startedAt'> &
      Partial<Pick<Incident, 'groupKey' | 'description'>>,
  ): Incident {
    const number = this.#nextNumber;
    const incident: Incident = {
      id: formatIncidentId(number),
      number,
      status: 'triggered',
      createdAt: now,
      updatedAt: now,
      version: 0,
      notifications: 0,
      alerts: {},
      links: [],
      refs: {},
      ...fields,
    };
    this.#index(incident);
    return incident;
  }

  #index(incident: Incident) {
    this.#incidents.set(incident.id, incident);
    this.#nextNumber = Math.max(this.#nextNumber, incident.number + 1);
    for (const key of Object.keys(incident.alerts)) {
      this.#byAlertKey.set(alertKey(incident.source, key), incident.id);
    }
    if (incident.groupKey !== undefined) {
      this.#byGroupKey.set(groupKey(incident.source, incident.groupKey), incident.id);
    }
  }

  #entry(at: string, kind: NewTimelineEntry['kind'], actor: Actor, origin: string, text: string) {
    return { at, kind, actor, origin, text } satisfies NewTimelineEntry;
  }

  async #commit(
    incident: Incident,
    entries: NewTimelineEntry[],
    created: boolean,
    changesView = true,
  ) {
    if (changesView) incident.version += 1;
    incident.updatedAt = entries.at(-1)?.at ?? incident.updatedAt;
    let stored: TimelineEntry[];
    try {
      stored = await this.#store.commit(incident, entries);
    } catch (error) {
      // The change stays in memory and is written at the store's next checkpoint; the views
      // still hear of it, though the caller is told it failed (and may retry).
      this.#notify({ incident, entries: [], created, viewChanged: changesView });
      throw error;
    }
    for (const entry of stored) {
      if (entry.kind.startsWith('incident.')) {
        this.#logger.info(
          { incident: incident.id, kind: entry.kind, origin: entry.origin },
          entry.text,
        );
      }
    }
    this.#notify({ incident, entries: stored, created, viewChanged: changesView });
  }

  #notify(change: IncidentChange) {
    const { incident } = change;
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch (error) {
        this.#logger.error({ err: error, incident: incident.id }, 'change listener failed');
      }
    }
  }
}

function refires(incident: Incident, batch: AlertBatch) {
  return batch.alerts.some((alert) => {
    if (alert.status !== 'firing') return false;
    const known = incident.alerts[alert.key];
    const restarted = alert.startsAt !== undefined && alert.startsAt !== known?.startsAt;
    return !known || known.status === 'resolved' || restarted;
  });
}

function reopen(incident: Incident, now: string) {
  incident.status = 'triggered';
  incident.reopenedAt = now;
  delete incident.acknowledgedBy;
  delete incident.acknowledgedAt;
  delete incident.resolvedBy;
  delete incident.resolvedAt;
  delete incident.resolution;
}

function resolve(incident: Incident, actor: Actor, now: string, note?: string) {
  incident.status = 'resolved';
  incident.resolvedBy = actor;
  incident.resolvedAt = now;
  if (note) incident.resolution = note;
}

function alertKey(source: string, key: string) {
  return `${source}\u0000${key}`;
}

function groupKey(source: string, key: string) {
  return `${source}\u0000${key}`;
}

/** How an actor reads in timeline text. */
export function actorName(actor: Actor) {
  if (actor.kind === 'user') return `@${actor.name ?? actor.id}`;
  return actor.id;
}
