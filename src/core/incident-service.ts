import { applyAlerts } from './apply-alerts.ts';
import { formatIncidentId } from './incident-id.ts';
import {
  actorName,
  applyCommand,
  checkCommand,
  markResolved,
  reopenIncident,
  type LifecycleCommand,
} from './lifecycle.ts';
import type { Clock, IncidentStore, Logger } from './ports.ts';
import { automationText, type Rule } from './routing.ts';
import { severityLabel } from './severity.ts';
import type {
  Actor,
  AlertBatch,
  EntrySource,
  Incident,
  NewTimelineEntry,
  Severity,
  TimelineEntry,
  TimelineKind,
} from './types.ts';

export { actorName } from './lifecycle.ts';

export interface IncidentServiceOptions {
  store: IncidentStore;
  clock: Clock;
  logger: Logger;
  /**
   * How long after its resolution a re-firing alert reopens an incident instead of opening a new
   * one.
   */
  reopenWindowMs: number;
  /** The rule a new alert incident follows (firebreak.yml): its channel, severity, links, steps. */
  route?: (batch: AlertBatch) => Rule | undefined;
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

/**
 * A person's command: done, already in that state, too late (an ack after the resolution), or
 * refused by the lifecycle rules, with the reason.
 */
export type CommandResult =
  | { outcome: 'done'; incident: Incident; entries: TimelineEntry[] }
  | { outcome: 'already'; incident: Incident }
  | { outcome: 'resolved'; incident: Incident }
  | { outcome: 'refused'; incident: Incident; reason: string }
  | { outcome: 'not_found' };

export interface DeclareInput {
  title: string;
  severity: Severity;
  description?: string;
  /** Defaults to the declarer. */
  lead?: Actor;
  /** People want a dedicated space (a Slack channel) for it. */
  channel?: boolean;
  /** Declares this existing incident (an alert's) instead of opening a new one. */
  incidentId?: string;
  actor: Actor;
  origin: string;
  source?: EntrySource;
}

/** Something that happened about an incident, recorded as it is: no rule to check. */
export interface RecordInput {
  id: string;
  kind: Extract<
    TimelineKind,
    | 'delivery.failed'
    | 'delivery.retried'
    | 'delivery.recovered'
    | 'channel.created'
    | 'channel.failed'
    | 'message.added'
    | 'entry.edited'
    | 'entry.deleted'
    | 'external'
  >;
  origin: string;
  text: string;
  actor?: Actor;
  source?: EntrySource;
  ref?: number;
  /** The incident's views show it (a delivery's state on the message, say). */
  visible: boolean;
  /** References stored with the entry in the same write (a ticket linked, say). */
  refs?: Record<string, Record<string, string>>;
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
  readonly #route: IncidentServiceOptions['route'];
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
    this.#route = options.route;
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
      const rule = this.#route?.(batch);
      if (rule)
        entries.push(this.#entry(now, 'external', SYSTEM, 'firebreak', routed(incident, rule)));
    } else if (incident.status === 'resolved' && refires(incident, batch)) {
      reopenIncident(incident, now);
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
    // The rule's severity holds over the alerts' own, unless a person set one.
    const ruled = incident.refs.route?.severity as Severity | undefined;
    if (ruled && !incident.severityPinned) incident.severity = ruled;
    // Alerts resolve the incidents they opened; one that people declared, people resolve.
    const allResolved = Object.values(incident.alerts).every((a) => a.status === 'resolved');
    if (!wasResolved && !incident.declaredAt && allResolved) {
      markResolved(incident, source, now);
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

  /**
   * Declares an incident: opens one with no alert behind it, or promotes an alert's incident
   * (`incidentId`) to a declared one, keeping its timeline. Its severity is then the declarer's.
   */
  async declare(input: DeclareInput): Promise<CommandResult> {
    const now = this.#clock.now().toISOString();
    let incident: Incident;
    let created = false;
    if (input.incidentId !== undefined) {
      const existing = this.#incidents.get(input.incidentId);
      if (!existing) return { outcome: 'not_found' };
      if (existing.declaredAt) return { outcome: 'already', incident: existing };
      if (existing.closedAt)
        return { outcome: 'refused', incident: existing, reason: `${existing.id} is closed.` };
      incident = existing;
      incident.title = input.title;
      if (input.description) incident.description = input.description;
      incident.severity = input.severity;
      if (incident.status === 'resolved') reopenIncident(incident, now);
    } else {
      incident = this.#create(now, {
        title: input.title,
        severity: input.severity,
        source: input.origin,
        description: input.description,
        startedAt: now,
      });
      created = true;
    }
    incident.declaredBy = input.actor;
    incident.declaredAt = now;
    incident.severityPinned = true;
    incident.phase = 'investigating';
    // A person who declares leads until they name someone; a rule's automation leads nobody.
    const lead = input.lead ?? (input.actor.kind === 'user' ? input.actor : undefined);
    if (lead) incident.roles = { ...incident.roles, lead };
    if (input.channel) incident.channelRequested = true;
    const text = `Declared by ${actorName(input.actor)}: ${input.title}`;
    const entries = await this.#commit(
      incident,
      [this.#entry(now, 'incident.declared', input.actor, input.origin, text, input.source)],
      created,
    );
    return { outcome: 'done', incident, entries };
  }

