/**
 * PagerDuty V3 webhook events (wire-formats.md §2.1): the envelope `{ event: { id, event_type,
 * resource_type, occurred_at, agent, client, data } }`, built from the stand-in's incidents, and
 * the `X-PagerDuty-Signature` recipe.
 * https://developer.pagerduty.com/docs/webhooks/v3-overview
 */
import { createHmac, randomUUID } from 'node:crypto';

import type { Account, Actor, IncidentState, NoteState } from './account.ts';
import { actorRef, incidentEventData, noteEventData, type Reference } from './shapes.ts';

/** The incident event types the stand-in builds; all but `annotated` carry an `incident`. */
export const INCIDENT_EVENT_TYPES = [
  'incident.triggered',
  'incident.acknowledged',
  'incident.unacknowledged',
  'incident.resolved',
  'incident.reopened',
  'incident.reassigned',
  'incident.escalated',
  'incident.annotated',
  'incident.priority_updated',
] as const;

export type IncidentEventType = (typeof INCIDENT_EVENT_TYPES)[number];

export interface WebhookEvent {
  id: string;
  event_type: string;
  resource_type: string;
  /** ISO 8601 with milliseconds. */
  occurred_at: string;
  /** A user_reference for people (and the bot's own REST calls), a service_reference for events. */
  agent: Reference | null;
  client: { name: string } | null;
  data: Record<string, unknown>;
}

export interface EventOptions {
  /** Default: a fresh UUID, as in PagerDuty's examples. */
  id?: string;
  /** Epoch milliseconds. Default: the stand-in's clock. */
  occurredAt?: number;
  /** Required for incident.annotated: the note it announces. */
  note?: NoteState;
}

/**
 * The event PagerDuty sends when `incident` changes as `type` says, caused by `actor` (null when
 * PagerDuty itself acted, e.g. an automatic escalation). Data reflects the incident as it is now.
 */
export function incidentEvent(
  account: Account,
  type: IncidentEventType,
  incident: IncidentState,
  actor: Actor | null,
  options: EventOptions = {},
): WebhookEvent {
  if (type === 'incident.annotated' && options.note === undefined) {
    throw new Error('incidentEvent: incident.annotated needs the note it announces');
  }

  const data =
    type === 'incident.annotated' && options.note !== undefined
      ? noteEventData(account, incident, options.note)
      : incidentEventData(account, incident);
  return {
    id: options.id ?? randomUUID(),
    event_type: type,
    resource_type: 'incident',
    occurred_at: new Date(options.occurredAt ?? account.now()).toISOString(),
    agent: actor === null ? null : actorRef(account, actor),
    client: null,
    data,
  };
}

/**
 * The `X-PagerDuty-Signature` value for a body: `v1=<hex HMAC-SHA256(secret, raw body)>`, one
 * per secret joined by ',' (several while a secret is rotated).
 * https://developer.pagerduty.com/docs/webhooks/webhook-signatures
 */
export function pagerDutySignature(
  secrets: string | readonly string[],
  rawBody: string | Buffer,
): string {
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  if (list.length === 0) throw new Error('pagerDutySignature: no secret');

  return list
    .map((secret) => `v1=${createHmac('sha256', secret).update(rawBody).digest('hex')}`)
    .join(',');
}
