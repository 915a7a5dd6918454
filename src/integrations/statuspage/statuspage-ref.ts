import type { Actor, Incident } from '../../core/types.ts';
import type { ComponentStatus, Status } from './statuspage-client.ts';

/** The incident's reference to its Statuspage incident (one string map). */
export const STATUSPAGE_REF = 'statuspage';
/** Changes waiting to be sent sit in the same map, in order, under keys with this prefix. */
const PENDING_PREFIX = 'next:';

/** One change waiting to be sent to Statuspage. */
export interface StatuspageChange {
  kind: 'create' | 'update';
  /** Create only: the incident's name on the page. */
  name?: string;
  status?: Status;
  body?: string;
  components?: Record<string, ComponentStatus>;
  actorId?: string;
  actorName?: string;
  /** Left out for people. */
  actorKind?: Actor['kind'];
  /** Mirrored from a status update or the resolution here, rather than asked for in the form. */
  mirrored?: boolean;
}

/** The linked Statuspage incident as the views show it. */
export interface StatuspageLink {
  /** Absent while it is being opened. */
  id?: string;
  url?: string;
  /** As Statuspage last answered: investigating, identified, monitoring, resolved. */
  status?: string;
  name?: string;
  /** The components it affects, and the status they were last given. */
  componentIds: string[];
  componentStatus?: string;
  /** Changes not sent yet. */
  pending: number;
}

/** The incident's Statuspage incident, linked or being opened; undefined if it has none. */
export function statuspageOf(incident: Incident): StatuspageLink | undefined {
  const ref = incident.refs[STATUSPAGE_REF];
  if (!ref || (!ref.id && !ref.state)) return undefined;
  return {
    ...(ref.id ? { id: ref.id } : {}),
    ...(ref.url ? { url: ref.url } : {}),
    ...(ref.status ? { status: ref.status } : {}),
    ...(ref.name ? { name: ref.name } : {}),
    componentIds: (ref.components ?? '').split(',').filter(Boolean),
    ...(ref.componentStatus ? { componentStatus: ref.componentStatus } : {}),
    pending: pendingKeys(ref).length,
  };
}

/** Keys of the changes waiting in a ref, oldest first. */
export function pendingKeys(ref: Record<string, string>): string[] {
  return Object.keys(ref)
    .filter((key) => key.startsWith(PENDING_PREFIX))
    .sort();
}

/** The ref with `change` added last. */
export function withPending(ref: Record<string, string>, change: StatuspageChange) {
  const last = pendingKeys(ref).at(-1);
  const next = last ? Number(last.slice(PENDING_PREFIX.length)) + 1 : 1;
  const key = `${PENDING_PREFIX}${String(next).padStart(6, '0')}`;
  return { ...ref, [key]: JSON.stringify(change) };
}

/** A waiting change as stored; a damaged one reads as an empty update. */
export function readChange(text: string | undefined): StatuspageChange {
  try {
    const parsed = JSON.parse(text ?? '{}') as StatuspageChange;
    return typeof parsed === 'object' && parsed !== null ? parsed : { kind: 'update' };
  } catch {
    return { kind: 'update' };
  }
}

/** The ref without the change under `key`. */
export function without(ref: Record<string, string>, key: string) {
  const rest = { ...ref };
  delete rest[key];
  return rest;
}
