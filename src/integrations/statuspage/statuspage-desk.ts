import { randomBytes } from 'node:crypto';
import type { IncidentChange, IncidentService } from '../../core/incident-service.ts';
import type { Logger } from '../../core/ports.ts';
import type { Actor, Incident } from '../../core/types.ts';
import { OutboundError } from '../../outbound/outbound-error.ts';
import type { Job, OutboundQueue } from '../../outbound/outbound-queue.ts';
import type { ComponentStatus, Status, StatuspageClient } from './statuspage-client.ts';
import { pendingKeys, readChange, STATUSPAGE_REF, withPending, without } from './statuspage-ref.ts';
import type { StatuspageChange } from './statuspage-ref.ts';

const SYNC_JOB = 'statuspage.sync';
/** What the status page says when the incident is resolved here without words for the public. */
const RESOLVED_BODY = 'This incident has been resolved.';

export interface StatuspageDeskOptions {
  incidents: IncidentService;
  queue: OutboundQueue;
  client: StatuspageClient;
  logger: Logger;
  /** Send status updates and the resolution of linked incidents to Statuspage too. */
  mirrorStatus: boolean;
}

export interface StatuspageRequest {
  incident: Incident;
  name: string;
  status: Status;
  body: string;
  components: Record<string, ComponentStatus>;
  actor: Actor;
}

/** `opening`: a new Statuspage incident is queued; `updating`: the linked (or coming) one. */
export type StatuspageOutcome = { outcome: 'opening' } | { outcome: 'updating' };

/**
 * The bot's side of the status page: opening one Statuspage incident per incident, updating it
 * from the form, and mirroring status updates and the resolution. Changes wait in order in the
 * incident's `statuspage` ref and one job per incident sends them, so they reach the page in
 * the order people made them, survive restarts, and a 429 only delays them. A create whose
 * answer was lost is found again by its marker instead of opened twice.
 */
export class StatuspageDesk {
  readonly #o: StatuspageDeskOptions;