  /**
   * Runs a person's command under the lifecycle rules (lifecycle.ts): repeats change nothing,
   * illegal transitions are refused with the reason.
   */
  async act(
    id: string,
    command: LifecycleCommand,
    actor: Actor,
    origin: string,
    source?: EntrySource,
  ): Promise<CommandResult> {
    const incident = this.#incidents.get(id);
    if (!incident) return { outcome: 'not_found' };
    const now = this.#clock.now().toISOString();
    const verdict = checkCommand(incident, command, actor, now);
    if (verdict === 'already' || verdict === 'resolved') return { outcome: verdict, incident };
    if (verdict) return { outcome: 'refused', incident, reason: verdict.refused };

    const made = applyCommand(incident, command, actor, now);
    const entries = await this.#commit(
      incident,
      made.map((e) => this.#entry(now, e.kind, actor, origin, e.text, source)),
      false,
      command.type !== 'note',
    );
    return { outcome: 'done', incident, entries };
  }

  acknowledge(id: string, actor: Actor, origin: string) {
    return this.act(id, { type: 'acknowledge' }, actor, origin);
  }

  resolve(id: string, actor: Actor, origin: string, note?: string) {
    return this.act(id, { type: 'resolve', ...(note ? { note } : {}) }, actor, origin);
  }

  addNote(id: string, actor: Actor, origin: string, text: string) {
    return this.act(id, { type: 'note', text }, actor, origin);
  }

  /** Incidents whose adapter reference `name` has `key` equal to `value` (a channel ID, say). */
  findByRef(name: string, key: string, value: string) {
    for (const incident of this.#incidents.values()) {
      if (incident.refs[name]?.[key] === value) return incident;
    }
    return undefined;
  }

  /**
   * Records what happened about an incident outside the lifecycle: outbound work given up,
   * retried or delivered, its channel made or not, a Slack message added to the timeline, or
   * such an entry edited or deleted. Returns the stored entries.
   */
  async record(input: RecordInput) {
    const incident = this.#incidents.get(input.id);
    if (!incident) return [];

    const now = this.#clock.now().toISOString();
    const actor: Actor = input.actor ?? { kind: 'system', id: 'firebreak' };
    const entry = this.#entry(now, input.kind, actor, input.origin, input.text, input.source);
    if (input.ref !== undefined) entry.ref = input.ref;
    Object.assign(incident.refs, input.refs);
    return this.#commit(incident, [entry], false, input.visible);
  }

  /**
   * Stores an adapter's reference on an incident (its Slack message, say); no timeline entry.
   * `visible` when the incident's views show it.
   */
  async setRef(
    id: string,
    name: string,
    value: Record<string, string>,
    options: { visible?: boolean } = {},
  ) {
    const incident = this.#incidents.get(id);
    if (!incident) return;

    incident.refs[name] = value;
    // A reference the views show (what PagerDuty says of it, say): they are told, as of a change.
    if (options.visible) await this.#commit(incident, [], false);
    else await this.#store.saveIncident(incident);
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
   * A resolved incident stays resolved once its reopen window has passed, or once it is closed:
   * a re-fire opens a new one.
   */
  #opensNewIncident(incident: Incident, batch: AlertBatch, now: string) {
    if (incident.status !== 'resolved' || !refires(incident, batch)) return false;
    // A closed incident (its channel archived, its review under way) is never reopened.
    if (incident.closedAt) return true;
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

  #entry(
    at: string,
    kind: TimelineKind,
    actor: Actor,
    origin: string,
    text: string,
    source?: EntrySource,
  ): NewTimelineEntry {
    return { at, kind, actor, origin, text, ...(source ? { source } : {}) };
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
    this.#log(incident, stored);
    this.#notify({ incident, entries: stored, created, viewChanged: changesView });
    return stored;
  }

  #log(incident: Incident, stored: TimelineEntry[]) {
    for (const entry of stored) {
      if (entry.kind.startsWith('incident.')) {
        this.#logger.info(
          { incident: incident.id, kind: entry.kind, origin: entry.origin },
          entry.text,
        );
      }
    }
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

function alertKey(source: string, key: string) {
  return `${source}\u0000${key}`;
}

function groupKey(source: string, key: string) {
  return `${source}\u0000${key}`;
}

const SYSTEM: Actor = { kind: 'system', id: 'firebreak' };

/**
 * Applies a routing rule to a new incident: its message's channel, severity and links, and the
 * automations to run (kept with it, so they run as the rule said even if the file changes).
 * Returns what the timeline says of it.
 */
function routed(incident: Incident, rule: Rule) {
  incident.refs.route = {
    rule: rule.name,
    ...(rule.channel ? { channel: rule.channel } : {}),
    ...(rule.severity ? { severity: rule.severity } : {}),
    ...(rule.automations.length > 0 ? { automations: JSON.stringify(rule.automations) } : {}),
  };
  if (rule.channel) incident.refs.slack = { ...incident.refs.slack, channel: rule.channel };
  for (const link of rule.links)
    if (!incident.links.some((l) => l.url === link.url)) incident.links.push(link);
  const parts = [
    rule.channel && `to channel ${rule.channel}`,
    rule.severity && `as ${severityLabel(rule.severity)}`,
    rule.links.length > 0 && `with ${rule.links.map((l) => l.title).join(', ')}`,
    rule.automations.length > 0 && `then ${rule.automations.map(automationText).join('; ')}`,
  ].filter(Boolean);
  return `Routed by rule "${rule.name}"${parts.length > 0 ? ` ${parts.join(', ')}` : ''}`;
}