  constructor(options: StatuspageDeskOptions) {
    this.#o = options;
    options.queue.register(SYNC_JOB, (job) => this.#sync(job));
    options.incidents.onChange((change) => this.#changed(change));
  }

  get mirrorStatus() {
    return this.#o.mirrorStatus;
  }

  /**
   * Opens the incident's Statuspage incident, or updates it when it has one (or one is on its
   * way: two forms sent at once open one). Resolves once the change is stored and queued.
   */
  async request(input: StatuspageRequest): Promise<StatuspageOutcome> {
    const { incident, actor } = input;
    const ref = this.#o.incidents.get(incident.id)?.refs[STATUSPAGE_REF];
    const linked = Boolean(ref?.id || ref?.state);
    const who = actorFields(actor);
    const change: StatuspageChange = linked
      ? { kind: 'update', status: input.status, body: input.body, ...who }
      : { kind: 'create', name: input.name, status: input.status, body: input.body, ...who };
    if (Object.keys(input.components).length > 0) change.components = input.components;
    const marker = `firebreak-${incident.id}-${randomBytes(4).toString('hex')}`;
    const start: Record<string, string> = linked ? {} : { state: 'queued', marker };
    // Stored in this turn of the event loop, before any await: a second request sees it.
    await this.#push(incident.id, change, start);
    return linked ? { outcome: 'updating' } : { outcome: 'opening' };
  }

  #changed(change: IncidentChange) {
    const { incident } = change;
    const ref = incident.refs[STATUSPAGE_REF];
    if (!this.#o.mirrorStatus || !(ref?.id || ref?.state)) return;
    // What Statuspage itself said is not sent back to it.
    const fromHere = change.entries.filter((e) => e.origin !== 'statuspage');
    const update = fromHere.find((e) => e.kind === 'incident.status');
    const resolved = fromHere.find((e) => e.kind === 'incident.resolved');
    let mirrored: StatuspageChange;
    if (update && incident.lastUpdate) {
      const { phase, text, actor } = incident.lastUpdate;
      mirrored = { kind: 'update', status: phase, body: text, ...actorFields(actor) };
    } else if (resolved) {
      const body = incident.resolution || RESOLVED_BODY;
      mirrored = { kind: 'update', status: 'resolved', body, ...actorFields(resolved.actor) };
    } else {
      return;
    }
    // Resolved: its components are back in order, as Statuspage's own resolve form suggests.
    const components = (ref.components ?? '').split(',').filter(Boolean);
    if (mirrored.status === 'resolved' && components.length > 0)
      mirrored.components = Object.fromEntries(components.map((id) => [id, 'operational']));
    this.#push(incident.id, { ...mirrored, mirrored: true }).catch((error: unknown) => {
      this.#o.logger.error(
        { err: error, incident: incident.id },
        'could not queue statuspage work',
      );
    });
  }

  /** Adds a change to the incident's ref (synchronously, in memory) and queues the job. */
  async #push(incidentId: string, change: StatuspageChange, extra: Record<string, string> = {}) {
    const ref = this.#o.incidents.get(incidentId)?.refs[STATUSPAGE_REF] ?? {};
    const next = withPending({ ...ref, ...extra }, change);
    await this.#o.incidents.setRef(incidentId, STATUSPAGE_REF, next, { visible: true });
    const what = ref.id ? 'updating the status page' : 'opening a Statuspage incident';
    await this.#o.queue.enqueue({
      kind: SYNC_JOB,
      key: `statuspage:${incidentId}`,
      payload: { incidentId, what, show: 'true' },
      priority: 1,
    });
  }

  /** Sends the incident's waiting changes, oldest first; each is removed once Statuspage has it. */
  async #sync(job: Job) {
    const incidentId = job.payload.incidentId ?? '';
    for (;;) {
      const ref = this.#o.incidents.get(incidentId)?.refs[STATUSPAGE_REF];
      const key = ref && pendingKeys(ref)[0];
      if (!ref || !key) return;
      const change = readChange(ref[key]);
      if (!ref.id && change.kind === 'create') await this.#open(incidentId, ref, key, change);
      else if (ref.id) await this.#update(incidentId, ref.id, key, change);
      else await this.#drop(incidentId, key, 'an update without a Statuspage incident');
    }
  }

  async #open(
    incidentId: string,
    ref: Record<string, string>,
    key: string,
    change: StatuspageChange,
  ) {
    const { client, incidents } = this.#o;
    const marker = ref.marker ?? `firebreak-${incidentId}`;
    // An earlier attempt may have opened it and lost the answer (a crash, a timeout, a 429).
    let opened = ref.state === 'started' ? await client.findByMarker(marker) : undefined;
    if (!opened) {
      await incidents.setRef(incidentId, STATUSPAGE_REF, { ...ref, marker, state: 'started' });
      const created = await client.createIncident({
        name: change.name ?? incidentId,
        status: change.status ?? 'investigating',
        body: change.body || change.name || incidentId,
        components: change.components ?? {},
        marker,
      });
      opened = { ...created, name: change.name ?? incidentId, components: {} };
    }

    const components = Object.keys(change.components ?? {});
    const current = incidents.get(incidentId)?.refs[STATUSPAGE_REF] ?? ref;
    const link = {
      ...without(current, key),
      id: opened.id,
      url: opened.url,
      status: opened.status || (change.status ?? 'investigating'),
      name: opened.name,
      components: components.join(','),
      ...componentStatusOf(change),
      state: 'linked',
    };
    const affected = components.length > 0 ? `; ${components.length} component(s) affected` : '';
    await incidents.record({
      id: incidentId,
      kind: 'external',
      origin: 'slack',
      text:
        `Opened Statuspage incident "${opened.name}" (${word(link.status)}${affected})` +
        (change.body ? `: ${change.body}` : ''),
      actor: actorOf(change),
      source: { url: opened.url },
      visible: true,
      refs: { [STATUSPAGE_REF]: link },
    });
  }

  async #update(incidentId: string, id: string, key: string, change: StatuspageChange) {
    const { client, incidents } = this.#o;
    const empty = !change.status && !change.body && !change.components;
    const updated = empty
      ? undefined
      : await client
          .updateIncident(id, {
            ...(change.status ? { status: change.status } : {}),
            ...(change.body ? { body: change.body } : {}),
            ...(change.components ? { components: change.components } : {}),
          })
          .catch((error: unknown) => {
            if (error instanceof OutboundError && error.code === '404') return 'gone' as const;
            throw error;
          });
    if (updated === 'gone') return this.#unlink(incidentId, id);
    const current = incidents.get(incidentId)?.refs[STATUSPAGE_REF] ?? {};
    const next: Record<string, string> = { ...without(current, key) };
    if (updated?.status) next.status = updated.status;
    if (change.components) {
      const ids = new Set([
        ...(next.components ?? '').split(','),
        ...Object.keys(change.components),
      ]);
      next.components = [...ids].filter(Boolean).join(',');
      Object.assign(next, componentStatusOf(change));
    }
    if (!updated) {
      await incidents.setRef(incidentId, STATUSPAGE_REF, next, { visible: true });
      return;
    }
    const how = change.mirrored ? 'Mirrored to the status page' : 'Updated the status page';
    await incidents.record({
      id: incidentId,
      kind: 'external',
      origin: change.mirrored ? 'statuspage' : 'slack',
      text: `${how}: ${word(next.status ?? '')}${change.body ? `: ${change.body}` : ''}`,
      actor: actorOf(change),
      ...(next.url ? { source: { url: next.url } } : {}),
      visible: true,
      refs: { [STATUSPAGE_REF]: next },
    });
  }

  /** Deleted on Statuspage: the link goes, so the form opens a new one; nothing is retried. */
  async #unlink(incidentId: string, id: string) {
    await this.#o.incidents.record({
      id: incidentId,
      kind: 'external',
      origin: 'statuspage',
      text: `Statuspage incident ${id} no longer exists; unlinked (its unsent changes dropped)`,
      visible: true,
      refs: { [STATUSPAGE_REF]: {} },
    });
  }

  async #drop(incidentId: string, key: string, why: string) {
    this.#o.logger.warn({ incident: incidentId, why }, 'statuspage change dropped');
    const current = this.#o.incidents.get(incidentId)?.refs[STATUSPAGE_REF] ?? {};
    await this.#o.incidents.setRef(incidentId, STATUSPAGE_REF, without(current, key));
  }
}

function componentStatusOf(change: StatuspageChange): { componentStatus?: string } {
  const [first] = Object.values(change.components ?? {});
  return first ? { componentStatus: first } : {};
}

function actorFields(actor: Actor) {
  const name = actor.name ? { actorName: actor.name } : {};
  return {
    actorId: actor.id,
    ...name,
    ...(actor.kind === 'user' ? {} : { actorKind: actor.kind }),
  };
}

function actorOf(change: StatuspageChange): Actor {
  if (!change.actorId) return { kind: 'system', id: 'firebreak' };
  const name = change.actorName ? { name: change.actorName } : {};
  return { kind: change.actorKind ?? 'user', id: change.actorId, ...name };
}

/** A Statuspage status in words: `identified` → Identified. */
export function word(status: string) {
  return status.charAt(0).toUpperCase() + status.slice(1).replace(/_/g, ' ');
}
